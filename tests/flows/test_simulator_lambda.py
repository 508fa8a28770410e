"""The Lambda invoker applies Connect's time limit and response rules to real callables."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from callguard_tools.flows.connect_event import Contact, build_event
from callguard_tools.flows.lambda_invoke import (
    Fault,
    LambdaInvoker,
    load_handler,
    validate_response,
)

ARN = "arn:aws:lambda:eu-west-2:111122223333:function:demo"


def _event(**parameters: str) -> dict[str, Any]:
    return build_event(Contact.inbound("+442079460958").contact_data(), parameters)


def _echo(event: dict[str, Any], context: Any) -> dict[str, str]:
    return {
        "seen": event["Details"]["Parameters"].get("x", ""),
        "function": context.function_name,
        "remaining_positive": str(context.get_remaining_time_in_millis() > 0).lower(),
    }


def test_a_string_map_answer_is_accepted_and_the_context_looks_like_lambdas() -> None:
    invoker = LambdaInvoker({ARN: _echo})
    result = invoker.invoke(ARN, _event(x="1"), time_limit_seconds=3)
    assert result.ok, result.error
    assert result.response == {"seen": "1", "function": "demo", "remaining_positive": "true"}
    assert result.parameters == {"x": "1"}


def test_a_handler_named_by_dotted_path_is_imported() -> None:
    handler = load_handler("operator.getitem")
    assert handler({"a": "1"}, "a") == "1"
    with pytest.raises(ValueError, match=r"module\.function"):
        load_handler("nodots")


def test_an_unmapped_arn_is_an_error_not_a_crash() -> None:
    result = LambdaInvoker({}).invoke(ARN, _event(), time_limit_seconds=3)
    assert not result.ok
    assert "no handler is mapped" in result.error


def test_an_unimportable_handler_is_an_error() -> None:
    result = LambdaInvoker({ARN: "callguard_tools.nope.handler"}).invoke(
        ARN, _event(), time_limit_seconds=3
    )
    assert not result.ok
    assert "cannot load handler" in result.error


def test_a_raising_handler_takes_the_error_path() -> None:
    def broken(event: dict[str, Any], context: Any) -> dict[str, str]:
        raise KeyError("Details")

    result = LambdaInvoker({ARN: broken}).invoke(ARN, _event(), time_limit_seconds=3)
    assert not result.ok
    assert result.error.startswith("function error: KeyError")
    assert result.response == {}


def test_an_injected_raise_fault_never_runs_the_handler() -> None:
    calls: list[int] = []

    def counting(event: dict[str, Any], context: Any) -> dict[str, str]:
        calls.append(1)
        return {}

    invoker = LambdaInvoker({ARN: counting}, faults={ARN: Fault(raises="boom")})
    result = invoker.invoke(ARN, _event(), time_limit_seconds=3)
    assert not result.ok
    assert "LambdaFaultError: boom" in result.error
    assert calls == []


def test_simulated_latency_over_the_limit_is_a_timeout() -> None:
    invoker = LambdaInvoker({ARN: _echo}, faults={ARN: Fault(delay_seconds=9)})
    result = invoker.invoke(ARN, _event(), time_limit_seconds=3)
    assert not result.ok
    assert "timed out" in result.error
    assert "InvocationTimeLimitSeconds=3" in result.error


def test_simulated_latency_under_the_limit_is_fine() -> None:
    invoker = LambdaInvoker({ARN: _echo}, faults={ARN: Fault(delay_seconds=2)})
    assert invoker.invoke(ARN, _event(), time_limit_seconds=3).ok


def test_a_handler_that_really_blocks_past_the_limit_times_out() -> None:
    release = threading.Event()

    def hanging(event: dict[str, Any], context: Any) -> dict[str, str]:
        release.wait(30)
        return {"late": "true"}

    try:
        result = LambdaInvoker({ARN: hanging}).invoke(ARN, _event(), time_limit_seconds=0.05)
    finally:
        release.set()
    assert not result.ok
    assert "timed out" in result.error


@pytest.mark.parametrize(
    ("response", "fragment"),
    [
        ({"blocked": True}, "'blocked' is bool"),
        ({"count": 3}, "'count' is int"),
        ({"nested": {"a": "b"}}, "'nested' is dict"),
        ({"items": ["a"]}, "'items' is list"),
        (["blocked"], "not a JSON object"),
        (None, "not a JSON object"),
        ({"big": "x" * 40_000}, "32 KB"),
    ],
)
def test_responses_connect_rejects_under_string_map(response: Any, fragment: str) -> None:
    invoker = LambdaInvoker({ARN: _echo}, faults={ARN: Fault(response=response)})
    if response is None:
        invoker = LambdaInvoker({ARN: lambda event, context: None})
    result = invoker.invoke(ARN, _event(), time_limit_seconds=3)
    assert not result.ok
    assert fragment in result.error


def test_json_validation_accepts_nested_values_string_map_does_not() -> None:
    nested = {"flags": {"blocked": True}}
    assert validate_response(nested, "JSON") == ""
    assert "not a string" in validate_response(nested, "STRING_MAP")


def test_a_response_fault_still_runs_the_handler_for_its_side_effects() -> None:
    calls: list[int] = []

    def counting(event: dict[str, Any], context: Any) -> dict[str, str]:
        calls.append(1)
        return {"ok": "true"}

    invoker = LambdaInvoker({ARN: counting}, faults={ARN: Fault(response={"ok": True})})
    result = invoker.invoke(ARN, _event(), time_limit_seconds=3)
    assert calls == [1]
    assert not result.ok
