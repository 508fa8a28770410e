"""What the linter knows about each action type of the flow language.

Only types whose contract is documented (and that callguard or common exports
use) are described; any other type is reported by the ``unknown-action`` rule
as a warning and otherwise checked only generically, because Connect keeps
adding action types and a linter must not reject a flow it merely does not know.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from callguard_tools.flows.model import MODULE_TYPE

NextActionRule = Literal["required", "optional", "none"]
ParameterCheck = Callable[[Mapping[str, Any]], Iterator[str]]

#: Operators a condition may use.
OPERATORS = frozenset(
    {
        "Equals",
        "TextStartsWith",
        "TextEndsWith",
        "TextContains",
        "NumberGreaterThan",
        "NumberGreaterOrEqualTo",
        "NumberLessThan",
        "NumberLessOrEqualTo",
    }
)

#: Flow types in which Connect offers no error branches on most blocks (whispers, holds):
#: an error there simply ends the flow, so error branches are optional.
UNROUTED_FLOW_TYPES = frozenset(
    {"AGENT_WHISPER", "CUSTOMER_WHISPER", "OUTBOUND_WHISPER", "AGENT_HOLD", "CUSTOMER_HOLD"}
)

#: Longest synchronous Lambda wait Connect allows, and the asynchronous one.
SYNC_LAMBDA_LIMIT_SECONDS = 8
ASYNC_LAMBDA_LIMIT_SECONDS = 60


@dataclass(frozen=True)
class ActionSpec:
    """The contract of one action type.

    ``terminal`` actions end the flow and must have empty transitions;
    ``may_end`` actions (transfers) end it on success but may carry a
    ``NextAction``; ``required_errors`` must be wired wherever Connect offers
    error branches.
    """

    type: str
    next_action: NextActionRule = "required"
    errors: tuple[str, ...] = ()
    required_errors: tuple[str, ...] = ()
    conditions: bool = False
    terminal: bool = False
    may_end: bool = False
    flow_types: frozenset[str] | None = None
    required_params: tuple[str, ...] = ()
    optional_params: tuple[str, ...] = ()
    check_params: ParameterCheck | None = None


def _enum(name: str, allowed: tuple[str, ...], required: bool = True) -> ParameterCheck:
    """Check that parameter ``name`` is one of ``allowed``."""

    def check(parameters: Mapping[str, Any]) -> Iterator[str]:
        if name not in parameters:
            if required:
                yield f"Parameters.{name} is required"
            return
        value = parameters[name]
        if value not in allowed:
            yield f"Parameters.{name} is {value!r}; expected one of {', '.join(allowed)}"

    return check


def _string_map(name: str) -> ParameterCheck:
    """Check that parameter ``name``, when present, is an object of string values."""

    def check(parameters: Mapping[str, Any]) -> Iterator[str]:
        value = parameters.get(name)
        if value is not None and not isinstance(value, Mapping):
            yield f"Parameters.{name} must be an object of name -> string value"

    return check


def _exactly_one(*names: str) -> ParameterCheck:
    """Check that exactly one of ``names`` is given (a prompt is text, SSML or a prompt id)."""

    def check(parameters: Mapping[str, Any]) -> Iterator[str]:
        present = [name for name in names if name in parameters]
        if len(present) != 1:
            found = ", ".join(present) or "none"
            yield f"exactly one of {', '.join(names)} is required (found: {found})"

    return check


def _json_path(name: str) -> ParameterCheck:
    """Check that ``name`` is one JSONPath reference such as ``$.Attributes.x``."""

    def check(parameters: Mapping[str, Any]) -> Iterator[str]:
        value = parameters.get(name)
        if isinstance(value, str) and (
            not value.startswith("$.") or any(c.isspace() for c in value)
        ):
            yield f"Parameters.{name} must be one JSONPath such as $.Attributes.x, not {value!r}"

    return check


def _all(*checks: ParameterCheck) -> ParameterCheck:
    """Combine parameter checks."""

    def check(parameters: Mapping[str, Any]) -> Iterator[str]:
        for each in checks:
            yield from each(parameters)

    return check


def _lambda_parameters(parameters: Mapping[str, Any]) -> Iterator[str]:
    """InvokeLambdaFunction: invocation type, attributes and response validation."""
    yield from _enum("InvocationType", ("SYNCHRONOUS", "ASYNCHRONOUS"), required=False)(parameters)
    yield from _string_map("LambdaInvocationAttributes")(parameters)
    validation = parameters.get("ResponseValidation")
    if validation is None:
        return
    if not isinstance(validation, Mapping):
        yield "Parameters.ResponseValidation must be an object with ResponseType"
        return
    if validation.get("ResponseType") not in ("STRING_MAP", "JSON"):
        yield "Parameters.ResponseValidation.ResponseType must be STRING_MAP or JSON"


_PROMPT = ("Text", "SSML", "PromptId")

#: What ``CheckOutboundCallStatus`` can report (answering-machine detection; campaign calls).
CALL_STATUS_CONDITIONS = ("CallAnswered", "VoicemailBeep", "VoicemailNoBeep", "NotDetected")
#: ``Loop`` branches: go round again, or the count is spent.
LOOP_CONDITIONS = ("ContinueLooping", "DoneLooping")


def _lex_bot(parameters: Mapping[str, Any]) -> Iterator[str]:
    """ConnectParticipantWithLexBot: one prompt, one bot (V2 alias or V1), string attributes."""
    yield from _exactly_one(*_PROMPT)(parameters)
    bots = [name for name in ("LexV2Bot", "LexBot") if name in parameters]
    if len(bots) != 1:
        yield (
            "exactly one of LexV2Bot, LexBot is required (found: "
            + (", ".join(bots) or "none")
            + ")"
        )
    v2 = parameters.get("LexV2Bot")
    if v2 is not None and not (isinstance(v2, Mapping) and isinstance(v2.get("AliasArn"), str)):
        yield "Parameters.LexV2Bot must be an object with AliasArn (an alias ARN or a $. reference)"
    yield from _string_map("LexSessionAttributes")(parameters)


SPECS: dict[str, ActionSpec] = {
    spec.type: spec
    for spec in (
        ActionSpec(
            "UpdateFlowLoggingBehavior",
            required_params=("FlowLoggingBehavior",),
            check_params=_enum("FlowLoggingBehavior", ("Enabled", "Disabled")),
        ),
        ActionSpec(
            "InvokeLambdaFunction",
            errors=("NoMatchingError",),
            required_errors=("NoMatchingError",),
            required_params=("LambdaFunctionARN", "InvocationTimeLimitSeconds"),
            optional_params=("InvocationType", "LambdaInvocationAttributes", "ResponseValidation"),
            check_params=_lambda_parameters,
        ),
        ActionSpec(
            "Compare",
            next_action="optional",
            errors=("NoMatchingCondition",),
            required_errors=("NoMatchingCondition",),
            conditions=True,
            required_params=("ComparisonValue",),
            check_params=_json_path("ComparisonValue"),
        ),
        ActionSpec(
            "MessageParticipant",
            errors=("NoMatchingError",),
            required_errors=("NoMatchingError",),
            optional_params=_PROMPT,
            check_params=_exactly_one(*_PROMPT),
        ),
        ActionSpec(
            "GetParticipantInput",
            next_action="optional",
            errors=("NoMatchingError", "NoMatchingCondition", "InputTimeLimitExceeded"),
            required_errors=("NoMatchingError",),
            conditions=True,
            optional_params=(
                *_PROMPT,
                "InputTimeLimitSeconds",
                "StoreInput",
                "InputValidation",
                "DTMFConfiguration",
            ),
            check_params=_all(
                _exactly_one(*_PROMPT), _enum("StoreInput", ("True", "False"), required=False)
            ),
        ),
        ActionSpec(
            "UpdateContactAttributes",
            errors=("NoMatchingError",),
            required_errors=("NoMatchingError",),
            required_params=("Attributes",),
            optional_params=("TargetContact",),
            check_params=_all(
                _string_map("Attributes"),
                _enum("TargetContact", ("Current", "Related"), required=False),
            ),
        ),
        ActionSpec(
            "UpdateContactTargetQueue",
            errors=("NoMatchingError",),
            required_errors=("NoMatchingError",),
            required_params=("QueueId",),
        ),
        ActionSpec(
            "TransferContactToQueue",
            next_action="optional",
            errors=("QueueAtCapacity", "NoMatchingError"),
            required_errors=("QueueAtCapacity", "NoMatchingError"),
            may_end=True,
        ),
        ActionSpec(
            "TransferToFlow",
            next_action="optional",
            errors=("NoMatchingError",),
            required_errors=("NoMatchingError",),
            may_end=True,
            flow_types=frozenset({"CONTACT_FLOW", "AGENT_TRANSFER", "QUEUE_TRANSFER"}),
            required_params=("ContactFlowId",),
        ),
        ActionSpec(
            "InvokeFlowModule",
            errors=("NoMatchingError",),
            required_errors=("NoMatchingError",),
            flow_types=frozenset({"CONTACT_FLOW"}),
            required_params=("FlowModuleId",),
        ),
        ActionSpec(
            "ConnectParticipantWithLexBot",
            next_action="optional",
            errors=("NoMatchingCondition", "NoMatchingError", "InputTimeLimitExceeded"),
            required_errors=("NoMatchingCondition", "NoMatchingError"),
            conditions=True,
            optional_params=(*_PROMPT, "LexV2Bot", "LexBot", "LexSessionAttributes"),
            check_params=_lex_bot,
        ),
        ActionSpec(
            "CheckOutboundCallStatus",
            next_action="optional",
            errors=("NoMatchingCondition", "NoMatchingError"),
            required_errors=("NoMatchingError",),
            conditions=True,
        ),
        ActionSpec(
            "Loop",
            next_action="optional",
            conditions=True,
            required_params=("LoopCount",),
        ),
        ActionSpec(
            "UpdateContactTextToSpeechVoice",
            required_params=("TextToSpeechVoice",),
            optional_params=("TextToSpeechEngine", "TextToSpeechStyle"),
        ),
        ActionSpec(
            "UpdateContactRecordingBehavior",
            optional_params=("RecordingBehavior", "AnalyticsBehavior"),
        ),
        ActionSpec("DisconnectParticipant", next_action="none", terminal=True),
        ActionSpec(
            "EndFlowModuleExecution",
            next_action="none",
            terminal=True,
            flow_types=frozenset({MODULE_TYPE}),
        ),
        ActionSpec("EndFlowExecution", next_action="none", terminal=True),
    )
}


def spec_for(action_type: str) -> ActionSpec | None:
    """Return the spec of ``action_type``, or None for a type the linter does not know."""
    return SPECS.get(action_type)


def error_branches_required(flow_type: str | None) -> bool:
    """Return True when the flow type offers error branches (all but whispers and holds)."""
    return flow_type not in UNROUTED_FLOW_TYPES
