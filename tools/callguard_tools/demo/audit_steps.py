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
import subprocess
from datetime import datetime
from typing import TYPE_CHECKING, Any

import boto3

from callguard.handlers import audit
from callguard_tools.demo.local_aws import DEMO_REGION, aws_environment
from callguard_tools.environ import patched_environ

if TYPE_CHECKING:
    from callguard_tools.demo.scenarios import Story


def _session(endpoint_url: str) -> Any:
    return boto3.session.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
        region_name=DEMO_REGION,
    )


def stream_records(endpoint_url: str, table: str) -> list[dict[str, Any]]:
    """Every record in the table's stream, shaped as Lambda delivers them."""
    session = _session(endpoint_url)
    dynamodb = session.client("dynamodb", endpoint_url=endpoint_url)
    streams = session.client("dynamodbstreams", endpoint_url=endpoint_url)
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
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
    from callguard_tools.demo.scenarios import _base_environment, _cli_command  # noqa: PLC0415

    title = "The audit function records the story's changes from the table's stream"
    expected = (
        "one event per change; callguard denylist history shows the first caller's number "
        "added by the agent and removed by the supervisor"
    )
    story.step(title, expected)
    session = _session(story.endpoint_url)
    kms = session.client("kms", endpoint_url=story.endpoint_url)
    logs = session.client("logs", endpoint_url=story.endpoint_url)
    prefix = story.table.removesuffix("-denylist")
    group = f"/callguard/{prefix}/audit"
    key = kms.create_key(KeyUsage="GENERATE_VERIFY_MAC", KeySpec="HMAC_256")["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName=group)

    records = stream_records(story.endpoint_url, story.table)
    settings = {"CALLGUARD_AUDIT_LOG_GROUP": group, "CALLGUARD_AUDIT_HASH_KEY": key}
    summary = io.StringIO()
    with patched_environ(story.environment(settings)), contextlib.redirect_stdout(summary):
        audit.reset()
        answer = audit.handler({"Records": records}, None)
        audit.reset()
    line = json.loads(summary.getvalue().splitlines()[-1])

    args = ["--endpoint-url", story.endpoint_url, "--region", DEMO_REGION, "--table", story.table]
    args += ["denylist", "history", number, "--log-group", group, "--hash-key", key]
    done = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [*_cli_command(), *args],
        env={**_base_environment(), **aws_environment(story.endpoint_url)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
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
        and done.returncode == 0
        and changes[:1] == ["added"]
        and "removed" in changes
    )
    actual = (
        f"{line['written']} events stored; history: {', '.join(changes) or done.stderr.strip()}"
    )
    story.judge(title, expected, ok, actual, lines)
