"""``callguard denylist history NUMBER``: every recorded change to one number.

The audit function stores one event per change in the environment's audit log
group, identified by a keyed hash of the number (never the number itself). This
command computes the same hash with the same KMS HMAC key (``kms:GenerateMac``),
searches the group with ``FilterLogEvents`` for that hash, drops repeats (a
retried stream batch may store an event twice; each carries the stream's
``event_id``) and prints the changes oldest first.

By the deployment's naming convention, a table called ``<prefix>-denylist`` has
its audit events in ``/callguard/<prefix>/audit`` and its hash key under the
alias ``alias/<prefix>-audit-hash``; ``--log-group`` and ``--hash-key`` (or
``CALLGUARD_AUDIT_LOG_GROUP`` and ``CALLGUARD_AUDIT_HASH_KEY``) override them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from callguard_tools.admin.commands_common import e164_argument
from callguard_tools.admin.errors import CliUsageError
from callguard_tools.admin.expiry import ExpiryError, parse_expiry
from callguard_tools.admin.state import CliState, get_state

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient

#: Table-name suffix the Terraform module uses (``<prefix>-denylist``).
TABLE_SUFFIX = "-denylist"


def default_log_group(table: str | None) -> str | None:
    """Return the audit log group the deployment creates for ``table``, if it follows the naming."""
    if table and table.endswith(TABLE_SUFFIX) and len(table) > len(TABLE_SUFFIX):
        return f"/callguard/{table.removesuffix(TABLE_SUFFIX)}/audit"
    return None


def default_hash_key(table: str | None) -> str | None:
    """Return the hash key alias the deployment creates for ``table``, if it follows the naming."""
    if table and table.endswith(TABLE_SUFFIX) and len(table) > len(TABLE_SUFFIX):
        return f"alias/{table.removesuffix(TABLE_SUFFIX)}-audit-hash"
    return None


def find_events(
    client: CloudWatchLogsClient, log_group: str, number_hash: str, start_ms: int | None = None
) -> list[dict[str, Any]]:
    """Return the audit events of ``number_hash`` in ``log_group``, oldest first, without repeats.

    The hash is searched as a quoted term (CloudWatch Logs matches it anywhere in
    the line), and each hit is then checked field by field, so an event is shown
    only when its own ``number_hash`` is the one asked for.
    """
    from callguard.audit import EVENT_TYPE  # noqa: PLC0415 - keep --help free of the runtime

    seen: set[str] = set()
    events: list[dict[str, Any]] = []
    for message in _messages(client, log_group, f'"{number_hash}"', start_ms):
        event = _parse(message)
        if event is None or event.get("event") != EVENT_TYPE:
            continue
        if event.get("number_hash") != number_hash:
            continue
        key = str(event.get("event_id") or message)
        if key in seen:
            continue
        seen.add(key)
        events.append(event)
    events.sort(key=_order)
    return events


def _order(event: Mapping[str, Any]) -> tuple[str, int, str]:
    """Time, then stream order: sequence numbers are decimal strings of varying length."""
    sequence = str(event.get("sequence_number", ""))
    return str(event.get("changed_at", "")), len(sequence), sequence


def _messages(
    client: CloudWatchLogsClient, log_group: str, pattern: str, start_ms: int | None
) -> Iterator[str]:
    paginator = client.get_paginator("filter_log_events")
    arguments: dict[str, Any] = {"logGroupName": log_group, "filterPattern": pattern}
    if start_ms is not None:
        arguments["startTime"] = start_ms
    for page in paginator.paginate(**arguments):
        for event in page.get("events", []):
            message = event.get("message")
            if isinstance(message, str):
                yield message


def _parse(message: str) -> dict[str, Any] | None:
    try:
        value = json.loads(message)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def describe(event: Mapping[str, Any]) -> str:
    """One line for people: when, what, status change, source, who, reason, contact."""
    old, new = event.get("old_status") or "-", event.get("new_status") or "-"
    parts = [
        str(event.get("changed_at") or "(time unknown)"),
        f"{event.get('change', 'unknown'):<15}",
        f"{old} -> {new}",
    ]
    for label, name in (("source", "source"), ("by", "who"), ("instance", "instance")):
        value = event.get(name)
        if value and value != "unknown":
            parts.append(f"{label} {value}")
    if event.get("reason"):
        parts.append(f"reason {json.dumps(event['reason'], ensure_ascii=False)}")
    if event.get("old_reason"):
        parts.append(f"(was {json.dumps(event['old_reason'], ensure_ascii=False)})")
    if event.get("contact_id"):
        parts.append(f"contact {event['contact_id']}")
    if event.get("problem"):
        parts.append(f"[{event['problem']}]")
    return "  ".join(parts)


def start_ms(since: str | None, now: datetime | None = None) -> int | None:
    """Return epoch milliseconds for ``--since``: a duration back from now, or a UTC date."""
    if not since:
        return None
    moment = now or datetime.now(UTC)
    text = since.strip()
    try:
        if len(text) == 10 and text[4] == "-":
            instant = datetime.fromisoformat(text).replace(tzinfo=UTC)
        else:  # a duration, read exactly as --expires reads one, but counted backwards
            instant = moment - (parse_expiry(text, now=moment) - moment)
    except (ExpiryError, ValueError):
        raise CliUsageError(
            f"--since {since!r} is not understood: use a duration such as 7d, 12h, 2w "
            "or a date such as 2026-11-01"
        ) from None
    return int(instant.timestamp() * 1000)


#: The Terraform output (of each environment root) that holds each name.
_OUTPUTS = {"log group": "audit.log_group_name", "hash key": "audit.hash_key_arn"}


def _resolve(given: str | None, derived: str | None, what: str, env: str) -> str:
    value = given or derived
    if not value:
        raise CliUsageError(
            f"no audit {what} given: pass --{what.replace(' ', '-')} or set {env} to the "
            f"Terraform output {_OUTPUTS[what]} (derived automatically from a --table named "
            f"<prefix>{TABLE_SUFFIX})"
        )
    return value


#: KMS error codes that mean "this is not a usable HMAC key", not a passing AWS problem.
_UNUSABLE_KEY_CODES = frozenset(
    {
        "NotFoundException",
        "DisabledException",
        "KMSInvalidStateException",
        "InvalidKeyUsageException",
    }
)


def _hash(state: CliState, key: str, e164: str) -> str:
    """Return the number's keyed hash, or stop (exit 2) naming the key and where to find it."""
    from botocore.exceptions import ClientError  # noqa: PLC0415 - lazy, see module doc

    from callguard.keyed_hash import NumberHasher  # noqa: PLC0415

    try:
        return NumberHasher(state.client("kms"), key)(e164)
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code not in _UNUSABLE_KEY_CODES:
            raise
        raise CliUsageError(
            f"the audit HMAC key {key!r} cannot be used ({code}): pass --hash-key or set "
            f"CALLGUARD_AUDIT_HASH_KEY to the Terraform output {_OUTPUTS['hash key']} of "
            "this environment"
        ) from None


@click.command()
@click.argument("number")
@click.option(
    "--log-group",
    envvar="CALLGUARD_AUDIT_LOG_GROUP",
    help="Audit log group. Default: /callguard/<prefix>/audit for table <prefix>-denylist.",
)
@click.option(
    "--hash-key",
    envvar="CALLGUARD_AUDIT_HASH_KEY",
    help="KMS HMAC key (ARN or alias). Default: alias/<prefix>-audit-hash.",
)
@click.option(
    "--since",
    metavar="DURATION",
    help="Only changes in the last DURATION (7d, 12h, 2w) or since a date (2026-11-01).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json (one array, oldest first) for scripts.",
)
@click.option(
    "--show-hash",
    is_flag=True,
    help="Only print the number's keyed hash (for Logs Insights queries); reads no events.",
)
def history(
    number: str,
    *,
    log_group: str | None,
    hash_key: str | None,
    since: str | None,
    output_format: str,
    show_hash: bool,
) -> None:
    """Show every recorded change to NUMBER, oldest first: who, when, why.

    Covers every write to the table: agent flags, the CLI, imports, reviews,
    hand edits in the DynamoDB console and TTL expiries. Needs kms:GenerateMac on
    the hash key and logs:FilterLogEvents on the audit log group.

    \b
    Examples:
      callguard --table callguard-prod-denylist denylist history +442079460958
      callguard denylist history "+44 20 7946 0958" --since 30d --format json
      callguard denylist history +442079460958 --show-hash
    """
    state = get_state()
    e164 = e164_argument(state, number)
    since_ms = start_ms(since)
    table = state.options.table
    group = None
    if not show_hash:  # say everything that is missing before any AWS call
        group = _resolve(
            log_group, default_log_group(table), "log group", "CALLGUARD_AUDIT_LOG_GROUP"
        )
    key = _resolve(hash_key, default_hash_key(table), "hash key", "CALLGUARD_AUDIT_HASH_KEY")
    number_hash = _hash(state, key, e164)
    if group is None:
        click.echo(number_hash)
        return
    events = find_events(state.client("logs"), group, number_hash, since_ms)
    if output_format == "json":
        click.echo(json.dumps(events, ensure_ascii=False, indent=2))
        return
    _print_text(e164, events)


def _print_text(e164: str, events: Iterable[Mapping[str, Any]]) -> None:
    listed = list(events)
    if not listed:
        click.echo(f"{e164}: no recorded changes")
        return
    click.echo(f"{e164}: {len(listed)} change{'' if len(listed) == 1 else 's'}")
    for event in listed:
        click.echo("  " + describe(event))
