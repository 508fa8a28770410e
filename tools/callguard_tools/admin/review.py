"""``callguard denylist pending|approve|reject``: the supervisor's side of two-step flagging.

In review mode an agent's flag does not block: it leaves the number ``pending``.
A supervisor lists what waits (oldest first, through the table's status index),
reads the reason, the flag count and the contacts, and decides:

- ``approve`` blocks the number;
- ``reject`` marks it ``rejected``: calls go through, and further agent flags are
  only counted until the environment's suppression period has passed, after
  which a flag opens a new review.

Each decision records the supervisor's AWS identity, the time and an optional
note on the entry, in one conditional write: when two supervisors decide the
same number at once, exactly one decision lands and the other is told who
decided first (exit code 3).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final

import click

from callguard_tools.admin.commands_common import (
    check_one_line,
    e164_argument,
    note,
    open_store,
)
from callguard_tools.admin.errors import EXIT_NOT_CHANGED, CliStateError, CliUsageError
from callguard_tools.admin.output import short_identity
from callguard_tools.admin.state import get_state

if TYPE_CHECKING:
    from callguard.store import Entry, NotPendingError

#: Exit code of a decision on a number that is not waiting for review (someone
#: decided first, it was never flagged for review, or it is blocked already).
EXIT_NOT_PENDING: Final = EXIT_NOT_CHANGED


class NotPendingCliError(CliStateError):
    """The number is not pending: the decision was not recorded."""


def checked_note(text: str) -> str:
    """Return the ``--note`` stripped, or stop if the store would have to cut or rewrite it."""
    from callguard.store.model import MAX_NOTE_LENGTH  # noqa: PLC0415 - keep --help light

    value = text.strip()
    if len(value) > MAX_NOTE_LENGTH:
        raise CliUsageError(f"--note is {len(value)} characters long (at most {MAX_NOTE_LENGTH})")
    check_one_line("--note", value)
    return value


# ---------------------------------------------------------------- pending
def describe_pending(entry: Entry) -> list[str]:
    """Return the lines that show one pending entry to a supervisor."""
    flags = f"{entry.flag_count} flag{'' if entry.flag_count == 1 else 's'}"
    last = (
        f", last {entry.last_flagged_at}" if entry.flag_count > 1 and entry.last_flagged_at else ""
    )
    agent = short_identity(entry.flagged_by) or "-"
    lines = [
        f"{entry.phone_number}  pending since {entry.created_at or '(unknown)'}  ({flags}{last})",
        f"  reason:          {entry.reason or '-'}",
        f"  flagged by:      {agent} (source {entry.source or '-'})",
        f"  agent contact:   {entry.contact_id or '-'}",
        f"  caller contact:  {entry.previous_contact_id or entry.initial_contact_id or '-'}",
    ]
    others = [c for c in entry.flag_contact_ids if c != entry.contact_id]
    if others:
        lines.append(f"  also flagged in: {', '.join(others)}")
    if entry.instance_arn:
        lines.append(f"  instance:        {entry.instance_arn}")
    if entry.reviewed_at:
        who = f" by {short_identity(entry.reviewed_by)}" if entry.reviewed_by else ""
        why = f": {entry.review_note}" if entry.review_note else ""
        lines.append(f"  rejected before: {entry.reviewed_at}{who}{why}")
    return lines


def pending_json(entry: Entry) -> dict[str, object]:
    """Return what a script needs about one pending entry."""
    return {
        "number": entry.phone_number,
        "created_at": entry.created_at,
        "last_flagged_at": entry.last_flagged_at,
        "flag_count": entry.flag_count,
        "reason": entry.reason,
        "source": entry.source,
        "flagged_by": entry.flagged_by,
        "contact_id": entry.contact_id,
        "initial_contact_id": entry.initial_contact_id,
        "previous_contact_id": entry.previous_contact_id,
        "flag_contact_ids": list(entry.flag_contact_ids),
        "instance_arn": entry.instance_arn,
        "previous_decision": (
            {
                "reviewed_by": entry.reviewed_by,
                "reviewed_at": entry.reviewed_at,
                "note": entry.review_note,
            }
            if entry.reviewed_at
            else None
        ),
    }


@click.command()
@click.option(
    "--limit", type=click.IntRange(min=1), help="Show at most this many (the oldest first)."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts.",
)
def pending(limit: int | None, output_format: str) -> None:
    """List the numbers waiting for a review decision, oldest first.

    Each shows when it was first flagged, the reason, how many contacts flagged
    it, who flagged it, the contact ids (look the calls up in Contact search)
    and, if it was rejected before, that decision.

    \b
    Examples:
      callguard denylist pending
      callguard denylist pending --limit 10
      callguard denylist pending --format json | jq -r '.[].number'
    """
    state = get_state()
    entries = list(open_store(state).pending(limit=limit))
    if output_format == "json":
        click.echo(json.dumps([pending_json(e) for e in entries], ensure_ascii=False, indent=2))
        return
    for index, entry in enumerate(entries):
        if index:
            click.echo("")
        for line in describe_pending(entry):
            click.echo(line)
    count = len(entries)
    note(
        f"{count} number{'' if count == 1 else 's'} waiting for review"
        + ("; decide with 'callguard denylist approve|reject NUMBER --note TEXT'" if count else "")
    )


# ---------------------------------------------------------------- approve / reject
_NOTE_OPTION = click.option(
    "--note", default="", help="Why you decided so (kept with the decision, shown to reviewers)."
)


def _decide(number: str, note_text: str, operation: str) -> Entry:
    """Run ``approve`` or ``reject`` for NUMBER as the caller's AWS identity."""
    from callguard.store import NotFoundError, NotPendingError  # noqa: PLC0415

    state = get_state()
    e164 = e164_argument(state, number)
    text = checked_note(note_text)
    store = open_store(state)
    reviewer = state.identity()
    try:
        decided: Entry = getattr(store, operation)(e164, reviewer=reviewer, note=text)
    except NotPendingError as error:
        raise NotPendingCliError(_lost(e164, operation, error)) from None
    except NotFoundError:
        raise NotPendingCliError(
            f"{e164} is not listed, so there is nothing to {operation}"
        ) from None
    return decided


def _lost(number: str, operation: str, error: NotPendingError) -> str:
    """Say why a decision was not recorded, naming the decision that stands."""
    status, by, at = error.status, error.reviewed_by, error.reviewed_at
    if status in ("blocked", "rejected") and at:
        who = f" by {short_identity(by)}" if by else ""
        return (
            f"not recorded: {number} was already {'approved' if status == 'blocked' else status}"
            f"{who} at {at}; it is {status} now (check it with 'callguard denylist check')"
        )
    if status == "blocked":
        return f"not recorded: {number} is blocked, not pending; nothing to {operation}"
    return f"not recorded: {number} is {status or 'not pending'}; nothing to {operation}"


def _done(verb: str, entry: Entry, consequence: str) -> None:
    flags = f"{entry.flag_count} flag{'' if entry.flag_count == 1 else 's'}"
    reason = f"reason {entry.reason!r}" if entry.reason else "no reason"
    click.echo(
        f"{verb} {entry.phone_number} ({reason}, {flags}) by {entry.reviewed_by} "
        f"at {entry.reviewed_at}: {consequence}"
    )


@click.command()
@click.argument("number")
@_NOTE_OPTION
def approve(number: str, note: str) -> None:
    """Confirm the flag of a pending NUMBER: block it from now on.

    Records your AWS identity, the time and the note. Exit code 3 when the
    number is not pending (another supervisor decided first, or it was never
    flagged for review); the message says what stands.

    \b
    Examples:
      callguard denylist approve +442079460958 --note "abusive on 3 calls"
    """
    entry = _decide(number, note, "approve")
    _done("approved", entry, "blocked from now on")


@click.command()
@click.argument("number")
@_NOTE_OPTION
def reject(number: str, note: str) -> None:
    """Dismiss the flag of a pending NUMBER: its calls go through as before.

    The number is remembered as rejected: agent flags of it during the
    environment's suppression period (review.reject_suppression_days, 30 days
    by default) are counted but do not reopen the review; after that, a flag
    puts it back in the queue. Records your AWS identity, the time and the note.
    Exit code 3 when the number is not pending.

    \b
    Examples:
      callguard denylist reject +442079460958 --note "shared switchboard number"
    """
    entry = _decide(number, note, "reject")
    _done("rejected", entry, "calls go through; re-flags are only counted for a while")


#: The commands this module adds to ``callguard denylist``.
COMMANDS: Final = (pending, approve, reject)
