"""The configuration of a job: its keys, their aliases, and each value parsed and checked.

Split from :mod:`callguard.outbound.assemble` (which turns questions and receivers
into the model): every reader's configuration pairs come here, and problems are
collected, never raised, naming the cell of each bad value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Final

from callguard import numbers
from callguard.outbound import phones
from callguard.outbound.model import CallingWindow, ContactCap, JobConfig, RetryPolicy
from callguard.outbound.problems import Problem, error, warning
from callguard.outbound.tables import Cell, RawJob

_KEY_RE: Final = re.compile(r"[\s\-]+")


def normalise_key(text: str) -> str:
    """``"Phone Prefix"`` -> ``"phone_prefix"``: how keys and headers are matched."""
    return _KEY_RE.sub("_", text.strip()).casefold()


#: Configuration key -> its aliases (the Callouts names and plain-language ones).
CONFIG_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "job_id": ("id", "task_id"),
    "greeting": (),
    "ending": (),
    "phone_prefix": ("prefix",),
    "default_country": ("country",),
    "source_phone_number": ("caller_id", "source_number"),
    "language": (),
    "voice": (),
    "opt_out_text": (),
    "window_start": ("calling_window_start",),
    "window_end": ("calling_window_end",),
    "weekdays": ("calling_days",),
    "holidays": (),
    "default_timezone": ("timezone",),
    "deadline": (),
    "wait_for_window": (),
    "max_attempts": (),
    "retry_delay_minutes": (),
    "retry_on": (),
    "cap_max_calls": (),
    "cap_period_hours": (),
}
_CONFIG_BY_ALIAS: Final = {
    alias: key for key, aliases in CONFIG_KEYS.items() for alias in (key, *aliases)
}

_WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RETRYABLE: Final = frozenset({"no_answer", "busy", "voicemail", "failed", "partial"})
_TRUE: Final = frozenset({"yes", "true", "1", "y"})
_FALSE: Final = frozenset({"no", "false", "0", "n"})


def is_timezone(name: str) -> bool:
    """Return whether ``name`` is an IANA time zone (``Europe/London``) this system knows."""
    if not name or name != name.strip() or ".." in name or name.startswith("/"):
        return False
    import zoneinfo  # noqa: PLC0415 - loaded only for jobs that name a zone

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


@dataclass(slots=True)
class _Settings:
    """Configuration values as parsed so far; turned into :class:`JobConfig` at the end."""

    values: dict[str, Any] = field(default_factory=dict)
    window: dict[str, Any] = field(default_factory=dict)
    retry: dict[str, Any] = field(default_factory=dict)
    cap: dict[str, Any] = field(default_factory=dict)
    locations: dict[str, str] = field(default_factory=dict)


def read_config(raw: RawJob, problems: list[Problem]) -> tuple[_Settings, str]:
    """Parse every configuration pair; return the settings and the job id (``""`` if unset)."""
    settings = _Settings()
    seen: dict[str, str] = {}
    job_id = ""
    for key_cell, value_cell in raw.config:
        name = normalise_key(key_cell.text)
        if not name:
            if value_cell.text.strip():
                problems.append(
                    error(
                        key_cell.location,
                        "missing_key",
                        "this configuration value has no key; write the key's name "
                        "(for example greeting) in this cell",
                    )
                )
            continue
        key = _CONFIG_BY_ALIAS.get(name)
        if key is None:
            import difflib  # noqa: PLC0415 - only a misspelt key needs it

            close = difflib.get_close_matches(name, list(_CONFIG_BY_ALIAS), n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            problems.append(
                warning(
                    key_cell.location,
                    "unknown_key",
                    f"unknown configuration key {key_cell.text.strip()!r} is ignored; {hint}"
                    f"known keys: {', '.join(CONFIG_KEYS)}",
                )
            )
            continue
        if key in seen:
            problems.append(
                error(
                    key_cell.location,
                    "duplicate_key",
                    f"{key} is set twice (first at {seen[key]}); keep one of them",
                )
            )
            continue
        seen[key] = key_cell.location
        settings.locations[key] = value_cell.location
        if key == "job_id":
            job_id = value_cell.text.strip()
            continue
        _parse_setting(key, value_cell, settings, problems)
    if "phone_prefix" in settings.values and "default_country" in settings.values:
        problems.append(
            error(
                seen["default_country"],
                "prefix_and_country",
                "set phone_prefix or default_country, not both",
            )
        )
    return settings, job_id


def _parse_setting(key: str, cell: Cell, settings: _Settings, problems: list[Problem]) -> None:
    text = cell.text.strip()
    if key in {"greeting", "ending", "opt_out_text"}:
        settings.values[key] = cell.text
        return
    if not text:
        return  # an empty optional setting keeps its default
    parser = _PARSERS[key]
    try:
        target, name, value = parser(text)
    except ValueError as exc:
        problems.append(error(cell.location, f"invalid_{key}", f"{key}: {exc}"))
        return
    getattr(settings, target)[name] = value


def _text_setting(name: str) -> Callable[[str], tuple[str, str, Any]]:
    return lambda text: ("values", name, text)


def _prefix(text: str) -> tuple[str, str, Any]:
    if not phones.prefix_is_valid(text):
        raise ValueError(f"{text!r} is not a country calling code; write it like +852 or 44")
    return "values", "phone_prefix", "+" + text.lstrip("+")


def _country(text: str) -> tuple[str, str, Any]:
    code = text.upper()
    if not phones.is_region(code):
        raise ValueError(f"{text!r} is not a two-letter country code such as GB or HK")
    return "values", "default_country", code


def _source_number(text: str) -> tuple[str, str, Any]:
    if not numbers.is_e164(text):
        raise ValueError(
            f"the caller id {numbers.mask(text)} must be in E.164 form, like +442079460958"
        )
    return "values", "source_phone_number", text


def _time(name: str) -> Callable[[str], tuple[str, str, Any]]:
    def parse(text: str) -> tuple[str, str, Any]:
        try:
            value = dt.time.fromisoformat(text if len(text) != 4 else "0" + text)
        except ValueError:
            raise ValueError(f"{text!r} is not a time; write it as HH:MM, like 09:00") from None
        return "window", name, value.replace(second=0, microsecond=0)

    return parse


def _weekdays(text: str) -> tuple[str, str, Any]:
    days: set[int] = set()
    for part in re.split(r"[,\s]+", text.strip().casefold()):
        if not part:
            continue
        if "-" in part:
            first, _, last = part.partition("-")
            start, end = _weekday(first, text), _weekday(last, text)
            days.update(
                range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)]
            )
        else:
            days.add(_weekday(part, text))
    if not days:
        raise ValueError("no weekday given; write e.g. Mon-Fri or Mon,Wed,Sat")
    return "window", "weekdays", frozenset(days)


def _weekday(word: str, text: str) -> int:
    short = word[:3]
    if short not in _WEEKDAYS:
        raise ValueError(f"{text!r}: {word!r} is not a weekday; write e.g. Mon-Fri or Mon,Wed")
    return _WEEKDAYS.index(short)


def _holidays(text: str) -> tuple[str, str, Any]:
    days = set()
    for part in re.split(r"[,;\s]+", text.strip()):
        if part:
            try:
                days.add(dt.date.fromisoformat(part))
            except ValueError:
                raise ValueError(
                    f"{part!r} is not a date; list dates as YYYY-MM-DD separated by commas"
                ) from None
    return "window", "holidays", frozenset(days)


def _zone(text: str) -> tuple[str, str, Any]:
    if not is_timezone(text):
        raise ValueError(f"{text!r} is not an IANA time zone; write e.g. Europe/London")
    return "window", "default_timezone", text


def _deadline(text: str) -> tuple[str, str, Any]:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date and time; write e.g. 2026-12-24T18:00+00:00"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return "window", "deadline", value.astimezone(dt.UTC)


def _flag(target: str, name: str) -> Callable[[str], tuple[str, str, Any]]:
    def parse(text: str) -> tuple[str, str, Any]:
        word = text.casefold()
        if word in _TRUE:
            return target, name, True
        if word in _FALSE:
            return target, name, False
        raise ValueError(f"{text!r} is not yes or no")

    return parse


def _count(target: str, name: str, low: int, high: int) -> Callable[[str], tuple[str, str, Any]]:
    def parse(text: str) -> tuple[str, str, Any]:
        digits = phones._digits_of_numeric_text(text)
        if digits is None or not low <= int(digits) <= high:
            raise ValueError(f"{text!r} is not a whole number from {low} to {high}")
        return target, name, int(digits)

    return parse


def _retry_on(text: str) -> tuple[str, str, Any]:
    statuses = {normalise_key(part) for part in re.split(r"[,;]+", text) if part.strip()}
    unknown = statuses - _RETRYABLE
    if unknown:
        raise ValueError(
            f"cannot retry on {', '.join(sorted(unknown))}; use some of: "
            f"{', '.join(sorted(_RETRYABLE))}"
        )
    return "retry", "retry_on", frozenset(statuses)


_PARSERS: Final[dict[str, Callable[[str], tuple[str, str, Any]]]] = {
    "phone_prefix": _prefix,
    "default_country": _country,
    "source_phone_number": _source_number,
    "language": _text_setting("language"),
    "voice": _text_setting("voice"),
    "window_start": _time("start"),
    "window_end": _time("end"),
    "weekdays": _weekdays,
    "holidays": _holidays,
    "default_timezone": _zone,
    "deadline": _deadline,
    "wait_for_window": _flag("window", "wait_for_window"),
    "max_attempts": _count("retry", "max_attempts", 1, 10),
    "retry_delay_minutes": _count("retry", "delay", 1, 7 * 24 * 60),
    "retry_on": _retry_on,
    "cap_max_calls": _count("cap", "max_calls", 1, 100),
    "cap_period_hours": _count("cap", "period", 1, 31 * 24),
}


def build_config(settings: _Settings) -> JobConfig:
    """Turn the parsed settings into the job's :class:`JobConfig`, defaults for the rest."""
    retry = dict(settings.retry)
    if "delay" in retry:
        retry["delay"] = dt.timedelta(minutes=retry["delay"])
    cap = dict(settings.cap)
    if "period" in cap:
        cap["period"] = dt.timedelta(hours=cap["period"])
    config = JobConfig(
        window=replace(CallingWindow(), **settings.window),
        retry=replace(RetryPolicy(), **retry),
        cap=replace(ContactCap(), **cap),
        locations=MappingProxyType(dict(settings.locations)),
    )
    return replace(config, **settings.values)
