"""Rules about the shape of the document and the graph its transitions form."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from callguard_tools.flows.model import FLOW_LANGUAGE_VERSION, FLOW_TYPES, MODULE_TYPE, Action, Flow
from callguard_tools.flows.rules.catalog import OPERATORS, spec_for
from callguard_tools.flows.rules.registry import Problem, flow_rule

#: Characters Connect forbids in action identifiers.
FORBIDDEN_IDENTIFIER_CHARS = frozenset("%:()\\/=$,;[]{}")
#: Identifier strings Connect reserves.
RESERVED_IDENTIFIERS = frozenset(
    {
        "__proto__",
        "constructor",
        "__defineGetter__",
        "__defineSetter__",
        "toString",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "valueOf",
    }
)
MAX_IDENTIFIER_LENGTH = 50

_DOCUMENT_KEYS = frozenset({"Version", "StartAction", "Metadata", "Actions", "Settings"})
_ACTION_FIELDS: dict[str, type] = {
    "Identifier": str,
    "Type": str,
    "Parameters": dict,
    "Transitions": dict,
}


def _label(action: Action) -> str | None:
    """Return the identifier to report, or None when the action has none."""
    return action.identifier or None


@flow_rule("envelope")
def check_envelope(flow: Flow) -> Iterator[Problem]:
    """Require Version 2019-10-30, a StartAction and a list of well-formed actions."""
    document = flow.document
    if document.get("Version") != FLOW_LANGUAGE_VERSION:
        yield Problem(
            f"Version must be {FLOW_LANGUAGE_VERSION!r}, found {document.get('Version')!r}"
        )
    if not isinstance(document.get("StartAction"), str):
        yield Problem("StartAction must be the identifier (a string) of the first action")
    if not isinstance(document.get("Actions"), list):
        yield Problem("Actions must be a list of actions")
    for key in ("Metadata", "Settings"):
        if key in document and not isinstance(document[key], Mapping):
            yield Problem(f"{key} must be an object")
    for key in sorted(set(document) - _DOCUMENT_KEYS):
        yield Problem(f"unexpected top-level key {key!r}", severity="warning")
    if "Settings" in document and not flow.is_module and flow.flow_type is not None:
        yield Problem("Settings belongs to flow modules only", severity="warning")
    if flow.flow_type is not None and flow.flow_type not in FLOW_TYPES:
        yield Problem(
            f"unknown flow type {flow.flow_type!r}; expected one of {', '.join(sorted(FLOW_TYPES))}"
        )
    if flow.wrapper is not None and not isinstance(flow.wrapper.get("Name"), str):
        yield Problem("the {Name, Type, Content} wrapper needs a Name string")
    yield from _action_envelopes(document.get("Actions"))


def _action_envelopes(raw_actions: Any) -> Iterator[Problem]:
    """Check that each action is an object with Identifier, Type, Parameters and Transitions."""
    for index, raw in enumerate(raw_actions if isinstance(raw_actions, list) else []):
        if not isinstance(raw, Mapping):
            yield Problem(f"Actions[{index}] must be an object")
            continue
        name = raw.get("Identifier") if isinstance(raw.get("Identifier"), str) else None
        for field_name, field_type in _ACTION_FIELDS.items():
            if not isinstance(raw.get(field_name), field_type):
                wanted = "a string" if field_type is str else "an object"
                yield Problem(f"Actions[{index}].{field_name} must be {wanted}", name)


@flow_rule("start-action")
def check_start_action(flow: Flow) -> Iterator[Problem]:
    """Require StartAction to name an action that exists."""
    start = flow.start_action
    if isinstance(start, str) and flow.action(start) is None:
        yield Problem(f"StartAction {start!r} is not the identifier of any action")


@flow_rule("identifiers")
def check_identifiers(flow: Flow) -> Iterator[Problem]:
    """Require unique identifiers of at most 50 allowed characters that are not reserved words."""
    seen: set[str] = set()
    for action in flow.actions:
        identifier = action.identifier
        if not identifier:
            continue  # missing or mistyped: the envelope rule reports it
        if identifier in seen:
            yield Problem("identifier is used by more than one action", identifier)
        seen.add(identifier)
        if len(identifier) > MAX_IDENTIFIER_LENGTH:
            yield Problem(
                f"identifier is {len(identifier)} characters long (limit {MAX_IDENTIFIER_LENGTH})",
                identifier,
            )
        bad = sorted(set(identifier) & FORBIDDEN_IDENTIFIER_CHARS)
        if bad:
            yield Problem(f"identifier contains forbidden character(s) {' '.join(bad)}", identifier)
        if identifier in RESERVED_IDENTIFIERS:
            yield Problem("identifier is a reserved word", identifier)


@flow_rule("transition-shape")
def check_transition_shape(flow: Flow) -> Iterator[Problem]:
    """Check the shape of NextAction, Errors and Conditions (known operators, string operands)."""
    for action in flow.actions:
        transitions = action.raw.get("Transitions")
        if not isinstance(transitions, Mapping):
            continue  # the envelope rule reports it
        yield from _transition_problems(action, transitions)


def _transition_problems(action: Action, transitions: Mapping[str, Any]) -> Iterator[Problem]:
    label = _label(action)
    if "NextAction" in transitions and not isinstance(transitions["NextAction"], str):
        yield Problem("Transitions.NextAction must be a string", label)
    errors = transitions.get("Errors", [])
    if not isinstance(errors, list):
        yield Problem("Transitions.Errors must be a list", label)
        errors = []
    for index, entry in enumerate(errors):
        if not (
            isinstance(entry, Mapping)
            and isinstance(entry.get("ErrorType"), str)
            and isinstance(entry.get("NextAction"), str)
        ):
            yield Problem(
                f"Transitions.Errors[{index}] needs string ErrorType and NextAction", label
            )
    conditions = transitions.get("Conditions", [])
    if not isinstance(conditions, list):
        yield Problem("Transitions.Conditions must be a list", label)
        conditions = []
    for index, entry in enumerate(conditions):
        yield from _condition_problems(label, index, entry)
    spec = spec_for(action.type)
    if conditions and spec is not None and not spec.conditions:
        yield Problem(f"{action.type} does not take Conditions", label)


def _condition_problems(label: str | None, index: int, entry: Any) -> Iterator[Problem]:
    where = f"Transitions.Conditions[{index}]"
    if not isinstance(entry, Mapping) or not isinstance(entry.get("NextAction"), str):
        yield Problem(f"{where} needs a NextAction string", label)
        return
    condition = entry.get("Condition")
    if not isinstance(condition, Mapping):
        yield Problem(f"{where}.Condition must be an object with Operator and Operands", label)
        return
    operator = condition.get("Operator")
    if not isinstance(operator, str) or operator not in OPERATORS:
        yield Problem(f"{where} has unknown Operator {operator!r}", label)
    operands = condition.get("Operands")
    if not isinstance(operands, list) or not operands:
        yield Problem(f"{where}.Operands must be a non-empty list", label)
    elif not all(isinstance(operand, str) for operand in operands):
        yield Problem(f'{where}.Operands must be strings (write numbers as "5")', label)


@flow_rule("transition-targets")
def check_transition_targets(flow: Flow) -> Iterator[Problem]:
    """Require every NextAction (plain, condition or error) to name an existing action."""
    for action in flow.actions:
        for target in dict.fromkeys(action.targets()):
            if flow.action(target) is None:
                yield Problem(
                    f"transition to {target!r}, which is not an action in this flow", _label(action)
                )


def reachable_identifiers(flow: Flow) -> set[str]:
    """Return the identifiers reachable from StartAction through any transition."""
    start = flow.start_action
    if not isinstance(start, str) or flow.action(start) is None:
        return set()
    seen = {start}
    queue = deque([start])
    while queue:
        action = flow.action(queue.popleft())
        for target in action.targets() if action is not None else ():
            if target not in seen and flow.action(target) is not None:
                seen.add(target)
                queue.append(target)
    return seen


@flow_rule("reachable")
def check_reachable(flow: Flow) -> Iterator[Problem]:
    """Require every action to be reachable from StartAction (dead blocks hide mistakes)."""
    if flow.action(flow.start_action if isinstance(flow.start_action, str) else "") is None:
        return  # the start-action or envelope rule reports it
    reachable = reachable_identifiers(flow)
    for action in flow.actions:
        if action.identifier and action.identifier not in reachable:
            yield Problem("no transition leads to this action from StartAction", action.identifier)


def _may_end_here(action: Action) -> bool:
    """Return True when a contact's path may legitimately stop at ``action``."""
    spec = spec_for(action.type)
    if spec is None:
        return not action.has_transitions  # unknown type: trust the author
    return spec.terminal or spec.may_end


def _ending_actions(flow: Flow, targets: Callable[[Action], Iterable[str]]) -> set[str]:
    """Return the actions from which following ``targets`` reaches one where a path may end."""
    can_end = {action.identifier for action in flow.actions if _may_end_here(action)}
    changed = True
    while changed:
        changed = False
        for action in flow.actions:
            if action.identifier not in can_end and any(t in can_end for t in targets(action)):
                can_end.add(action.identifier)
                changed = True
    return can_end


@flow_rule("paths-terminate")
def check_paths_terminate(flow: Flow) -> Iterator[Problem]:
    """Require every path to end in a terminal action: no dead ends and no inescapable loops."""
    for action in flow.actions:
        spec = spec_for(action.type)
        if spec is not None and spec.next_action == "required" and action.next_action is None:
            yield Problem(
                f"{action.type} has no NextAction: its success path goes nowhere", _label(action)
            )
        elif not action.has_transitions and not _may_end_here(action):
            yield Problem(f"{action.type} is not terminal but has no transitions", _label(action))
    can_end = _ending_actions(flow, Action.targets)
    for action in flow.actions:
        if action.identifier and action.identifier not in can_end and action.has_transitions:
            yield Problem(
                "every path from here loops forever: no terminal action is reachable",
                action.identifier,
            )


#: Error branches that are ordinary outcomes of the caller or the data, not failures:
#: a loop left through one of them (no digit matched, nothing typed) is a normal way out.
OUTCOME_ERRORS = frozenset({"NoMatchingCondition", "InputTimeLimitExceeded"})


def _normal_targets(action: Action) -> Iterator[str]:
    """Targets a contact reaches when nothing fails: NextAction, conditions, outcome errors."""
    if action.next_action is not None:
        yield action.next_action
    for condition in action.conditions:
        yield condition.next_action
    for error in action.errors:
        if error.error_type in OUTCOME_ERRORS:
            yield error.next_action


def _on_a_cycle(flow: Flow, start: str) -> bool:
    """Return True when normal transitions lead from ``start`` back to itself."""
    seen: set[str] = set()
    queue = deque([start])
    while queue:
        action = flow.action(queue.popleft())
        for target in _normal_targets(action) if action is not None else ():
            if target == start:
                return True
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return False


@flow_rule("loop-exits-only-on-error")
def check_loop_exits(flow: Flow) -> Iterator[Problem]:
    """Report a loop that only an error branch can leave: on the normal path it never ends."""
    can_end = _ending_actions(flow, Action.targets)
    can_end_normally = _ending_actions(flow, _normal_targets)
    for action in flow.actions:
        identifier = action.identifier
        if (
            identifier in can_end
            and identifier not in can_end_normally
            and _on_a_cycle(flow, identifier)
        ):
            yield Problem(
                "every normal path from here goes round a loop that only an error branch "
                "leaves; the contact would loop until something fails",
                identifier,
            )


@flow_rule("terminal-transitions")
def check_terminal_transitions(flow: Flow) -> Iterator[Problem]:
    """Require terminal actions (Disconnect, End...) to have empty Transitions."""
    for action in flow.actions:
        spec = spec_for(action.type)
        transitions = action.raw.get("Transitions")
        if (
            spec is not None
            and spec.terminal
            and isinstance(transitions, Mapping)
            and any(value not in (None, [], {}, "") for value in transitions.values())
        ):
            yield Problem(
                f"{action.type} ends the flow; its Transitions must be {{}}", _label(action)
            )


@flow_rule("module-settings", severity="warning")
def check_module_settings(flow: Flow) -> Iterator[Problem]:
    """Warn when a flow module lacks the Settings object Connect expects inside its content."""
    if flow.flow_type == MODULE_TYPE and "Settings" not in flow.document:
        yield Problem("flow module has no Settings object; Connect expects it in the content")
