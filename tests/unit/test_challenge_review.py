"""Challenge flags follow the review rules: the configured suppression, one notice per review.

A number that fails the spam challenge ``CALLGUARD_CHALLENGE_FLAG_AFTER`` times
is flagged ``pending`` through the same path as an agent's flag in review mode
(:mod:`callguard.review_flags`). moto emulates SNS; an SQS queue subscribed to
the topic receives what supervisors would.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from local_tables import create_counter_table
from runtime_events import LogLines, contact_event
from test_review_notify import Inbox

from callguard import aws, notify
from callguard.handlers import verify_code
from callguard.store import PENDING, DenyList

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

NUMBER = "+442079460958"
COUNTERS = "callguard-test-challenge-failures"
REGION = "eu-west-2"
FAILED = {"result": "fail", "attempts": "2", "remaining": "0", "input": "digits"}


@pytest.fixture
def inbox(moto_dynamodb: DynamoDBClient) -> Inbox:
    sns = boto3.client("sns", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    topic = sns.create_topic(Name="callguard-test-review")["TopicArn"]
    url = sqs.create_queue(QueueName="supervisors")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])
    return Inbox(sqs, url, topic)


@pytest.fixture
def store(
    moto_dynamodb: DynamoDBClient, table_name: str, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> DenyList:
    """verify_code configured as Terraform does with flag_after = 1 and review notifications."""
    create_counter_table(moto_dynamodb, COUNTERS)
    for name, value in {
        "CALLGUARD_TABLE": table_name,
        "CALLGUARD_CHALLENGE_COUNTER_TABLE": COUNTERS,
        "CALLGUARD_CHALLENGE_FLAG_AFTER": "1",
        "CALLGUARD_CHALLENGE_FLAG_WINDOW_HOURS": "24",
        "CALLGUARD_NOTIFY_TOPIC_ARN": inbox.topic_arn,
        "CALLGUARD_REJECT_SUPPRESSION_DAYS": "30",
    }.items():
        monkeypatch.setenv(name, value)
    # The publish starts only while the budget since the call began lasts: on a
    # loaded machine the writes before it may take longer than the real 1 s, and
    # the notice would be "skipped", not "failed". Timing must not decide a test.
    monkeypatch.setattr(verify_code, "NOTIFY_BUDGET_SECONDS", 60.0)
    aws.reset_clients()
    return DenyList(moto_dynamodb, table_name)


def fail_challenge(index: int) -> dict[str, str]:
    parameters: dict[str, Any] = {
        "Entered": "0000",
        "Expected": "4711",
        "Attempts": "1",
        "MaxAttempts": "2",
    }
    contact = f"00000000-0000-4000-8000-{index:012d}"
    return verify_code.handler(
        contact_event(NUMBER, parameters=parameters, contact_id=contact), None
    )


def verify_lines(log_lines: LogLines) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log_lines.lines if '"verify_code"' in line]


def test_a_new_challenge_review_notifies_supervisors_once(
    store: DenyList, inbox: Inbox, log_lines: LogLines
) -> None:
    assert fail_challenge(1) == FAILED
    assert fail_challenge(2) == FAILED  # already pending: counted, no second message

    (envelope,) = inbox.messages()
    assert envelope["TopicArn"] == inbox.topic_arn
    assert envelope["MessageAttributes"]["event"]["Value"] == "pending_review"
    assert "+4420*****958" in envelope["Subject"]
    assert NUMBER not in json.dumps(envelope)
    data = json.loads(envelope["Message"])  # a queue gets the machine-readable form
    assert (data["source"], data["reason"]) == ("challenge", "Failed 1 spam challenges within 24 h")
    entry = store.get(NUMBER)
    assert entry is not None
    assert (entry.status, entry.source, entry.flag_count) == (PENDING, "challenge", 2)
    first, second = verify_lines(log_lines)
    assert first["notification"] == "sent"
    assert "notification" not in second


def test_people_read_that_the_challenge_flagged_the_number(store: DenyList) -> None:
    fail_challenge(1)
    entry = store.get(NUMBER)
    assert entry is not None

    body = notify.text(entry, notify.Notice(table="t", block_pending=False))

    assert body.startswith("A caller failed the spam challenge too often. The number waits")


def test_a_rejection_suppresses_challenge_flags_for_the_configured_period(
    store: DenyList, inbox: Inbox
) -> None:
    fail_challenge(1)
    store.reject(NUMBER, reviewer="supervisor", note="our customer")
    inbox.messages()

    fail_challenge(2)

    assert inbox.messages() == []
    entry = store.get(NUMBER)
    assert entry is not None
    assert (entry.status, entry.flag_count) == ("rejected", 2)


def test_a_zero_day_suppression_reopens_the_review_and_notifies(
    store: DenyList, inbox: Inbox, monkeypatch: pytest.MonkeyPatch, log_lines: LogLines
) -> None:
    """With the old fixed 30 days this flag would have been swallowed silently."""
    monkeypatch.setenv("CALLGUARD_REJECT_SUPPRESSION_DAYS", "0")
    fail_challenge(1)
    store.reject(NUMBER, reviewer="supervisor")
    inbox.messages()

    assert fail_challenge(2) == FAILED

    (envelope,) = inbox.messages()
    assert envelope["MessageAttributes"]["reopened"]["Value"] == "true"
    entry = store.get(NUMBER)
    assert entry is not None
    assert (entry.status, entry.reviewed_by) == (PENDING, "supervisor")
    assert verify_lines(log_lines)[-1]["reopened"] is True


def test_a_failed_publish_never_changes_the_verdict_and_is_counted(
    store: DenyList, monkeypatch: pytest.MonkeyPatch, log_lines: LogLines
) -> None:
    def broken() -> Any:
        raise RuntimeError("no SNS today")

    monkeypatch.setattr(aws, "sns_client", broken)

    assert fail_challenge(1) == FAILED

    entry = store.get(NUMBER)
    assert entry is not None and entry.status == PENDING
    (line,) = verify_lines(log_lines)
    assert (line["notification"], line["notification_error"]) == ("failed", "RuntimeError")
    assert "flag_error" not in line
    metrics = [m["Name"] for d in line["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]]
    assert metrics == ["ChallengeFailed", "ReviewNotificationFailures"]
    assert (line["ChallengeFailed"], line["ReviewNotificationFailures"]) == (1, 1)


def test_without_a_topic_the_flag_is_stored_and_nothing_is_sent(
    store: DenyList, inbox: Inbox, monkeypatch: pytest.MonkeyPatch, log_lines: LogLines
) -> None:
    monkeypatch.delenv("CALLGUARD_NOTIFY_TOPIC_ARN")

    fail_challenge(1)

    assert inbox.messages() == []
    assert store.get(NUMBER) is not None
    assert "notification" not in verify_lines(log_lines)[0]


def test_a_late_notification_is_skipped_and_counted_not_sent(
    store: DenyList, inbox: Inbox, monkeypatch: pytest.MonkeyPatch, log_lines: LogLines
) -> None:
    """Past the budget the caller's verdict must reach the flow in time: the review waits."""
    # A publish would need 60 s and the budget ends a second before that is left:
    # the write has all the time it needs, the publish does not fit.
    monkeypatch.setattr(aws, "SNS_WORST_CASE_SECONDS", 60.0)
    monkeypatch.setattr(verify_code, "NOTIFY_BUDGET_SECONDS", -1.0)

    assert fail_challenge(1) == FAILED

    assert inbox.messages() == []
    entry = store.get(NUMBER)
    assert entry is not None and entry.status == PENDING
    (line,) = verify_lines(log_lines)
    assert (line["notification"], line["notification_error"]) == ("skipped", "OutOfTime")
    assert line["ReviewNotificationFailures"] == 1


def test_the_budget_and_a_hanging_sns_fit_the_default_challenge_timeout() -> None:
    """3 s is the challenge flow's default wait; one publish attempt may take 1.3 s."""
    worst_publish = aws.SNS_CONNECT_TIMEOUT_SECONDS + aws.SNS_READ_TIMEOUT_SECONDS
    assert aws.SNS_MAX_ATTEMPTS == 1
    assert verify_code.NOTIFY_BUDGET_SECONDS + worst_publish < 3
