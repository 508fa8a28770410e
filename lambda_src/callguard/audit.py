"""Audit events (pure): one deny-list stream record in, one flat JSON-ready event out.

The three audit modules: this one *builds* events; :mod:`callguard.audit_log`
*writes* them to the audit log group; :mod:`callguard.handlers.audit` is the
Lambda entry point on the table's stream that joins the two.

The stream sees every write to the table, whoever made it (the flag function, the
CLI, an import, a review, a hand edit in the DynamoDB console, a TTL expiry), so
an audit trail built from it cannot be bypassed. This module is pure: it turns one
stream record (as Lambda delivers it) into one flat, JSON-ready event, and never
calls AWS. The number itself never appears; the event carries its mask (for
people) and a keyed hash (for searching), computed by the caller.

A record whose shape is unexpected (a hand-edited item without the key attribute,
an unknown event name) still yields an event with ``problem`` set, so nothing is
dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from callguard.attributes import clean_text, iso_utc, number_attribute, string_attribute
from callguard.connect import instance_id
from callguard.numbers import mask

#: Marks an audit event among other JSON lines (Logs Insights: ``filter event = ...``).
EVENT_TYPE: Final = "callguard.audit"
#: Version of the event's field set; bump it when a field changes meaning.
SCHEMA_VERSION: Final = 1

INSERT: Final = "insert"
MODIFY: Final = "modify"
REMOVE: Final = "remove"
_KINDS: Final = {"INSERT": INSERT, "MODIFY": MODIFY, "REMOVE": REMOVE}

#: ``change`` values: what happened, in an auditor's words.
ADDED: Final = "added"
STATUS_CHANGED: Final = "status_changed"
REFLAGGED: Final = "reflagged"
UPDATED: Final = "updated"
REMOVED: Final = "removed"
EXPIRED: Final = "expired"

#: Who deleted an item whose TTL passed (DynamoDB's own service principal).
TTL_PRINCIPAL: Final = "dynamodb.amazonaws.com"
#: ``who`` of a TTL deletion.
TTL_ACTOR: Final = "dynamodb-ttl"

#: Longest text kept from an item attribute (hand edits can store up to 400 KB).
MAX_TEXT: Final = 512
#: Longest list of changed attribute names kept (an item may have hundreds).
MAX_FIELD_NAMES: Final = 32
#: Item attributes that may name who made a later change (written by review tooling).
_ACTOR_ATTRIBUTES: Final = ("updated_by", "reviewed_by", "removed_by")

#: Maps an E.164 number to its keyed hash (see :mod:`callguard.keyed_hash`).
Hasher = Callable[[str], str]


def build_event(record: Mapping[str, Any], hasher: Hasher) -> dict[str, Any]:
    """Return the audit event for one stream ``record``.

    ``hasher`` may raise (KMS unavailable); the exception propagates so the caller
    can report the record as failed and have Lambda retry it.
    """
    stream = _mapping(record.get("dynamodb"))
    keys = _mapping(stream.get("Keys"))
    new = _mapping(stream.get("NewImage"))
    old = _mapping(stream.get("OldImage"))
    kind = _KINDS.get(str(record.get("eventName", "")), "")
    number = _text(keys, "phone_number") or _text(new or old, "phone_number")
    expired = kind == REMOVE and _is_ttl_delete(record)

    current = old if kind == REMOVE else new
    event: dict[str, Any] = {
        "event": EVENT_TYPE,
        "schema": SCHEMA_VERSION,
        "event_id": clean_text(record.get("eventID"), 128),
        "kind": kind or "unknown",
        "change": _change(kind, old, new, expired),
        "number": mask(number) if number else "",
        "number_hash": hasher(number) if number else "",
        "old_status": _text(old, "status"),
        "new_status": _text(new, "status"),
        "reason": _text(current, "reason"),
        "source": _text(current, "source"),
        "flagged_by": _text(current, "flagged_by"),
        "who": TTL_ACTOR if expired else _actor(kind, current),
        "changed_at": _changed_at(stream),
        "expired_by_ttl": expired,
        "contact_id": _text(current, "contact_id"),
        "initial_contact_id": _text(current, "initial_contact_id"),
        "previous_contact_id": _text(current, "previous_contact_id"),
        "instance": instance_id(_text(current, "instance_arn")) or "unknown",
        "instance_arn": _text(current, "instance_arn"),
        "flag_count": number_attribute(current, "flag_count"),
        "expires_at": number_attribute(current, "expires_at"),
        "table": table_name(str(record.get("eventSourceARN", ""))),
        "sequence_number": clean_text(stream.get("SequenceNumber"), 64),
    }
    if kind == MODIFY:
        names = changed_fields(old, new)
        event["changed_fields"] = names[:MAX_FIELD_NAMES]
        if len(names) > MAX_FIELD_NAMES:
            event["changed_fields_omitted"] = len(names) - MAX_FIELD_NAMES
        if _text(old, "reason") != _text(new, "reason"):
            event["old_reason"] = _text(old, "reason")
    problem = _problem(kind, number, new, old)
    if problem:
        event["problem"] = problem
    return event


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Return the sorted names of attributes added, removed or changed between images."""
    names = set(old) | set(new)
    return sorted({clean_text(n, 64) for n in names if old.get(n) != new.get(n)})


def table_name(stream_arn: str) -> str:
    """Return the table name of a stream ARN (``...:table/NAME/stream/LABEL``), or ""."""
    _, marker, tail = stream_arn.partition(":table/")
    return tail.split("/", 1)[0] if marker else ""


def _is_ttl_delete(record: Mapping[str, Any]) -> bool:
    """TTL deletions carry ``userIdentity`` of type Service, principal DynamoDB."""
    identity = _mapping(record.get("userIdentity"))
    return identity.get("type") == "Service" and identity.get("principalId") == TTL_PRINCIPAL


def _change(kind: str, old: Mapping[str, Any], new: Mapping[str, Any], expired: bool) -> str:
    if kind == INSERT:
        return ADDED
    if kind == REMOVE:
        return EXPIRED if expired else REMOVED
    if kind != MODIFY:
        return "unknown"
    if _text(old, "status") != _text(new, "status"):
        return STATUS_CHANGED
    old_count = number_attribute(old, "flag_count") or 0
    new_count = number_attribute(new, "flag_count") or 0
    return REFLAGGED if new_count > old_count else UPDATED


def _actor(kind: str, item: Mapping[str, Any]) -> str:
    """Return the best-known author of the change, from the item itself.

    Stream records carry no caller identity (except for TTL deletions), so the
    item's own attributes are what is known: the writer of a later change when
    its tool records one, else the first flagger for a new item. A console delete
    leaves "" here; CloudTrail data events name that principal.
    """
    for name in _ACTOR_ATTRIBUTES:
        value = _text(item, name)
        if value:
            return value
    return _text(item, "flagged_by") if kind == INSERT else ""


def _changed_at(stream: Mapping[str, Any]) -> str:
    """ISO-8601 UTC time DynamoDB recorded the change (stream seconds, maybe fractional)."""
    value = stream.get("ApproximateCreationDateTime")
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        seconds = value / 1_000_000 if value > 10**14 else value  # microseconds in some SDKs
        try:
            return iso_utc(seconds)
        except (OverflowError, OSError, ValueError):  # beyond what the platform can format
            return ""
    return ""


def _problem(kind: str, number: str, new: Mapping[str, Any], old: Mapping[str, Any]) -> str:
    if not kind:
        return "unknown event name"
    if not number:
        return "record has no phone_number key"
    if (kind != REMOVE and not new) or (kind != INSERT and not old):
        return "stream record lacks an image (stream view type is not NEW_AND_OLD_IMAGES)"
    return ""


def _text(item: Mapping[str, Any], name: str) -> str:
    return clean_text(string_attribute(item, name), MAX_TEXT)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
