"""The demo's audit-trail step: the table's stream through the real audit function.

``callguard denylist history`` then finds the first caller's changes by the
number's keyed hash. The emulator plays the AWS side the deployment creates: the
KMS HMAC key, the audit log group and the stream. The function runs in-process
on the records the stream holds after the story (as Lambda's event source mapping
would hand them over), and the CLI runs as an operator would run it.
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import datetime
from typing import Any

from callguard.handlers import audit
from callguard_tools.demo.story import Story
from callguard_tools.environ import patched_environ


def stream_records(story: Story) -> list[dict[str, Any]]:
    """Every record in the demo table's stream, shaped as Lambda delivers them."""
    streams = story.client("dynamodbstreams")
    table = story.client("dynamodb").describe_table(TableName=story.table)
    arn = table["Table"]["LatestStreamArn"]
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator)
            for raw in page["Records"]:
                body = dict(raw["dynamodb"])
                if _emulator_upsert_echo(raw, body):
                    continue
                created = body.get("ApproximateCreationDateTime")
                if isinstance(created, datetime):
                    body["ApproximateCreationDateTime"] = created.timestamp()
                records.append({**raw, "dynamodb": body, "eventSourceARN": arn})
            iterator = page.get("NextShardIterator") if page["Records"] else None
    return records


def _emulator_upsert_echo(raw: dict[str, Any], body: dict[str, Any]) -> bool:
    """Tell the emulator's extra record of an upserting UpdateItem.

    moto reports an UpdateItem that creates an item as two INSERTs (the key alone,
    then the item); DynamoDB reports one. The first is dropped so the history
    reads as it would in AWS; a real key-only item would come with its own
    sequence of events and is not affected outside the demo.
    """
    return raw.get("eventName") == "INSERT" and set(body.get("NewImage", {})) == set(
        body.get("Keys", {})
    )


def audit_steps(story: Story, number: str) -> None:
    """Record the story's changes with the audit function and read ``number``'s history."""
    title = "The audit function records the story's changes from the table's stream"
    expected = (
        "one event per change; callguard denylist history shows the first caller's number "
        "added by the agent and removed by the supervisor"
    )
    story.step(title, expected)
    kms = story.client("kms")
    logs = story.client("logs")
    prefix = story.table.removesuffix("-denylist")
    group = f"/callguard/{prefix}/audit"
    key = kms.create_key(KeyUsage="GENERATE_VERIFY_MAC", KeySpec="HMAC_256")["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName=group)

    records = stream_records(story)
    settings = {"CALLGUARD_AUDIT_LOG_GROUP": group, "CALLGUARD_AUDIT_HASH_KEY": key}
    summary = io.StringIO()
    with patched_environ(story.environment(settings)), contextlib.redirect_stdout(summary):
        audit.reset()
        answer = audit.handler({"Records": records}, None)
        audit.reset()
    line = json.loads(summary.getvalue().splitlines()[-1])

    done = story.cli(["denylist", "history", number, "--log-group", group, "--hash-key", key])
    history = done.stdout.splitlines()
    lines = [
        f"  audit function: {line['records']} stream records, {line['written']} events stored "
        f"in {group}, {line['failed']} failed",
        f"  $ callguard ... denylist history {number} --log-group {group} --hash-key <key ARN>",
        *(f"  {text.split('  contact ')[0]}" for text in history),
    ]
    changes = [text.split()[1] for text in history[1:] if len(text.split()) > 1]
    ok = (
        answer == {"batchItemFailures": []}
        and line["written"] == len(records) > 0
        and done.code == 0
        and changes[:1] == ["added"]
        and "removed" in changes
    )
    actual = (
        f"{line['written']} events stored; history: {', '.join(changes) or done.stderr.strip()}"
    )
    story.judge(title, expected, ok, actual, lines)
