"""The state machine template: rendered as Terraform renders it, shaped as the design says."""

from __future__ import annotations

import json
from typing import Any

import pytest

from callguard_tools.flows.render import TemplateError
from callguard_tools.outbound_sim import state_machine

VARIABLES: dict[str, Any] = {
    "plan_function_arn": "arn:aws:lambda:eu-west-2:123456789012:function:plan",
    "record_function_arn": "arn:aws:lambda:eu-west-2:123456789012:function:record",
    "report_function_arn": "arn:aws:lambda:eu-west-2:123456789012:function:report",
    "dial_queue_url": "https://sqs.eu-west-2.amazonaws.com/123456789012/dial",
    "work_bucket": "work",
    "topic_arn": "arn:aws:sns:eu-west-2:123456789012:jobs",
    "instance_id": "11111111-2222-3333-4444-555555555555",
    "contact_flow_id": "99999999-8888-7777-6666-555555555555",
    "max_concurrency": 10,
    "call_timeout_seconds": 900,
    "ring_timeout_seconds": 30,
    "lambda_retry_interval_seconds": 2,
}


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    return state_machine.definition(VARIABLES)


def test_every_variable_is_required() -> None:
    partial = dict(VARIABLES)
    del partial["max_concurrency"]
    with pytest.raises(TemplateError, match="max_concurrency"):
        state_machine.render(partial)


def test_unknown_variable_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown state machine variables: typo"):
        state_machine.render({**VARIABLES, "typo": 1})


def test_numbers_render_as_json_numbers(definition: dict[str, Any]) -> None:
    calls = definition["States"]["Calls"]
    assert calls["MaxConcurrency"] == 10
    dial = calls["ItemProcessor"]["States"]["Dial"]
    assert dial["TimeoutSeconds"] == 900
    assert dial["Parameters"]["MessageBody"]["ring_timeout_seconds"] == 30


def test_distributed_map_reads_a_json_array_and_writes_results(
    definition: dict[str, Any],
) -> None:
    calls = definition["States"]["Calls"]
    assert calls["ItemProcessor"]["ProcessorConfig"] == {
        "Mode": "DISTRIBUTED",
        "ExecutionType": "STANDARD",
    }
    assert calls["ItemReader"]["Resource"] == "arn:aws:states:::s3:getObject"
    assert calls["ItemReader"]["ReaderConfig"] == {"InputType": "JSON"}
    assert calls["ResultWriter"]["Parameters"]["Bucket"] == "work"
    # A failed child never stops the others: its receiver is reported failed instead.
    assert calls["ToleratedFailurePercentage"] == 100
    assert calls["Catch"][0]["Next"] == "NextRound"


def test_each_call_waits_for_its_token_with_a_backstop(definition: dict[str, Any]) -> None:
    child = definition["States"]["Calls"]["ItemProcessor"]["States"]
    assert list(child) == ["Dial", "Record"]
    dial = child["Dial"]
    assert dial["Resource"] == "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
    assert dial["Parameters"]["MessageBody"]["task_token.$"] == "$$.Task.Token"
    assert dial["Parameters"]["MessageBody"]["version"] == 1
    assert dial["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Record"}
    ]
    assert child["Record"]["End"] is True


def test_every_state_is_reachable_and_every_next_exists(definition: dict[str, Any]) -> None:
    def targets(state: dict[str, Any]) -> list[str]:
        found = [state["Next"]] if "Next" in state else []
        found += [c["Next"] for c in state.get("Choices", [])]
        found += [c["Next"] for c in state.get("Catch", [])]
        found += [state["Default"]] if "Default" in state else []
        return found

    for states, start in (
        (definition["States"], definition["StartAt"]),
        (
            definition["States"]["Calls"]["ItemProcessor"]["States"],
            definition["States"]["Calls"]["ItemProcessor"]["StartAt"],
        ),
    ):
        seen, todo = set(), [start]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            assert name in states, name
            todo += targets(states[name])
        assert seen == set(states)


def test_rendered_text_is_the_template_with_values_substituted() -> None:
    text = state_machine.render(VARIABLES)
    template = state_machine.TEMPLATE.read_text(encoding="utf-8")
    assert "${" not in text
    assert text.count("\n") == template.count("\n")
    json.loads(text)
