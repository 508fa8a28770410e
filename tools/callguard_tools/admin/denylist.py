"""``callguard denylist``: manage the numbers that are refused before reaching a queue.

Each command is a thin layer over :mod:`callguard.store` (table access, batch
writes) and :mod:`callguard.numbers` (normalisation to E.164): the CLI parses,
reports and sets exit codes, and never talks to DynamoDB in its own way.

Output conventions: results go to standard output (so they can be piped), and
diagnostics - rejected lines, progress, errors - to standard error, where phone
numbers are masked. Exit codes: 0 done, 1 partly failed, 2 could not run.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from callguard_tools.admin.audit_replay import audit_replay
from callguard_tools.admin.commands_common import (
    checked_reason,
    e164_argument,
    note,
    open_store,
    require_directory,
)
from callguard_tools.admin.errors import CliStateError, CliUsageError
from callguard_tools.admin.expiry import EXAMPLES, ExpiryError, parse_expiry, to_epoch
from callguard_tools.admin.files import write_private
from callguard_tools.admin.group import AwsCommandGroup
from callguard_tools.admin.history import history
from callguard_tools.admin.import_command import import_command
from callguard_tools.admin.output import (
    WRITERS,
    entry_json,
    entry_record,
    expires_text,
    write_csv,
    write_json,
)
from callguard_tools.admin.review import COMMANDS as REVIEW_COMMANDS
from callguard_tools.admin.state import CliState, get_state

if TYPE_CHECKING:
    from callguard.store import Entry


@click.group(cls=AwsCommandGroup)
def denylist() -> None:
    """Add, remove, check, list, import and export deny-list numbers.

    Numbers may be written in any common form (+44 20 7946 0958, 0044..., or a
    national form with --default-country) and are stored in E.164. The table
    comes from --table or CALLGUARD_TABLE. In review mode agents' flags wait as
    pending: list them with 'pending', decide with 'approve' or 'reject'.
    'history' shows every recorded change to a number.

    \b
    Examples:
      callguard --table callguard-prod-denylist denylist check +442079460958
      callguard denylist import fraud-report.csv --rejects rejects.csv
      callguard denylist pending
      callguard denylist approve +442079460958 --note "abusive on 3 calls"
      callguard denylist history +442079460958
      callguard denylist COMMAND --help

    \b
    Exit codes: 0 done, 1 partly failed (rejected lines, failed writes, AWS
    errors), 2 could not run (bad arguments or file, no table, no credentials),
    3 nothing changed because the number is not in the state the command needs
    (a colleague decided the review first; 'add' on a pending number, which
    stays pending until approved).
    """


def _describe(entry: Entry) -> str:
    reason = f"reason {entry.reason!r}" if entry.reason else "no reason"
    expiry = f", expires {expires_text(entry)}" if entry.expires_at is not None else ""
    return f"{entry.status} since {entry.created_at or '(unknown)'}, {reason}{expiry}"


# ---------------------------------------------------------------- add
@denylist.command()
@click.argument("number")
@click.option("--reason", default="", help="Why the number is blocked (shown to supervisors).")
@click.option(
    "--expires",
    metavar="WHEN",
    help=f"Stop blocking after a duration or at a date: {EXAMPLES}. Default: never.",
)
def add(number: str, reason: str, expires: str | None) -> None:
    """Block NUMBER now.

    Records who added it (your AWS identity), when, and why. Adding a number that
    is already listed changes nothing and says how it is listed. The exit code
    says whether the number is blocked afterwards: 0 when it is (added now,
    blocked already, or rejected before: adding overrides that decision); 3 when
    it is pending, an agent's flag waiting for review, which stays as it is:
    decide it with 'callguard denylist approve', which keeps the flag's facts
    and records you as the reviewer.

    \b
    Examples:
      callguard denylist add +442079460958 --reason "threatened agent, case 4711"
      callguard denylist add "+1 (212) 555-0100" --expires 30d
      callguard --default-country GB denylist add "020 7946 0958" --expires 2027-01-31
    """
    from callguard.store import ConflictError, Entry  # noqa: PLC0415

    state = get_state()
    e164 = e164_argument(state, number)
    now = datetime.now(UTC)
    expires_at = None
    if expires:
        try:
            expires_at = to_epoch(parse_expiry(expires, now=now))
        except ExpiryError as error:
            raise CliUsageError(f"--expires: {error}") from None
    store = open_store(state)
    entry = Entry.new(
        e164,
        reason=checked_reason(reason),
        source="cli",
        flagged_by=state.identity(),
        now=now.timestamp(),
        expires_at=expires_at,
    )
    try:
        store.add(entry)
    except ConflictError:
        existing = store.get(e164)
        if existing is None:  # removed or expired between the two calls: try once more
            store.add(entry)
        else:
            _already_listed(e164, existing)
            return
    click.echo(f"added {e164}: {_describe(entry)}, by {entry.flagged_by}")


def _already_listed(e164: str, existing: Entry) -> None:
    """Report an ``add`` that found NUMBER listed; exit 3 when it is not blocked.

    The store's add replaces an expired or rejected entry, so what is left is
    ``blocked`` (nothing to do) or ``pending``, which is a review's to decide.
    """
    if existing.status == "blocked":
        click.echo(f"{e164} is already listed: {_describe(existing)}; nothing changed")
        return
    advice = "decide the review: callguard denylist approve NUMBER --note TEXT"
    if existing.status == "pending":
        advice = f"approve the flag to block it: callguard denylist approve {e164} --note TEXT"
    raise CliStateError(
        f"{e164} is listed but NOT blocked ({_describe(existing)}); nothing changed; {advice}"
    )


# ---------------------------------------------------------------- remove
@denylist.command()
@click.argument("number")
def remove(number: str) -> None:
    """Stop blocking NUMBER: delete its entry.

    Removing a number that is not listed is not an error (exit 0), so scripts can
    re-run safely. The output names your AWS identity for the change record.

    \b
    Examples:
      callguard denylist remove +442079460958
      callguard --default-country US denylist remove "(212) 555-0100"
    """
    from callguard.store import NotFoundError  # noqa: PLC0415

    state = get_state()
    e164 = e164_argument(state, number)
    store = open_store(state)
    identity = state.identity()
    try:
        removed = store.remove(e164)
    except NotFoundError:
        click.echo(f"{e164} is not listed; nothing removed")
        return
    click.echo(f"removed {e164} (was {_describe(removed)}), by {identity}")


# ---------------------------------------------------------------- check
@denylist.command()
@click.argument("number")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts.",
)
def check(number: str, output_format: str) -> None:
    """Show whether NUMBER is listed: status, reason, who, when and expiry.

    An entry past its expiry is shown as expired: calls from it are let through
    even before DynamoDB's TTL deletes the item.

    \b
    Examples:
      callguard denylist check +442079460958
      callguard denylist check "+44 20 7946 0958" --format json | jq -r .status
    """
    state = get_state()
    e164 = e164_argument(state, number)
    entry = open_store(state).get(e164, include_expired=True)
    expired = entry is not None and entry.is_expired(datetime.now(UTC).timestamp())
    if output_format == "json":
        data = {"number": e164, "listed": entry is not None and not expired, "expired": expired}
        data.update(entry_json(entry) if entry else {"status": "clear"})
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if entry is None:
        click.echo(f"{e164}: not listed")
        return
    record = entry_record(entry)
    status = f"{entry.status} (EXPIRED: no longer applied)" if expired else entry.status
    lines = [
        ("number", e164),
        ("status", status),
        ("reason", record["reason"] or "-"),
        ("source", record["source"] or "-"),
        ("flagged by", record["flagged_by"] or "-"),
        ("created", record["created_at"] or "-"),
        ("updated", record["updated_at"] or "-"),
        ("last flagged", f"{record['last_flagged_at'] or '-'} ({entry.flag_count} flag(s))"),
        ("expires", record["expires"] or "never"),
    ]
    if entry.contact_id:
        lines.append(("contact id", entry.contact_id))
    if entry.reviewed_at:
        lines.append(("reviewed", f"{entry.reviewed_at} by {entry.reviewed_by or '-'}"))
        lines.append(("review note", entry.review_note or "-"))
    for label, value in lines:
        click.echo(f"{label + ':':<14}{value}")


# ---------------------------------------------------------------- list / export
_STATUS_OPTION = click.option(
    "--status",
    type=click.Choice(["blocked", "pending", "rejected"]),
    help="Only entries with this status (oldest first, through the status index).",
)
_EXPIRED_OPTION = click.option(
    "--include-expired",
    is_flag=True,
    help="Also show entries past their expiry that DynamoDB has not deleted yet.",
)


def _entries(state: CliState, status: str | None, include_expired: bool) -> list[Entry]:
    entries = open_store(state).entries(status=status, include_expired=include_expired)
    return list(entries)


@denylist.command("list")
@_STATUS_OPTION
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="table for people; csv or json for other tools.",
)
@_EXPIRED_OPTION
def list_command(status: str | None, output_format: str, include_expired: bool) -> None:
    """List entries, oldest first.

    \b
    Examples:
      callguard denylist list
      callguard denylist list --status pending
      callguard denylist list --format json | jq length
    """
    state = get_state()
    entries = sorted(
        _entries(state, status, include_expired),
        key=lambda entry: (entry.created_at, entry.phone_number),
    )
    count = WRITERS[output_format](entries, sys.stdout)
    if output_format == "table":
        note(f"{count} entr{'y' if count == 1 else 'ies'}")


@denylist.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help="csv can be imported again as is; json keeps every attribute typed.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to FILE (replaced atomically) instead of standard output.",
)
@_STATUS_OPTION
@_EXPIRED_OPTION
def export(
    output_format: str, output: Path | None, status: str | None, include_expired: bool
) -> None:
    """Export every entry with its audit facts, sorted by number.

    The CSV starts with the columns import reads (number, status, reason,
    expires), so 'export' then 'import' into another table round-trips.

    \b
    Examples:
      callguard denylist export --output denylist-2026-11-21.csv
      callguard denylist export --format json --status blocked > blocked.json
      callguard --table callguard-dev denylist export |
          callguard --table callguard-prod denylist import -
    """
    state = get_state()
    if output is not None:
        require_directory(output, "--output")
    entries = sorted(_entries(state, status, include_expired), key=lambda e: e.phone_number)
    writer = write_csv if output_format == "csv" else write_json
    if output is None:
        writer(entries, sys.stdout)
        return
    try:
        count = write_private(output, lambda handle: writer(entries, handle))
    except OSError as error:
        raise CliUsageError(f"cannot write {output}: {error.strerror or error}") from None
    note(f"exported {count} entr{'y' if count == 1 else 'ies'} to {output}")


# The bulk import lives in its own module; it is part of this group all the same.
denylist.add_command(import_command)
# So do the supervisor's review commands (pending, approve, reject).
for _review_command in REVIEW_COMMANDS:
    denylist.add_command(_review_command)
# The audit trail's reader and replay live in their own modules too.
denylist.add_command(history)
denylist.add_command(audit_replay)
