"""Review decisions: a supervisor approves (blocks) or rejects a pending entry.

:meth:`callguard.store.DenyList.approve` and :meth:`~callguard.store.DenyList.reject`
come here. A decision is one conditional write on "still pending and not
expired", so of two supervisors deciding at once exactly one wins; the loser
is told who decided and when, from the item DynamoDB returns with the refusal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from callguard.attributes import clean_text, iso_utc
from callguard.numbers import mask
from callguard.store.errors import NotFoundError, NotPendingError, StoreError
from callguard.store.model import MAX_FIELD_LENGTH, MAX_NOTE_LENGTH, PENDING, Entry
from callguard.store.schema import TTL_ATTRIBUTE
from callguard.store.writes import Table


def decide(
    table: Table, number: str, *, operation: str, status: str, reviewer: str, note: str, now: float
) -> Entry:
    """Move a pending, unexpired entry to ``status`` and record the decision.

    Raises :class:`NotFoundError` when the entry is absent or expired and
    :class:`NotPendingError` when it is not pending (someone decided first).
    """
    stamp = iso_utc(now)
    names = {
        "#s": "status",
        "#u": "updated_at",
        "#e": TTL_ATTRIBUTE,
        "#rb": "reviewed_by",
        "#ra": "reviewed_at",
        "#rn": "review_note",
    }
    values: dict[str, Any] = {
        ":new": {"S": status},
        ":pending": {"S": PENDING},
        ":now": {"S": stamp},
        ":epoch": {"N": str(int(now))},
    }
    sets = ["#s = :new", "#u = :now", "#ra = :now"]
    removes = []
    for name, placeholder, text, limit in (
        ("#rb", ":rb", reviewer, MAX_FIELD_LENGTH),
        ("#rn", ":rn", note, MAX_NOTE_LENGTH),
    ):
        value = clean_text(text, limit)
        if value:
            values[placeholder] = {"S": value}
            sets.append(f"{name} = {placeholder}")
        else:  # a decision without a note must not show the previous decision's note
            removes.append(name)
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    result = table.update_if(
        f"{operation} {mask(number)}",
        number,
        UpdateExpression=expression,
        ConditionExpression="#s = :pending AND (attribute_not_exists(#e) OR #e > :epoch)",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    if not result.written:
        raise conflict(operation, number, result.current, now)
    return Entry.from_item(result.attributes)


def conflict(operation: str, number: str, item: Mapping[str, Any] | None, now: float) -> StoreError:
    """Tell "not listed" from "not pending" from the item the failed condition returned."""
    entry = Entry.from_item(item) if item else None
    if entry is None or entry.is_expired(now):
        return NotFoundError(f"{operation}: {mask(number)} is not listed")
    decided = ""
    if entry.reviewed_at:
        who = f" by {entry.reviewed_by}" if entry.reviewed_by else ""
        decided = f" (decided{who} at {entry.reviewed_at})"
    return NotPendingError(
        f"{operation}: {mask(number)} is {entry.status}, not pending{decided}",
        status=entry.status,
        reviewed_by=entry.reviewed_by,
        reviewed_at=entry.reviewed_at,
    )
