"""Properties of the simulator that must hold for any flow and any function answer.

A simulator that crashes or hangs on an odd flow would hide the very defects it
exists to find, so arbitrary flows (random action types, parameters and
transitions, dangling targets and loops included) must always end in a defined
outcome, and arbitrary function answers must be judged exactly by Connect's
STRING_MAP rule.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from callguard_tools.flows.connect_event import Contact, build_event
from callguard_tools.flows.lambda_invoke import Fault, LambdaInvoker
from callguard_tools.flows.model import Flow, FlowShapeError, parse_flow
from callguard_tools.flows.simulation import CallScript, FlowLibrary, Walker

FN = "arn:aws:lambda:eu-west-2:111122223333:function:any"

ACTION_TYPES = [
    "UpdateFlowLoggingBehavior",
    "InvokeLambdaFunction",
    "Compare",
    "MessageParticipant",
    "GetParticipantInput",
    "UpdateContactAttributes",
    "UpdateContactTargetQueue",
    "TransferContactToQueue",
    "InvokeFlowModule",
    "EndFlowModuleExecution",
    "DisconnectParticipant",
    "EndFlowExecution",
    "UpdateContactTextToSpeechVoice",
    "SomethingConnectAddsNextYear",
]
IDS = [f"a{i}" for i in range(6)]

json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
parameter_values = (
    st.sampled_from(
        ["$.External.x", "$.Attributes.a", "$.CustomerEndpoint.Address", "module", FN, "3", "True"]
    )
    | json_values
)


@st.composite
def actions(draw: st.DrawFn, identifier: str) -> dict[str, Any]:
    targets = st.sampled_from([*IDS, "missing"])
    transitions: dict[str, Any] = {}
    if draw(st.booleans()):
        transitions["NextAction"] = draw(targets)
    transitions["Errors"] = [
        {"ErrorType": error, "NextAction": draw(targets)}
        for error in draw(
            st.lists(
                st.sampled_from(
                    [
                        "NoMatchingError",
                        "NoMatchingCondition",
                        "QueueAtCapacity",
                        "InputTimeLimitExceeded",
                    ]
                ),
                max_size=3,
            )
        )
    ]
    transitions["Conditions"] = [
        {
            "NextAction": draw(targets),
            "Condition": {
                "Operator": draw(
                    st.sampled_from(["Equals", "NumberLessThan", "TextContains", "?"])
                ),
                "Operands": [draw(parameter_values)],
            },
        }
        for _ in range(draw(st.integers(0, 2)))
    ]
    keys = st.sampled_from(
        [
            "Text",
            "SSML",
            "LambdaFunctionARN",
            "InvocationTimeLimitSeconds",
            "LambdaInvocationAttributes",
            "ResponseValidation",
            "Attributes",
            "ComparisonValue",
            "QueueId",
            "FlowModuleId",
            "StoreInput",
            "FlowLoggingBehavior",
        ]
    )
    parameters = draw(st.dictionaries(keys, parameter_values, max_size=4))
    if draw(st.integers(0, 9)) == 0:  # now and then, a transition of the wrong shape
        transitions = draw(
            st.sampled_from([[], "a1", {"Errors": "a1"}, {"Errors": ["a1"]}, {"Conditions": [1]}])
        )
    return {
        "Identifier": identifier,
        "Type": draw(st.sampled_from(ACTION_TYPES)),
        "Parameters": parameters,
        "Transitions": transitions,
    }


@st.composite
def flows(draw: st.DrawFn) -> Flow:
    count = draw(st.integers(1, len(IDS)))
    document = {
        "Version": "2019-10-30",
        "StartAction": "a0",
        "Actions": [draw(actions(identifier)) for identifier in IDS[:count]],
    }
    kind = draw(st.sampled_from(["CONTACT_FLOW", "CONTACT_FLOW_MODULE"]))
    return parse_flow(json.dumps(document), "random", kind)


def _any_answer(event: dict[str, Any], context: Any) -> Any:
    return event["Details"]["Parameters"].get("answer", {"x": "1"})


@settings(max_examples=150, deadline=None)
@given(flow=flows(), inputs=st.lists(st.none() | st.text("0123456789#", max_size=4), max_size=3))
def test_any_flow_ends_in_a_defined_outcome(flow: Flow, inputs: list[str | None]) -> None:
    """Refused when loaded, naming what is wrong, or walked to a defined outcome."""
    library = FlowLibrary()
    try:
        library.add("random", flow, "module")
    except FlowShapeError as refused:
        assert refused.problems
        assert all(problem.startswith("action 'a") for problem in refused.problems)
        return
    walker = Walker(
        library,
        LambdaInvoker({FN: _any_answer}),
        Contact.inbound("+442079460958"),
        CallScript(inputs=tuple(inputs), max_steps=60),
    )
    result = walker.run("random")
    assert result.outcome.kind in {"disconnected", "transferred", "ended", "error"}
    assert result.transcript.render(verbose=True)[-1].startswith("  => ")
    assert all(isinstance(value, str) for value in result.attributes.values())


@settings(max_examples=200, deadline=None)
@given(answer=json_values)
def test_string_map_accepts_exactly_flat_maps_of_strings(answer: Any) -> None:
    invoker = LambdaInvoker({FN: _any_answer}, faults={FN: Fault(response=answer)})
    if answer is None:  # a fault of None means "no fault": make the handler answer None itself
        invoker = LambdaInvoker({FN: lambda event, context: None})
    event = build_event(Contact.inbound(None).contact_data(), {})
    result = invoker.invoke(FN, event, time_limit_seconds=3)
    flat_strings = isinstance(answer, dict) and all(isinstance(v, str) for v in answer.values())
    assert result.ok is (flat_strings and len(json.dumps(answer)) <= 32 * 1024)
    if result.ok:
        assert result.response == answer
