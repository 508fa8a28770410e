"""The spam challenge, walked through the rendered flows with the real handlers.

The inbound flow runs the deny-list check, then (when enabled) the challenge
module; the module reads a code, collects keypad input in store mode and asks
the verify function. The code is made predictable (4711) by replacing the
handler's randomness source, so a "wrong" answer is wrong for certain.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from callguard.handlers import challenge_code
from callguard.store import PENDING, DenyList, Entry
from callguard_tools.flows.connect_event import WITHHELD_ADDRESS, Contact
from callguard_tools.flows.lambda_invoke import Fault
from callguard_tools.flows.shipped_templates import DEMO_CHALLENGE_MODULE_ARN, DEMO_VALUES
from callguard_tools.flows.simulation import (
    CHALLENGE_MODULE,
    REPEAT_HEARD_DIGITS,
    CallScript,
    Deployment,
    SimulationResult,
    Simulator,
)

CALLER = "+442079460958"
CODE = "4711"
WRONG = "1234"

INBOUND = "inbound_denylist.flow.json.tftpl"
CHALLENGE = "spam_challenge.module.json.tftpl"
MESSAGES = DEMO_VALUES[CHALLENGE]
RETRY = str(MESSAGES["retry_message"])
NO_INPUT = str(MESSAGES["no_input_message"])
GOODBYE = str(MESSAGES["goodbye_message"])
ENABLED = {"challenge_enabled": True, "challenge_module_id": DEMO_CHALLENGE_MODULE_ARN}


@pytest.fixture(autouse=True)
def predictable_code(monkeypatch: pytest.MonkeyPatch) -> None:
    digits = [int(d) for d in CODE]
    position = iter(range(10_000))
    monkeypatch.setattr(challenge_code, "randbelow", lambda _upper: digits[next(position) % 4])


def simulator(
    table_name: str,
    *,
    enabled: bool = True,
    module: Mapping[str, Any] | None = None,
    environment: Mapping[str, str] | None = None,
    faults: Mapping[str, Fault] | None = None,
) -> Simulator:
    overrides: dict[str, dict[str, Any]] = {INBOUND: dict(ENABLED) if enabled else {}}
    overrides[CHALLENGE] = dict(module or {})
    deployment = Deployment.render(overrides)
    return Simulator(
        deployment,
        environment={"CALLGUARD_TABLE": table_name, **(environment or {})},
        faults={deployment.function_arn(name): fault for name, fault in (faults or {}).items()},
    )


def call(sim: Simulator, *inputs: str | None, caller: str | None = CALLER) -> SimulationResult:
    return sim.inbound(caller, CallScript(inputs=inputs))


def code_prompts(result: SimulationResult) -> list[str]:
    return [p for p in result.transcript.prompts if f'"digits">{CODE}</say-as>' in p]


def handlers_called(result: SimulationResult) -> list[str]:
    return [call.handler.rsplit(".", 2)[-2] for call in result.transcript.lambda_calls]


def assert_routed(result: SimulationResult, sim: Simulator) -> None:
    assert result.outcome.kind == "transferred", result.transcript.render(verbose=True)
    assert result.outcome.queue == sim.deployment.queue_arn


def assert_hung_up(result: SimulationResult) -> None:
    assert result.outcome.kind == "disconnected", result.transcript.render(verbose=True)
    assert result.transcript.prompts[-1] == GOODBYE


# ---------------------------------------------------------------- the scenarios
def test_right_code_is_routed(table_name: str) -> None:
    sim = simulator(table_name)
    result = call(sim, CODE)
    assert_routed(result, sim)
    assert len(code_prompts(result)) == 1
    assert result.attributes["callguard_challenge_result"] == "pass"
    assert result.attributes["callguard_challenge_attempts"] == "1"
    assert handlers_called(result) == ["check_number", "challenge_code", "verify_code"]


def test_caller_keys_in_what_they_heard(table_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the real randomness source: the simulated caller repeats the code
    sim = simulator(table_name)
    result = call(sim, REPEAT_HEARD_DIGITS)
    assert_routed(result, sim)
    assert result.attributes["callguard_challenge_result"] == "pass"


def test_wrong_then_right_is_routed(table_name: str) -> None:
    sim = simulator(table_name)
    result = call(sim, WRONG, CODE)
    assert_routed(result, sim)
    assert RETRY in result.transcript.prompts
    assert len(code_prompts(result)) == 2  # the code is read again before the second try
    assert result.attributes["callguard_challenge_attempts"] == "2"


def test_wrong_twice_is_disconnected(table_name: str) -> None:
    result = call(simulator(table_name), WRONG, WRONG)
    assert_hung_up(result)
    assert result.attributes["callguard_challenge_result"] == "fail"
    assert result.attributes["callguard_challenge_attempts"] == "2"
    verify_calls = [c for c in result.transcript.lambda_calls if "verify" in c.handler]
    assert [c.response["result"] for c in verify_calls] == ["retry", "fail"]


def test_no_input_takes_the_timeout_path(table_name: str) -> None:
    sim = simulator(table_name)
    result = call(sim, None, CODE)
    assert_routed(result, sim)
    assert NO_INPUT in result.transcript.prompts
    assert RETRY not in result.transcript.prompts
    first_verify = next(c for c in result.transcript.lambda_calls if "verify" in c.handler)
    assert first_verify.parameters["Entered"] == "Timeout"  # Connect's store-mode timeout
    assert first_verify.response["input"] == "timeout"


def test_silence_until_the_end_is_disconnected(table_name: str) -> None:
    result = call(simulator(table_name), None, None)
    assert_hung_up(result)
    assert result.attributes["callguard_challenge_result"] == "fail"


def test_invalid_input_counts_as_an_attempt(table_name: str) -> None:
    sim = simulator(table_name)
    result = call(sim, "1234567", CODE)  # longer than the code: the input block's error
    assert_routed(result, sim)
    assert RETRY in result.transcript.prompts
    first_verify = next(c for c in result.transcript.lambda_calls if "verify" in c.handler)
    assert first_verify.response["input"] == "invalid"


def test_three_attempts_when_configured(table_name: str) -> None:
    sim = simulator(table_name, module={"max_attempts": "3"})
    assert_routed(call(sim, WRONG, WRONG, CODE), sim)
    assert_hung_up(call(sim, WRONG, WRONG, WRONG))


# ---------------------------------------------------------------- function errors
@pytest.mark.parametrize("function", ["challenge_function_arn", "verify_function_arn"])
@pytest.mark.parametrize(
    "fault",
    [Fault(raises="crash"), Fault(delay_seconds=30.0), Fault(response={"result": {"x": 1}})],
    ids=["raises", "timeout", "nested"],
)
def test_function_error_fails_open(table_name: str, function: str, fault: Fault) -> None:
    sim = simulator(table_name, faults={function: fault})
    result = call(sim, CODE)
    assert_routed(result, sim)
    assert result.attributes["callguard_challenge_result"] == "error"
    assert GOODBYE not in result.transcript.prompts


@pytest.mark.parametrize("function", ["challenge_function_arn", "verify_function_arn"])
def test_function_error_fails_closed(table_name: str, function: str) -> None:
    sim = simulator(
        table_name, module={"fail_mode": "closed"}, faults={function: Fault(raises="crash")}
    )
    result = call(sim, CODE)
    assert_hung_up(result)
    assert result.attributes["callguard_challenge_result"] == "error"


def test_function_answering_error_follows_the_fail_mode(table_name: str) -> None:
    broken = {"CALLGUARD_CHALLENGE_LENGTH": "9"}  # a misconfigured function answers "error"
    sim = simulator(table_name, environment=broken)
    assert_routed(call(sim), sim)
    closed = simulator(table_name, module={"fail_mode": "closed"}, environment=broken)
    assert_hung_up(call(closed))


def test_missing_module_queues_the_caller(table_name: str) -> None:
    deployment = Deployment.render({INBOUND: ENABLED})
    del deployment.library.aliases[DEMO_CHALLENGE_MODULE_ARN]  # deleted after publishing
    sim = Simulator(deployment, environment={"CALLGUARD_TABLE": table_name})
    result = sim.inbound(CALLER, CallScript())
    assert_routed(result, sim)
    assert result.attributes["callguard_challenge_result"] == "error"


# ---------------------------------------------------------------- who is challenged
def test_disabled_challenge_changes_nothing(table_name: str) -> None:
    sim = simulator(table_name, enabled=False)
    result = call(sim)
    assert_routed(result, sim)
    assert handlers_called(result) == ["check_number"]
    assert not any(key.startswith("callguard_challenge") for key in result.attributes)


def test_withheld_policy_skips_known_numbers(table_name: str) -> None:
    sim = simulator(table_name, environment={"CALLGUARD_CHALLENGE_POLICY": "withheld"})
    result = call(sim)
    assert_routed(result, sim)
    assert result.attributes["callguard_challenge_result"] == "skipped"
    assert result.attributes["callguard_challenge_reason"] == "not_required"
    assert result.transcript.prompts == []


def test_withheld_policy_challenges_withheld_callers(table_name: str) -> None:
    sim = simulator(table_name, environment={"CALLGUARD_CHALLENGE_POLICY": "withheld"})
    result = call(sim, WRONG, WRONG, caller=WITHHELD_ADDRESS)
    assert_hung_up(result)
    assert result.attributes["callguard_challenge_reason"] == "withheld_or_unknown"


def test_pending_policy_challenges_numbers_under_review(
    table_name: str, deny_list: DenyList
) -> None:
    deny_list.add(Entry.new(CALLER, status=PENDING, reason="robocall?"))
    sim = simulator(table_name, environment={"CALLGUARD_CHALLENGE_POLICY": "pending"})
    result = call(sim, CODE)
    assert_routed(result, sim)
    assert result.attributes["callguard_pending_review"] == "true"
    assert result.attributes["callguard_challenge_reason"] == "pending_review"
    other = call(sim, caller="+442079460123")
    assert other.attributes["callguard_challenge_result"] == "skipped"


def test_blocked_callers_are_never_challenged(table_name: str, deny_list: DenyList) -> None:
    deny_list.flag(CALLER, reason="abusive")
    result = call(simulator(table_name))
    assert result.outcome.kind == "disconnected"
    assert "challenge_code" not in handlers_called(result)


def test_module_alone_in_any_flow(table_name: str) -> None:
    sim = simulator(table_name, enabled=False)
    result = sim.call(CHALLENGE_MODULE, Contact.inbound(CALLER), CallScript(inputs=(CODE,)))
    assert result.outcome.kind == "ended"
    assert result.attributes["callguard_challenge_result"] == "pass"
