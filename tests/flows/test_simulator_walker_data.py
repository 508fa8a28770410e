"""Walker semantics of what a contact carries: comparisons, attributes, Lambda results, settings.

On small hand-written flows (:mod:`walker_helpers`): how ``Compare``,
``UpdateContactAttributes``, ``InvokeLambdaFunction`` and the flow-attribute and
settings actions behave, including the paths our own flows do not take. Where a
contact goes (input, queues, modules, endings) is in
``test_simulator_walker_routing.py``; the real callguard flows are covered branch
by branch in ``test_simulator_inbound_flow.py`` and
``test_simulator_agent_and_static_flows.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from walker_helpers import FlowDoc, action, end, flow, run, say

from callguard_tools.flows.lambda_invoke import Fault
from callguard_tools.flows.transcript import AttributeSet, Note

FN = "arn:aws:lambda:eu-west-2:111122223333:function:fn"


def compare_flow(value: str, operator: str, operand: str) -> FlowDoc:
    return flow(
        "main",
        action("set", "UpdateContactAttributes", {"Attributes": {"v": value}}, "cmp"),
        action(
            "cmp",
            "Compare",
            {"ComparisonValue": "$.Attributes.v"},
            errors={"NoMatchingCondition": "no"},
            conditions=[(operator, operand, "yes")],
        ),
        say("yes", "matched"),
        say("no", "not matched"),
        end(),
    )


@pytest.mark.parametrize(
    ("value", "operator", "operand", "matched"),
    [
        ("true", "Equals", "true", True),
        ("True", "Equals", "true", False),
        ("+4420", "TextStartsWith", "+44", True),
        ("+4420", "TextEndsWith", "20", True),
        ("abcdef", "TextContains", "cd", True),
        ("abcdef", "TextContains", "x", False),
        ("10", "NumberGreaterThan", "9", True),
        ("9", "NumberGreaterThan", "9", False),
        ("9", "NumberGreaterOrEqualTo", "9", True),
        ("3", "NumberLessThan", "4", True),
        ("4", "NumberLessOrEqualTo", "4", True),
        ("abc", "NumberLessThan", "4", False),
        ("1", "Unknown", "1", False),
    ],
)
def test_compare_operators(value: str, operator: str, operand: str, matched: bool) -> None:
    result = run(compare_flow(value, operator, operand))
    assert result.transcript.prompts == ["matched" if matched else "not matched"]
    assert result.outcome.kind == "disconnected"


def test_compare_on_a_missing_value_takes_no_matching_condition() -> None:
    main = flow(
        "main",
        action(
            "cmp",
            "Compare",
            {"ComparisonValue": "$.Attributes.absent"},
            errors={"NoMatchingCondition": "no"},
            conditions=[("Equals", "", "yes")],
        ),
        say("yes", "matched"),
        say("no", "not matched"),
        end(),
    )
    assert run(main).transcript.prompts == ["not matched"]


def test_attributes_resolve_references_and_are_recorded() -> None:
    main = flow(
        "main",
        action(
            "set",
            "UpdateContactAttributes",
            {"Attributes": {"who": "$.CustomerEndpoint.Address", "fixed": "x", "gone": "$.X.y"}},
            "end",
        ),
        end(),
    )
    result = run(main)
    assert result.attributes == {"who": "+442079460958", "fixed": "x", "gone": ""}
    assert [(e.key, e.value) for e in result.transcript.of_type(AttributeSet)] == [
        ("who", "+442079460958"),
        ("fixed", "x"),
        ("gone", ""),
    ]


def test_attributes_over_the_32_kb_budget_take_the_error_branch() -> None:
    main = flow(
        "main",
        action(
            "set",
            "UpdateContactAttributes",
            {"Attributes": {"big": "x" * 33_000}},
            "ok",
            errors={"NoMatchingError": "failed"},
        ),
        say("ok", "stored"),
        say("failed", "too big"),
        end(),
    )
    result = run(main)
    assert result.transcript.prompts == ["too big"]
    assert "big" not in result.attributes


def _lambda_flow(response_type: str = "STRING_MAP", limit: str = "3") -> FlowDoc:
    return flow(
        "main",
        action(
            "fn",
            "InvokeLambdaFunction",
            {
                "LambdaFunctionARN": FN,
                "InvocationTimeLimitSeconds": limit,
                "LambdaInvocationAttributes": {"n": "$.CustomerEndpoint.Address", "k": "v"},
                "ResponseValidation": {"ResponseType": response_type},
            },
            "use",
            errors={"NoMatchingError": "failed"},
        ),
        say("use", "answer $.External.answer"),
        say("failed", "failed, external is '$.External.answer'"),
        end(),
    )


def _answer(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"answer": event["Details"]["Parameters"]["k"]}


def test_lambda_result_is_readable_as_external() -> None:
    result = run(_lambda_flow(), handlers={FN: _answer})
    assert result.transcript.prompts == ["answer v"]
    call = result.transcript.lambda_calls[0]
    assert call.ok
    assert call.parameters == {"n": "+442079460958", "k": "v"}
    assert result.external == {"answer": "v"}


@pytest.mark.parametrize(
    "fault",
    [Fault(raises="boom"), Fault(delay_seconds=4), Fault(response={"answer": 1})],
    ids=["raises", "slower-than-limit", "non-string"],
)
def test_lambda_faults_take_the_error_branch_and_clear_external(fault: Fault) -> None:
    result = run(_lambda_flow(), handlers={FN: _answer}, faults={FN: fault})
    assert result.transcript.prompts == ["failed, external is ''"]
    assert not result.transcript.lambda_calls[0].ok


def test_json_response_type_accepts_nested_values() -> None:
    result = run(
        _lambda_flow("JSON"),
        handlers={FN: _answer},
        faults={FN: Fault(response={"answer": {"nested": "yes"}})},
    )
    assert result.transcript.lambda_calls[0].ok


def test_time_limit_is_capped_at_connects_8_seconds() -> None:
    result = run(
        _lambda_flow(limit="60"), handlers={FN: _answer}, faults={FN: Fault(delay_seconds=9)}
    )
    assert "InvocationTimeLimitSeconds=8" in result.transcript.lambda_calls[0].error


def test_a_malformed_time_limit_takes_the_error_branch() -> None:
    result = run(_lambda_flow(limit="soon"), handlers={FN: _answer})
    assert result.transcript.prompts == ["failed, external is ''"]


def test_asynchronous_invocation_continues_without_a_result() -> None:
    main = _lambda_flow()
    parameters = dict(main.actions["fn"]["Parameters"])
    parameters["InvocationType"] = "ASYNCHRONOUS"
    actions = dict(main.actions)
    actions["fn"] = {**main.actions["fn"], "Parameters": parameters}
    result = run(FlowDoc("main", "CONTACT_FLOW", "fn", actions), handlers={FN: _answer})
    assert result.transcript.prompts == ["answer "]


def test_logging_flow_attributes_and_settings_actions_pass_through() -> None:
    main = flow(
        "main",
        action("log", "UpdateFlowLoggingBehavior", {"FlowLoggingBehavior": "Enabled"}, "fa"),
        action(
            "fa",
            "UpdateFlowAttributes",
            {"FlowAttributes": {"greeting": {"Value": "hello"}}},
            "voice",
        ),
        action("voice", "UpdateContactTextToSpeechVoice", {"TextToSpeechVoice": "Amy"}, "say"),
        say("say", "$.FlowAttributes.greeting"),
        end(),
    )
    result = run(main)
    assert result.transcript.prompts == ["hello"]
    assert "flow logging enabled" in [n.text for n in result.transcript.of_type(Note)]
