"""The flag state machine: how one flag changes an entry, whatever state it is in.

:meth:`callguard.store.DenyList.flag` comes here. A flag meets one of five
states - no entry, a live entry, an expired one, one this contact already
flagged, a supervisor's rejection (within or past its suppression period) -
and each is one conditional write: :func:`flag` tries the common case (create
or count) and, when DynamoDB refuses it, reads the item that came back with
the refusal to tell which other state it met. No read is made beforehand, so
concurrent flags of one number never lose the first flag's facts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from callguard.attributes import iso_utc, number_attribute
from callguard.numbers import mask
from callguard.store.errors import ConflictError, InvalidEntryError
from callguard.store.model import (
    BLOCKED,
    FIRST_WRITE_WINS,
    FLAG_CONTACTS_ATTRIBUTE,
    FLAG_STATUSES,
    REJECTED,
    SOURCES,
    Entry,
)
from callguard.store.schema import PARTITION_KEY, TTL_ATTRIBUTE
from callguard.store.writes import Table

#: How often a flag retries when the item changes under it (expired item
#: replaced, a rejection decided or reopened concurrently).
FLAG_ATTEMPTS: Final = 3
#: Longest suppression period accepted (a hundred years).
MAX_SUPPRESSION_DAYS: Final = 36_500
#: Seconds in a day, for the rejection suppression period.
_DAY: Final = 86_400


@dataclass(frozen=True, slots=True)
class FlagOutcome:
    """The result of :meth:`DenyList.flag`: the entry after the flag, and whether it is new.

    ``repeated`` marks a flag from a contact that had already flagged this number
    (Amazon Connect retries a slow Lambda invocation): nothing was written, and
    ``created`` repeats what the original flag reported.

    ``suppressed`` marks a flag of a number a supervisor rejected within the
    suppression period: it was counted on the rejected entry and nothing else
    changed. ``reopened`` marks a flag that turned a rejected entry whose
    suppression had ended into a new review (``created`` is then true as well).
    """

    created: bool
    entry: Entry
    repeated: bool = False
    suppressed: bool = False
    reopened: bool = False


def check_flag(status: str, source: str, suppression_days: float) -> None:
    """Raise :class:`InvalidEntryError` for a flag the store must not write."""
    if status not in FLAG_STATUSES:
        raise InvalidEntryError(f"a flag's status must be blocked or pending, not {status!r}")
    if not 0 <= suppression_days <= MAX_SUPPRESSION_DAYS:
        raise InvalidEntryError(
            f"suppression_days must be 0-{MAX_SUPPRESSION_DAYS}, not {suppression_days}"
        )
    if source not in SOURCES:
        raise InvalidEntryError(f"source {source!r} is not one of {', '.join(sorted(SOURCES))}")


def flag(table: Table, fresh: Entry, now: float, suppression_days: float) -> FlagOutcome:
    """Apply the flag ``fresh`` (a new entry as this flag would create it) at ``now``.

    See :meth:`callguard.store.DenyList.flag` for the rules. Raises
    :class:`ConflictError` when the item kept changing for
    :data:`FLAG_ATTEMPTS` tries.
    """
    if fresh.contact_id:
        fresh = dataclasses.replace(fresh, flag_contact_ids=(fresh.contact_id,))
    for _ in range(FLAG_ATTEMPTS):
        outcome, current = _create_or_count(table, fresh, now)
        if outcome is not None:
            return outcome
        # The condition failed: the item has expired, or this contact flagged already.
        # DynamoDB returned the item with the failure, so no read (and no GetItem
        # permission) is needed to tell which.
        if not current:
            continue  # deleted meanwhile: try again as a new entry
        entry = Entry.from_item(current)
        if entry.is_expired(now):
            if _replace_expired(table, fresh, now):
                return FlagOutcome(created=True, entry=fresh)
            continue
        if fresh.contact_id and fresh.contact_id in entry.flag_contact_ids:
            return FlagOutcome(
                created=entry.contact_id == fresh.contact_id, entry=entry, repeated=True
            )
        if entry.status == REJECTED:
            outcome = _flag_rejected(table, fresh, entry, now - suppression_days * _DAY)
            if outcome is not None:
                return outcome
    raise ConflictError(f"flag {mask(fresh.phone_number)}: the entry kept changing; try again")


def _operation(fresh: Entry) -> str:
    return f"flag {mask(fresh.phone_number)}"


def _count_contact_once(
    fresh: Entry, names: dict[str, str], values: dict[str, Any]
) -> tuple[str, str]:
    """Return the ``ADD`` clause and condition that count each contact's flag once.

    The contact id joins ``flag_contact_ids`` in the same update, under the
    condition that it is not there yet, so Amazon Connect retrying an
    invocation cannot count one agent's flag twice. ("", "") without a contact id.
    """
    if not fresh.contact_id:
        return "", ""
    names["#f"] = FLAG_CONTACTS_ATTRIBUTE
    values[":cid"] = {"S": fresh.contact_id}
    values[":cids"] = {"SS": [fresh.contact_id]}
    return ", #f :cids", " AND (attribute_not_exists(#f) OR NOT contains(#f, :cid))"


def _create_or_count(
    table: Table, fresh: Entry, now: float
) -> tuple[FlagOutcome | None, Mapping[str, Any] | None]:
    """Run the conditional update: (outcome, None), or (None, current item) if it failed.

    The condition fails when the existing item has expired, is a rejection, or
    when this contact id has flagged the number before; DynamoDB returns the
    item with the failure (``ReturnValuesOnConditionCheckFailure``) and
    :func:`flag` tells which case it is.
    """
    names = {"#s": "status", "#e": TTL_ATTRIBUTE, "#k": PARTITION_KEY}
    values: dict[str, Any] = {
        ":s": {"S": fresh.status},
        ":now": {"S": fresh.updated_at},
        ":one": {"N": "1"},
        ":epoch": {"N": str(int(now))},
        ":rej": {"S": REJECTED},
    }
    parts = ["#s = :s" if fresh.status == BLOCKED else "#s = if_not_exists(#s, :s)"]
    for index, name in enumerate(FIRST_WRITE_WINS):
        value = getattr(fresh, name)
        if value:
            names[f"#a{index}"] = name
            values[f":a{index}"] = {"S": value}
            parts.append(f"#a{index} = if_not_exists(#a{index}, :a{index})")
    if fresh.expires_at is not None:
        values[":exp"] = {"N": str(fresh.expires_at)}
        parts.append("#e = if_not_exists(#e, :exp)")
    names["#u"], names["#l"], names["#c"] = "updated_at", "last_flagged_at", "flag_count"
    parts += ["#u = :now", "#l = :now"]
    contact_addition, contact_condition = _count_contact_once(fresh, names, values)
    result = table.update_if(
        _operation(fresh),
        fresh.phone_number,
        UpdateExpression="SET " + ", ".join(parts) + " ADD #c :one" + contact_addition,
        ConditionExpression=(
            "(attribute_not_exists(#k) OR attribute_not_exists(#e) OR #e > :epoch)"
            " AND (attribute_not_exists(#s) OR #s <> :rej)" + contact_condition
        ),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_OLD",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    if not result.written:
        return None, result.current
    old = result.attributes
    if not old:
        return FlagOutcome(created=True, entry=fresh), None
    old_count = number_attribute(old, "flag_count") or 0
    return FlagOutcome(
        created=False, entry=_after_flag(Entry.from_item(old), old_count, fresh)
    ), None


def _flag_rejected(table: Table, fresh: Entry, current: Entry, cutoff: float) -> FlagOutcome | None:
    """Flag a rejected entry: count it within the suppression period, else reopen it.

    ``cutoff`` is the epoch time before which a rejection no longer suppresses.
    Both writes are conditional on the entry still being the rejection this
    decision was based on; ``None`` tells :func:`flag` to look again.
    """
    stamp = iso_utc(cutoff)
    if current.reviewed_at and current.reviewed_at > stamp:
        return _count_suppressed(table, fresh, stamp)
    return _reopen(table, fresh, current, stamp)


def _count_suppressed(table: Table, fresh: Entry, cutoff: str) -> FlagOutcome | None:
    names = {
        "#s": "status",
        "#ra": "reviewed_at",
        "#u": "updated_at",
        "#l": "last_flagged_at",
        "#c": "flag_count",
    }
    values: dict[str, Any] = {
        ":rej": {"S": REJECTED},
        ":cut": {"S": cutoff},
        ":now": {"S": fresh.updated_at},
        ":one": {"N": "1"},
    }
    contact_addition, contact_condition = _count_contact_once(fresh, names, values)
    result = table.update_if(
        _operation(fresh),
        fresh.phone_number,
        UpdateExpression="SET #u = :now, #l = :now ADD #c :one" + contact_addition,
        ConditionExpression="#s = :rej AND #ra > :cut" + contact_condition,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    if not result.written:
        return None
    return FlagOutcome(created=False, entry=Entry.from_item(result.attributes), suppressed=True)


def _reopen(table: Table, fresh: Entry, current: Entry, cutoff: str) -> FlagOutcome | None:
    """Replace a rejection whose suppression has ended with ``fresh``, keeping its history."""
    reopened = dataclasses.replace(
        fresh,
        reviewed_by=current.reviewed_by,
        reviewed_at=current.reviewed_at,
        review_note=current.review_note,
    )
    result = table.put_if(
        _operation(fresh),
        reopened.to_item(),
        ConditionExpression="#s = :rej AND (attribute_not_exists(#ra) OR #ra <= :cut)",
        ExpressionAttributeNames={"#s": "status", "#ra": "reviewed_at"},
        ExpressionAttributeValues={":rej": {"S": REJECTED}, ":cut": {"S": cutoff}},
    )
    return FlagOutcome(created=True, entry=reopened, reopened=True) if result.written else None


def _replace_expired(table: Table, fresh: Entry, now: float) -> bool:
    """Overwrite an expired item with ``fresh``; False if it changed meanwhile."""
    return table.put_if(
        _operation(fresh),
        fresh.to_item(),
        ConditionExpression="attribute_exists(#e) AND #e <= :epoch",
        ExpressionAttributeNames={"#e": TTL_ATTRIBUTE},
        ExpressionAttributeValues={":epoch": {"N": str(int(now))}},
    ).written


def _after_flag(old: Entry, old_count: int, fresh: Entry) -> Entry:
    """Compute the entry an existing item becomes after :func:`_create_or_count`."""
    values = {name: getattr(old, name) or getattr(fresh, name) for name in FIRST_WRITE_WINS}
    return Entry(
        phone_number=old.phone_number,
        status=BLOCKED if fresh.status == BLOCKED else old.status,
        updated_at=fresh.updated_at,
        last_flagged_at=fresh.last_flagged_at,
        flag_count=old_count + 1,
        expires_at=old.expires_at if old.expires_at is not None else fresh.expires_at,
        reviewed_by=old.reviewed_by,
        reviewed_at=old.reviewed_at,
        review_note=old.review_note,
        flag_contact_ids=tuple(sorted({*old.flag_contact_ids, *fresh.flag_contact_ids})),
        **values,
    )
