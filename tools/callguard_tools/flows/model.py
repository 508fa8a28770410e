"""A small typed model of Amazon Connect flow documents (flow language 2019-10-30).

Flows reach us in two shapes: the bare document that the Connect API and our
templates use (``{"Version", "StartAction", "Actions", ...}``) and the
``{"Name", "Type", "Content"}`` wrapper that export tools write, where
``Content`` is the document again, usually as a JSON string. Both are parsed into
:class:`Flow`. Parsing is deliberately lenient: a malformed action is kept with
whatever could be read, so that the linter can report *what* is wrong and
*where* instead of the parser stopping at the first surprise. Nothing is
dropped quietly, though: whatever the parser had to skip or coerce is recorded
in :attr:`Action.defects` and :attr:`Flow.defects`, and a consumer that needs a
well-formed flow (the simulator) refuses one with defects, naming each
(:meth:`Flow.shape_problems`, :class:`FlowShapeError`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The only flow-language version Connect accepts today.
FLOW_LANGUAGE_VERSION = "2019-10-30"

#: Our name for a flow module; the Connect API keeps modules apart from flow types.
MODULE_TYPE = "CONTACT_FLOW_MODULE"

#: Flow types of the CreateContactFlow API, plus :data:`MODULE_TYPE`.
FLOW_TYPES = frozenset(
    {
        "CONTACT_FLOW",
        "CUSTOMER_QUEUE",
        "CUSTOMER_HOLD",
        "CUSTOMER_WHISPER",
        "AGENT_HOLD",
        "AGENT_WHISPER",
        "OUTBOUND_WHISPER",
        "AGENT_TRANSFER",
        "QUEUE_TRANSFER",
        "CAMPAIGN",
        MODULE_TYPE,
    }
)


class FlowParseError(ValueError):
    """The text is not a flow document at all (not JSON, or not an object).

    Carries the source name and, for JSON errors, the line and column, so the
    message points at the defect.
    """

    def __init__(
        self, source: str, message: str, line: int | None = None, column: int | None = None
    ):
        self.source = source
        self.line = line
        self.column = column
        where = f"{source}:{line}:{column}" if line is not None else source
        super().__init__(f"{where}: {message}")
        self.detail = message


class FlowShapeError(ValueError):
    """A flow (or one action of it) has a shape that cannot be run: what, and where.

    ``problems`` lists every defect as ``"action 'id': Transitions.Errors must be
    a list"``-style lines; the message names the flow and all of them.
    """

    def __init__(self, source: str, problems: tuple[str, ...]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(
            f"{source}: malformed flow ({'; '.join(problems)}); run `callguard flows lint`"
        )


@dataclass(frozen=True)
class ErrorBranch:
    """One ``Transitions.Errors`` entry: where the contact goes when ``error_type`` happens."""

    error_type: str
    next_action: str


@dataclass(frozen=True)
class Condition:
    """One ``Transitions.Conditions`` entry: ``operator`` applied to ``operands``."""

    next_action: str
    operator: str
    operands: tuple[Any, ...]


@dataclass(frozen=True)
class Action:
    """One step of a flow, with its transitions unpacked.

    ``raw`` is the action exactly as written, for rules that check shapes the
    typed fields cannot represent (a JSON number where a string belongs, an
    ``Errors`` that is not a list, ...).
    """

    identifier: str
    type: str
    parameters: Mapping[str, Any]
    next_action: str | None
    errors: tuple[ErrorBranch, ...]
    conditions: tuple[Condition, ...]
    raw: Mapping[str, Any]
    index: int
    defects: tuple[str, ...] = ()

    def targets(self) -> Iterator[str]:
        """Yield every action identifier this action can transition to, in document order."""
        if self.next_action is not None:
            yield self.next_action
        for condition in self.conditions:
            yield condition.next_action
        for error in self.errors:
            yield error.next_action

    def error_target(self, error_type: str) -> str | None:
        """Return where ``error_type`` leads, or None when that error is not wired."""
        for error in self.errors:
            if error.error_type == error_type:
                return error.next_action
        return None

    @property
    def label(self) -> str:
        """How messages name the action: ``action 'id'``, or its position without an id."""
        return f"action {self.identifier!r}" if self.identifier else f"Actions[{self.index}]"

    @property
    def has_transitions(self) -> bool:
        """True when the action names any next action at all."""
        return next(self.targets(), None) is not None


@dataclass(frozen=True)
class Flow:
    """A parsed flow document and where it came from.

    ``flow_type`` is None when nothing says what the flow is (a bare document
    without a hint); rules that depend on the type then apply their strictest
    reading or stay silent, as each documents.
    """

    source: str
    document: Mapping[str, Any]
    content_text: str
    actions: tuple[Action, ...]
    name: str | None = None
    flow_type: str | None = None
    wrapper: Mapping[str, Any] | None = None
    by_id: Mapping[str, Action] = field(default_factory=dict)
    defects: tuple[str, ...] = ()

    @property
    def start_action(self) -> Any:
        """The raw ``StartAction`` value (not necessarily a string: the linter checks)."""
        return self.document.get("StartAction")

    @property
    def is_module(self) -> bool:
        """True for a flow module."""
        return self.flow_type == MODULE_TYPE

    def action(self, identifier: str) -> Action | None:
        """Return the first action with ``identifier``, or None."""
        return self.by_id.get(identifier)

    def shape_problems(self) -> list[str]:
        """Return every defect of the document and its actions, each naming where it is."""
        problems = list(self.defects)
        for action in self.actions:
            problems.extend(f"{action.label}: {defect}" for defect in action.defects)
        return problems


def _entries(
    transitions: Mapping[str, Any], key: str, defects: list[str]
) -> list[Mapping[str, Any]]:
    """Return the object entries of ``Transitions[key]``, recording what had to be skipped."""
    value = transitions.get(key, [])
    if not isinstance(value, list):
        defects.append(f"Transitions.{key} must be a list")
        return []
    entries: list[Mapping[str, Any]] = []
    for position, entry in enumerate(value):
        if isinstance(entry, Mapping):
            entries.append(entry)
        else:
            defects.append(f"Transitions.{key}[{position}] must be an object")
    return entries


def _string_field(
    item: Mapping[str, Any], key: str, where: str, defects: list[str], required: bool = True
) -> str:
    """Return ``item[key]`` when it is a string; else "" with a defect (when required)."""
    value = item.get(key)
    if isinstance(value, str):
        return value
    if required or value is not None:
        defects.append(f"{where}{key} must be a string")
    return ""


def _parse_action(raw: Any, index: int) -> Action:
    """Read one action leniently: missing or mistyped fields become empty values and defects."""
    defects: list[str] = []
    if not isinstance(raw, Mapping):
        defects.append("must be an object")
    item: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    identifier = _string_field(item, "Identifier", "", defects) if item else ""
    action_type = _string_field(item, "Type", "", defects) if item else ""
    transitions = item.get("Transitions", {})
    if not isinstance(transitions, Mapping):
        defects.append("Transitions must be an object")
        transitions = {}
    next_action = transitions.get("NextAction")
    if next_action is not None and not isinstance(next_action, str):
        defects.append("Transitions.NextAction must be a string")
    errors = tuple(
        ErrorBranch(
            _string_field(entry, "ErrorType", f"Transitions.Errors[{n}].", defects),
            _string_field(entry, "NextAction", f"Transitions.Errors[{n}].", defects),
        )
        for n, entry in enumerate(_entries(transitions, "Errors", defects))
    )
    conditions: list[Condition] = []
    for n, entry in enumerate(_entries(transitions, "Conditions", defects)):
        where = f"Transitions.Conditions[{n}]."
        condition = entry.get("Condition")
        if not isinstance(condition, Mapping):
            defects.append(f"{where}Condition must be an object")
            condition = {}
        operands = condition.get("Operands")
        if not isinstance(operands, list):
            defects.append(f"{where}Condition.Operands must be a list")
        conditions.append(
            Condition(
                next_action=_string_field(entry, "NextAction", where, defects),
                operator=_string_field(condition, "Operator", f"{where}Condition.", defects),
                operands=tuple(operands) if isinstance(operands, list) else (),
            )
        )
    parameters = item.get("Parameters", {})
    if not isinstance(parameters, Mapping):
        defects.append("Parameters must be an object")
        parameters = {}
    return Action(
        identifier=identifier,
        type=action_type,
        parameters=parameters,
        next_action=next_action if isinstance(next_action, str) else None,
        errors=errors,
        conditions=tuple(conditions),
        raw=item,
        index=index,
        defects=tuple(defects),
    )


def _loads(source: str, text: str, what: str) -> Any:
    """Parse JSON, turning a syntax error into a :class:`FlowParseError` with its position."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FlowParseError(
            source, f"{what} is not valid JSON: {exc.msg}", exc.lineno, exc.colno
        ) from exc


def _infer_type(source: str, document: Mapping[str, Any]) -> str | None:
    """Guess the flow type of a bare document: modules carry ``Settings`` or say so in the name."""
    if "Settings" in document or ".module." in Path(source).name:
        return MODULE_TYPE
    return None


def parse_flow(text: str, source: str = "<flow>", flow_type: str | None = None) -> Flow:
    """Parse a bare flow document or a ``{Name, Type, Content}`` wrapper.

    ``flow_type`` overrides what the text says (the wrapper's ``Type``, or the
    inference for bare documents: a ``Settings`` object or ``.module.`` in the
    file name means a flow module).

    Raises:
        FlowParseError: the text (or the wrapper's ``Content``) is not JSON, or
            the top level is not an object.

    """
    top = _loads(source, text, "the file")
    if not isinstance(top, Mapping):
        raise FlowParseError(source, f"a flow must be a JSON object, not {type(top).__name__}")
    wrapper: Mapping[str, Any] | None = None
    content_text = text
    document: Any = top
    if "Content" in top and "Actions" not in top:
        wrapper = top
        content = top["Content"]
        if isinstance(content, str):
            content_text = content
            document = _loads(source, content, "the wrapper's Content")
        else:
            document = content
            content_text = json.dumps(content, separators=(",", ":"))
        if not isinstance(document, Mapping):
            raise FlowParseError(source, "the wrapper's Content must be a flow document object")
    if flow_type is None and wrapper is not None and isinstance(wrapper.get("Type"), str):
        flow_type = wrapper["Type"]
    if flow_type is None:
        flow_type = _infer_type(source, document)
    defects: list[str] = []
    if not isinstance(document.get("StartAction"), str):
        defects.append("StartAction must be the identifier (a string) of the first action")
    raw_actions = document.get("Actions")
    if not isinstance(raw_actions, list):
        defects.append("Actions must be a list")
    actions = tuple(
        _parse_action(raw, index)
        for index, raw in enumerate(raw_actions if isinstance(raw_actions, list) else [])
    )
    by_id: dict[str, Action] = {}
    for action in actions:
        by_id.setdefault(action.identifier, action)
    name = wrapper.get("Name") if wrapper is not None else None
    return Flow(
        source=source,
        document=document,
        content_text=content_text,
        actions=actions,
        name=name if isinstance(name, str) else Path(source).name,
        flow_type=flow_type,
        wrapper=wrapper,
        by_id=by_id,
        defects=tuple(defects),
    )


def load_flow(path: Path, flow_type: str | None = None) -> Flow:
    """Read and parse a flow file (see :func:`parse_flow`)."""
    return parse_flow(path.read_text(encoding="utf-8"), str(path), flow_type)
