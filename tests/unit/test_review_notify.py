"""Review mode in the flag handler: one SNS message per new review, never a failed flag.

moto emulates SNS in-process; an SQS queue subscribed to the topic receives what
a supervisor's subscription would, so the tests read the real published message.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from runtime_events import CONTACT_ID, INSTANCE_ARN, PREVIOUS_CONTACT_ID, EventFactory, LogLines

from callguard import aws, notify
from callguard.config import ConfigError, load
from callguard.handlers import flag_number
from callguard.store import DenyList
from callguard_tools.bench.fault_endpoints import serving

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

NUMBER = "+442079460958"
REGION = "eu-west-2"
OTHER_CONTACT = "0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d"
THIRD_CONTACT = "1a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d"
PENDING_ANSWER = {"result": "flagged", "status": "pending", "reason": "abusive caller"}


class Inbox:
    """An SQS queue subscribed (raw delivery off) to the review topic."""

    def __init__(self, sqs: Any, url: str, topic_arn: str) -> None:
        self.sqs, self.url, self.topic_arn = sqs, url, topic_arn

    def messages(self) -> list[dict[str, Any]]:
        """Return the SNS envelopes received so far (and delete them)."""
        found: list[dict[str, Any]] = []
        while True:
            got = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10)
            batch = got.get("Messages", [])
            if not batch:
                return found
            for message in batch:
                found.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])


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
def review_env(handler_env: str, inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CALLGUARD_FLAG_MODE", "review")
    monkeypatch.setenv("CALLGUARD_NOTIFY_TOPIC_ARN", inbox.topic_arn)
    return handler_env


@pytest.fixture
def store(moto_dynamodb: DynamoDBClient, review_env: str) -> DenyList:
    return DenyList(moto_dynamodb, review_env)


def flag(make_event: EventFactory, contact: str = CONTACT_ID, **params: str) -> dict[str, str]:
    parameters = {"Reason": "abusive caller", "AgentUsername": "jdoe", **params}
    return flag_number.handler(make_event(parameters=parameters, contact_id=contact), None)


def last_line(log_lines: LogLines) -> dict[str, Any]:
    line: dict[str, Any] = json.loads(log_lines.lines[-1])
    return line


# ---------------------------------------------------------------- the message
def test_a_new_pending_flag_publishes_one_masked_message(
    store: DenyList, inbox: Inbox, make_event: EventFactory, log_lines: LogLines
) -> None:
    assert flag(make_event) == {
        "result": "flagged",
        "status": "pending",
        "reason": "abusive caller",
    }
    [envelope] = inbox.messages()
    assert envelope["Subject"] == "callguard: caller +4420*****958 flagged for review"
    assert envelope["MessageAttributes"]["event"]["Value"] == "pending_review"
    assert last_line(log_lines)["notification"] == "sent"
    # A queue subscriber gets the JSON form of the message ...
    data = json.loads(envelope["Message"])
    assert (data["number_masked"], data["reason"], data["flagged_by"]) == (
        "+4420*****958",
        "abusive caller",
        "jdoe",
    )
    assert (data["instance_arn"], data["contact_id"]) == (INSTANCE_ARN, CONTACT_ID)
    assert NUMBER[1:] not in envelope["Message"]
    # ... and e-mail the text form, built from the same stored entry.
    entry = store.get(NUMBER)
    assert entry is not None
    body = notify.text(entry, notify.Notice(table="callguard-test", block_pending=False))
    assert NUMBER[1:] not in body
    for expected in (
        "+4420*****958",
        "abusive caller",
        "jdoe",
        INSTANCE_ARN,
        CONTACT_ID,
        PREVIOUS_CONTACT_ID,
        "callguard --table callguard-test denylist pending",
        "denylist approve NUMBER",
        "denylist reject NUMBER",
        "agents see callguard_pending_review=true",
    ):
        assert expected in body, expected


def test_queues_and_functions_get_the_json_form(store: DenyList, make_event: EventFactory) -> None:
    entry = store.flag(NUMBER, status="pending", reason="r", contact_id="c-1").entry
    data = notify.payload(entry, notify.Notice(table="t", block_pending=True))
    assert data["number_masked"] == "+4420*****958" and NUMBER not in json.dumps(data)
    assert (data["event"], data["contact_id"], data["previous_decision"]) == (
        "pending_review",
        "c-1",
        None,
    )
    assert "are refused (block_pending is on)" in notify.text(entry, notify.Notice("t", True))


def test_the_subject_fits_sns_limit(store: DenyList) -> None:
    entry = store.flag(NUMBER, status="pending").entry
    assert len(notify.subject(entry)) <= notify.MAX_SUBJECT


# ---------------------------------------------------------------- when nothing is sent
def test_a_second_flag_of_a_pending_number_sends_nothing(
    store: DenyList, inbox: Inbox, make_event: EventFactory, log_lines: LogLines
) -> None:
    flag(make_event)
    inbox.messages()
    assert flag(make_event, OTHER_CONTACT)["result"] == "already_listed"
    assert inbox.messages() == []
    assert "notification" not in last_line(log_lines)
    assert store.get(NUMBER).flag_count == 2  # type: ignore[union-attr]


def test_a_retried_invocation_sends_nothing_more(
    store: DenyList, inbox: Inbox, make_event: EventFactory
) -> None:
    flag(make_event)
    assert flag(make_event)["result"] == "flagged"  # Connect's retry of the same contact
    assert len(inbox.messages()) == 1


def test_flags_of_a_rejected_number_are_counted_silently_then_reopen(
    store: DenyList, inbox: Inbox, make_event: EventFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    flag(make_event)
    store.reject(NUMBER, reviewer="arn:aws:iam::123456789012:user/sam", note="shared line")
    inbox.messages()
    answer = flag(make_event, OTHER_CONTACT)
    assert answer == {"result": "already_listed", "status": "rejected", "reason": "abusive caller"}
    assert inbox.messages() == []
    monkeypatch.setenv("CALLGUARD_REJECT_SUPPRESSION_DAYS", "0")
    assert flag(make_event, THIRD_CONTACT)["status"] == "pending"
    [envelope] = inbox.messages()
    decision = json.loads(envelope["Message"])["previous_decision"]
    assert decision["note"] == "shared line"
    assert envelope["MessageAttributes"]["reopened"]["Value"] == "true"
    entry = store.get(NUMBER)
    assert entry is not None
    assert "Rejected before:" in notify.text(entry, notify.Notice("callguard-test", False))


def test_block_mode_sends_nothing(
    store: DenyList, inbox: Inbox, make_event: EventFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLGUARD_FLAG_MODE", "block")
    assert flag(make_event)["status"] == "blocked"
    assert inbox.messages() == []


def test_review_mode_without_a_topic_still_flags(
    store: DenyList, inbox: Inbox, make_event: EventFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CALLGUARD_NOTIFY_TOPIC_ARN")
    assert flag(make_event)["status"] == "pending"
    assert inbox.messages() == []


# ---------------------------------------------------------------- publish failures
def test_a_missing_topic_fails_the_publish_not_the_flag(
    store: DenyList, make_event: EventFactory, monkeypatch: pytest.MonkeyPatch, log_lines: LogLines
) -> None:
    monkeypatch.setenv(
        "CALLGUARD_NOTIFY_TOPIC_ARN", "arn:aws:sns:eu-west-2:123456789012:deleted-topic"
    )
    assert flag(make_event) == {
        "result": "flagged",
        "status": "pending",
        "reason": "abusive caller",
    }
    line = last_line(log_lines)
    assert (line["level"], line["notification"]) == ("INFO", "failed")
    assert line["notification_error"] in {"NotFoundException", "ClientError"}
    assert line[notify.FAILURE_METRIC] == 1
    metrics = line["_aws"]["CloudWatchMetrics"][0]
    assert metrics["Namespace"] == "callguard"
    assert metrics["Metrics"] == [{"Name": "ReviewNotificationFailures", "Unit": "Count"}]
    assert store.get(NUMBER).status == "pending"  # type: ignore[union-attr]


def test_an_unreachable_sns_endpoint_fails_the_publish_not_the_flag(
    store: DenyList, make_event: EventFactory, monkeypatch: pytest.MonkeyPatch, log_lines: LogLines
) -> None:
    def broken() -> object:
        raise ConnectionError("no route to SNS")

    monkeypatch.setattr(aws, "sns_client", broken)
    assert flag(make_event)["result"] == "flagged"
    assert last_line(log_lines)["notification_error"] == "ConnectionError"


def test_the_sns_client_has_short_timeouts_and_one_attempt() -> None:
    assert aws.SNS_MAX_ATTEMPTS == 1
    client = aws.sns_client()
    config: Any = client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (0.3, 1.0)
    assert config.retries["total_max_attempts"] == 1
    # with DynamoDB's worst case, a flag still answers inside Connect's default 5 s
    worst = aws.WORST_CASE_SECONDS + aws.SNS_CONNECT_TIMEOUT_SECONDS + aws.SNS_READ_TIMEOUT_SECONDS
    assert worst < 5


# ---------------------------------------------------------------- configuration
def test_configuration_of_review_mode() -> None:
    config = load(
        {
            "CALLGUARD_TABLE": "t",
            "CALLGUARD_REJECT_SUPPRESSION_DAYS": "7",
            "CALLGUARD_NOTIFY_TOPIC_ARN": "arn:aws:sns:eu-west-2:123456789012:callguard-dev-review",
        }
    )
    assert config.reject_suppression_days == 7
    assert config.notify_topic_arn == "arn:aws:sns:eu-west-2:123456789012:callguard-dev-review"
    defaults = load({"CALLGUARD_TABLE": "t"})
    assert (defaults.reject_suppression_days, defaults.notify_topic_arn) == (30, None)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CALLGUARD_REJECT_SUPPRESSION_DAYS", "-1", "whole number of days"),
        ("CALLGUARD_REJECT_SUPPRESSION_DAYS", "3651", "whole number of days"),
        ("CALLGUARD_REJECT_SUPPRESSION_DAYS", "²", "whole number of days"),
        ("CALLGUARD_NOTIFY_TOPIC_ARN", "callguard-dev-review", "not an SNS topic ARN"),
        ("CALLGUARD_NOTIFY_TOPIC_ARN", "arn:aws:sqs:eu-west-2:123456789012:q", "SNS topic ARN"),
    ],
)
def test_bad_review_settings_are_named(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load({"CALLGUARD_TABLE": "t", name: value})
    assert name in str(caught.value)


def test_a_hanging_sns_gets_one_attempt_and_the_flag_still_succeeds(
    store: DenyList, make_event: EventFactory, monkeypatch: pytest.MonkeyPatch, log_lines: LogLines
) -> None:
    """SNS accepts the connection and never answers: one request, a read timeout, a stored flag."""
    with serving("hang") as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SNS", server.url)
        aws.reset_clients()
        assert flag(make_event) == PENDING_ANSWER
    line = last_line(log_lines)
    assert (line["notification"], line["notification_error"]) == ("failed", "ReadTimeoutError")
    assert server.requests == aws.SNS_MAX_ATTEMPTS == 1
    assert store.get(NUMBER).status == "pending"  # type: ignore[union-attr]


class _LambdaContext:
    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def test_a_flag_without_time_for_a_publish_is_stored_answered_and_counted(
    store: DenyList,
    inbox: Inbox,
    make_event: EventFactory,
    log_lines: LogLines,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # After the write, less time is left than a whole publish may take. The time a
    # publish may take is raised instead of the Lambda's time lowered, so the write
    # itself has seconds to spare on a loaded machine and the outcome is certain.
    # The agent hears "flagged" (it is stored) instead of the flow's time-out.
    monkeypatch.setattr(aws, "SNS_WORST_CASE_SECONDS", 3600.0)
    parameters = {"Reason": "abusive caller", "AgentUsername": "jdoe"}
    answer = flag_number.handler(make_event(parameters=parameters), _LambdaContext(30_000))
    assert answer == PENDING_ANSWER
    assert store.get(NUMBER).status == "pending"  # type: ignore[union-attr]
    line = last_line(log_lines)
    assert (line["notification"], line["notification_error"]) == ("skipped", "OutOfTime")
    assert line[notify.FAILURE_METRIC] == 1
    assert inbox.messages() == []
