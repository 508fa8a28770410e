"""Walk one contact through flow documents, action by action, as Amazon Connect would.

The walker is the simulator's engine. It knows the runtime semantics of the
actions callguard's flows use (and a few harmless settings actions common in
exported flows): how parameters and ``$.`` references are evaluated, which
transition each outcome takes, how a flow module is entered and left, and when
the contact leaves (disconnected, transferred to a queue, or an error the flow
did not handle). It does not parse or validate flows: it receives flows already
parsed and reports what a contact experiences in them.

Behaviour Connect does not document precisely is chosen conservatively and
stated where it is implemented (a missing reference evaluates to "", the last
Lambda result is cleared when an invocation fails).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from callguard_tools.flows.connect_event import (
    Contact,
    build_event,
    interpolate,
    is_reference,
    resolve_value,
)
from callguard_tools.flows.lambda_invoke import (
    MAX_TIME_LIMIT_SECONDS,
    LambdaInvoker,
    ResponseType,
)
from callguard_tools.flows.transcript import (
    ActionVisited,
    AttributeSet,
    BranchTaken,
    InputReceived,
    LambdaCalled,
    Note,
    Outcome,
    PromptPlayed,
    Transcript,
)

#: Contact attributes share one 32 KB budget.
MAX_ATTRIBUTE_BYTES = 32 * 1024

#: A scripted input meaning "key in the digits just read out" (a spoken code).
REPEAT_HEARD_DIGITS = "heard"

#: Digits an SSML prompt reads out one by one, e.g. a spam-challenge code.
_SPOKEN_DIGITS = re.compile(r'<say-as interpret-as="digits">\s*([0-9]+)\s*</say-as>')

#: Settings actions that change nothing the simulator models: follow ``NextAction``.
PASS_THROUGH_ACTIONS = frozenset(
    {
        "UpdateContactTextToSpeechVoice",
        "UpdateContactRecordingBehavior",
        "UpdateContactEventHooks",
        "UpdateContactRoutingBehavior",
        "UpdateContactCallbackNumber",
    }
)


#: Flow types that cannot invoke flow modules: the flow language reference says
#: InvokeFlowModule "only supports Inbound flow types".
FLOW_TYPES_WITHOUT_MODULES = frozenset(
    {
        "CUSTOMER_QUEUE",
        "CUSTOMER_HOLD",
        "CUSTOMER_WHISPER",
        "AGENT_HOLD",
        "AGENT_WHISPER",
        "OUTBOUND_WHISPER",
        "AGENT_TRANSFER",
        "QUEUE_TRANSFER",
        "CAMPAIGN",
    }
)


@dataclass(frozen=True)
class SimFlow:
    """A parsed flow as the walker needs it.

    ``kind`` is the flow type (``CONTACT_FLOW``, ``QUEUE_TRANSFER``, ...) or
    ``MODULE`` for a flow module; ``actions`` maps each identifier to its action
    object (``Type``, ``Parameters``, ``Transitions``) exactly as in the document.
    """

    name: str
    kind: str
    start_action: str
    actions: Mapping[str, Mapping[str, Any]]


@dataclass
class FlowLibrary:
    """Flows by name, plus the ids and ARNs other flows use to reach them (modules)."""

    flows: dict[str, SimFlow] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def add(self, flow: SimFlow, *aliases: str) -> None:
        """Register ``flow`` under its name and any ids/ARNs that refer to it."""
        self.flows[flow.name] = flow
        for alias in aliases:
            self.aliases[alias] = flow.name

    def find(self, key: str) -> SimFlow | None:
        """Return the flow named ``key``, or the one the id/ARN ``key`` refers to."""
        name = self.aliases.get(key, key)
        found = self.flows.get(name)
        if found is None and "/" in key:
            # An ARN whose last segment is a registered id.
            tail = key.rsplit("/", 1)[-1]
            found = self.flows.get(self.aliases.get(tail, tail))
        return found


@dataclass(frozen=True)
class CallScript:
    """What the world does during the call: keypad input and queue state.

    ``inputs`` feeds ``GetParticipantInput`` actions in order (``None`` = the
    caller types nothing until the time limit; :data:`REPEAT_HEARD_DIGITS` = the
    caller keys in the digits that action's SSML prompt read out, as a person
    answering a spoken code would, or nothing if it read none). ``queues_at_capacity`` lists
    queue ids/ARNs that are full; ``all_queues_at_capacity`` fills every queue.
    ``transfers_fail`` makes every transfer fail with ``NoMatchingError`` (a
    deleted or misconfigured queue).
    """

    inputs: tuple[str | None, ...] = ()
    queues_at_capacity: frozenset[str] = frozenset()
    all_queues_at_capacity: bool = False
    transfers_fail: bool = False
    max_steps: int = 500

    def at_capacity(self, queue: str) -> bool:
        """Whether ``queue`` (id or ARN) is scripted to be full."""
        if self.all_queues_at_capacity:
            return True
        tail = queue.rsplit("/", 1)[-1]
        return queue in self.queues_at_capacity or tail in self.queues_at_capacity


@dataclass(frozen=True)
class SimulationResult:
    """The contact's journey: transcript, final attributes, target queue and outcome."""

    contact: Contact
    transcript: Transcript
    attributes: dict[str, str]
    external: dict[str, Any]
    target_queue: str | None
    outcome: Outcome


class _Stop(Exception):  # noqa: N818 - internal control flow, not an error type
    """Raised inside the walk to end it with an outcome."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.describe())
        self.outcome = outcome


@dataclass
class _Frame:
    flow: SimFlow
    return_to: str | None  # the caller's next action when this is a module


def _condition_matches(operator: str, left: Any, right: Any) -> bool:  # noqa: PLR0911
    """Evaluate one Compare/GetParticipantInput condition; non-numbers never match numerically."""
    if left is None:
        return False
    left_text, right_text = str(left), str(right)
    if operator == "Equals":
        return left_text == right_text
    if operator == "TextStartsWith":
        return left_text.startswith(right_text)
    if operator == "TextEndsWith":
        return left_text.endswith(right_text)
    if operator == "TextContains":
        return right_text in left_text
    try:
        left_number, right_number = float(left_text), float(right_text)
    except ValueError:
        return False
    comparisons: dict[str, Callable[[float, float], bool]] = {
        "NumberGreaterThan": lambda a, b: a > b,
        "NumberGreaterOrEqualTo": lambda a, b: a >= b,
        "NumberLessThan": lambda a, b: a < b,
        "NumberLessOrEqualTo": lambda a, b: a <= b,
    }
    comparison = comparisons.get(operator)
    return comparison is not None and comparison(left_number, right_number)


class Walker:
    """Runs one contact through a :class:`FlowLibrary` with real handlers."""

    def __init__(
        self,
        library: FlowLibrary,
        invoker: LambdaInvoker,
        contact: Contact,
        script: CallScript,
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
        except _Stop as stop:
            self.transcript.outcome = stop.outcome
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
    def _flow(self) -> SimFlow:
        return self._stack[-1].flow

    def _namespace(self) -> dict[str, Any]:
        namespace = self.contact.contact_data(self.attributes, self.target_queue)
        namespace["External"] = dict(self.external)
        namespace["FlowAttributes"] = dict(self.flow_attributes)
        if self.stored_input is not None:
            namespace["StoredCustomerInput"] = self.stored_input
        return namespace

    def _walk(self, start: str) -> None:
        identifier: str | None = start
        for _ in range(self.script.max_steps):
            if identifier is None:
                raise _Stop(
                    Outcome("error", detail=f"{self._flow.name}: flow ended with no action")
                )
            action = self._flow.actions.get(identifier)
            if action is None:
                raise _Stop(Outcome("error", detail=f"{self._flow.name}: no action {identifier!r}"))
            action_type = str(action.get("Type", ""))
            self.transcript.add(ActionVisited(self._flow.name, identifier, action_type))
            try:
                identifier = self._step(identifier, action, action_type)
            except (AttributeError, TypeError, ValueError, KeyError) as error:
                # A parameter or transition of the wrong shape: Connect would not
                # publish the flow, so there is no behaviour to simulate. Say where.
                raise _Stop(
                    Outcome(
                        "error",
                        detail=f"{self._flow.name}/{identifier}: malformed {action_type} "
                        f"action ({type(error).__name__}: {error}); run `callguard flows lint`",
                    )
                ) from error
        raise _Stop(
            Outcome("error", detail=f"more than {self.script.max_steps} steps: a loop in the flow?")
        )

    def _step(self, identifier: str, action: Mapping[str, Any], action_type: str) -> str:
        """Run one action and return the identifier of the next one."""
        step = getattr(self, f"_do_{action_type}", None)
        if step is not None:
            target: str = step(identifier, action)
            return target
        if action_type in PASS_THROUGH_ACTIONS:
            return self._next(identifier, action)
        raise _Stop(
            Outcome(
                "error",
                detail=f"{self._flow.name}/{identifier}: action type "
                f"{action_type!r} is not simulated",
            )
        )

    # ------------------------------------------------------------ transitions
    def _go(self, identifier: str, branch: str, target: str | None) -> str:
        if not target:
            raise _Stop(
                Outcome(
                    "error",
                    detail=f"{self._flow.name}/{identifier}: no transition for {branch}",
                )
            )
        self.transcript.add(BranchTaken(self._flow.name, identifier, branch, target))
        return target

    def _next(self, identifier: str, action: Mapping[str, Any]) -> str:
        target = action.get("Transitions", {}).get("NextAction")
        return self._go(identifier, "next", target)

    def _error(self, identifier: str, action: Mapping[str, Any], error_type: str) -> str:
        for error in action.get("Transitions", {}).get("Errors", []):
            if error.get("ErrorType") == error_type:
                return self._go(identifier, f"error {error_type}", error.get("NextAction"))
        return self._go(identifier, f"error {error_type}", None)

    def _conditions(self, identifier: str, action: Mapping[str, Any], value: Any) -> str | None:
        namespace = self._namespace()
        for condition in action.get("Transitions", {}).get("Conditions", []):
            test = condition.get("Condition", {})
            operator = str(test.get("Operator", ""))
            operands = [resolve_value(operand, namespace) for operand in test.get("Operands", [])]
            if any(_condition_matches(operator, value, operand) for operand in operands):
                shown = ", ".join(repr(operand) for operand in operands)
                return self._go(
                    identifier, f"condition {operator} {shown}", condition.get("NextAction")
                )
        return None

    # ------------------------------------------------------------ values
    def _string_value(self, value: Any) -> str:
        """Return a parameter value as text: references resolved, a missing one as ""."""
        resolved = resolve_value(value, self._namespace())
        if resolved is None:
            return ""
        if isinstance(resolved, str):
            return resolved
        return json.dumps(resolved)

    def _prompt(self, identifier: str, parameters: Mapping[str, Any]) -> None:
        namespace = self._namespace()
        for kind in ("Text", "SSML", "PromptId"):
            if kind in parameters:
                content = str(parameters[kind])
                if kind != "PromptId":
                    content = interpolate(content, namespace)
                else:
                    content = self._string_value(content)
                self.transcript.add(PromptPlayed(self._flow.name, identifier, kind, content))
                return

    # ------------------------------------------------------------ actions
    def _do_UpdateFlowLoggingBehavior(self, identifier: str, action: Mapping[str, Any]) -> str:  # noqa: N802
        state = action.get("Parameters", {}).get("FlowLoggingBehavior", "")
        self.transcript.add(Note(self._flow.name, identifier, f"flow logging {state.lower()}"))
        return self._next(identifier, action)

    def _do_UpdateFlowAttributes(self, identifier: str, action: Mapping[str, Any]) -> str:  # noqa: N802
        for key, spec in action.get("Parameters", {}).get("FlowAttributes", {}).items():
            value = spec.get("Value", "") if isinstance(spec, Mapping) else spec
            self.flow_attributes[key] = self._string_value(value)
        return self._next(identifier, action)

    def _do_MessageParticipant(self, identifier: str, action: Mapping[str, Any]) -> str:  # noqa: N802
        self._prompt(identifier, action.get("Parameters", {}))
        return self._next(identifier, action)

    def _do_UpdateContactAttributes(self, identifier: str, action: Mapping[str, Any]) -> str:  # noqa: N802
        parameters = action.get("Parameters", {})
        if parameters.get("TargetContact", "Current") != "Current":
            self.transcript.add(
                Note(self._flow.name, identifier, "TargetContact Related applied to this contact")
            )
        updated = dict(self.attributes)
        for key, value in parameters.get("Attributes", {}).items():
            resolved = resolve_value(value, self._namespace())
            if isinstance(resolved, dict | list):
                return self._error(identifier, action, "NoMatchingError")
            updated[key] = "" if resolved is None else str(resolved)
        if len(json.dumps(updated).encode()) > MAX_ATTRIBUTE_BYTES:
            return self._error(identifier, action, "NoMatchingError")
        for key in parameters.get("Attributes", {}):
            self.transcript.add(AttributeSet(self._flow.name, identifier, key, updated[key]))
        self.attributes = updated
        return self._next(identifier, action)

    def _do_Compare(self, identifier: str, action: Mapping[str, Any]) -> str:  # noqa: N802
        reference = action.get("Parameters", {}).get("ComparisonValue", "")
        value = (
            resolve_value(reference, self._namespace()) if is_reference(reference) else reference
        )
        chosen = self._conditions(identifier, action, value)
        return chosen or self._error(identifier, action, "NoMatchingCondition")

    def _do_GetParticipantInput(self, identifier: str, action: Mapping[str, Any]) -> str:  # noqa: N802
        parameters = action.get("Parameters", {})
        self._prompt(identifier, parameters)
        digits = self._inputs.pop(0) if self._inputs else None
        if digits == REPEAT_HEARD_DIGITS:
            digits = self._heard_digits(identifier)
        self.transcript.add(InputReceived(self._flow.name, identifier, digits))
        store = str(parameters.get("StoreInput", "False")).lower() == "true"
        if digits is None:
            errors = {e.get("ErrorType") for e in action.get("Transitions", {}).get("Errors", [])}
            if store and "InputTimeLimitExceeded" not in errors:
                self.stored_input = "Timeout"
                return self._next(identifier, action)
            return self._error(identifier, action, "InputTimeLimitExceeded")
        if store:
            terminator = parameters.get("DTMFConfiguration", {}).get("InputTerminationSequence", "")
            if terminator and digits.endswith(terminator):
                digits = digits[: -len(terminator)]
            validation = parameters.get("InputValidation", {})
            maximum = validation.get("CustomValidation", {}).get("MaximumLength")
            if maximum is not None and len(digits) > int(maximum):
                return self._error(identifier, action, "NoMatchingError")
            self.stored_input = digits
            return self._next(identifier, action)
        chosen = self._conditions(identifier, action, digits)
        return chosen or self._error(identifier, action, "NoMatchingCondition")

    def _heard_digits(self, identifier: str) -> str | None:
        """Return the digits the prompt of ``identifier`` just read out, if it read any."""
        played = self.transcript.of_type(PromptPlayed)
        if not played or played[-1].identifier != identifier:
            return None
        spoken = _SPOKEN_DIGITS.findall(played[-1].content)
        return spoken[-1] if spoken else None

    def _do_InvokeLambdaFunction(self, identifier: str, action: Mapping[str, Any]) -> str:  # noqa: N802
        parameters = action.get("Parameters", {})
        function_arn = self._string_value(parameters.get("LambdaFunctionARN", ""))
        try:
            limit = float(parameters.get("InvocationTimeLimitSeconds", MAX_TIME_LIMIT_SECONDS))
        except (TypeError, ValueError):
            return self._error(identifier, action, "NoMatchingError")
        limit = min(limit, MAX_TIME_LIMIT_SECONDS)
        sent = {
            key: self._string_value(value)
            for key, value in parameters.get("LambdaInvocationAttributes", {}).items()
        }
        response_type: ResponseType = (
            "JSON"
            if parameters.get("ResponseValidation", {}).get("ResponseType") == "JSON"
            else "STRING_MAP"
        )
        event = build_event(self.contact.contact_data(self.attributes, self.target_queue), sent)
        invocation = self.invoker.invoke(
            function_arn, event, time_limit_seconds=limit, response_type=response_type
        )
        self.transcript.add(
            LambdaCalled(
                self._flow.name,
                identifier,
                function_arn,
                invocation.handler,
                invocation.parameters,
                invocation.ok,
                invocation.response,
                invocation.error,
                invocation.log_lines,
            )
        )
        if parameters.get("InvocationType") == "ASYNCHRONOUS":
            return self._next(identifier, action)
        if not invocation.ok:
            # Conservative: nothing of a failed call is readable afterwards.
            self.external = {}
            return self._error(identifier, action, "NoMatchingError")
        self.external = dict(invocation.response)
        return self._next(identifier, action)

    def _do_UpdateContactTargetQueue(self, identifier: str, action: Mapping[str, Any]) -> str:  # noqa: N802
        queue = self._string_value(action.get("Parameters", {}).get("QueueId", ""))
        if not queue:
            return self._error(identifier, action, "NoMatchingError")
        self.target_queue = queue
        self.transcript.add(Note(self._flow.name, identifier, f"working queue set to {queue}"))
        return self._next(identifier, action)

    def _do_TransferContactToQueue(self, identifier: str, action: Mapping[str, Any]) -> str:  # noqa: N802
        if not self.target_queue:
            return self._error(identifier, action, "NoMatchingError")
        if self.script.at_capacity(self.target_queue):
            self.transcript.add(
                Note(self._flow.name, identifier, f"queue {self.target_queue} is at capacity")
            )
            return self._error(identifier, action, "QueueAtCapacity")
        if self.script.transfers_fail:
            self.transcript.add(
                Note(self._flow.name, identifier, f"transfer to {self.target_queue} fails")
            )
            return self._error(identifier, action, "NoMatchingError")
        raise _Stop(Outcome("transferred", queue=self.target_queue))

    def _do_InvokeFlowModule(self, identifier: str, action: Mapping[str, Any]) -> str:  # noqa: N802
        if self._flow.kind in FLOW_TYPES_WITHOUT_MODULES:
            raise _Stop(
                Outcome(
                    "error",
                    detail=f"{self._flow.name}/{identifier}: flow modules cannot be invoked "
                    f"from a {self._flow.kind} flow (Connect would not publish it)",
                )
            )
        module_id = self._string_value(action.get("Parameters", {}).get("FlowModuleId", ""))
        module = self.library.find(module_id) if module_id else None
        if module is None:
            self.transcript.add(Note(self._flow.name, identifier, f"no module {module_id!r}"))
            return self._error(identifier, action, "NoMatchingError")
        return_to = action.get("Transitions", {}).get("NextAction")
        self.transcript.add(Note(self._flow.name, identifier, f"enters module {module.name}"))
        self._stack.append(_Frame(module, return_to))
        return module.start_action

    def _do_EndFlowModuleExecution(self, identifier: str, action: Mapping[str, Any]) -> str:  # noqa: N802
        del action
        frame = self._stack.pop()
        if not self._stack:
            raise _Stop(Outcome("ended", detail=f"module {frame.flow.name} returned"))
        self.transcript.add(
            Note(frame.flow.name, identifier, f"returns from module {frame.flow.name}")
        )
        return self._go(identifier, "module returned", frame.return_to)

    def _do_DisconnectParticipant(self, identifier: str, action: Mapping[str, Any]) -> str:  # noqa: N802
        del identifier, action
        raise _Stop(Outcome("disconnected"))

    def _do_EndFlowExecution(self, identifier: str, action: Mapping[str, Any]) -> str:  # noqa: N802
        del identifier, action
        raise _Stop(Outcome("ended"))
