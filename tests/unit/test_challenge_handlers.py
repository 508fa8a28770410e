"""challenge_code and verify_code: answers on every path, policies, attempts, logs and metrics."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runtime_events import EventFactory, LogLines, contact_event

from callguard import challenge
from callguard.handlers import challenge_code, verify_code

CHALLENGE_VARIABLES = (
    "CALLGUARD_CHALLENGE_LENGTH",
    "CALLGUARD_CHALLENGE_POLICY",
    "CALLGUARD_DEFAULT_COUNTRY",
    "CALLGUARD_LOG_LEVEL",
    "CALLGUARD_TABLE",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Start every test from the documented defaults (no table: the functions need none)."""
    for name in CHALLENGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def fixed_digits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the randomness source deal 4, 7, 1, 1, 4, 7, ... (tests can name the code)."""
    sequence = iter([4, 7, 1, 1, 4, 7, 1, 1])
    monkeypatch.setattr(challenge_code, "randbelow", lambda _upper: next(sequence))


def logged(lines: LogLines, handler: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines.lines if f'"handler":"{handler}"' in line]


def verify_event(
    entered: str, expected: str = "4711", attempts: str = "", maximum: str = "2", **kw: Any
) -> dict[str, Any]:
    parameters = {"Entered": entered, "Expected": expected, "Attempts": attempts}
    parameters["MaxAttempts"] = maximum
    return contact_event(parameters=parameters, **kw)


# ---------------------------------------------------------------- challenge_code
@pytest.mark.usefixtures("fixed_digits")
def test_everyone_is_challenged_by_default(make_event: EventFactory) -> None:
    answer = challenge_code.handler(make_event(parameters={"Status": "clear"}), None)
    assert answer == {
        "result": "challenge",
        "code": "4711",
        "ssml": (
            f'<speak>{challenge.DEFAULT_PROMPT} <break time="500ms"/>'
            '<say-as interpret-as="digits">4711</say-as>.</speak>'
        ),
        "reason": "everyone",
    }


@pytest.mark.parametrize("length", ["3", "4", "5", "6"])
def test_length_comes_from_the_environment(
    make_event: EventFactory, monkeypatch: pytest.MonkeyPatch, length: str
) -> None:
    monkeypatch.setenv("CALLGUARD_CHALLENGE_LENGTH", length)
    answer = challenge_code.handler(make_event(), None)
    assert len(answer["code"]) == int(length)
    assert f">{answer['code']}</say-as>" in answer["ssml"]


@pytest.mark.usefixtures("fixed_digits")
def test_prompt_parameter_is_spoken_first(make_event: EventFactory) -> None:
    answer = challenge_code.handler(make_event(parameters={"Prompt": "Key in & go:"}), None)
    assert answer["ssml"].startswith("<speak>Key in &amp; go: ")


@pytest.mark.parametrize(
    ("address", "status", "result", "reason"),
    [
        ("anonymous", "anonymous", "challenge", "withheld_or_unknown"),
        (None, "anonymous", "challenge", "withheld_or_unknown"),
        ("020 7946 0958", "invalid", "challenge", "withheld_or_unknown"),
        ("+442079460958", "clear", "skip", "not_required"),
        ("+442079460958", "pending", "skip", "not_required"),
    ],
)
def test_withheld_policy(
    make_event: EventFactory,
    monkeypatch: pytest.MonkeyPatch,
    address: object,
    status: str,
    result: str,
    reason: str,
) -> None:
    monkeypatch.setenv("CALLGUARD_CHALLENGE_POLICY", "withheld")
    answer = challenge_code.handler(make_event(address, parameters={"Status": status}), None)
    assert (answer["result"], answer["reason"]) == (result, reason)
    if result == "skip":
        assert answer["code"] == answer["ssml"] == ""


def test_withheld_policy_classifies_the_caller_itself(
    make_event: EventFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No check ran (no Status): the caller's own id still decides."""
    monkeypatch.setenv("CALLGUARD_CHALLENGE_POLICY", "withheld")
    assert challenge_code.handler(make_event("+442079460958"), None)["result"] == "skip"
    assert challenge_code.handler(make_event("restricted"), None)["result"] == "challenge"


@pytest.mark.parametrize(
    ("status", "result"), [("pending", "challenge"), ("clear", "skip"), ("", "skip")]
)
def test_pending_policy(
    make_event: EventFactory, monkeypatch: pytest.MonkeyPatch, status: str, result: str
) -> None:
    monkeypatch.setenv("CALLGUARD_CHALLENGE_POLICY", "pending")
    assert (
        challenge_code.handler(make_event(parameters={"Status": status}), None)["result"] == result
    )


def test_chat_contacts_are_never_challenged(make_event: EventFactory) -> None:
    answer = challenge_code.handler(make_event(None, channel="CHAT"), None)
    assert answer == {"result": "skip", "code": "", "ssml": "", "reason": "no_keypad"}


def test_bad_configuration_answers_error(
    make_event: EventFactory, monkeypatch: pytest.MonkeyPatch, log_lines: LogLines
) -> None:
    monkeypatch.setenv("CALLGUARD_CHALLENGE_LENGTH", "9")
    answer = challenge_code.handler(make_event(), None)
    assert answer == {"result": "error", "code": "", "ssml": "", "reason": "error"}
    (line,) = logged(log_lines, "challenge_code")
    assert line["level"] == "ERROR"
    assert line["error"] == "ChallengeError"


@pytest.mark.usefixtures("fixed_digits")
def test_code_is_never_logged_and_number_is_masked(
    make_event: EventFactory, log_lines: LogLines
) -> None:
    challenge_code.handler(make_event(), None)
    (line,) = logged(log_lines, "challenge_code")
    assert "4711" not in json.dumps(line)
    assert line["number"] == "+4420*****958"
    assert line["outcome"] == "challenge"
    assert line["code_length"] == 4


# ---------------------------------------------------------------- verify_code
def test_right_code_passes() -> None:
    assert verify_code.handler(verify_event("4711"), None) == {
        "result": "pass",
        "attempts": "1",
        "remaining": "1",
        "input": "digits",
    }


def test_wrong_then_right_passes() -> None:
    first = verify_code.handler(verify_event("1234"), None)
    assert first == {"result": "retry", "attempts": "1", "remaining": "1", "input": "digits"}
    second = verify_code.handler(verify_event("4711", attempts=first["attempts"]), None)
    assert second["result"] == "pass"
    assert second["attempts"] == "2"


def test_wrong_twice_fails_and_is_counted(log_lines: LogLines) -> None:
    verify_code.handler(verify_event("1234"), None)
    answer = verify_code.handler(verify_event("9999", attempts="1"), None)
    assert answer == {"result": "fail", "attempts": "2", "remaining": "0", "input": "digits"}
    retry_line, fail_line = logged(log_lines, "verify_code")
    assert "_aws" not in retry_line
    assert fail_line["challenge_failed"] is True
    assert fail_line["number"] == "+4420*****958"
    # An embedded-metric document CloudWatch turns into callguard/ChallengeFailed = 1.
    assert fail_line["ChallengeFailed"] == 1
    (directive,) = fail_line["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "callguard"
    assert directive["Metrics"] == [{"Name": "ChallengeFailed", "Unit": "Count"}]
    assert all(key in fail_line for group in directive["Dimensions"] for key in group)
    assert isinstance(fail_line["_aws"]["Timestamp"], int)


def test_codes_are_not_logged(log_lines: LogLines) -> None:
    verify_code.handler(verify_event("8642", expected="9753"), None)
    text = " ".join(log_lines.lines)
    assert "8642" not in text
    assert "9753" not in text


def test_timeout_counts_as_an_attempt() -> None:
    answer = verify_code.handler(verify_event("Timeout"), None)
    assert answer == {"result": "retry", "attempts": "1", "remaining": "1", "input": "timeout"}


def test_max_attempts_defaults_to_two() -> None:
    assert verify_code.handler(verify_event("0000", maximum=""), None)["result"] == "retry"
    assert (
        verify_code.handler(verify_event("0000", attempts="1", maximum=""), None)["result"]
        == "fail"
    )


@pytest.mark.parametrize(
    ("parameters", "why"),
    [
        ({"Entered": "4711", "Expected": "", "Attempts": ""}, "lost code"),
        ({"Entered": "4711", "Expected": "4711", "Attempts": "x"}, "bad count"),
        ({"Entered": "4711", "Expected": "4711", "Attempts": "2", "MaxAttempts": "2"}, "exhausted"),
        ({"Entered": "4711", "Expected": "4711", "MaxAttempts": "9"}, "too many"),
    ],
)
def test_bad_parameters_answer_error(parameters: dict[str, Any], why: str) -> None:
    answer = verify_code.handler(contact_event(parameters=parameters), None)
    assert answer == {"result": "error", "attempts": "", "remaining": "", "input": ""}, why


def test_non_string_parameters_count_as_absent() -> None:
    """Connect sends strings only; anything else is read as "not given", never trusted."""
    event = contact_event(parameters={"Entered": "4711", "Expected": "4711", "Attempts": 1})
    assert verify_code.handler(event, None)["attempts"] == "1"
    event = contact_event(parameters={"Entered": 4711, "Expected": "4711"})
    assert verify_code.handler(event, None)["input"] == "timeout"


def test_withheld_caller_is_verified_without_a_number(log_lines: LogLines) -> None:
    assert verify_code.handler(verify_event("4711", address="anonymous"), None)["result"] == "pass"
    (line,) = logged(log_lines, "verify_code")
    assert "number" not in line
    assert line["caller_class"] == "withheld"


# ---------------------------------------------------------------- never raise
_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=20),
    st.sampled_from(["4711", "Timeout", "9" * 10_000]),
)
_events = st.one_of(
    _values,
    st.dictionaries(st.text(max_size=8), _values, max_size=3),
    st.builds(
        lambda params, address: contact_event(address, parameters=params),
        st.one_of(
            st.dictionaries(
                st.sampled_from(
                    ["Entered", "Expected", "Attempts", "MaxAttempts", "Status", "Prompt"]
                ),
                _values,
            ),
            _values,
        ),
        _values,
    ),
)
_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FUZZ
@given(_events)
def test_challenge_code_always_answers(event: object) -> None:
    answer = challenge_code.handler(event, None)
    assert tuple(answer) == challenge_code.KEYS
    assert all(isinstance(value, str) for value in answer.values())
    assert answer["result"] in ("challenge", "skip")  # bad events are a decision, not an error


@_FUZZ
@given(_events)
def test_verify_code_always_answers(event: object) -> None:
    answer = verify_code.handler(event, None)
    assert tuple(answer) == verify_code.KEYS
    assert all(isinstance(value, str) for value in answer.values())
    assert answer["result"] in ("pass", "retry", "fail", "error")
