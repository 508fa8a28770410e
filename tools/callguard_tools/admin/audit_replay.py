"""``callguard denylist audit-replay``: record the stream batches the audit function gave up on.

When the audit function keeps failing on a batch (KMS or CloudWatch Logs down for
longer than its retries), Lambda puts a description of the batch on the audit
failure queue: the stream, the shard, the first and last sequence numbers. The
records themselves stay in the table's stream for 24 hours. This command reads
each description, fetches exactly those records from the stream, stores their
events through the same code the function uses
(:func:`callguard.handlers.audit.store_events`), and deletes the message only
once every record is stored. A record stored twice (the function may have stored
part of the batch) is shown once by ``history``, which drops repeats by event id.

Names follow the deployment's convention for a table ``<prefix>-denylist``: queue
``<prefix>-audit-failures``, log group ``/callguard/<prefix>/audit``, key
``alias/<prefix>-audit-hash``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from callguard_tools.admin.errors import CliOperationError, CliUsageError
from callguard_tools.admin.history import TABLE_SUFFIX, default_hash_key, default_log_group
from callguard_tools.admin.state import CliState, get_state

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient

    from callguard.audit_log import AuditLog
    from callguard.keyed_hash import NumberHasher

#: Most GetRecords pages read per batch: a batch holds at most 10,000 records.
MAX_PAGES = 64


class ReplayError(Exception):
    """One batch could not be replayed; its message stays on the queue."""


@dataclass(frozen=True)
class BatchInfo:
    """Where a failed batch's records are in the stream."""

    stream_arn: str
    shard_id: str
    first: str
    last: str

    @classmethod
    def from_message(cls, body: str) -> BatchInfo:
        """Read ``DDBStreamBatchInfo`` from a failure message, or raise :class:`ReplayError`."""
        try:
            document = json.loads(body)
        except ValueError:
            raise ReplayError("message is not JSON") from None
        info = document.get("DDBStreamBatchInfo") if isinstance(document, dict) else None
        if not isinstance(info, dict):
            raise ReplayError("message has no DDBStreamBatchInfo (not a stream batch description)")
        fields = ("streamArn", "shardId", "startSequenceNumber", "endSequenceNumber")
        values = [info.get(name) for name in fields]
        if not all(isinstance(v, str) and v for v in values):
            raise ReplayError(f"DDBStreamBatchInfo lacks one of {', '.join(fields)}")
        return cls(*(str(v) for v in values))


def fetch_records(client: DynamoDBStreamsClient, batch: BatchInfo) -> list[dict[str, Any]]:
    """Return the batch's records (first to last sequence number) as Lambda delivers them."""
    try:
        iterator: str | None = client.get_shard_iterator(
            StreamArn=batch.stream_arn,
            ShardId=batch.shard_id,
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=batch.first,
        )["ShardIterator"]
    except client.exceptions.TrimmedDataAccessException:
        raise ReplayError("the records are no longer in the stream (older than 24 hours)") from None
    last = int(batch.last)
    records: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        if not iterator:
            break
        page = client.get_records(ShardIterator=iterator, Limit=1000)
        for raw in page.get("Records", []):
            body: dict[str, Any] = dict(raw.get("dynamodb", {}))
            if int(str(body.get("SequenceNumber", "0"))) > last:
                return records
            records.append(_as_lambda_record(dict(raw), body, batch.stream_arn))
        if not page.get("Records"):
            break
        iterator = page.get("NextShardIterator")
    if not records:
        raise ReplayError("no records found between the batch's sequence numbers")
    return records


def _as_lambda_record(raw: dict[str, Any], body: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """Return the record as Lambda delivers it (the Streams API gives datetimes, not epochs)."""
    created = body.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        body["ApproximateCreationDateTime"] = created.timestamp()
    return {**raw, "dynamodb": body, "eventSourceARN": stream_arn}


def _queue_url(state: CliState, given: str | None) -> str:
    if given:
        return given
    table = state.options.table
    if not (table and table.endswith(TABLE_SUFFIX)):
        raise CliUsageError(
            "no failure queue given: pass --queue-url or set CALLGUARD_AUDIT_FAILURE_QUEUE "
            f"(derived automatically from a --table named <prefix>{TABLE_SUFFIX})"
        )
    name = f"{table.removesuffix(TABLE_SUFFIX)}-audit-failures"
    return state.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]


def _required(value: str | None, what: str) -> str:
    if not value:
        raise CliUsageError(f"no audit {what} given: pass --{what.replace(' ', '-')}")
    return value


@click.command("audit-replay")
@click.option("--queue-url", envvar="CALLGUARD_AUDIT_FAILURE_QUEUE", help="The failure queue.")
@click.option("--log-group", envvar="CALLGUARD_AUDIT_LOG_GROUP", help="The audit log group.")
@click.option("--hash-key", envvar="CALLGUARD_AUDIT_HASH_KEY", help="The KMS HMAC key.")
@click.option(
    "--max-messages",
    type=click.IntRange(1, 1000),
    default=100,
    show_default=True,
    help="Stop after this many failure messages.",
)
def audit_replay(
    queue_url: str | None, log_group: str | None, hash_key: str | None, max_messages: int
) -> None:
    """Record the changes of stream batches the audit function gave up on.

    Run it after the <prefix>-audit-dead-letters alarm, once the cause is fixed,
    and within 24 hours (the stream keeps records that long). A message is deleted
    only when all its records are stored; the rest stay for another run.

    \b
    Examples:
      callguard --table callguard-prod-denylist denylist audit-replay
      callguard denylist audit-replay --queue-url https://sqs... --log-group /callguard/x/audit
    """
    from callguard.audit_log import AuditLog  # noqa: PLC0415 - keep --help free of the runtime
    from callguard.keyed_hash import NumberHasher  # noqa: PLC0415

    state = get_state()
    table = state.options.table
    group = _required(log_group or default_log_group(table), "log group")
    key = _required(hash_key or default_hash_key(table), "hash key")
    url = _queue_url(state, queue_url)
    sqs = state.client("sqs")
    hasher = NumberHasher(state.client("kms"), key)
    log = AuditLog(state.client("logs"), group)
    replayed = kept = 0
    while replayed + kept < max_messages:
        messages = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=min(10, max_messages - replayed - kept),
            VisibilityTimeout=300,
            WaitTimeSeconds=1,
        ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            try:
                stored = _replay(state, message, hasher, log)
            except ReplayError as error:
                kept += 1
                click.echo(f"kept message {message.get('MessageId', '?')}: {error}", err=True)
                continue
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            replayed += 1
            click.echo(f"recorded {stored} change(s) from message {message.get('MessageId', '?')}")
    click.echo(f"{replayed} batch(es) recorded, {kept} kept on the queue", err=True)
    if kept:
        raise CliOperationError(f"{kept} batch(es) could not be recorded; see the lines above")


def _replay(
    state: CliState, message: Mapping[str, Any], hasher: NumberHasher, log: AuditLog
) -> int:
    """Store one failure message's records; raise :class:`ReplayError` if any is not stored."""
    from callguard.handlers.audit import store_events  # noqa: PLC0415

    batch = BatchInfo.from_message(str(message.get("Body", "")))
    records = fetch_records(state.client("dynamodbstreams"), batch)
    fields: dict[str, object] = {}
    failed_at = store_events(records, hasher, log, fields)
    if failed_at is not None:
        raise ReplayError(
            f"stored {failed_at} of {len(records)} records, then {fields.get('error', 'failed')}"
        )
    return len(records)
