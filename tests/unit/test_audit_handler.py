"""The audit function against in-process moto: KMS HMAC hashing, the audit log group,
and partial-failure answers that make Lambda retry from the first record not stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws
from runtime_events import LogLines
from stream_records import NUMBER, batch, item, record

from callguard.audit_log import MAX_EVENTS_PER_CALL, AuditLog, _chunks
from callguard.handlers import audit
from callguard.keyed_hash import MAC_ALGORITHM, MESSAGE_PREFIX, NumberHasher
from callguard.store import DenyList, Entry, create_table

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_logs import CloudWatchLogsClient

GROUP = "/callguard/test/audit"
REGION = "eu-west-2"


@dataclass
class AuditAws:
    kms: KMSClient
    logs: CloudWatchLogsClient
    key_id: str


@pytest.fixture
def audit_aws(fake_aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[AuditAws]:
    with mock_aws():
        kms = boto3.client("kms", region_name=REGION)
        logs = boto3.client("logs", region_name=REGION)
        key = kms.create_key(KeyUsage="GENERATE_VERIFY_MAC", KeySpec="HMAC_256")
        logs.create_log_group(logGroupName=GROUP)
        monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
        monkeypatch.setenv(audit.LOG_GROUP_VARIABLE, GROUP)
        monkeypatch.setenv(audit.HASH_KEY_VARIABLE, key["KeyMetadata"]["Arn"])
        audit.reset()
        yield AuditAws(kms, logs, key["KeyMetadata"]["Arn"])
        audit.reset()


def stored(aws: AuditAws) -> list[dict[str, Any]]:
    events = aws.logs.filter_log_events(logGroupName=GROUP)["events"]
    return [json.loads(e["message"]) for e in events]


def summary(log_lines: LogLines) -> dict[str, Any]:
    line: dict[str, Any] = json.loads(log_lines.lines[-1])
    assert line["handler"] == "audit"
    return line


def lifecycle() -> list[dict[str, Any]]:
    """Insert, approve, re-flag, expire: four records in stream order."""
    approved = item("blocked", reviewed_by="supervisor")
    reflagged = item("blocked", reviewed_by="supervisor", flag_count=2)
    return [
        record("INSERT", new=item("pending"), sequence="101", event_id="e1"),
        record("MODIFY", old=item("pending"), new=approved, sequence="102", event_id="e2"),
        record("MODIFY", old=approved, new=reflagged, sequence="103", event_id="e3"),
        record("REMOVE", old=reflagged, sequence="104", event_id="e4", ttl=True),
    ]


def test_every_record_becomes_one_stored_event_in_order(
    audit_aws: AuditAws, log_lines: LogLines
) -> None:
    assert audit.handler(batch(*lifecycle()), None) == {"batchItemFailures": []}
    events = stored(audit_aws)
    assert [e["event_id"] for e in events] == ["e1", "e2", "e3", "e4"]
    assert [e["change"] for e in events] == ["added", "status_changed", "reflagged", "expired"]
    assert events[3]["expired_by_ttl"] is True
    assert len({e["number_hash"] for e in events}) == 1
    line = summary(log_lines)
    assert (line["records"], line["written"], line["failed"]) == (4, 4, 0)
    assert line["level"] == "INFO"


def test_hash_is_the_kms_hmac_of_the_number(audit_aws: AuditAws) -> None:
    audit.handler(batch(record("INSERT", new=item())), None)
    [event] = stored(audit_aws)
    prefix, hexdigest = event["number_hash"].split(":")
    assert prefix == "hmac-sha256"
    verified = audit_aws.kms.verify_mac(
        KeyId=audit_aws.key_id,
        Message=(MESSAGE_PREFIX + NUMBER).encode(),
        MacAlgorithm=MAC_ALGORITHM,
        Mac=bytes.fromhex(hexdigest),
    )
    assert verified["MacValid"] is True
    # What `callguard denylist history` computes for the same number.
    assert NumberHasher(audit_aws.kms, audit_aws.key_id)(NUMBER) == event["number_hash"]
    assert NUMBER[1:] not in json.dumps(event)


def test_different_numbers_hash_differently(audit_aws: AuditAws) -> None:
    hasher = NumberHasher(audit_aws.kms, audit_aws.key_id)
    assert hasher("+442079460958") != hasher("+442079460959")
    assert hasher("+442079460958") == hasher("+442079460958")


def test_missing_configuration_retries_the_whole_batch(
    audit_aws: AuditAws, log_lines: LogLines, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(audit.LOG_GROUP_VARIABLE)
    answer = audit.handler(batch(*lifecycle()), None)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "101"}]}
    line = summary(log_lines)
    assert line["error"] == "AuditConfigError" and line["failed"] == 4
    assert line["level"] == "ERROR"
    assert stored(audit_aws) == []


def test_config_error_names_every_missing_variable() -> None:
    with pytest.raises(audit.AuditConfigError, match=r"LOG_GROUP.*HASH_KEY"):
        audit.AuditSettings.from_env({})


def test_missing_log_group_retries_from_the_first_record(
    audit_aws: AuditAws, log_lines: LogLines
) -> None:
    audit_aws.logs.delete_log_group(logGroupName=GROUP)
    answer = audit.handler(batch(*lifecycle()), None)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "101"}]}
    assert summary(log_lines)["written"] == 0


def test_kms_failure_mid_batch_keeps_what_came_before(
    audit_aws: AuditAws, log_lines: LogLines, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = "+14155550100"
    real_call = NumberHasher.__call__

    def flaky(self: NumberHasher, number: str) -> str:
        if number == other:
            raise TimeoutError("KMS did not answer")
        return real_call(self, number)

    monkeypatch.setattr(NumberHasher, "__call__", flaky)
    records = [
        record("INSERT", new=item(), sequence="201", event_id="a"),
        record("INSERT", new=item(number=other), number=other, sequence="202", event_id="b"),
        record("REMOVE", old=item(), sequence="203", event_id="c"),
    ]
    answer = audit.handler(batch(*records), None)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "202"}]}
    assert [e["event_id"] for e in stored(audit_aws)] == ["a"]
    line = summary(log_lines)
    assert (line["written"], line["failed"], line["error"]) == (1, 2, "TimeoutError")


def test_a_deleted_log_stream_is_recreated(audit_aws: AuditAws) -> None:
    audit.handler(batch(record("INSERT", new=item(), event_id="first")), None)
    [stream] = audit_aws.logs.describe_log_streams(logGroupName=GROUP)["logStreams"]
    audit_aws.logs.delete_log_stream(logGroupName=GROUP, logStreamName=stream["logStreamName"])
    answer = audit.handler(batch(record("REMOVE", old=item(), event_id="second")), None)
    assert answer == {"batchItemFailures": []}
    assert [e["event_id"] for e in stored(audit_aws)] == ["second"]


@pytest.mark.parametrize("event", [{}, {"Records": "x"}, None, {"Records": []}])
def test_empty_or_malformed_invocations_answer_without_failures(
    audit_aws: AuditAws, event: object
) -> None:
    assert audit.handler(event, None) == {"batchItemFailures": []}
    assert stored(audit_aws) == []


def test_a_garbage_record_is_stored_with_its_problem(audit_aws: AuditAws) -> None:
    assert audit.handler({"Records": ["junk"]}, None) == {"batchItemFailures": []}
    [event] = stored(audit_aws)
    assert event["problem"] == "unknown event name"


def test_large_batches_are_split_and_kept_in_order(audit_aws: AuditAws) -> None:
    messages = [json.dumps({"n": i}) for i in range(MAX_EVENTS_PER_CALL + 5)]
    AuditLog(audit_aws.logs, GROUP, "bulk").write(messages)
    events = audit_aws.logs.get_log_events(
        logGroupName=GROUP, logStreamName="bulk", startFromHead=True, limit=10_000
    )["events"]
    assert [json.loads(e["message"])["n"] for e in events] == list(range(len(messages)))


def test_chunks_respect_the_byte_limit() -> None:
    big = "x" * 250_000
    assert [len(c) for c in _chunks([big, big, big, big])] == [3, 1]
    assert list(_chunks([])) == []


# ------------------------------------------------------------------ from a real stream


def lambda_record(raw: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """Shape a DynamoDB Streams API record as Lambda delivers it (epoch seconds)."""
    body = dict(raw["dynamodb"])
    created = body.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        body["ApproximateCreationDateTime"] = created.timestamp()
    return {**raw, "dynamodb": body, "eventSourceARN": stream_arn}


def test_records_from_a_real_table_stream(audit_aws: AuditAws) -> None:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    create_table(dynamodb, "callguard-stream")
    store = DenyList(dynamodb, "callguard-stream")
    # PutItem for the first write: moto's stream splits an upserting UpdateItem in two.
    store.add(Entry.new(NUMBER, reason="abusive", source="agent", flagged_by="agent-7"))
    store.flag(NUMBER, reason="again", source="agent", flagged_by="agent-8")
    store.remove(NUMBER)

    stream_arn = dynamodb.describe_table(TableName="callguard-stream")["Table"]["LatestStreamArn"]
    streams = boto3.client("dynamodbstreams", region_name=REGION)
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    raw = streams.get_records(ShardIterator=iterator)["Records"]
    event = batch(*(lambda_record(dict(r), stream_arn) for r in raw))

    assert audit.handler(event, None) == {"batchItemFailures": []}
    events = stored(audit_aws)
    assert [e["change"] for e in events] == ["added", "reflagged", "removed"]
    assert events[0]["who"] == "agent-7" and events[0]["reason"] == "abusive"
    assert events[2]["old_status"] == "blocked" and events[2]["expired_by_ttl"] is False
    assert {e["table"] for e in events} == {"callguard-stream"}


def test_an_unreachable_log_endpoint_is_reported_as_not_stored(
    audit_aws: AuditAws, log_lines: LogLines, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import EndpointConnectionError

    def unreachable(self: AuditLog, chunk: object) -> None:
        raise EndpointConnectionError(endpoint_url="https://logs.eu-west-2.amazonaws.com")

    monkeypatch.setattr(AuditLog, "_put", unreachable)
    answer = audit.handler(batch(*lifecycle()), None)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "101"}]}
    line = summary(log_lines)
    assert line["error"] == "AuditWriteError: PutLogEvents failed: EndpointConnectionError"
    assert line["failed"] == 4
