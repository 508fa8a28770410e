"""Calling hours: may a receiver be called now, and if not, when is the earliest moment.

The job's :class:`~callguard.outbound.model.CallingWindow` is in the *receiver's*
local time. A receiver's zones come from its ``timezone`` column when it has one,
else from its number (libphonenumber's time-zone data, which needs the full
``phonenumbers`` distribution). A number that maps to several zones (a country
spanning zones, an area code on a zone border) may be called only when the
window holds in every one of them; a number with no known zone (``Etc/Unknown``)
takes the job's ``default_timezone``.

Everything here is a pure function of its arguments: ``now`` is passed in (an
aware datetime), or read from an injectable ``clock`` in :func:`decide`, so tests
and the engine's retries get the same answer for the same instant.

The window is read on the local *wall clock*: an instant is inside when its local
date is an allowed weekday and not a holiday, and ``start <= local time < end``.
Daylight-saving changes follow from that rule and ``zoneinfo``: a start that falls
into a spring-forward gap opens the window at the transition; an end inside a
fall-back hour is met twice, and the repeated hour counts as inside again.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from callguard.outbound.model import CallingWindow, Receiver

#: libphonenumber's answer for a number whose zone it does not know.
UNKNOWN_ZONE: Final = "Etc/Unknown"
#: Furthest ahead (days) the earliest allowed time is searched when the job has no
#: deadline. Two windows in zones far apart may never overlap; past this horizon
#: the receiver is treated as not callable rather than searched for ever.
SEARCH_DAYS: Final = 366

#: A clock: returns the current time as an aware datetime.
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """Return the current time in UTC (the default clock)."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class WindowDecision:
    """The answer for one receiver at one instant.

    ``allowed`` says whether the receiver may be called at ``now``. When not,
    ``next_allowed`` is the earliest UTC instant it may be (``None`` when there is
    none before the job's deadline or the search horizon), and ``past_deadline``
    tells whether the job's deadline is the reason there is none: such a receiver
    ends as ``outside_hours``. ``zones`` are the IANA zones the window was checked in.
    """

    allowed: bool
    next_allowed: dt.datetime | None
    zones: tuple[str, ...]
    past_deadline: bool = False


def zone(name: str) -> ZoneInfo:
    """Return the zone called ``name``; raise :class:`ValueError` naming it if it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}: use an IANA zone name such as Europe/London"
        ) from None


def zones_for_number(phone: str) -> tuple[str, ...]:
    """Return the IANA zones libphonenumber gives an E.164 ``phone`` (may be ``Etc/Unknown``)."""
    return _zones_for_number(phone)


@functools.lru_cache(maxsize=4096)
def _zones_for_number(phone: str) -> tuple[str, ...]:
    # Imported on first use: the time-zone data is only needed for outbound screening.
    import phonenumbers  # noqa: PLC0415
    from phonenumbers import timezone as phone_timezone  # noqa: PLC0415

    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return (UNKNOWN_ZONE,)
    return tuple(phone_timezone.time_zones_for_number(parsed)) or (UNKNOWN_ZONE,)


def receiver_zones(receiver: Receiver, default_timezone: str) -> tuple[str, ...]:
    """Return the zones whose local time decides when ``receiver`` may be called.

    The receiver's own ``timezone`` wins; otherwise the number's zones, with
    ``Etc/Unknown`` replaced by ``default_timezone``. Duplicates are removed, order kept.
    """
    if receiver.timezone:
        return (receiver.timezone,)
    names = [default_timezone if z == UNKNOWN_ZONE else z for z in zones_for_number(receiver.phone)]
    return tuple(dict.fromkeys(names))


def _check_window(window: CallingWindow) -> None:
    if window.end <= window.start:
        raise ValueError(
            f"calling window end {window.end:%H:%M} must be after its start {window.start:%H:%M}"
        )


def _require_aware(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime (UTC)")
    return now.astimezone(dt.UTC)


def allowed_in_zone(window: CallingWindow, tz: dt.tzinfo, instant: dt.datetime) -> bool:
    """Tell whether ``instant`` is inside ``window`` on the wall clock of ``tz``."""
    local = instant.astimezone(tz)
    day = local.date()
    if day.weekday() not in window.weekdays or day in window.holidays:
        return False
    return window.start <= local.time() < window.end


def allowed_at(window: CallingWindow, zones: Sequence[str], instant: dt.datetime) -> bool:
    """Tell whether ``instant`` is inside ``window`` in every one of ``zones``.

    The job's deadline is not considered here (see :func:`earliest_allowed`).
    """
    _check_window(window)
    instant = _require_aware(instant)
    return all(allowed_in_zone(window, zone(name), instant) for name in zones)


def earliest_allowed(
    window: CallingWindow, zones: Sequence[str], now: dt.datetime
) -> dt.datetime | None:
    """Return the earliest UTC instant at or after ``now`` inside ``window`` in all ``zones``.

    ``now`` itself when it is allowed. ``None`` when no such instant comes before the
    window's ``deadline`` (exclusive) or, without a deadline, within
    :data:`SEARCH_DAYS` days.

    Why it is exact: each zone's "inside" can only turn true where its wall clock
    reaches ``start`` (either occurrence of an ambiguous time) or jumps (a
    daylight-saving transition). The earliest instant inside every zone is
    therefore ``now`` or one of those instants, and they are tried in order.
    """
    _check_window(window)
    now = _require_aware(now)
    if not zones:
        raise ValueError("at least one time zone is needed")
    tzs = [zone(name) for name in zones]
    horizon = now + dt.timedelta(days=SEARCH_DAYS)
    if window.deadline is not None:
        horizon = min(horizon, _require_aware(window.deadline))
    if now >= horizon:
        return None

    def inside(instant: dt.datetime) -> bool:
        return all(allowed_in_zone(window, tz, instant) for tz in tzs)

    if inside(now):
        return now
    # Candidates from local day k onwards are never earlier than now + (k - 3) days,
    # so a batch of days [0, days) settles every candidate before now + (days - 3) days.
    days = 8
    while True:
        settled = now + dt.timedelta(days=days - 3)
        candidates = sorted(
            {c for tz in tzs for c in _candidates(window, tz, now, days) if now < c < horizon}
        )
        for candidate in candidates:
            if candidate >= settled:
                break
            if inside(candidate):
                return candidate
        if settled >= horizon:
            return None
        days *= 2


def _candidates(
    window: CallingWindow, tz: ZoneInfo, now: dt.datetime, days: int
) -> Iterator[dt.datetime]:
    """Yield the instants where ``tz``'s "inside" may turn true, for local days 0..days-1.

    Day 0 is the local day before ``now``'s, so nothing near ``now`` is missed.
    """
    first = now.astimezone(tz).date() - dt.timedelta(days=1)
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        if day.weekday() in window.weekdays and day not in window.holidays:
            yield from _starts(window.start, day, tz)
        yield from _transitions(day, tz)


def _starts(start: dt.time, day: dt.date, tz: ZoneInfo) -> Iterable[dt.datetime]:
    """Return the UTC instants whose wall time on ``day`` in ``tz`` first reaches ``start``."""
    earlier = dt.datetime.combine(day, start, tzinfo=tz).astimezone(dt.UTC)
    later = dt.datetime.combine(day, start, tzinfo=tz).replace(fold=1).astimezone(dt.UTC)
    found = {earlier, later}
    if earlier > later:  # ``start`` is in a gap: the window opens at the transition
        found = {_first_at_or_after(later, earlier, tz, day, start)}
    return found


def _first_at_or_after(
    low: dt.datetime, high: dt.datetime, tz: ZoneInfo, day: dt.date, start: dt.time
) -> dt.datetime:
    """Bisect (to the second) the first instant in (low, high] whose wall clock is past start."""

    def reached(instant: dt.datetime) -> bool:
        local = instant.astimezone(tz)
        return (local.date(), local.time()) >= (day, start)

    while (high - low) > dt.timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle <= low:
            break
        if reached(middle):
            high = middle
        else:
            low = middle
    return high


def _transitions(day: dt.date, tz: ZoneInfo) -> Iterable[dt.datetime]:
    """Return the UTC instant of ``tz``'s offset change on local ``day``, if it has one."""
    begin = dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz).astimezone(dt.UTC)
    before = begin.astimezone(tz).utcoffset()
    after = end.astimezone(tz).utcoffset()
    if before == after:
        return ()
    low, high = begin, end
    while (high - low) > dt.timedelta(seconds=1):
        middle = (low + (high - low) / 2).replace(microsecond=0)
        if middle <= low:
            break
        if middle.astimezone(tz).utcoffset() == before:
            low = middle
        else:
            high = middle
    return (high,)


def decide_at(window: CallingWindow, receiver: Receiver, now: dt.datetime) -> WindowDecision:
    """Decide whether ``receiver`` may be called at ``now`` under ``window``."""
    now = _require_aware(now)
    zones = receiver_zones(receiver, window.default_timezone)
    deadline = _require_aware(window.deadline) if window.deadline is not None else None
    if deadline is not None and now >= deadline:
        return WindowDecision(False, None, zones, past_deadline=True)
    earliest = earliest_allowed(window, zones, now)
    if earliest == now:
        return WindowDecision(True, None, zones)
    return WindowDecision(
        False, earliest, zones, past_deadline=earliest is None and deadline is not None
    )


def decide(window: CallingWindow, receiver: Receiver, *, clock: Clock = utc_now) -> WindowDecision:
    """Decide for ``receiver`` at the time ``clock`` reads (inject a fixed clock in tests)."""
    return decide_at(window, receiver, clock())
