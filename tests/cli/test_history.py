"""``callguard denylist history`` against moto: changes made with the CLI reach the
audit trail through the table's stream and the real audit function, and the
history command finds them by the number's keyed hash."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from click.testing import CliRunner

from callguard.handlers import audit
from callguard.store import create_table
from callguard_tools.admin.errors import CliUsageError
from callguard_tools.admin.history import (
    default_hash_key,
    default_log_group,
    describe,
    find_events,
    start_ms,
)
from callguard_tools.cli import main

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_logs import CloudWatchLogsClient

RunCli = Callable[..., Any]
NUMBER = "+442079460958"
OTHER = "+14155550100"
GROUP = "/callguard/callguard-test/audit"
REGION = "eu-west-2"


@dataclass
class Trail:
    dynamodb: DynamoDBClient
    logs: CloudWatchLogsClient
    key_arn: str
    table: str
    position: int = 0

    def ship(self) -> dict[str, Any]:
        """Feed the stream records written since the last call to the audit function."""
        stream_arn = self.dynamodb.describe_table(TableName=self.table)["Table"]["LatestStreamArn"]
        streams = boto3.client("dynamodbstreams", region_name=REGION)
        shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        raw = streams.get_records(ShardIterator=iterator)["Records"][self.position :]
        self.position += len(raw)
        records = []
        for item in raw:
            body = dict(item["dynamodb"])
            created = body.get("ApproximateCreationDateTime")
            if isinstance(created, datetime):
                body["ApproximateCreationDateTime"] = created.timestamp()
            records.append({**item, "dynamodb": body, "eventSourceARN": stream_arn})
        return audit.handler({"Records": records}, None)


@pytest.fixture
def trail(
    moto_dynamodb: DynamoDBClient, table_name: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Trail]:
    kms = boto3.client("kms", region_name=REGION)
    logs = boto3.client("logs", region_name=REGION)
    key = kms.create_key(KeyUsage="GENERATE_VERIFY_MAC", KeySpec="HMAC_256")["KeyMetadata"]
    kms.create_alias(AliasName="alias/callguard-test-audit-hash", TargetKeyId=key["KeyId"])
    logs.create_log_group(logGroupName=GROUP)
    monkeypatch.setenv(audit.LOG_GROUP_VARIABLE, GROUP)
    monkeypatch.setenv(audit.HASH_KEY_VARIABLE, key["Arn"])
    audit.reset()
    yield Trail(moto_dynamodb, logs, key["Arn"], table_name)
    audit.reset()


@pytest.fixture
def history(trail: Trail) -> RunCli:
    """``callguard --table <table> denylist history ... --log-group G --hash-key K``."""

    def run(*args: str) -> Any:
        return CliRunner().invoke(
            main,
            [
                "--table",
                trail.table,
                "denylist",
                "history",
                *args,
                "--log-group",
                GROUP,
                "--hash-key",
                trail.key_arn,
            ],
        )

    return run


def now_ms() -> int:
    """CloudWatch Logs (and moto) drop events older than 14 days: stamp them now."""
    return int(datetime.now(UTC).timestamp() * 1000)


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, ["--table", "callguard-test", *args])


def test_history_of_a_number_added_then_removed(trail: Trail, history: RunCli) -> None:
    assert cli("denylist", "add", NUMBER, "--reason", "threatened agent").exit_code == 0
    assert cli("denylist", "add", OTHER, "--reason", "unrelated").exit_code == 0
    assert trail.ship() == {"batchItemFailures": []}
    assert cli("denylist", "remove", NUMBER).exit_code == 0
    trail.ship()

    result = history(NUMBER)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{NUMBER}: 2 changes"
    assert "added" in lines[1] and "- -> blocked" in lines[1]
    assert 'reason "threatened agent"' in lines[1] and "source cli" in lines[1]
    assert "by arn:aws:sts::123456789012:user/moto" in lines[1]
    assert "removed" in lines[2] and "blocked -> -" in lines[2]
    assert "unrelated" not in result.stdout  # the other number's events stay out


def test_json_output_and_national_spelling(trail: Trail, history: RunCli) -> None:
    cli("denylist", "add", NUMBER, "--reason", "spam")
    trail.ship()
    result = CliRunner().invoke(
        main,
        [
            "--table",
            trail.table,
            "--default-country",
            "GB",
            "denylist",
            "history",
            "020 7946 0958",
            "--format",
            "json",
            "--log-group",
            GROUP,
            "--hash-key",
            trail.key_arn,
        ],
    )
    assert result.exit_code == 0, result.output
    [event] = json.loads(result.stdout)
    assert event["change"] == "added" and event["reason"] == "spam"
    assert event["number"] == "+4420*****958"


def test_no_changes_is_said_plainly(trail: Trail, history: RunCli) -> None:
    result = history(NUMBER)
    assert result.exit_code == 0
    assert result.stdout.strip() == f"{NUMBER}: no recorded changes"


def test_retried_batches_do_not_show_twice(trail: Trail, history: RunCli) -> None:
    cli("denylist", "add", NUMBER)
    trail.ship()
    trail.position = 0  # Lambda retries the same records
    trail.ship()
    assert len(trail.logs.filter_log_events(logGroupName=GROUP)["events"]) == 2
    assert history(NUMBER).stdout.splitlines()[0] == f"{NUMBER}: 1 change"


def test_names_are_derived_from_a_conventional_table(
    trail: Trail, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert default_log_group("callguard-prod-denylist") == "/callguard/callguard-prod/audit"
    assert default_hash_key("callguard-prod-denylist") == "alias/callguard-prod-audit-hash"
    assert default_log_group("my-table") is None and default_hash_key(None) is None
    # A deployment's names: table callguard-x-denylist, group and alias derived from it.
    create_table(trail.dynamodb, "callguard-x-denylist")
    trail.logs.create_log_group(logGroupName="/callguard/callguard-x/audit")
    kms = boto3.client("kms", region_name=REGION)
    kms.create_alias(AliasName="alias/callguard-x-audit-hash", TargetKeyId=trail.key_arn)
    monkeypatch.setenv(audit.LOG_GROUP_VARIABLE, "/callguard/callguard-x/audit")
    audit.reset()
    added = CliRunner().invoke(main, ["--table", "callguard-x-denylist", "denylist", "add", NUMBER])
    assert added.exit_code == 0, added.output
    Trail(trail.dynamodb, trail.logs, trail.key_arn, "callguard-x-denylist").ship()
    monkeypatch.delenv(audit.LOG_GROUP_VARIABLE)
    monkeypatch.delenv(audit.HASH_KEY_VARIABLE)

    result = CliRunner().invoke(
        main, ["--table", "callguard-x-denylist", "denylist", "history", NUMBER]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{NUMBER}: 1 change")
    # Without the convention (and without the variables) the command says what to pass.
    result = CliRunner().invoke(main, ["--table", "callguard-test", "denylist", "history", NUMBER])
    assert result.exit_code == 2
    assert "no audit log group given" in result.output
    assert "CALLGUARD_AUDIT_LOG_GROUP" in result.output


def test_alias_and_environment_variables_work(
    trail: Trail, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("denylist", "add", NUMBER, "--reason", "by alias")
    trail.ship()
    monkeypatch.setenv("CALLGUARD_AUDIT_HASH_KEY", "alias/callguard-test-audit-hash")
    monkeypatch.setenv("CALLGUARD_AUDIT_LOG_GROUP", GROUP)
    result = CliRunner().invoke(main, ["--table", "callguard-test", "denylist", "history", NUMBER])
    assert result.exit_code == 0, result.output
    assert "by alias" in result.stdout


def test_missing_log_group_is_a_clear_error(trail: Trail) -> None:
    result = CliRunner().invoke(
        main,
        [
            "--table",
            "callguard-test",
            "denylist",
            "history",
            NUMBER,
            "--log-group",
            "/nope",
            "--hash-key",
            trail.key_arn,
        ],
    )
    assert result.exit_code == 2
    assert "not found" in result.output
    assert "Traceback" not in result.output


def test_bad_number_and_bad_since_are_usage_errors(trail: Trail, history: RunCli) -> None:
    assert history("not a number").exit_code == 2
    result = history(NUMBER, "--since", "last tuesday")
    assert result.exit_code == 2 and "--since" in result.output


def test_since_reads_durations_and_dates() -> None:
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    assert start_ms(None) is None
    assert start_ms("1d", now) == int(datetime(2026, 11, 20, 12, 0, tzinfo=UTC).timestamp() * 1000)
    assert start_ms("2026-11-01", now) == int(datetime(2026, 11, 1, tzinfo=UTC).timestamp() * 1000)
    with pytest.raises(CliUsageError):
        start_ms("2026-13-01", now)


def test_since_filters_old_events(trail: Trail, history: RunCli) -> None:
    cli("denylist", "add", NUMBER)
    trail.ship()
    future = datetime.now(UTC).date().replace(year=datetime.now(UTC).year + 1).isoformat()
    assert history(NUMBER, "--since", future).stdout.strip().endswith("no recorded changes")
    assert history(NUMBER, "--since", "1d").stdout.startswith(f"{NUMBER}: 1 change")


def test_find_events_ignores_lines_that_only_mention_the_hash(trail: Trail) -> None:
    trail.logs.create_log_stream(logGroupName=GROUP, logStreamName="noise")
    audit_event = {"event": "callguard.audit", "event_id": "real"}
    messages = [
        "hmac-sha256:abc in free text",
        json.dumps({"event": "other", "number_hash": "hmac-sha256:abc"}),
        json.dumps({**audit_event, "number_hash": "hmac-sha256:abcd", "event_id": "longer"}),
        json.dumps({**audit_event, "number_hash": "hmac-sha256:abc"}),
    ]
    now = now_ms()
    trail.logs.put_log_events(
        logGroupName=GROUP,
        logStreamName="noise",
        logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(messages)],
    )
    # Only the audit event whose own hash field is the one asked for.
    assert [e["event_id"] for e in find_events(trail.logs, GROUP, "hmac-sha256:abc")] == ["real"]


def test_describe_shows_problems_and_old_reasons() -> None:
    line = describe(
        {
            "changed_at": "2026-11-21T05:42:51Z",
            "change": "updated",
            "old_status": "blocked",
            "new_status": "blocked",
            "reason": "new",
            "old_reason": "old",
            "problem": "odd item",
            "instance": "unknown",
        }
    )
    assert '(was "old")' in line and "[odd item]" in line and "instance" not in line


def test_show_hash_prints_the_keyed_hash_only(trail: Trail, history: RunCli) -> None:
    cli("denylist", "add", NUMBER)
    trail.ship()
    result = history(NUMBER, "--show-hash")
    assert result.exit_code == 0, result.output
    [event] = find_events(trail.logs, GROUP, result.stdout.strip())
    assert event["change"] == "added"
    assert result.stdout.startswith("hmac-sha256:") and NUMBER[1:] not in result.stdout


def test_same_second_changes_keep_stream_order(trail: Trail) -> None:
    trail.logs.create_log_stream(logGroupName=GROUP, logStreamName="order")
    base = {
        "event": "callguard.audit",
        "number_hash": "hmac-sha256:ab",
        "changed_at": "2026-11-21T05:42:51Z",
    }
    events = [
        {**base, "event_id": "late", "sequence_number": "100000000000000000010"},
        {**base, "event_id": "early", "sequence_number": "99000000000000000001"},
    ]
    trail.logs.put_log_events(
        logGroupName=GROUP,
        logStreamName="order",
        logEvents=[{"timestamp": now_ms(), "message": json.dumps(e)} for e in events],
    )
    assert [e["event_id"] for e in find_events(trail.logs, GROUP, "hmac-sha256:ab")] == [
        "early",
        "late",
    ]
