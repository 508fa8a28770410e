"""flag_number against in-process moto: modes, idempotence, audit facts, answers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from runtime_events import (
    CONTACT_ID,
    INITIAL_CONTACT_ID,
    INSTANCE_ARN,
    PREVIOUS_CONTACT_ID,
    EventFactory,
    LogLines,
)

from callguard.config import DEFAULT_REASON
from callguard.handlers import flag_number
from callguard.store import DenyList

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

NUMBER = "+442079460958"
SECOND_CONTACT = "0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d"


@pytest.fixture
def store(moto_dynamodb: DynamoDBClient, handler_env: str) -> DenyList:
    return DenyList(moto_dynamodb, handler_env)


def test_first_flag_blocks_and_records_the_audit_facts(
    store: DenyList, make_event: EventFactory
) -> None:
    event = make_event(parameters={"Reason": "threatened agent", "AgentUsername": "jdoe"})
    result = flag_number.handler(event, None)
    assert result == {"result": "flagged", "status": "blocked", "reason": "threatened agent"}
    entry = store.get(NUMBER)
    assert entry is not None
    assert (entry.status, entry.reason, entry.source, entry.flagged_by) == (
        "blocked",
        "threatened agent",
        "agent",
        "jdoe",
    )
    assert (entry.contact_id, entry.initial_contact_id, entry.previous_contact_id) == (
        CONTACT_ID,
        INITIAL_CONTACT_ID,
        PREVIOUS_CONTACT_ID,
    )
    assert entry.instance_arn == INSTANCE_ARN
    assert entry.flag_count == 1


def test_second_flag_is_already_listed_and_keeps_the_first_reason(
    store: DenyList, make_event: EventFactory
) -> None:
    flag_number.handler(make_event(parameters={"Reason": "first"}), None)
    second = make_event(parameters={"Reason": "second"}, contact_id=SECOND_CONTACT)
    result = flag_number.handler(second, None)
    assert result == {"result": "already_listed", "status": "blocked", "reason": "first"}
    assert store.get(NUMBER).flag_count == 2  # type: ignore[union-attr]


def test_review_mode_records_pending_and_never_downgrades(
    store: DenyList, make_event: EventFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLGUARD_FLAG_MODE", "review")
    assert flag_number.handler(make_event(), None)["status"] == "pending"
    store.approve(NUMBER)
    assert flag_number.handler(make_event(contact_id=SECOND_CONTACT), None) == {
        "result": "already_listed",
        "status": "blocked",
        "reason": DEFAULT_REASON,
    }


def test_default_reason_is_configurable(
    store: DenyList, make_event: EventFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLGUARD_DEFAULT_REASON", "  Nuisance   caller ")
    result = flag_number.handler(make_event(parameters={"Reason": "   "}), None)
    assert result["reason"] == "Nuisance caller"


def test_customer_number_parameter_wins(
    store: DenyList, make_event: EventFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLGUARD_DEFAULT_COUNTRY", "US")
    event = make_event(NUMBER, parameters={"CustomerNumber": "(212) 555-0100"})
    assert flag_number.handler(event, None)["result"] == "flagged"
    assert store.get("+12125550100") is not None
    assert store.get(NUMBER) is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"address": "anonymous"},
        {"address": None},
        {"endpoint": None, "channel": "CHAT"},
        {"address": "nonsense"},
        {"address": "1" * 300},
    ],
)
def test_no_number_is_invalid(
    store: DenyList, make_event: EventFactory, kwargs: dict[str, object]
) -> None:
    assert flag_number.handler(make_event(**kwargs), None) == {
        "result": "invalid",
        "status": "",
        "reason": "",
    }
    assert list(store.entries()) == []


def test_dynamodb_failure_is_an_error_answer(
    store: DenyList,
    make_event: EventFactory,
    monkeypatch: pytest.MonkeyPatch,
    log_lines: LogLines,
) -> None:
    monkeypatch.setenv("CALLGUARD_TABLE", "no-such-table")
    assert flag_number.handler(make_event(), None) == {
        "result": "error",
        "status": "",
        "reason": "",
    }
    record = json.loads(log_lines.lines[-1])
    assert (record["level"], record["error"], record["cause"]) == (
        "ERROR",
        "TableNotFoundError",
        "ResourceNotFoundException",
    )


def test_bad_configuration_is_an_error_answer(
    store: DenyList, make_event: EventFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLGUARD_FLAG_MODE", "instant")
    assert flag_number.handler(make_event(), None)["result"] == "error"
    assert list(store.entries()) == []


def test_one_log_line_with_masked_number(
    store: DenyList, make_event: EventFactory, log_lines: LogLines
) -> None:
    flag_number.handler(make_event(parameters={"Reason": "call me on 020 7946 0958"}), None)
    assert len(log_lines.lines) == 1
    record = json.loads(log_lines.lines[0])
    assert record["handler"] == "flag_number"
    assert (record["outcome"], record["status"], record["flag_count"]) == ("flagged", "blocked", 1)
    assert record["number"] == "+4420*****958"
    assert "7946" not in log_lines.lines[0]


def test_retried_invocation_gives_the_same_answer_and_counts_once(
    store: DenyList, make_event: EventFactory, log_lines: LogLines
) -> None:
    event = make_event(parameters={"Reason": "spam"})
    first = flag_number.handler(event, None)
    retry = flag_number.handler(event, None)
    assert first == retry == {"result": "flagged", "status": "blocked", "reason": "spam"}
    assert store.get(NUMBER).flag_count == 1  # type: ignore[union-attr]
    assert json.loads(log_lines.lines[-1])["repeated"] is True
