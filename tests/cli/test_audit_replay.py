"""``callguard denylist audit-replay`` against moto: a failure message's batch is read
back from the table's stream, recorded in the audit log group, and only then deleted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from click.testing import CliRunner, Result

from callguard_tools.admin.audit_replay import BatchInfo, ReplayError
from callguard_tools.cli import main

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_sqs import SQSClient

REGION = "eu-west-2"
GROUP = "/callguard/callguard-test/audit"
NUMBER = "+442079460958"
OTHER = "+14155550100"


@dataclass
class Failures:
    dynamodb: DynamoDBClient
    logs: CloudWatchLogsClient
    sqs: SQSClient
    queue_url: str
    key_arn: str
    table: str

    def stream(self) -> tuple[str, str, list[dict[str, Any]]]:
        """The table's stream ARN, its shard id and every record in it so far."""
        arn = self.dynamodb.describe_table(TableName=self.table)["Table"]["LatestStreamArn"]
        streams = boto3.client("dynamodbstreams", region_name=REGION)
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records: list[dict[str, Any]] = [
            dict(r) for r in streams.get_records(ShardIterator=iterator)["Records"]
        ]
        return arn, shard, records

    def fail(self, first: int, last: int) -> None:
        """Put the message Lambda sends when it gives up on records first..last."""
        arn, shard, records = self.stream()
        info = {
            "shardId": shard,
            "startSequenceNumber": records[first]["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": records[last]["dynamodb"]["SequenceNumber"],
            "batchSize": last - first + 1,
            "streamArn": arn,
        }
        body = {
            "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": 11},
            "version": "1.0",
            "DDBStreamBatchInfo": info,
        }
        self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(body))

    def replay(self) -> Result:
        return CliRunner().invoke(
            main,
            [
                "--table",
                self.table,
                "denylist",
                "audit-replay",
                "--queue-url",
                self.queue_url,
                "--log-group",
                GROUP,
                "--hash-key",
                self.key_arn,
            ],
        )

    def events(self) -> list[dict[str, Any]]:
        found = self.logs.filter_log_events(logGroupName=GROUP)["events"]
        return [json.loads(e["message"]) for e in found]

    def queue_size(self) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return sum(int(v) for v in attributes.values())


@pytest.fixture
def failures(moto_dynamodb: DynamoDBClient, table_name: str) -> Iterator[Failures]:
    kms = boto3.client("kms", region_name=REGION)
    logs = boto3.client("logs", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    key = kms.create_key(KeyUsage="GENERATE_VERIFY_MAC", KeySpec="HMAC_256")["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName=GROUP)
    url = sqs.create_queue(QueueName="callguard-test-audit-failures")["QueueUrl"]
    yield Failures(moto_dynamodb, logs, sqs, url, key, table_name)


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, ["--table", "callguard-test", *args])


def test_a_failed_batch_is_recorded_and_its_message_deleted(failures: Failures) -> None:
    assert cli("denylist", "add", NUMBER, "--reason", "threatened agent").exit_code == 0
    assert cli("denylist", "add", OTHER, "--reason", "spam").exit_code == 0
    assert cli("denylist", "remove", NUMBER).exit_code == 0
    failures.fail(1, 2)  # the function gave up on the second and third change

    result = failures.replay()

    assert result.exit_code == 0, result.output
    assert "recorded 2 change(s)" in result.stdout
    events = failures.events()
    assert [(e["change"], e["reason"]) for e in events] == [
        ("added", "spam"),
        ("removed", "threatened agent"),
    ]
    assert failures.queue_size() == 0
    assert NUMBER[1:] not in json.dumps(events)


def test_a_message_that_is_not_a_batch_description_stays(failures: Failures) -> None:
    failures.sqs.send_message(QueueUrl=failures.queue_url, MessageBody='{"hello": "world"}')
    result = failures.replay()
    assert result.exit_code == 1
    assert "no DDBStreamBatchInfo" in result.output
    assert "0 batch(es) recorded, 1 kept on the queue" in result.output
    assert failures.queue_size() == 1
    assert failures.events() == []


def test_a_batch_that_cannot_be_stored_stays(failures: Failures) -> None:
    cli("denylist", "add", NUMBER)
    failures.fail(0, 0)
    failures.logs.delete_log_group(logGroupName=GROUP)
    result = failures.replay()
    assert result.exit_code == 1
    assert "stored 0 of 1 records" in result.output
    assert failures.queue_size() == 1


def test_an_empty_queue_is_fine(failures: Failures) -> None:
    result = failures.replay()
    assert result.exit_code == 0
    assert "0 batch(es) recorded, 0 kept" in result.output


def test_names_are_derived_from_a_conventional_table(failures: Failures) -> None:
    result = CliRunner().invoke(main, ["--table", "other-table", "denylist", "audit-replay"])
    assert result.exit_code == 2
    assert "no audit log group given" in result.output


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "not JSON"),
        ("[]", "no DDBStreamBatchInfo"),
        ('{"DDBStreamBatchInfo": {"shardId": "s"}}', "lacks one of"),
    ],
)
def test_bad_messages_are_named(body: str, message: str) -> None:
    with pytest.raises(ReplayError, match=message):
        BatchInfo.from_message(body)
