"""Expiry parsing: durations, dates, timestamps, and clear refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from callguard_tools.admin.expiry import (
    ExpiryError,
    format_timestamp,
    from_epoch,
    parse_expiry,
    to_epoch,
)

NOW = datetime(2026, 11, 21, 5, 42, 51, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", NOW.replace(microsecond=0) + timedelta(days=30)),
        ("12h", NOW.replace(microsecond=0) + timedelta(hours=12)),
        ("2w", NOW.replace(microsecond=0) + timedelta(weeks=2)),
        (" 7D ", NOW.replace(microsecond=0) + timedelta(days=7)),
        ("2027-01-31", datetime(2027, 1, 31, tzinfo=UTC)),
        ("2027-01-31T08:00:00Z", datetime(2027, 1, 31, 8, tzinfo=UTC)),
        ("2027-01-31T08:00:00+02:00", datetime(2027, 1, 31, 6, tzinfo=UTC)),
    ],
)
def test_accepted_forms(text: str, expected: datetime) -> None:
    assert parse_expiry(text, now=NOW) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0d", "is zero"),
        ("2020-01-01", "is not in the future"),
        ("2026-11-21T05:00:00Z", "is not in the future"),
        ("tomorrow", "is not understood"),
        ("30 days", "is not understood"),
        ("2027-02-30", "is not understood"),
        ("2027-01-31T08:00:00", "has no time zone"),
        ("999999w", "too far in the future"),
        ("999999999d", r"too far in the future \(more than 100 years\)"),
        ("40000d", "too far in the future"),
        ("9999-12-31", "too far in the future"),
        ("-5d", "is negative: a duration counts forward from now"),
        ("- 5 h", "is negative"),
    ],
)
def test_refusals_say_why(text: str, message: str) -> None:
    with pytest.raises(ExpiryError, match=message):
        parse_expiry(text, now=NOW)


def test_epoch_round_trip_and_table_timestamp_format() -> None:
    instant = datetime(2027, 1, 31, 8, 0, 5, tzinfo=timezone(timedelta(hours=1)))
    assert from_epoch(to_epoch(instant)) == instant
    assert format_timestamp(instant) == "2027-01-31T07:00:05Z"
