"""Optional review flags after repeated failed challenges: the counter, and verify_code using it."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
from local_tables import create_counter_table
from runtime_events import CONTACT_ID, INSTANCE_ARN, LogLines, contact_event

from callguard import aws, challenge
from callguard.challenge_failures import FailureCounter
from callguard.handlers import verify_code
from callguard.store import PENDING, DenyList

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

NUMBER = "+442079460958"
COUNTERS = "callguard-test-challenge-failures"
HOUR = 3600


class Clock:
    def __init__(self, now: float = 1_800_000_000) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def counters(moto_dynamodb: DynamoDBClient) -> str:
    create_counter_table(moto_dynamodb, COUNTERS)
    return COUNTERS


# ---------------------------------------------------------------- the counter
def test_failures_add_up_within_the_window(moto_dynamodb: DynamoDBClient, counters: str) -> None:
    clock = Clock()
    counter = FailureCounter(moto_dynamodb, counters, clock=clock)
    assert [counter.record(NUMBER, 24 * HOUR) for _ in range(3)] == [1, 2, 3]
    item = moto_dynamodb.get_item(TableName=counters, Key={"phone_number": {"S": NUMBER}})["Item"]
    assert item["expires_at"]["N"] == str(int(clock.now) + 24 * HOUR)  # TTL removes quiet numbers


def test_a_new_window_starts_after_the_old_one(
    moto_dynamodb: DynamoDBClient, counters: str
) -> None:
    clock = Clock()
    counter = FailureCounter(moto_dynamodb, counters, clock=clock)
    counter.record(NUMBER, HOUR)
    clock.now += HOUR - 1
    assert counter.record(NUMBER, HOUR) == 2
    clock.now += 2
    assert counter.record(NUMBER, HOUR) == 1  # the first window (started at t0) has passed


def test_numbers_are_counted_apart(moto_dynamodb: DynamoDBClient, counters: str) -> None:
    counter = FailureCounter(moto_dynamodb, counters, clock=Clock())
    counter.record(NUMBER, HOUR)
    assert counter.record("+442079460123", HOUR) == 1


# ---------------------------------------------------------------- settings
def test_flagging_is_off_by_default() -> None:
    assert not challenge.settings({}).flags_for_review


def test_flagging_needs_both_tables() -> None:
    with pytest.raises(challenge.ChallengeError, match="CALLGUARD_CHALLENGE_COUNTER_TABLE"):
        challenge.settings({"CALLGUARD_CHALLENGE_FLAG_AFTER": "3", "CALLGUARD_TABLE": "t"})


@pytest.mark.parametrize(
    ("name", "value"),
    [("CALLGUARD_CHALLENGE_FLAG_AFTER", "21"), ("CALLGUARD_CHALLENGE_FLAG_WINDOW_HOURS", "0")],
)
def test_flag_settings_out_of_range(name: str, value: str) -> None:
    with pytest.raises(challenge.ChallengeError, match=name):
        challenge.settings({name: value})


# ---------------------------------------------------------------- verify_code
@pytest.fixture
def flagging(table_name: str, counters: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    settings = {
        "CALLGUARD_TABLE": table_name,
        "CALLGUARD_CHALLENGE_COUNTER_TABLE": counters,
        "CALLGUARD_CHALLENGE_FLAG_AFTER": "2",
        "CALLGUARD_CHALLENGE_FLAG_WINDOW_HOURS": "24",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    aws.reset_clients()
    return settings


def failed_challenge(address: object = NUMBER, contact_id: str = CONTACT_ID) -> dict[str, str]:
    parameters: dict[str, Any] = {
        "Entered": "0000",
        "Expected": "4711",
        "Attempts": "1",
        "MaxAttempts": "2",
    }
    event = contact_event(address, parameters=parameters, contact_id=contact_id)
    return verify_code.handler(event, None)


def other_contact(index: int) -> str:
    return f"00000000-0000-4000-8000-{index:012d}"


@pytest.mark.usefixtures("flagging")
def test_second_failure_flags_the_number_for_review(
    moto_dynamodb: DynamoDBClient, table_name: str, log_lines: LogLines
) -> None:
    assert failed_challenge(contact_id=other_contact(1))["result"] == "fail"
    store = DenyList(moto_dynamodb, table_name)
    assert store.get(NUMBER) is None  # one failure: counted, not flagged
    assert failed_challenge(contact_id=other_contact(2))["result"] == "fail"
    entry = store.get(NUMBER)
    assert entry is not None
    assert (entry.status, entry.source) == (PENDING, "challenge")
    assert entry.reason == "Failed 2 spam challenges within 24 h"
    assert entry.contact_id == other_contact(2)
    assert entry.instance_arn == INSTANCE_ARN
    lines = [json.loads(line) for line in log_lines.lines if '"verify_code"' in line]
    assert lines[0]["failures_in_window"] == 1
    assert "flagged_for_review" not in lines[0]
    assert lines[1]["flagged_for_review"] is True
    assert lines[1]["listing_status"] == "pending"


@pytest.mark.usefixtures("flagging")
def test_withheld_callers_are_never_counted(moto_dynamodb: DynamoDBClient) -> None:
    for index in range(3):
        assert failed_challenge("anonymous", other_contact(index))["result"] == "fail"
    assert moto_dynamodb.scan(TableName=COUNTERS)["Count"] == 0


@pytest.mark.usefixtures("flagging")
def test_a_blocked_number_stays_blocked(moto_dynamodb: DynamoDBClient, table_name: str) -> None:
    store = DenyList(moto_dynamodb, table_name)
    store.flag(NUMBER, reason="abusive")
    for index in range(3):
        failed_challenge(contact_id=other_contact(index))
    entry = store.get(NUMBER)
    assert entry is not None
    assert (entry.status, entry.reason, entry.source) == ("blocked", "abusive", "agent")


def test_a_broken_table_never_changes_the_verdict(
    flagging: dict[str, str], monkeypatch: pytest.MonkeyPatch, log_lines: LogLines
) -> None:
    monkeypatch.setenv("CALLGUARD_CHALLENGE_COUNTER_TABLE", "no-such-table")
    answer = failed_challenge()
    assert answer == {"result": "fail", "attempts": "2", "remaining": "0", "input": "digits"}
    (line,) = [json.loads(x) for x in log_lines.lines if '"verify_code"' in x]
    assert line["flag_error"]
    assert line["challenge_failed"] is True


def test_without_flagging_nothing_touches_dynamodb(
    moto_dynamodb: DynamoDBClient, counters: str, table_name: str
) -> None:
    failed_challenge()
    assert moto_dynamodb.scan(TableName=counters)["Count"] == 0
    assert moto_dynamodb.scan(TableName=table_name)["Count"] == 0


def test_the_challenge_handlers_load_without_botocore() -> None:
    """Their cold start pays for botocore only when review flagging is configured."""
    code = (
        "import sys, callguard.handlers.challenge_code, callguard.handlers.verify_code; "
        "print('botocore' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"
