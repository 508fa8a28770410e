"""What each action type does to a simulated contact: one handler per type, in one table.

:data:`ACTION_HANDLERS` maps an action type (``"InvokeLambdaFunction"``) to an
:class:`ActionHandler`: ``read`` turns the action's ``Parameters`` into a typed
value once, when the flow is compiled (a wrong shape is a
:class:`ParameterError` then, not a surprise mid-call), and ``run`` performs the
action on the :class:`~callguard_tools.flows.simulation.walker.Walker` and
returns the identifier of the next action. To simulate a new action type, write
its parameters class, its two functions, and add one line to the table.

Behaviour Connect does not document precisely is chosen conservatively and
stated where it is implemented (a missing reference evaluates to "", the last
Lambda result is cleared when an invocation fails).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from callguard_tools.flows.connect_event import build_event, is_reference, resolve_value
from callguard_tools.flows.lambda_invoke import MAX_TIME_LIMIT_SECONDS, ResponseType
from callguard_tools.flows.model import FLOW_TYPES, MODULE_TYPE, Action
from callguard_tools.flows.simulation.script import REPEAT_HEARD_DIGITS
from callguard_tools.flows.transcript import (
    AttributeSet,
    InputReceived,
    LambdaCalled,
    Outcome,
    PromptPlayed,
    ReceiverHeard,
)

if TYPE_CHECKING:
    from callguard_tools.flows.simulation.walker import Walker

P = TypeVar("P")

#: Contact attributes share one 32 KB budget.
MAX_ATTRIBUTE_BYTES = 32 * 1024

#: Flow types that cannot invoke flow modules: the flow language reference says
#: InvokeFlowModule "only supports Inbound flow types" (inbound flows, and modules).
FLOW_TYPES_WITHOUT_MODULES = FLOW_TYPES - {"CONTACT_FLOW", MODULE_TYPE}

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

#: Digits an SSML prompt reads out one by one, e.g. a spam-challenge code.
_SPOKEN_DIGITS = re.compile(r'<say-as interpret-as="digits">\s*([0-9]+)\s*</say-as>')

PromptKind = Literal["Text", "SSML", "PromptId"]
_PROMPT_KINDS: tuple[PromptKind, ...] = ("Text", "SSML", "PromptId")


class ParameterError(ValueError):
    """A parameter the simulator reads has a shape it cannot run (the message names it)."""


@dataclass(frozen=True)
class ParameterReader:
    """Typed access to one action's ``Parameters``; a wrong shape is a :class:`ParameterError`."""

    parameters: Mapping[str, Any]
    prefix: str = "Parameters."

    def value(self, name: str, default: Any = "") -> Any:
        """Return a value as written: text, or a ``$.`` reference resolved at run time."""
        return self.parameters.get(name, default)

    def text(self, name: str, default: str = "") -> str:
        """Return a setting that must be a string (``"Enabled"``, ``"ASYNCHRONOUS"``, ...)."""
        value = self.parameters.get(name, default)
        if not isinstance(value, str):
            raise ParameterError(f"{self.prefix}{name} must be a string, not {value!r}")
        return value

    def mapping(self, name: str) -> Mapping[str, Any]:
        """Return an object parameter (``{}`` when absent)."""
        value = self.parameters.get(name, {})
        if not isinstance(value, Mapping):
            raise ParameterError(f"{self.prefix}{name} must be an object, not {value!r}")
        return value

    def nested(self, name: str) -> ParameterReader:
        """Return a reader of the object parameter ``name`` (empty when absent)."""
        return ParameterReader(self.mapping(name), f"{self.prefix}{name}.")


@dataclass(frozen=True)
class ActionHandler(Generic[P]):
    """How the simulator runs one action type: read its parameters once, then run it."""

    read: Callable[[ParameterReader], P]
    run: Callable[[Walker, Action, P], str]


def _no_parameters(reader: ParameterReader) -> None:
    del reader


# ---------------------------------------------------------------- prompts


@dataclass(frozen=True)
class Prompt:
    """What a participant hears: plain text, SSML, or a stored prompt id (a value)."""

    kind: PromptKind
    content: str


def _prompt(reader: ParameterReader) -> Prompt | None:
    for kind in _PROMPT_KINDS:
        if kind in reader.parameters:
            return Prompt(kind, str(reader.parameters[kind]))
    return None


def _play(walk: Walker, action: Action, prompt: Prompt | None) -> None:
    if prompt is None:
        return
    content = walk.text(prompt.content) if prompt.kind == "PromptId" else walk.fill(prompt.content)
    walk.record(PromptPlayed(walk.flow.name, action.identifier, prompt.kind, content))


def _message(walk: Walker, action: Action, prompt: Prompt | None) -> str:
    _play(walk, action, prompt)
    return walk.next(action)


# ---------------------------------------------------------------- settings


def _logging(reader: ParameterReader) -> str:
    return reader.text("FlowLoggingBehavior")


def _update_logging(walk: Walker, action: Action, state: str) -> str:
    walk.note(action, f"flow logging {state.lower()}")
    return walk.next(action)


def _flow_attributes(reader: ParameterReader) -> Mapping[str, Any]:
    """``{name: value}``; Connect writes each as ``{"Value": ...}``, older exports bare."""
    given = reader.mapping("FlowAttributes")
    return {
        key: spec.get("Value", "") if isinstance(spec, Mapping) else spec
        for key, spec in given.items()
    }


def _update_flow_attributes(walk: Walker, action: Action, values: Mapping[str, Any]) -> str:
    for key, value in values.items():
        walk.flow_attributes[key] = walk.text(value)
    return walk.next(action)


def _pass_through(walk: Walker, action: Action, parameters: None) -> str:
    del parameters
    return walk.next(action)


# ---------------------------------------------------------------- attributes and comparisons


@dataclass(frozen=True)
class ContactAttributes:
    """``UpdateContactAttributes``: the values to write and whether a Related contact is named."""

    attributes: Mapping[str, Any]
    related: bool


def _contact_attributes(reader: ParameterReader) -> ContactAttributes:
    return ContactAttributes(
        attributes=reader.mapping("Attributes"),
        related=reader.text("TargetContact", "Current") != "Current",
    )


def _update_contact_attributes(walk: Walker, action: Action, spec: ContactAttributes) -> str:
    if spec.related:
        walk.note(action, "TargetContact Related applied to this contact")
    updated = dict(walk.attributes)
    for key, value in spec.attributes.items():
        resolved = resolve_value(value, walk.namespace())
        if isinstance(resolved, dict | list):
            return walk.error(action, "NoMatchingError")
        updated[key] = "" if resolved is None else str(resolved)
    if len(json.dumps(updated).encode()) > MAX_ATTRIBUTE_BYTES:
        return walk.error(action, "NoMatchingError")
    for key in spec.attributes:
        walk.record(AttributeSet(walk.flow.name, action.identifier, key, updated[key]))
    walk.attributes = updated
    return walk.next(action)


def _comparison_value(reader: ParameterReader) -> Any:
    return reader.value("ComparisonValue")


def _compare(walk: Walker, action: Action, reference: Any) -> str:
    value = resolve_value(reference, walk.namespace()) if is_reference(reference) else reference
    chosen = walk.first_condition(action, value)
    return chosen or walk.error(action, "NoMatchingCondition")


# ---------------------------------------------------------------- keypad input


@dataclass(frozen=True)
class ParticipantInput:
    """``GetParticipantInput``: its prompt, and the store-mode settings the walk applies."""

    prompt: Prompt | None
    store: bool
    terminator: str
    maximum_length: int | None


def _participant_input(reader: ParameterReader) -> ParticipantInput:
    validation = reader.nested("InputValidation").nested("CustomValidation")
    maximum = validation.value("MaximumLength", None)
    try:
        maximum_length = None if maximum is None else int(maximum)
    except (TypeError, ValueError) as error:
        raise ParameterError(
            f"{validation.prefix}MaximumLength must be a whole number, not {maximum!r}"
        ) from error
    return ParticipantInput(
        prompt=_prompt(reader),
        store=str(reader.value("StoreInput", "False")).lower() == "true",
        terminator=reader.nested("DTMFConfiguration").text("InputTerminationSequence"),
        maximum_length=maximum_length,
    )


def _heard_digits(walk: Walker, action: Action) -> str | None:
    """Return the digits the prompt of ``action`` just read out, if it read any."""
    played = walk.transcript.of_type(PromptPlayed)
    if not played or played[-1].identifier != action.identifier:
        return None
    spoken = _SPOKEN_DIGITS.findall(played[-1].content)
    return spoken[-1] if spoken else None


def _get_participant_input(walk: Walker, action: Action, spec: ParticipantInput) -> str:
    _play(walk, action, spec.prompt)
    digits = walk.next_input()
    if digits == REPEAT_HEARD_DIGITS:
        digits = _heard_digits(walk, action)
    walk.record(InputReceived(walk.flow.name, action.identifier, digits))
    if digits is None:
        if spec.store and action.error_target("InputTimeLimitExceeded") is None:
            walk.stored_input = "Timeout"
            return walk.next(action)
        return walk.error(action, "InputTimeLimitExceeded")
    if spec.store:
        if spec.terminator and digits.endswith(spec.terminator):
            digits = digits[: -len(spec.terminator)]
        if spec.maximum_length is not None and len(digits) > spec.maximum_length:
            return walk.error(action, "NoMatchingError")
        walk.stored_input = digits
        return walk.next(action)
    chosen = walk.first_condition(action, digits)
    return chosen or walk.error(action, "NoMatchingCondition")


# ---------------------------------------------------------------- Lex bots and call progress

#: The Lex session attribute that caps a key entry (keys past it are not heard).
DTMF_MAX_LENGTH = "x-amz-lex:dtmf:max-length:*:*"


@dataclass(frozen=True)
class LexBotBlock:
    """``ConnectParticipantWithLexBot``: its prompt, the bot alias and the session attributes."""

    prompt: Prompt | None
    alias_arn: Any
    session_attributes: Mapping[str, Any]


def _lex_bot_block(reader: ParameterReader) -> LexBotBlock:
    return LexBotBlock(
        prompt=_prompt(reader),
        alias_arn=reader.nested("LexV2Bot").value("AliasArn", ""),
        session_attributes=reader.mapping("LexSessionAttributes"),
    )


def _connect_lex_bot(walk: Walker, action: Action, spec: LexBotBlock) -> str:
    """Ask, hear the receiver's next turn through the bot definition, branch on the intent.

    Speech and keys resolve as :mod:`callguard_tools.outbound_sim.lex` describes; a key
    entry longer than the bot's DTMF max-length is cut there, as Lex stops listening.
    Silence takes ``InputTimeLimitExceeded`` (``NoMatchingCondition`` when that is not
    wired), an unknown alias ``NoMatchingError`` (before any prompt or turn), a hang-up
    ends the walk.
    """
    alias = walk.text(spec.alias_arn)
    bot = walk.bots.bot_for(alias) if walk.bots is not None else None
    if walk.bots is None or bot is None:
        # Conservative: the bot cannot be reached, so nothing is asked or heard.
        walk.note(action, f"no Lex bot has the alias {alias!r}")
        walk.lex = {}
        return walk.error(action, "NoMatchingError")
    _play(walk, action, spec.prompt)
    turn = walk.next_turn()
    if turn.kind == "hang_up":
        walk.note(action, "the receiver hangs up")
        return walk.leave(Outcome("hung_up", detail=f"during {action.identifier}"))
    definition = walk.bots.definition
    if turn.kind == "silence":
        walk.record(ReceiverHeard(walk.flow.name, action.identifier, bot, None, None, "", {}))
        walk.lex = {}
        if action.error_target("InputTimeLimitExceeded") is not None:
            return walk.error(action, "InputTimeLimitExceeded")
        return walk.error(action, "NoMatchingCondition")
    if turn.kind == "press":
        keys = turn.text
        limit = str(walk.text(spec.session_attributes.get(DTMF_MAX_LENGTH, "")))
        if limit.isdigit():
            keys = keys.removesuffix(definition.end_character)[: int(limit)]
        result = definition.press(bot, keys)
        heard = ReceiverHeard(
            walk.flow.name, action.identifier, bot, None, turn.text, result.intent, {}
        )
    else:
        result = definition.say(bot, turn.text)
        heard = ReceiverHeard(
            walk.flow.name, action.identifier, bot, turn.text, None, result.intent, {}
        )
    slots = dict(result.slots)
    walk.record(dataclasses.replace(heard, slots=slots))
    walk.lex = {"IntentName": result.intent, "Slots": slots}
    chosen = walk.first_condition(action, result.intent)
    return chosen or walk.error(action, "NoMatchingCondition")


def _check_call_status(walk: Walker, action: Action, parameters: None) -> str:
    """Branch on the scripted call status; a non-campaign call takes the error branch."""
    del parameters
    status = walk.script.call_status
    if status is None:
        walk.note(action, "no answering-machine detection (not campaign traffic)")
        return walk.error(action, "NoMatchingError")
    walk.note(action, f"call progress: {status}")
    chosen = walk.first_condition(action, status)
    return chosen or walk.error(action, "NoMatchingCondition")


# ---------------------------------------------------------------- Lambda


@dataclass(frozen=True)
class LambdaInvocation:
    """``InvokeLambdaFunction``: the function, its time limit (None: unreadable) and inputs."""

    function_arn: Any
    time_limit_seconds: float | None
    attributes: Mapping[str, Any]
    response_type: ResponseType
    asynchronous: bool


def _lambda_invocation(reader: ParameterReader) -> LambdaInvocation:
    limit = reader.value("InvocationTimeLimitSeconds", MAX_TIME_LIMIT_SECONDS)
    try:
        seconds: float | None = min(float(limit), MAX_TIME_LIMIT_SECONDS)
    except (TypeError, ValueError):
        seconds = None  # Connect would not publish it; the walk takes the error branch
    validation = reader.nested("ResponseValidation")
    return LambdaInvocation(
        function_arn=reader.value("LambdaFunctionARN"),
        time_limit_seconds=seconds,
        attributes=reader.mapping("LambdaInvocationAttributes"),
        response_type="JSON" if validation.value("ResponseType") == "JSON" else "STRING_MAP",
        asynchronous=reader.value("InvocationType") == "ASYNCHRONOUS",
    )


def _invoke_lambda(walk: Walker, action: Action, spec: LambdaInvocation) -> str:
    if spec.time_limit_seconds is None:
        return walk.error(action, "NoMatchingError")
    function_arn = walk.text(spec.function_arn)
    sent = {key: walk.text(value) for key, value in spec.attributes.items()}
    event = build_event(walk.contact.contact_data(walk.attributes, walk.target_queue), sent)
    invocation = walk.invoker.invoke(
        function_arn,
        event,
        time_limit_seconds=spec.time_limit_seconds,
        response_type=spec.response_type,
    )
    walk.record(
        LambdaCalled(
            walk.flow.name,
            action.identifier,
            function_arn,
            invocation.handler,
            invocation.parameters,
            invocation.ok,
            invocation.response,
            invocation.error,
            invocation.log_lines,
        )
    )
    if spec.asynchronous:
        return walk.next(action)
    if not invocation.ok:
        # Conservative: nothing of a failed call is readable afterwards.
        walk.external = {}
        return walk.error(action, "NoMatchingError")
    walk.external = dict(invocation.response)
    return walk.next(action)


# ---------------------------------------------------------------- queues


def _queue_id(reader: ParameterReader) -> Any:
    return reader.value("QueueId")


def _update_target_queue(walk: Walker, action: Action, queue_id: Any) -> str:
    queue = walk.text(queue_id)
    if not queue:
        return walk.error(action, "NoMatchingError")
    walk.target_queue = queue
    walk.note(action, f"working queue set to {queue}")
    return walk.next(action)


def _transfer_to_queue(walk: Walker, action: Action, parameters: None) -> str:
    del parameters
    queue = walk.target_queue
    if not queue:
        return walk.error(action, "NoMatchingError")
    if walk.script.at_capacity(queue):
        walk.note(action, f"queue {queue} is at capacity")
        return walk.error(action, "QueueAtCapacity")
    if walk.script.transfers_fail:
        walk.note(action, f"transfer to {queue} fails")
        return walk.error(action, "NoMatchingError")
    return walk.leave(Outcome("transferred", queue=queue))


# ---------------------------------------------------------------- modules and endings


def _module_id(reader: ParameterReader) -> Any:
    return reader.value("FlowModuleId")


def _invoke_flow_module(walk: Walker, action: Action, module_id: Any) -> str:
    kind = walk.flow.kind
    if kind in FLOW_TYPES_WITHOUT_MODULES:
        return walk.leave(
            Outcome(
                "error",
                detail=f"{walk.flow.name}/{action.identifier}: flow modules cannot be invoked "
                f"from a {kind} flow (Connect would not publish it)",
            )
        )
    key = walk.text(module_id)
    if not key:
        walk.note(action, "FlowModuleId is empty: no module to invoke")
        return walk.error(action, "NoMatchingError")
    module = walk.library.find(key)
    if module is None:
        walk.note(action, f"no module {key!r}")
        return walk.error(action, "NoMatchingError")
    return walk.enter_module(action, module)


def _end_flow_module(walk: Walker, action: Action, parameters: None) -> str:
    del parameters
    return walk.return_from_module(action)


def _disconnect(walk: Walker, action: Action, parameters: None) -> str:
    del action, parameters
    return walk.leave(Outcome("disconnected"))


def _end_flow(walk: Walker, action: Action, parameters: None) -> str:
    del action, parameters
    return walk.leave(Outcome("ended"))


#: Action type -> how the simulator runs it. A type not listed ends the walk with
#: an ``error`` outcome naming it ("not simulated") when a contact reaches it.
ACTION_HANDLERS: Mapping[str, ActionHandler[Any]] = {
    "UpdateFlowLoggingBehavior": ActionHandler(_logging, _update_logging),
    "UpdateFlowAttributes": ActionHandler(_flow_attributes, _update_flow_attributes),
    "MessageParticipant": ActionHandler(_prompt, _message),
    "UpdateContactAttributes": ActionHandler(_contact_attributes, _update_contact_attributes),
    "Compare": ActionHandler(_comparison_value, _compare),
    "GetParticipantInput": ActionHandler(_participant_input, _get_participant_input),
    "InvokeLambdaFunction": ActionHandler(_lambda_invocation, _invoke_lambda),
    "ConnectParticipantWithLexBot": ActionHandler(_lex_bot_block, _connect_lex_bot),
    "CheckOutboundCallStatus": ActionHandler(_no_parameters, _check_call_status),
    "UpdateContactTargetQueue": ActionHandler(_queue_id, _update_target_queue),
    "TransferContactToQueue": ActionHandler(_no_parameters, _transfer_to_queue),
    "InvokeFlowModule": ActionHandler(_module_id, _invoke_flow_module),
    "EndFlowModuleExecution": ActionHandler(_no_parameters, _end_flow_module),
    "DisconnectParticipant": ActionHandler(_no_parameters, _disconnect),
    "EndFlowExecution": ActionHandler(_no_parameters, _end_flow),
    **{name: ActionHandler(_no_parameters, _pass_through) for name in PASS_THROUGH_ACTIONS},
}
