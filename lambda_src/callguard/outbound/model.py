"""The call job: one typed model, whatever way it came in (workbook, CSV, JSON, Callouts message).

Every reader produces these objects and nothing else reads the input files, so the
rest of the engine (rendering, screening, dialling, reporting) depends only on this
module. All objects are frozen: a job is checked once and then shared between
threads and Lambda invocations without copies.

``to_dict``/``from_dict`` give the normalised JSON form that intake stores in S3 and
the state machine reads back; :data:`SCHEMA_VERSION` is written into it.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

#: Version of the normalised JSON form (and of the documented job JSON schema).
SCHEMA_VERSION: Final = 1


class QuestionType(enum.Enum):
    """What kind of answer a question expects (Callouts' six types plus a plain message)."""

    OK = "OK"
    YES_NO = "Yes/No"
    MULTIPLE_CHOICE = "Multiple Choice"
    NUMBER = "Number"
    DATE = "Date"
    TIME = "Time"
    MESSAGE = "Message"

    @classmethod
    def parse(cls, text: str) -> QuestionType:
        """Read the spellings users write: case, spaces, hyphens and slashes do not matter.

        ``"yes-no"``, ``"Yes / No"``, ``"YESNO"``, ``"multiple choice"``, ``"multiple-choice"``
        all work. Raises :class:`ValueError` naming the accepted types otherwise.
        """
        key = _TYPE_KEY_RE.sub("", text).casefold()
        try:
            return _TYPE_BY_KEY[key]
        except KeyError:
            accepted = ", ".join(member.value for member in cls)
            raise ValueError(f"unknown question type {text!r}; use one of: {accepted}") from None

    @property
    def expects_answer(self) -> bool:
        """False only for a message, which is spoken and not answered."""
        return self is not QuestionType.MESSAGE


_TYPE_KEY_RE: Final = re.compile(r"[\s/_\-]+")
_TYPE_BY_KEY: Final = {
    **{_TYPE_KEY_RE.sub("", member.value).casefold(): member for member in QuestionType},
    "yn": QuestionType.YES_NO,
    "choice": QuestionType.MULTIPLE_CHOICE,
    "mc": QuestionType.MULTIPLE_CHOICE,
    "none": QuestionType.MESSAGE,
}


@dataclass(frozen=True, slots=True)
class Question:
    """One question, asked in order. ``number`` is 1-based; ``location`` names its cell or path."""

    number: int
    template: str
    type: QuestionType
    location: str = ""

    @property
    def header(self) -> str:
        """The report column header for this question's answer: ``Q1 (Yes/No)``."""
        return f"Q{self.number} ({self.type.value})"


class Columns(Mapping[str, str]):
    """A receiver's extra columns, read-only: the job's column names, the row's values.

    Every receiver of a job has the same names, so they share one name-to-position
    table and each keeps only a tuple of its values: a dict per receiver would
    repeat the names' hash table 10,000 times in a large job.
    """

    __slots__ = ("_positions", "_values")

    def __init__(self, positions: Mapping[str, int], values: tuple[str, ...]) -> None:
        self._positions = positions
        self._values = values

    @staticmethod
    def positions_of(names: tuple[str, ...]) -> Mapping[str, int]:
        """Return the name-to-position table that the :class:`Columns` of one job share."""
        return MappingProxyType({name: index for index, name in enumerate(names)})

    def __getitem__(self, name: str) -> str:
        return self._values[self._positions[name]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)

    def __repr__(self) -> str:
        return f"Columns({dict(self)!r})"


@dataclass(frozen=True, slots=True)
class Receiver:
    """One person to call.

    ``phone`` is E.164. ``columns`` holds every other column of the receiver's row
    (all but id, phone number and timezone), in the order given, as text (a blank
    cell is ``""``, never a missing key): they are template variables and report
    columns. ``timezone`` is the IANA zone from a ``timezone`` column, when the job
    has one. ``location`` names the row
    (``receivers!A7`` or ``$.receivers[6]``) for messages.
    """

    id: str
    phone: str
    columns: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    timezone: str | None = None
    location: str = ""


@dataclass(frozen=True, slots=True)
class CallingWindow:
    """When receivers may be called, in *their* local time.

    ``weekdays`` uses ``datetime.weekday()`` numbers (Monday = 0). ``end`` is exclusive.
    ``default_timezone`` is used when a receiver's zone cannot be known. ``deadline``
    (UTC, optional) is when the job stops trying: receivers not reached by then end
    as ``outside_hours``.
    """

    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(20, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays: frozenset[dt.date] = frozenset()
    default_timezone: str = "UTC"
    deadline: dt.datetime | None = None
    wait_for_window: bool = True


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often a receiver is tried: ``max_attempts`` in all, ``delay`` apart, for these."""

    max_attempts: int = 3
    delay: dt.timedelta = dt.timedelta(minutes=30)
    retry_on: frozenset[str] = frozenset({"no_answer", "busy"})


@dataclass(frozen=True, slots=True)
class ContactCap:
    """At most ``max_calls`` calls to one number per ``period``, across every job."""

    max_calls: int = 1
    period: dt.timedelta = dt.timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class JobConfig:
    """The job's settings (the workbook's configuration sheet).

    ``greeting`` and ``ending`` are templates like the questions. ``default_country``
    (ISO 3166 alpha-2) or ``phone_prefix`` (``+852``) turn national numbers into E.164;
    at most one is set. ``source_phone_number`` is the caller id (E.164) the call shows.
    """

    greeting: str = ""
    ending: str = ""
    phone_prefix: str | None = None
    default_country: str | None = None
    source_phone_number: str | None = None
    language: str = "en-US"
    voice: str = "Joanna"
    opt_out_text: str = "To stop receiving these calls, say stop or press 9 at any time."
    window: CallingWindow = field(default_factory=CallingWindow)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    cap: ContactCap = field(default_factory=ContactCap)
    #: Where each setting was read (``greeting`` -> ``configuration!B2``) and each extra
    #: receiver column's header (``column:username`` -> ``receivers!C1``), for messages.
    locations: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class Job:
    """A whole call job: id, configuration, ordered questions and receivers.

    ``columns`` lists the receivers' extra column names in their input order (the
    report keeps that order). ``source`` says which way it came in
    (``xlsx``, ``csv``, ``json``, ``callouts``).
    """

    id: str
    config: JobConfig
    questions: tuple[Question, ...]
    receivers: tuple[Receiver, ...]
    columns: tuple[str, ...] = ()
    source: str = "json"


def to_dict(job: Job) -> dict[str, Any]:
    """Return the normalised JSON-ready form of ``job`` (what intake stores, the engine reads)."""
    config = job.config
    window = config.window
    return {
        "schema_version": SCHEMA_VERSION,
        "id": job.id,
        "source": job.source,
        "config": {
            "greeting": config.greeting,
            "ending": config.ending,
            "phone_prefix": config.phone_prefix,
            "default_country": config.default_country,
            "source_phone_number": config.source_phone_number,
            "language": config.language,
            "voice": config.voice,
            "opt_out_text": config.opt_out_text,
            "window": {
                "start": window.start.strftime("%H:%M"),
                "end": window.end.strftime("%H:%M"),
                "weekdays": sorted(window.weekdays),
                "holidays": sorted(day.isoformat() for day in window.holidays),
                "default_timezone": window.default_timezone,
                "deadline": window.deadline.isoformat() if window.deadline else None,
                "wait_for_window": window.wait_for_window,
            },
            "retry": {
                "max_attempts": config.retry.max_attempts,
                "delay_seconds": int(config.retry.delay.total_seconds()),
                "retry_on": sorted(config.retry.retry_on),
            },
            "cap": {
                "max_calls": config.cap.max_calls,
                "period_seconds": int(config.cap.period.total_seconds()),
            },
        },
        "questions": [
            {"number": q.number, "template": q.template, "type": q.type.value}
            for q in job.questions
        ],
        "columns": list(job.columns),
        "receivers": [receiver_to_dict(r) for r in job.receivers],
    }


def receiver_to_dict(receiver: Receiver) -> dict[str, Any]:
    """One receiver's JSON form (one item of the receivers file the state machine maps over)."""
    return {
        "id": receiver.id,
        "phone": receiver.phone,
        "columns": dict(receiver.columns),
        "timezone": receiver.timezone,
    }


def receiver_from_dict(data: Mapping[str, Any]) -> Receiver:
    """Inverse of :func:`receiver_to_dict` (trusted input: written by :func:`to_dict`)."""
    return Receiver(
        id=str(data["id"]),
        phone=str(data["phone"]),
        columns=MappingProxyType(
            {str(k): str(v) for k, v in dict(data.get("columns", {})).items()}
        ),
        timezone=data.get("timezone"),
    )


def from_dict(data: Mapping[str, Any]) -> Job:
    """Inverse of :func:`to_dict`, for the normalised form written by this module.

    User input never comes through here: it goes through the readers and the
    validator, which report every problem with its place.
    """
    if data.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(
            f"normalised job schema_version {data.get('schema_version')!r} is not {SCHEMA_VERSION}"
        )
    cfg = data["config"]
    win = cfg["window"]
    window = CallingWindow(
        start=dt.time.fromisoformat(win["start"]),
        end=dt.time.fromisoformat(win["end"]),
        weekdays=frozenset(int(d) for d in win["weekdays"]),
        holidays=frozenset(dt.date.fromisoformat(d) for d in win["holidays"]),
        default_timezone=win["default_timezone"],
        deadline=dt.datetime.fromisoformat(win["deadline"]) if win.get("deadline") else None,
        wait_for_window=bool(win.get("wait_for_window", True)),
    )
    config = JobConfig(
        greeting=cfg["greeting"],
        ending=cfg["ending"],
        phone_prefix=cfg.get("phone_prefix"),
        default_country=cfg.get("default_country"),
        source_phone_number=cfg.get("source_phone_number"),
        language=cfg["language"],
        voice=cfg["voice"],
        opt_out_text=cfg["opt_out_text"],
        window=window,
        retry=RetryPolicy(
            max_attempts=int(cfg["retry"]["max_attempts"]),
            delay=dt.timedelta(seconds=int(cfg["retry"]["delay_seconds"])),
            retry_on=frozenset(cfg["retry"]["retry_on"]),
        ),
        cap=ContactCap(
            max_calls=int(cfg["cap"]["max_calls"]),
            period=dt.timedelta(seconds=int(cfg["cap"]["period_seconds"])),
        ),
    )
    questions = tuple(
        Question(number=int(q["number"]), template=q["template"], type=QuestionType(q["type"]))
        for q in data["questions"]
    )
    return Job(
        id=str(data["id"]),
        config=config,
        questions=questions,
        receivers=tuple(receiver_from_dict(r) for r in data["receivers"]),
        columns=tuple(data.get("columns", ())),
        source=str(data.get("source", "json")),
    )
