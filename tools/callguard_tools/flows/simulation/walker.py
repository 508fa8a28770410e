"""Walk one contact through compiled flows, action by action, as Amazon Connect would.

The walker is the simulator's engine: it holds what the contact carries
(attributes, the last Lambda result, stored input, the working queue), the
stack of flows and modules it is in, and the transitions every action shares
(next, an error type, the first matching condition). What each action type
does lives in the ``*_actions`` modules, one handler per type, gathered in
:mod:`.actions`; the walker runs the handler compiled into each
:class:`~.library.Step` and never reads raw JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from callguard_tools.flows.connect_event import Contact, interpolate, resolve_value
from callguard_tools.flows.lambda_invoke import LambdaInvoker
from callguard_tools.flows.model import Action
from callguard_tools.flows.simulation.library import FlowLibrary, SimFlow
from callguard_tools.flows.simulation.script import SILENCE, CallScript, SimulationResult, Turn
from callguard_tools.flows.transcript import (
    ActionVisited,
    BranchTaken,
    Entry,
    Note,
    Outcome,
    Transcript,
)
from callguard_tools.outbound_sim.lex import BotDefinition


@dataclass(frozen=True)
class BotDirectory:
    """The Lex bots a simulated instance can reach: alias ARN -> bot key, and the definition."""

    aliases: Mapping[str, str]
    definition: BotDefinition

    def bot_for(self, alias_arn: str) -> str | None:
        """Return the bot key of ``alias_arn``, or None when no bot has that alias."""
        return self.aliases.get(alias_arn)


class ContactLeft(Exception):  # noqa: N818 - how a walk ends, not an error
    """Raised by an action to end the walk: the contact has left the flows with ``outcome``."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.describe())
        self.outcome = outcome


@dataclass
class _Frame:
    flow: SimFlow
    return_to: str | None  # the caller's next action when this is a module


_NUMBER_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "NumberGreaterThan": lambda a, b: a > b,
    "NumberGreaterOrEqualTo": lambda a, b: a >= b,
    "NumberLessThan": lambda a, b: a < b,
    "NumberLessOrEqualTo": lambda a, b: a <= b,
}

_TEXT_COMPARISONS: dict[str, Callable[[str, str], bool]] = {
    "Equals": lambda a, b: a == b,
    "TextStartsWith": str.startswith,
    "TextEndsWith": str.endswith,
    "TextContains": lambda a, b: b in a,
}


def condition_matches(operator: str, left: Any, right: Any) -> bool:
    """Evaluate one Compare/GetParticipantInput condition; non-numbers never match numerically."""
    if left is None:
        return False
    text = _TEXT_COMPARISONS.get(operator)
    if text is not None:
        return text(str(left), str(right))
    number = _NUMBER_COMPARISONS.get(operator)
    if number is None:
        return False
    try:
        return number(float(str(left)), float(str(right)))
    except ValueError:
        return False


class Walker:
    """Runs one contact through a :class:`~.library.FlowLibrary` with real handlers."""

    def __init__(
        self,
        library: FlowLibrary,
        invoker: LambdaInvoker,
        contact: Contact,
        script: CallScript,
        bots: BotDirectory | None = None,
    ) -> None:
        self.library = library
        self.invoker = invoker
        self.contact = contact
        self.script = script
        self.transcript = Transcript()
        self.attributes: dict[str, str] = dict(contact.attributes)
        self.external: dict[str, Any] = {}
        self.stored_input: str | None = None
        self.flow_attributes: dict[str, str] = {}
        self.target_queue: str | None = contact.queue_arn
        self._inputs = list(script.inputs)
        self._turns = list(script.turns)
        self.bots = bots
        self.lex: dict[str, Any] = {}
        self._stack: list[_Frame] = []

    # ------------------------------------------------------------ public
    def run(self, flow_key: str) -> SimulationResult:
        """Walk from ``flow_key``'s start action until the contact leaves."""
        flow = self.library.find(flow_key)
        if flow is None:
            raise KeyError(f"no flow named {flow_key!r} in the simulator's library")
        self._stack = [_Frame(flow, None)]
        try:
            self._walk(flow.start_action)
        except ContactLeft as left:
            self.transcript.outcome = left.outcome
        assert self.transcript.outcome is not None
        return SimulationResult(
            contact=self.contact,
            transcript=self.transcript,
            attributes=dict(self.attributes),
            external=dict(self.external),
            target_queue=self.target_queue,
            outcome=self.transcript.outcome,
        )

    # ------------------------------------------------------------ engine
    @property
    def flow(self) -> SimFlow:
        """The flow (or module) the contact is in now."""
        return self._stack[-1].flow

    def _walk(self, start: str) -> None:
        identifier = start
        for _ in range(self.script.max_steps):
            step = self.flow.steps.get(identifier)
            if step is None:
                self.leave(Outcome("error", detail=f"{self.flow.name}: no action {identifier!r}"))
            self.record(ActionVisited(self.flow.name, identifier, step.action.type))
            if step.handler is None:
                self.leave(
                    Outcome(
                        "error",
                        detail=f"{self.flow.name}/{identifier}: action type "
                        f"{step.action.type!r} is not simulated",
                    )
                )
            identifier = step.handler.run(self, step.action, step.parameters)
        self.leave(
            Outcome("error", detail=f"more than {self.script.max_steps} steps: a loop in the flow?")
        )

    def leave(self, outcome: Outcome) -> NoReturn:
        """End the walk: the contact leaves the flows with ``outcome``."""
        raise ContactLeft(outcome)

    # ------------------------------------------------------------ what the contact carries
    def namespace(self) -> dict[str, Any]:
        """Return the contact as ``$.`` references see it now."""
        namespace = self.contact.contact_data(self.attributes, self.target_queue)
        namespace["External"] = dict(self.external)
        namespace["FlowAttributes"] = dict(self.flow_attributes)
        if self.lex:
            namespace["Lex"] = dict(self.lex)
        if self.stored_input is not None:
            namespace["StoredCustomerInput"] = self.stored_input
        return namespace

    def text(self, value: Any) -> str:
        """Return a parameter value as text: references resolved, a missing one as ""."""
        resolved = resolve_value(value, self.namespace())
        if resolved is None:
            return ""
        if isinstance(resolved, str):
            return resolved
        return json.dumps(resolved)

    def fill(self, text: str) -> str:
        """Return prompt text with the references embedded in it filled in."""
        return interpolate(text, self.namespace())

    def next_input(self) -> str | None:
        """Return the next scripted keypad input (None: nothing typed before the time limit)."""
        return self._inputs.pop(0) if self._inputs else None

    def next_turn(self) -> Turn:
        """Return the receiver's next turn with a Lex bot (silence once the script runs out)."""
        return self._turns.pop(0) if self._turns else SILENCE

    # ------------------------------------------------------------ transcript
    def record(self, entry: Entry) -> None:
        """Add one entry to the transcript."""
        self.transcript.add(entry)

    def note(self, action: Action, text: str) -> None:
        """Record a remark about ``action`` in the current flow."""
        self.record(Note(self.flow.name, action.identifier, text))

    # ------------------------------------------------------------ transitions
    def go(self, action: Action, branch: str, target: str | None) -> str:
        """Take ``branch`` to ``target``; a missing target ends the walk in an error."""
        if not target:
            self.leave(
                Outcome(
                    "error",
                    detail=f"{self.flow.name}/{action.identifier}: no transition for {branch}",
                )
            )
        self.record(BranchTaken(self.flow.name, action.identifier, branch, target))
        return target

    def next(self, action: Action) -> str:
        """Take the action's success branch (``NextAction``)."""
        return self.go(action, "next", action.next_action)

    def error(self, action: Action, error_type: str) -> str:
        """Take the action's ``error_type`` branch."""
        return self.go(action, f"error {error_type}", action.error_target(error_type))

    def first_condition(self, action: Action, value: Any) -> str | None:
        """Take the first condition ``value`` matches; None when none does."""
        namespace = self.namespace()
        for condition in action.conditions:
            operands = [resolve_value(operand, namespace) for operand in condition.operands]
            if any(condition_matches(condition.operator, value, operand) for operand in operands):
                shown = ", ".join(repr(operand) for operand in operands)
                branch = f"condition {condition.operator} {shown}"
                return self.go(action, branch, condition.next_action)
        return None

    # ------------------------------------------------------------ modules
    def enter_module(self, action: Action, module: SimFlow) -> str:
        """Enter ``module``; its EndFlowModuleExecution returns to ``action``'s next action."""
        self.note(action, f"enters module {module.name}")
        self._stack.append(_Frame(module, action.next_action))
        return module.start_action

    def return_from_module(self, action: Action) -> str:
        """Leave the current module for the flow that invoked it (or end, run on its own)."""
        frame = self._stack.pop()
        if not self._stack:
            self.leave(Outcome("ended", detail=f"module {frame.flow.name} returned"))
        self.record(
            Note(frame.flow.name, action.identifier, f"returns from module {frame.flow.name}")
        )
        return self.go(action, "module returned", frame.return_to)
