"""check_number against in-process moto: every decision and every answer shape."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from runtime_events import CONTACT_ID, EventFactory, LogLines

from callguard.handlers import check_number
from callguard.store import PENDING, DenyList, Entry

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

NUMBER = "+442079460958"


@pytest.fixture
def store(moto_dynamodb: DynamoDBClient, handler_env: str) -> DenyList:
    return DenyList(moto_dynamodb, handler_env)


def answer(blocked: str, status: str, reason: str, caller_class: str) -> dict[str, str]:
    return {"blocked": blocked, "status": status, "reason": reason, "caller_class": caller_class}


def test_clear_caller(store: DenyList, make_event: EventFactory) -> None:
    assert check_number.handler(make_event(), None) == answer("false", "clear", "", "e164")


def test_blocked_caller(store: DenyList, make_event: EventFactory) -> None:
    store.flag(NUMBER, reason="abusive")
    assert check_number.handler(make_event(), None) == answer("true", "blocked", "abusive", "e164")


def test_pending_caller_passes_unless_configured(
    store: DenyList, make_event: EventFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.flag(NUMBER, status=PENDING, reason="maybe")
    assert check_number.handler(make_event(), None) == answer("false", "pending", "maybe", "e164")
    monkeypatch.setenv("CALLGUARD_BLOCK_PENDING", "true")
    assert check_number.handler(make_event(), None) == answer("true", "pending", "maybe", "e164")


def test_expired_entry_is_clear(
    store: DenyList, make_event: EventFactory, moto_dynamodb: DynamoDBClient
) -> None:
    store.add(Entry.new(NUMBER, now=1_000, expires_at=2_000))
    assert check_number.handler(make_event(), None)["status"] == "clear"


@pytest.mark.parametrize(
    ("address", "caller_class"),
    [("anonymous", "withheld"), ("+266696687", "withheld"), ("", "missing"), (None, "missing")],
)
def test_anonymous_callers(
    store: DenyList,
    make_event: EventFactory,
    monkeypatch: pytest.MonkeyPatch,
    address: object,
    caller_class: str,
) -> None:
    event = make_event(address)
    assert check_number.handler(event, None) == answer("false", "anonymous", "", caller_class)
    monkeypatch.setenv("CALLGUARD_BLOCK_ANONYMOUS", "TRUE")
    assert check_number.handler(event, None) == answer("true", "anonymous", "", caller_class)


def test_null_endpoint_is_missing(store: DenyList, make_event: EventFactory) -> None:
    result = check_number.handler(make_event(endpoint=None), None)
    assert result == answer("false", "anonymous", "", "missing")


@pytest.mark.parametrize(
    ("kwargs", "caller_class"),
    [
        ({"endpoint": None, "channel": "CHAT"}, "non_telephone"),
        ({"address": "chat-user", "endpoint_type": "CHAT"}, "non_telephone"),
        ({"address": "9" * 100}, "too_long"),
        ({"address": "020 7946 0958"}, "unparsable"),
        ({"address": "not a number"}, "unparsable"),
    ],
)
def test_invalid_callers_are_never_blocked(
    store: DenyList, make_event: EventFactory, kwargs: dict[str, object], caller_class: str
) -> None:
    result = check_number.handler(make_event(**kwargs), None)
    assert result == answer("false", "invalid", "", caller_class)


def test_national_format_uses_the_default_country(
    store: DenyList, make_event: EventFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.flag(NUMBER, reason="r")
    monkeypatch.setenv("CALLGUARD_DEFAULT_COUNTRY", "gb")
    assert check_number.handler(make_event("020 7946 0958"), None)["status"] == "blocked"


def test_customer_number_parameter_overrides_the_endpoint(
    store: DenyList, make_event: EventFactory
) -> None:
    store.flag(NUMBER)
    event = make_event("+12125550100", parameters={"CustomerNumber": NUMBER})
    assert check_number.handler(event, None)["status"] == "blocked"
    blank = make_event(NUMBER, parameters={"CustomerNumber": "  "})
    assert check_number.handler(blank, None)["status"] == "blocked"


def test_long_reason_is_cut(store: DenyList, make_event: EventFactory) -> None:
    store.flag(NUMBER, reason="x" * 500)
    assert check_number.handler(make_event(), None)["reason"] == "x" * 256


@pytest.mark.parametrize(("mode", "blocked"), [("open", "false"), ("closed", "true")])
def test_missing_table_answers_with_the_fail_mode(
    store: DenyList,
    make_event: EventFactory,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    blocked: str,
) -> None:
    monkeypatch.setenv("CALLGUARD_TABLE", "no-such-table")
    monkeypatch.setenv("CALLGUARD_FAIL_MODE", mode)
    assert check_number.handler(make_event(), None) == answer(blocked, "error", "", "e164")


@pytest.mark.parametrize(
    ("variable", "value", "blocked"),
    [
        ("CALLGUARD_TABLE", "", "false"),
        ("CALLGUARD_DEFAULT_COUNTRY", "Britain", "false"),
        ("CALLGUARD_BLOCK_ANONYMOUS", "maybe", "false"),
        ("CALLGUARD_FAIL_MODE", "sideways", "false"),
    ],
)
def test_bad_configuration_answers_with_the_fail_mode(
    store: DenyList,
    make_event: EventFactory,
    monkeypatch: pytest.MonkeyPatch,
    log_lines: LogLines,
    variable: str,
    value: str,
    blocked: str,
) -> None:
    monkeypatch.setenv(variable, value)
    assert check_number.handler(make_event(), None) == answer(blocked, "error", "", "e164")
    monkeypatch.setenv("CALLGUARD_FAIL_MODE", "closed")
    if variable != "CALLGUARD_FAIL_MODE":
        assert check_number.handler(make_event(), None)["blocked"] == "true"
    assert json.loads(log_lines.lines[-1])["error"] == "ConfigError"


def test_one_structured_log_line_per_invocation(
    store: DenyList, make_event: EventFactory, log_lines: LogLines
) -> None:
    store.flag(NUMBER, reason="abusive")

    class Context:
        aws_request_id = "0f0e0d0c-0b0a-4908-8706-050403020100"

    check_number.handler(make_event(), Context())
    assert len(log_lines.lines) == 1
    record = json.loads(log_lines.lines[0])
    assert record["handler"] == "check_number"
    assert record["outcome"] == "blocked" and record["blocked"] == "true"
    assert record["number"] == "+4420*****958"
    assert record["contact_id"] == CONTACT_ID
    assert record["request_id"] == Context.aws_request_id
    assert record["caller_class"] == "e164"
    assert isinstance(record["duration_ms"], float)
    assert "reason" not in record


def test_log_level_warning_silences_success_lines(
    store: DenyList,
    make_event: EventFactory,
    monkeypatch: pytest.MonkeyPatch,
    log_lines: LogLines,
) -> None:
    monkeypatch.setenv("CALLGUARD_LOG_LEVEL", "warning")
    check_number.handler(make_event(), None)
    assert log_lines.lines == []
    monkeypatch.setenv("CALLGUARD_TABLE", "no-such-table")
    check_number.handler(make_event(), None)
    assert json.loads(log_lines.lines[0])["level"] == "ERROR"
    monkeypatch.setenv("CALLGUARD_LOG_LEVEL", "INFO")
    monkeypatch.setenv("CALLGUARD_TABLE", store.table_name)
    check_number.handler(make_event(), None)
    assert len(log_lines.lines) == 2


def test_log_line_goes_to_stdout(
    store: DenyList, make_event: EventFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    check_number.handler(make_event(), None)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    assert json.loads(out[0])["outcome"] == "clear"


def test_fast_path_imports_neither_phonenumbers_nor_boto3() -> None:
    # A fresh interpreter, an E.164 caller, and an endpoint that refuses connections:
    # the answer comes from the fail mode, and the heavy imports never happened.
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    code = (
        "import sys, json;"
        "from callguard.handlers.check_number import handler;"
        "event = {'Details': {'ContactData': {'CustomerEndpoint':"
        " {'Address': '+442079460958', 'Type': 'TELEPHONE_NUMBER'}}}};"
        "answer = handler(event, None);"
        "assert answer['status'] == 'error', answer;"
        "assert 'phonenumbers' not in sys.modules;"
        "assert 'boto3' not in sys.modules;"
        "assert 'callguard.store.batch' not in sys.modules"
    )
    env = {
        **os.environ,
        "CALLGUARD_TABLE": "t",
        "AWS_ENDPOINT_URL_DYNAMODB": f"http://127.0.0.1:{port}",
    }
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)


@pytest.mark.parametrize("region", ["eu-west-2", ""])
def test_client_is_created_at_import_and_import_never_fails(region: str) -> None:
    # Lambda imports the handler during init (pre-run by provisioned concurrency);
    # the client should exist by then, and a broken environment must not break import.
    import os
    import subprocess
    import sys

    code = (
        "from callguard import aws; import callguard.handlers.check_number;"
        "import callguard.handlers.flag_number;"
        f"assert (aws._dynamodb is not None) is {bool(region)}"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_REGION", "AWS_DEFAULT_REGION")}
    if region:
        env["AWS_DEFAULT_REGION"] = region
    env["AWS_CONFIG_FILE"] = os.devnull
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
