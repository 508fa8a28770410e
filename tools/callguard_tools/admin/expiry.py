"""Expiry parsing: how long a deny-list entry lives.

Operators write what they think in: ``12h`` or ``30d`` for "for a while",
``2027-01-31`` for "until the end of the fraud campaign", and exports carry the
exact instant (``2027-01-31T00:00:00Z``) so that importing them round-trips.
The table stores the result as epoch seconds in ``expires_at`` (its TTL
attribute); a date means the entry stops applying at 00:00 UTC that day.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Final

_DURATION: Final = re.compile(
    r"^(?P<sign>[-+]?)\s*(?P<count>[0-9]+)\s*(?P<unit>[hdw])$", re.IGNORECASE
)
_UNIT_SECONDS: Final = {"h": 3600, "d": 86400, "w": 7 * 86400}
_TIMESTAMP_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"
EXAMPLES: Final = "30d, 12h, 2w, 2027-01-31 or 2027-01-31T08:00:00Z"
#: Longest expiry accepted, from now. Anything longer is a typo, not a plan:
#: an entry that should never expire simply has no expiry.
MAX_YEARS: Final = 100
_MAX_SECONDS: Final = MAX_YEARS * 366 * 86400


class ExpiryError(ValueError):
    """The text is not an expiry this tool understands, or it is not in the future."""


def parse_expiry(text: str, *, now: datetime) -> datetime:
    """Return the UTC instant ``text`` names, relative to ``now`` for durations.

    Raises ``ExpiryError`` with a message fit to show an operator as is.
    """
    value = text.strip()
    match = _DURATION.match(value)
    if match:
        count = int(match["count"])
        if match["sign"] == "-":
            raise ExpiryError(
                f"expiry {value!r} is negative: a duration counts forward from now, "
                "so use a positive one such as 30d"
            )
        if count == 0:
            raise ExpiryError(f"expiry {value!r} is zero: use a positive duration")
        seconds = count * _UNIT_SECONDS[match["unit"].lower()]
        _check_not_too_far(value, seconds)
        instant = now.astimezone(UTC) + timedelta(seconds=seconds)
        return instant.replace(microsecond=0)
    instant = _parse_absolute(value)
    if instant <= now:
        raise ExpiryError(f"expiry {value!r} is not in the future (now {format_timestamp(now)})")
    _check_not_too_far(value, (instant - now).total_seconds())
    return instant


def _check_not_too_far(value: str, seconds: float) -> None:
    if seconds > _MAX_SECONDS:
        raise ExpiryError(
            f"expiry {value!r} is too far in the future (more than {MAX_YEARS} years): "
            "leave it out for an entry that never expires"
        )


def _parse_absolute(value: str) -> datetime:
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise ExpiryError(f"expiry {value!r} is not understood: use {EXAMPLES}") from None
    if instant.tzinfo is None:
        raise ExpiryError(f"expiry {value!r} has no time zone: end it with Z (UTC) or an offset")
    return instant.astimezone(UTC).replace(microsecond=0)


def to_epoch(instant: datetime) -> int:
    """Return whole epoch seconds, the form DynamoDB TTL reads."""
    return int(instant.timestamp())


def from_epoch(seconds: int | float) -> datetime:
    """Return the UTC instant of epoch ``seconds``."""
    return datetime.fromtimestamp(int(seconds), tz=UTC)


def format_timestamp(instant: datetime) -> str:
    """Format like the table's own timestamps: ``2026-11-21T05:42:51Z``."""
    return instant.astimezone(UTC).strftime(_TIMESTAMP_FORMAT)
