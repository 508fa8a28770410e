"""Bulk import: decide what is new, write it in parallel batches, account for every line.

Validation happened in :mod:`callguard_tools.admin.csvfile`; here each valid row
is either already listed (left untouched, so a re-run changes nothing), written,
or - if DynamoDB still refuses it after the store's retries - reported as failed
with its line number. The counts always add up to the lines read. Writes are
conditional, so a number an agent flags while the import runs keeps the agent's
entry and counts as already listed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from callguard.store import DenyList, Entry
from callguard_tools.admin.csvfile import ImportRow, RejectedLine
from callguard_tools.admin.expiry import format_timestamp, to_epoch

#: Entries handed to the store's bulk add at a time. Big enough to keep every
#: worker busy, small enough for a progress bar that moves.
SLICE_SIZE: Final = 1000


def _entry(row: ImportRow, *, identity: str, now: datetime) -> Entry:
    return Entry.new(
        row.number,
        status=row.status,
        reason=row.reason,
        source="import",
        flagged_by=identity,
        now=now.timestamp(),
        expires_at=to_epoch(row.expires_at) if row.expires_at else None,
    )


def _failed_line(row: ImportRow, error: str) -> RejectedLine:
    values = {
        "number": row.number,
        "reason": row.reason,
        "status": row.status,
        "expires": format_timestamp(row.expires_at) if row.expires_at else "",
    }
    return RejectedLine(
        row.line, f"line {row.line}: not written ({error}); re-run to retry", values
    )


def new_rows(deny_list: DenyList, rows: Sequence[ImportRow]) -> tuple[list[ImportRow], int]:
    """Split ``rows`` into those not yet listed and a count of those already listed.

    An expired entry counts as not listed (the store's ``batch_get`` hides it), so
    importing it again brings it back.
    """
    existing = deny_list.batch_get(row.number for row in rows)
    fresh = [row for row in rows if row.number not in existing]
    return fresh, len(rows) - len(fresh)


@dataclass(frozen=True)
class WriteOutcome:
    """What :func:`write_rows` did with the rows it was given."""

    written: int
    #: Rows whose number was listed by the time its write ran (an agent flagged it
    #: after :func:`new_rows` looked): left as they are, counted as already listed.
    listed_meanwhile: int
    failed: list[RejectedLine]
    #: Set when Ctrl-C stopped the import: the first and last line of the slice
    #: that was being written (its requests in flight may have landed); the
    #: counts above are for the slices before it.
    interrupted: tuple[int, int] | None = None


def write_rows(
    deny_list: DenyList,
    rows: Sequence[ImportRow],
    *,
    identity: str,
    now: datetime,
    workers: int,
    progress: Callable[[int], None] = lambda _: None,
    batched: bool = False,
) -> WriteOutcome:
    """Add ``rows`` through the store's conditional bulk add; account for each row.

    :func:`new_rows` only narrows the work: the write itself is conditional
    (:meth:`~callguard.store.DenyList.add_batch`), so a number flagged between
    that read and this write keeps the flag's entry. ``progress`` is called with
    the number of rows finished after each slice. Ctrl-C ends the import after
    the slice in flight and returns what was done before it
    (:attr:`WriteOutcome.interrupted`), so the caller can say so.

    ``batched`` trades that guarantee for throughput: each slice is read and its
    unlisted numbers written with ``BatchWriteItem`` (25 per request,
    :meth:`~callguard.store.DenyList.write_batch`), which cannot be conditional. A
    number an agent flags in the moment between a slice's read and its write gets
    the import's entry instead of the agent's (it stays listed; the agent's flag
    remains in the audit trail, which records the overwritten image).
    """
    written = 0
    listed = 0
    failed: list[RejectedLine] = []
    for start in range(0, len(rows), SLICE_SIZE):
        chunk = rows[start : start + SLICE_SIZE]
        try:
            done = _write_slice(
                deny_list, chunk, identity=identity, now=now, workers=workers, batched=batched
            )
        except KeyboardInterrupt:
            return WriteOutcome(written, listed, failed, (chunk[0].line, chunk[-1].line))
        written += done.written
        listed += done.listed_meanwhile
        failed.extend(done.failed)
        progress(len(chunk))
    return WriteOutcome(written, listed, failed)


def _write_slice(
    deny_list: DenyList,
    chunk: Sequence[ImportRow],
    *,
    identity: str,
    now: datetime,
    workers: int,
    batched: bool,
) -> WriteOutcome:
    """Write one slice of rows (see :func:`write_rows`)."""
    by_number = {row.number: row for row in chunk}
    if batched:
        # Read this slice right before writing it: the window in which a
        # concurrent flag could be overwritten is one round trip, not the import.
        chunk_fresh, listed = new_rows(deny_list, chunk)
        entries = (_entry(row, identity=identity, now=now) for row in chunk_fresh)
        result = deny_list.write_batch(entries, workers=workers)
    else:
        entries = (_entry(row, identity=identity, now=now) for row in chunk)
        result = deny_list.add_batch(entries, workers=workers)
        listed = len(result.existing)
    failed = [_failed_line(by_number[f.phone_number], f.error) for f in result.failed]
    return WriteOutcome(result.succeeded, listed, failed)
