"""Calling hours: the window in the receiver's zones, DST, holidays, deadline, earliest time."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callguard.outbound.calling_hours import (
    allowed_at,
    decide,
    decide_at,
    earliest_allowed,
    receiver_zones,
)
from callguard.outbound.model import CallingWindow, Receiver

UTC = dt.UTC
WEEKDAYS = CallingWindow()  # 09:00-20:00, Monday to Friday


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_zone_from_the_number_and_the_column_wins() -> None:
    assert receiver_zones(Receiver("a", "+18145550100"), "UTC") == ("America/New_York",)
    assert receiver_zones(Receiver("a", "+18145550100", timezone="Asia/Tokyo"), "UTC") == (
        "Asia/Tokyo",
    )


def test_unknown_zone_takes_the_job_default() -> None:
    # +800 is an international freephone code: libphonenumber knows no zone for it.
    assert receiver_zones(Receiver("a", "+80012345678"), "Europe/Paris") == ("Europe/Paris",)


def test_number_with_several_zones_needs_the_window_in_all() -> None:
    zones = receiver_zones(Receiver("a", "+12025550100"), "UTC")  # Washington DC: one zone
    assert zones == ("America/New_York",)
    # 13:30 UTC on a Monday in July: 09:30 in New York, 06:30 in Los Angeles.
    both = ("America/New_York", "America/Los_Angeles")
    monday = at(2026, 7, 6, 13, 30)
    assert allowed_at(WEEKDAYS, ("America/New_York",), monday)
    assert not allowed_at(WEEKDAYS, both, monday)
    # The earliest moment both are inside is 09:00 in Los Angeles (16:00 UTC).
    assert earliest_allowed(WEEKDAYS, both, monday) == at(2026, 7, 6, 16, 0)


def test_inside_the_window_is_allowed_now() -> None:
    decision = decide_at(WEEKDAYS, Receiver("a", "+442079460958"), at(2026, 12, 7, 10, 0))
    assert decision.allowed and decision.next_allowed is None
    assert decision.zones == ("Europe/London",)


def test_evening_waits_for_next_morning_and_friday_for_monday() -> None:
    london = ("Europe/London",)
    assert earliest_allowed(WEEKDAYS, london, at(2026, 12, 7, 20, 0)) == at(2026, 12, 8, 9, 0)
    friday_evening = at(2026, 12, 11, 21, 0)
    assert earliest_allowed(WEEKDAYS, london, friday_evening) == at(2026, 12, 14, 9, 0)


def test_holidays_are_local_dates() -> None:
    window = CallingWindow(holidays=frozenset({dt.date(2026, 12, 25)}))
    tokyo = ("Asia/Tokyo",)
    # 23:30 UTC on the 24th is 08:30 on the 25th in Tokyo: the holiday, so the 28th (Monday).
    assert earliest_allowed(window, tokyo, at(2026, 12, 24, 23, 30)) == at(2026, 12, 28, 0, 0)


def test_summer_time_moves_the_utc_start() -> None:
    london = ("Europe/London",)
    assert earliest_allowed(WEEKDAYS, london, at(2026, 3, 27, 6, 0)) == at(2026, 3, 27, 9, 0)
    # After the clocks go forward on 29 March, 09:00 local is 08:00 UTC.
    assert earliest_allowed(WEEKDAYS, london, at(2026, 3, 30, 6, 0)) == at(2026, 3, 30, 8, 0)


def test_a_start_inside_the_spring_gap_opens_at_the_transition() -> None:
    window = CallingWindow(start=dt.time(2, 30), end=dt.time(5, 0), weekdays=frozenset(range(7)))
    # New York skips 02:00-03:00 on 8 March 2026; 03:00 EDT is 07:00 UTC.
    assert earliest_allowed(window, ("America/New_York",), at(2026, 3, 8, 5, 0)) == at(
        2026, 3, 8, 7, 0
    )


def test_deadline_ends_the_search_and_means_outside_hours() -> None:
    deadline = at(2026, 12, 7, 18, 0)
    window = CallingWindow(deadline=deadline)
    receiver = Receiver("a", "+442079460958")
    late = decide_at(window, receiver, at(2026, 12, 7, 19, 0))
    assert not late.allowed and late.next_allowed is None and late.past_deadline
    # Evening before the deadline day ends: tomorrow 09:00 is past the deadline.
    evening = decide_at(
        CallingWindow(deadline=at(2026, 12, 8, 8, 0)), receiver, at(2026, 12, 7, 21)
    )
    assert evening.next_allowed is None and evening.past_deadline


def test_windows_that_never_overlap_have_no_earliest_time() -> None:
    window = CallingWindow(end=dt.time(12, 0))
    assert earliest_allowed(window, ("Asia/Tokyo", "America/New_York"), at(2026, 12, 7)) is None


def test_injectable_clock() -> None:
    decision = decide(WEEKDAYS, Receiver("a", "+442079460958"), clock=lambda: at(2026, 12, 6, 12))
    assert decision.next_allowed == at(2026, 12, 7, 9, 0)  # Sunday -> Monday


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        earliest_allowed(WEEKDAYS, ("Mars/Olympus",), at(2026, 12, 7))
    with pytest.raises(ValueError, match="aware"):
        earliest_allowed(WEEKDAYS, ("UTC",), dt.datetime(2026, 12, 7))
    with pytest.raises(ValueError, match="must be after its start"):
        earliest_allowed(CallingWindow(start=dt.time(20), end=dt.time(9)), ("UTC",), at(2026, 1, 1))


ZONES = st.sampled_from(
    ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Apia"]
)
TIMES = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@st.composite
def windows(draw: st.DrawFn) -> CallingWindow:
    start, end = sorted(draw(st.lists(TIMES, min_size=2, max_size=2, unique=True)))
    weekdays = draw(st.frozensets(st.integers(0, 6), min_size=1))
    holidays = draw(st.frozensets(st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), max_size=5))
    return CallingWindow(start=start, end=end, weekdays=weekdays, holidays=holidays)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    window=windows(),
    zones=st.lists(ZONES, min_size=1, max_size=2, unique=True),
    now=st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2026, 12, 20)).map(
        lambda d: d.replace(second=0, microsecond=0, tzinfo=UTC)
    ),
)
def test_earliest_is_allowed_and_nothing_earlier_is(
    window: CallingWindow, zones: list[str], now: dt.datetime
) -> None:
    earliest = earliest_allowed(window, zones, now)
    limit = earliest if earliest is not None else now + dt.timedelta(days=3)
    if earliest is not None:
        assert earliest >= now
        assert allowed_at(window, zones, earliest)
    # At minute granularity (bounded to three days, the common case), nothing earlier is inside.
    probe = now
    stop = min(limit, now + dt.timedelta(days=3))
    while probe < stop:
        assert not allowed_at(window, zones, probe), probe
        probe += dt.timedelta(minutes=1)
