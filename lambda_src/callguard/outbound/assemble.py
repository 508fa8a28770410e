"""Turn a :class:`~callguard.outbound.tables.RawJob` into the model, reporting every problem.

The one place that knows the configuration keys, the question and receiver columns
and what each value may be. Problems are collected, never raised: one pass reports
everything wrong with a file. Receivers with an error are left out of the returned
job, and the problems make it invalid, so nothing is called.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Final

from callguard import numbers
from callguard.outbound import phones
from callguard.outbound.model import (
    CallingWindow,
    ContactCap,
    Job,
    JobConfig,
    Question,
    QuestionType,
    Receiver,
    RetryPolicy,
)
from callguard.outbound.problems import Problem, error, warning
from callguard.outbound.tables import Cell, RawJob, Table

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

#: Receiver columns with a meaning; every other column is an extra column.
ID_HEADERS: Final = frozenset({"id", "receiver_id"})
PHONE_HEADERS: Final = frozenset({"phone_number", "phone", "number"})
TIMEZONE_HEADERS: Final = frozenset({"timezone", "time_zone"})
TEMPLATE_HEADERS: Final = frozenset({"question_template", "template", "question"})
TYPE_HEADERS: Final = frozenset({"question_type", "type"})

_WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RETRYABLE: Final = frozenset({"no_answer", "busy", "voicemail", "failed", "partial"})
_TRUE: Final = frozenset({"yes", "true", "1", "y"})
_FALSE: Final = frozenset({"no", "false", "0", "n"})


def is_timezone(name: str) -> bool:
    """Return whether ``name`` is an IANA time zone (``Europe/London``) this system knows."""
    if not name or name != name.strip() or ".." in name or name.startswith("/"):
        return False
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


def assemble(raw: RawJob) -> tuple[Job | None, list[Problem]]:
    """Build the job from ``raw``; return it with every problem found.

    The job is ``None`` only when a whole part (questions or receivers header) is
    unusable; otherwise it holds the receivers that were read without error.
    """
    problems: list[Problem] = []
    settings, job_id = _read_config(raw, problems)
    config = _build_config(settings)
    region = phones.region_for(config.phone_prefix, config.default_country)
    questions = _read_questions(raw.questions, problems)
    read = _read_receivers(raw.receivers, region, problems)
    if questions is None or read is None:
        return None, problems
    receivers, columns, header_at = read
    config = replace(
        config,
        locations=MappingProxyType(
            {**config.locations, **{f"column:{name}": at for name, at in header_at.items()}}
        ),
    )
    job = Job(
        id=job_id or raw.default_id,
        config=config,
        questions=tuple(questions),
        receivers=tuple(receivers),
        columns=tuple(columns),
        source=raw.source,
    )
    return job, problems


# ---------------------------------------------------------------- configuration


def _read_config(raw: RawJob, problems: list[Problem]) -> tuple[_Settings, str]:
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


def _build_config(settings: _Settings) -> JobConfig:
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


# ---------------------------------------------------------------- questions


def _header_index(table: Table, names: frozenset[str]) -> int | None:
    for index, cell in enumerate(table.header):
        if normalise_key(cell.text) in names:
            return index
    return None


def _read_questions(table: Table, problems: list[Problem]) -> list[Question] | None:
    if not table.header and not table.rows:
        return []  # no questions: the job is a message (greeting and ending)
    template_at = _header_index(table, TEMPLATE_HEADERS)
    type_at = _header_index(table, TYPE_HEADERS)
    if template_at is None or type_at is None:
        problems.append(
            error(
                table.location,
                "questions_header",
                "the questions need a header row with question_template and question_type columns",
            )
        )
        return None
    questions: list[Question] = []
    for row in table.rows:
        template, kind = row[template_at], row[type_at]
        if not template.text.strip() and not kind.text.strip():
            continue  # a blank row
        if not template.text.strip():
            problems.append(
                error(
                    template.location,
                    "empty_template",
                    "the question has a type but no text; write what the call should say",
                )
            )
            continue
        try:
            question_type = QuestionType.parse(kind.text) if kind.text.strip() else None
        except ValueError as exc:
            problems.append(error(kind.location, "unknown_question_type", str(exc)))
            continue
        if question_type is None:
            problems.append(
                error(
                    kind.location,
                    "missing_question_type",
                    "the question has no type; write one of: "
                    + ", ".join(member.value for member in QuestionType),
                )
            )
            continue
        questions.append(
            Question(
                number=len(questions) + 1,
                template=template.text,
                type=question_type,
                location=template.location,
            )
        )
    return questions


# ---------------------------------------------------------------- receivers


def _read_receivers(
    table: Table, region: str | None, problems: list[Problem]
) -> tuple[list[Receiver], list[str], dict[str, str]] | None:
    id_at = _header_index(table, ID_HEADERS)
    phone_at = _header_index(table, PHONE_HEADERS)
    if id_at is None or phone_at is None:
        problems.append(
            error(
                table.location,
                "receivers_header",
                "the receivers need a header row with id and phone_number columns",
            )
        )
        return None
    tz_at = _header_index(table, TIMEZONE_HEADERS)
    extras = _extra_columns(table, {id_at, phone_at, *([] if tz_at is None else [tz_at])}, problems)
    receivers: list[Receiver] = []
    ids: dict[str, str] = {}
    phones_seen: dict[str, str] = {}
    for row in table.rows:
        if all(not cell.text.strip() for cell in row):
            continue  # a blank row is not a receiver
        receiver = _read_receiver(
            row,
            id_at=id_at,
            phone_at=phone_at,
            tz_at=tz_at,
            extras=extras,
            region=region,
            problems=problems,
        )
        id_cell = row[id_at]
        if id_cell.text.strip() in ids:
            problems.append(
                error(
                    id_cell.location,
                    "duplicate_id",
                    f"receiver id {id_cell.text.strip()!r} is used again (first at "
                    f"{ids[id_cell.text.strip()]}); give every receiver its own id",
                )
            )
            continue
        if id_cell.text.strip():
            ids[id_cell.text.strip()] = id_cell.location
        if receiver is None:
            continue
        if receiver.phone in phones_seen:
            problems.append(
                warning(
                    row[phone_at].location,
                    "duplicate_phone",
                    f"the number {numbers.mask(receiver.phone)} is also receiver "
                    f"{phones_seen[receiver.phone]}'s; it will be called once per receiver "
                    "(the contact cap may stop the second call)",
                )
            )
        else:
            phones_seen[receiver.phone] = receiver.id
        receivers.append(receiver)
    if not receivers and not any(
        p.is_error and p.location.startswith(table.name) for p in problems
    ):
        problems.append(
            error(table.location, "no_receivers", "the job has no receivers; add at least one row")
        )
    header_at = {name: table.header[index].location for index, name in extras}
    return receivers, [name for _, name in extras], header_at


def _extra_columns(table: Table, known: set[int], problems: list[Problem]) -> list[tuple[int, str]]:
    extras: list[tuple[int, str]] = []
    names: dict[str, str] = {}
    for index, cell in enumerate(table.header):
        if index in known:
            continue
        name = cell.text.strip()
        if not name:
            if any(row[index].text.strip() for row in table.rows):
                problems.append(
                    error(
                        cell.location,
                        "missing_header",
                        "this column has values but no header; name it in this cell",
                    )
                )
            continue
        if name.casefold() in names:
            problems.append(
                error(
                    cell.location,
                    "duplicate_column",
                    f"column {name!r} appears twice (first at {names[name.casefold()]}); "
                    "rename one",
                )
            )
            continue
        names[name.casefold()] = cell.location
        extras.append((index, name))
    return extras


def _read_receiver(
    row: list[Cell],
    *,
    id_at: int,
    phone_at: int,
    tz_at: int | None,
    extras: list[tuple[int, str]],
    region: str | None,
    problems: list[Problem],
) -> Receiver | None:
    ok = True
    receiver_id = row[id_at].text.strip()
    if not receiver_id:
        problems.append(
            error(
                row[id_at].location,
                "missing_id",
                "the receiver has no id; give every receiver a unique id",
            )
        )
        ok = False
    phone, problem = phones.normalise(row[phone_at], region)
    if problem is not None:
        problems.append(problem)
        ok = False
    timezone = None
    if tz_at is not None and row[tz_at].text.strip():
        timezone = row[tz_at].text.strip()
        if not is_timezone(timezone):
            problems.append(
                error(
                    row[tz_at].location,
                    "invalid_timezone",
                    f"{timezone!r} is not an IANA time zone; write e.g. Europe/London or "
                    "leave it empty to use the number's zone",
                )
            )
            ok = False
    if not ok or phone is None:
        return None
    return Receiver(
        id=receiver_id,
        phone=phone,
        columns=MappingProxyType({name: row[index].text for index, name in extras}),
        timezone=timezone,
        location=row[id_at].location,
    )
