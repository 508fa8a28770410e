"""Deny-list entries and their mapping to and from DynamoDB items.

The low-level client is used instead of the boto3 resource layer: the mapping is
small and fixed (strings and two numbers), and skipping the generic type
(de)serializer keeps the per-call cost of the check handler low.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final

from callguard.attributes import (
    clean_text,
    iso_utc,
    number_attribute,
    string_attribute,
    string_set_attribute,
)
from callguard.numbers import is_e164, mask
from callguard.store.errors import InvalidEntryError

BLOCKED: Final = "blocked"
PENDING: Final = "pending"
REJECTED: Final = "rejected"
#: Entry statuses. ``pending`` waits for a supervisor (two-step flagging);
#: ``rejected`` remembers a supervisor's "do not block" so that re-flags of the
#: number are only counted for a while instead of refilling the review queue.
STATUSES: Final = frozenset({BLOCKED, PENDING, REJECTED})
#: Statuses a flag may ask for (a rejection is a supervisor's decision, never a flag).
FLAG_STATUSES: Final = frozenset({BLOCKED, PENDING})

#: Where an entry came from.
SOURCES: Final = frozenset({"agent", "cli", "import", "api", "challenge", "outbound_optout"})

#: Longest reason kept; longer text is cut (reasons are shown in flows and tools).
MAX_REASON_LENGTH: Final = 500
#: Longest value kept for identity and contact-id attributes.
MAX_FIELD_LENGTH: Final = 256
#: Longest supervisor note kept with a review decision.
MAX_NOTE_LENGTH: Final = 500

#: The first flag's facts: a later (or concurrent) flag writes them only where
#: the item does not have them yet, so they survive any number of flags.
FIRST_WRITE_WINS: Final = (
    "reason",
    "source",
    "flagged_by",
    "contact_id",
    "initial_contact_id",
    "previous_contact_id",
    "instance_arn",
    "created_at",
)
#: Attributes that hold strings, in export order (``phone_number`` first).
STRING_ATTRIBUTES: Final = (
    "phone_number",
    "status",
    *FIRST_WRITE_WINS,
    "updated_at",
    "last_flagged_at",
    "reviewed_by",
    "reviewed_at",
    "review_note",
)
#: Attributes that hold numbers.
NUMBER_ATTRIBUTES: Final = ("flag_count", "expires_at")
#: String set of the contact ids that flagged a number, so that a retried
#: invocation for the same contact is recognised and not counted twice.
FLAG_CONTACTS_ATTRIBUTE: Final = "flag_contact_ids"


@dataclass(frozen=True, slots=True)
class Listing:
    """What the check needs to know about a listed number (a projected lookup)."""

    status: str
    reason: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One deny-list entry: a number, its status and its audit facts.

    ``created_at``, ``reason``, ``source`` and the contact ids are those of the
    first flag; later flags only raise ``flag_count`` and move ``last_flagged_at``.
    ``expires_at`` (epoch seconds) is optional; an entry past it counts as absent.
    ``reviewed_by``, ``reviewed_at`` and ``review_note`` describe the latest
    supervisor decision (approve or reject); they stay on an entry that a later
    flag reopens, so the next reviewer sees that it was rejected before.
    ``flag_contact_ids`` are the contacts that flagged the number (each counted once).
    """

    phone_number: str
    status: str
    reason: str = ""
    source: str = ""
    flagged_by: str = ""
    contact_id: str = ""
    initial_contact_id: str = ""
    previous_contact_id: str = ""
    instance_arn: str = ""
    created_at: str = ""
    updated_at: str = ""
    last_flagged_at: str = ""
    flag_count: int = 1
    expires_at: int | None = None
    reviewed_by: str = ""
    reviewed_at: str = ""
    review_note: str = ""
    flag_contact_ids: tuple[str, ...] = ()

    @classmethod
    def new(
        cls,
        phone_number: str,
        *,
        status: str = BLOCKED,
        reason: str = "",
        source: str = "cli",
        flagged_by: str = "",
        now: float | None = None,
        expires_at: int | None = None,
        contact_id: str = "",
        initial_contact_id: str = "",
        previous_contact_id: str = "",
        instance_arn: str = "",
    ) -> Entry:
        """Build a validated, freshly created entry (flag count 1, timestamps ``now``)."""
        stamp = iso_utc(time.time() if now is None else now)
        entry = cls(
            phone_number=phone_number,
            status=status,
            reason=clean_text(reason, MAX_REASON_LENGTH),
            source=source,
            flagged_by=clean_text(flagged_by, MAX_FIELD_LENGTH),
            contact_id=clean_text(contact_id, MAX_FIELD_LENGTH),
            initial_contact_id=clean_text(initial_contact_id, MAX_FIELD_LENGTH),
            previous_contact_id=clean_text(previous_contact_id, MAX_FIELD_LENGTH),
            instance_arn=clean_text(instance_arn, MAX_FIELD_LENGTH),
            created_at=stamp,
            updated_at=stamp,
            last_flagged_at=stamp,
            flag_count=1,
            expires_at=expires_at,
        )
        entry.validate()
        return entry

    def validate(self) -> None:
        """Raise :class:`InvalidEntryError` naming the first field that is not acceptable."""
        validate_number(self.phone_number)
        validate_status(self.status)
        if self.source and self.source not in SOURCES:
            raise InvalidEntryError(
                f"source {self.source!r} for {mask(self.phone_number)} is not one of "
                f"{', '.join(sorted(SOURCES))}"
            )
        if self.flag_count < 1:
            raise InvalidEntryError(f"flag_count of {mask(self.phone_number)} must be >= 1")
        if self.expires_at is not None and self.expires_at < 0:
            raise InvalidEntryError(f"expires_at of {mask(self.phone_number)} is negative")

    def is_expired(self, now: float) -> bool:
        """Tell whether the entry has an expiry time at or before ``now`` (epoch seconds)."""
        return self.expires_at is not None and self.expires_at <= now

    def to_dict(self) -> dict[str, Any]:
        """Return a plain dictionary (for JSON/CSV export), attributes in a stable order."""
        return asdict(self)

    def to_item(self) -> dict[str, Any]:
        """Return the DynamoDB item (low-level attribute-value form); empty strings are omitted."""
        item: dict[str, Any] = {}
        for name in STRING_ATTRIBUTES:
            value = getattr(self, name)
            if value:
                item[name] = {"S": value}
        item["flag_count"] = {"N": str(self.flag_count)}
        if self.expires_at is not None:
            item["expires_at"] = {"N": str(self.expires_at)}
        if self.flag_contact_ids:
            item[FLAG_CONTACTS_ATTRIBUTE] = {"SS": sorted(set(self.flag_contact_ids))}
        return item

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Entry:
        """Read an item, tolerating missing attributes (items written by other tools)."""
        strings = {name: string_attribute(item, name) for name in STRING_ATTRIBUTES}
        strings["status"] = normalize_status(strings["status"])
        count = number_attribute(item, "flag_count")
        return cls(
            **strings,
            flag_count=max(1, count if count is not None else 1),
            expires_at=number_attribute(item, "expires_at"),
            flag_contact_ids=string_set_attribute(item, FLAG_CONTACTS_ATTRIBUTE),
        )


def normalize_status(value: str) -> str:
    """Map a stored status to a known one: an unknown value counts as ``blocked``.

    An item exists because someone listed the number; if its status was edited by
    hand into something unexpected, blocking is the interpretation that keeps the
    listing's intent rather than silently dropping it.
    """
    lowered = value.strip().lower()
    return lowered if lowered in STATUSES else BLOCKED


def validate_number(number: object) -> str:
    """Return ``number`` if it is E.164, else raise :class:`InvalidEntryError`."""
    if not isinstance(number, str) or not is_e164(number):
        raise InvalidEntryError(f"phone number {mask(number)} is not in E.164 form")
    return number


def validate_status(status: object) -> str:
    """Return ``status`` if it is ``blocked``, ``pending`` or ``rejected``, else raise."""
    if status not in STATUSES:
        raise InvalidEntryError(f"status {status!r} is not one of blocked, pending, rejected")
    return str(status)
