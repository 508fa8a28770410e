"""Call results: statuses, one record per receiver and attempt, normalised answers, JSON Lines.

An *attempt* is one try at a receiver: a call placed (answered or not), or a
decision not to place one (the number is on the do-not-call list, the deadline
passed, the job was cancelled). A receiver's result is its attempts in order; its
final status is the last attempt's.

Result records are JSON Lines, one attempt per line, so a running job appends and
never rewrites, and the same lines are what the results table holds (one item per
receiver and attempt). The format (version :data:`RECORD_VERSION`)::

    {"version": 1, "job_id": "reminders-2026-12", "receiver_id": "s-001",
     "attempt": 1, "status": "completed",
     "started_at": "2026-12-03T10:15:02Z", "ended_at": "2026-12-03T10:16:40Z",
     "contact_id": "6f1c...", "error_type": null, "source": null,
     "answers": {"1": "yes", "2": "2026-12-24", "3": "14:30", "4": 3}}

``answers`` is keyed by question number (as text, JSON keys are text) and holds
the normalised values of :func:`normalise_answer`. ``error_type`` is the API
error's type for ``failed``; ``source`` is the deny-list entry's source for
``do_not_call``. Times are ISO 8601 UTC. Unknown keys are an error, so a record
written by a newer version is refused rather than half read.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import IO, Any, Final

from callguard.outbound.model import QuestionType

#: Version of the result record format.
RECORD_VERSION: Final = 1


class CallStatus(enum.StrEnum):
    """How one attempt at a receiver ended (and, for the last attempt, the receiver)."""

    #: Every question was answered.
    COMPLETED = "completed"
    #: The person hung up part-way; the answers given so far are kept.
    PARTIAL = "partial"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    VOICEMAIL = "voicemail"
    #: The call could not be placed; ``error_type`` names the API error.
    FAILED = "failed"
    #: The number is blocked on the deny list; never dialled.
    DO_NOT_CALL = "do_not_call"
    #: Not reached inside the calling window before the job's deadline.
    OUTSIDE_HOURS = "outside_hours"
    #: The person asked not to be called again during the call.
    OPTED_OUT = "opted_out"
    #: The job was cancelled before this receiver was reached.
    CANCELLED = "cancelled"


#: Statuses that record a decision not to dial, not a call: not counted as dial attempts.
NOT_DIALLED: Final = frozenset(
    {CallStatus.DO_NOT_CALL, CallStatus.CANCELLED, CallStatus.OUTSIDE_HOURS}
)
#: Statuses only screening gives (the receiver was never dialled).
SCREENED_OUT: Final = frozenset({CallStatus.DO_NOT_CALL, CallStatus.OUTSIDE_HOURS})
#: Statuses a placed call can end in: what a task token may be resolved with.
CALL_STATUSES: Final = frozenset(CallStatus) - SCREENED_OUT

#: A normalised answer: ``yes``/``no``/``ok``, ``A``-``E``, ISO date, ``HH:MM``, or a number.
Answer = str | int | float


class ResultFormatError(ValueError):
    """A result record or answer is not in the documented form; the message says where."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try at one receiver (see the module docstring for the record format)."""

    number: int
    status: CallStatus
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    contact_id: str | None = None
    error_type: str | None = None
    source: str | None = None
    answers: Mapping[int, Answer] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def dialled(self) -> bool:
        """True when this attempt placed (or tried to place) a call."""
        return self.status not in NOT_DIALLED


@dataclass(frozen=True, slots=True)
class ReceiverResult:
    """Every attempt at one receiver, in attempt order (at least one)."""

    job_id: str
    receiver_id: str
    attempts: tuple[Attempt, ...]

    def __post_init__(self) -> None:
        if not self.attempts:
            raise ValueError(f"result of receiver {self.receiver_id!r} has no attempts")

    @property
    def final(self) -> Attempt:
        """The last attempt: its status is the receiver's."""
        return self.attempts[-1]

    @property
    def status(self) -> CallStatus:
        """The receiver's final status (the last attempt's)."""
        return self.final.status

    @property
    def dial_attempts(self) -> int:
        """How many attempts placed or tried to place a call."""
        return sum(1 for a in self.attempts if a.dialled)

    @property
    def answers(self) -> Mapping[int, Answer]:
        """The answers of the latest attempt that has any (a hang-up keeps earlier ones)."""
        for attempt in reversed(self.attempts):
            if attempt.answers:
                return attempt.answers
        return MappingProxyType({})

    @property
    def last_call(self) -> Attempt | None:
        """The latest attempt that placed a call, if any."""
        for attempt in reversed(self.attempts):
            if attempt.dialled:
                return attempt
        return None


# ------------------------------------------------------------------ answers
_YES: Final = frozenset({"yes", "y", "true", "yeah", "yep"})
_NO: Final = frozenset({"no", "n", "false", "nope"})
_OK: Final = frozenset({"ok", "okay", "o.k.", "yes", "y", "true"})
_CHOICES: Final = frozenset("ABCDE")
_TIME_RE: Final = re.compile(r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?")


def normalise_answer(kind: QuestionType, value: object) -> Answer:
    """Return ``value`` in the report's form for a question of ``kind``.

    Yes/No → ``yes``/``no``; OK → ``ok``; Multiple Choice → one of ``A``-``E``;
    Number → ``int`` when whole, else ``float``; Date → ``YYYY-MM-DD``; Time →
    ``HH:MM`` (24 h). Text is matched without regard to case and surrounding
    space. Raises :class:`ResultFormatError` saying what was expected; a message
    (no question) takes no answer.
    """
    if kind is QuestionType.MESSAGE:
        raise ResultFormatError("a message takes no answer")
    if kind is QuestionType.NUMBER:
        return _number(value)
    if isinstance(value, dt.datetime):
        value = value.date() if kind is QuestionType.DATE else value.time()
    if kind is QuestionType.DATE and isinstance(value, dt.date):
        return value.isoformat()
    if kind is QuestionType.TIME and isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, bool) and kind in {QuestionType.YES_NO, QuestionType.OK}:
        value = "yes" if value else "no"
    if not isinstance(value, str):
        raise ResultFormatError(f"a {kind.value} answer must be text, not {type(value).__name__}")
    return _text_answer(kind, value.strip())


def _text_answer(kind: QuestionType, text: str) -> str:
    if kind is QuestionType.YES_NO:
        return _yes_no(text)
    if kind is QuestionType.OK:
        if text.casefold() in _OK:
            return "ok"
        raise ResultFormatError(f"an OK answer must be ok, not {text!r}")
    if kind is QuestionType.MULTIPLE_CHOICE:
        choice = text.upper()
        if choice in _CHOICES:
            return choice
        raise ResultFormatError(f"a Multiple Choice answer must be one of A-E, not {text!r}")
    if kind is QuestionType.DATE:
        return _date(text)
    return _time(text)


def _yes_no(text: str) -> str:
    lowered = text.casefold()
    if lowered in _YES:
        return "yes"
    if lowered in _NO:
        return "no"
    raise ResultFormatError(f"a Yes/No answer must be yes or no, not {text!r}")


def _number(value: object) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ResultFormatError(f"a Number answer must be a number, not {value!r}")
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except ValueError:
        raise ResultFormatError(f"a Number answer must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise ResultFormatError(f"a Number answer must be finite, not {value!r}")
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return int(value)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text[:10] if "T" in text else text).isoformat()
    except ValueError:
        raise ResultFormatError(
            f"a Date answer must be a date such as 2026-12-24, not {text!r}"
        ) from None


def _time(text: str) -> str:
    match = _TIME_RE.fullmatch(text)
    if match:
        hour, minute = int(match["h"]), int(match["m"])
        if hour < 24 and minute < 60:
            return f"{hour:02d}:{minute:02d}"
    raise ResultFormatError(f"a Time answer must be a time such as 14:30, not {text!r}")


# ------------------------------------------------------------------ records
_KEYS: Final = frozenset(
    {
        "version",
        "job_id",
        "receiver_id",
        "attempt",
        "status",
        "started_at",
        "ended_at",
        "contact_id",
        "error_type",
        "source",
        "answers",
    }
)


def _time_text(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def attempt_record(job_id: str, receiver_id: str, attempt: Attempt) -> dict[str, Any]:
    """Return the JSON-ready record of one attempt (one line of the results file)."""
    return {
        "version": RECORD_VERSION,
        "job_id": job_id,
        "receiver_id": receiver_id,
        "attempt": attempt.number,
        "status": attempt.status.value,
        "started_at": _time_text(attempt.started_at),
        "ended_at": _time_text(attempt.ended_at),
        "contact_id": attempt.contact_id,
        "error_type": attempt.error_type,
        "source": attempt.source,
        "answers": {str(number): value for number, value in sorted(attempt.answers.items())},
    }


def write_jsonl(results: Iterable[ReceiverResult], out: IO[str]) -> int:
    """Write every attempt of ``results`` as JSON Lines; return the number of lines."""
    lines = 0
    for result in results:
        for attempt in result.attempts:
            record = attempt_record(result.job_id, result.receiver_id, attempt)
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
            lines += 1
    return lines


@dataclass(frozen=True, slots=True)
class AttemptLine:
    """One parsed result record: which job and receiver it is about, and the attempt."""

    job_id: str
    receiver_id: str
    attempt: Attempt


def parse_record(data: object) -> AttemptLine:
    """Read one record written by :func:`attempt_record`; raise :class:`ResultFormatError`."""
    if not isinstance(data, dict):
        raise ResultFormatError("a result record must be a JSON object")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ResultFormatError(f"unknown key(s) {', '.join(map(repr, unknown))}")
    if data.get("version") != RECORD_VERSION:
        raise ResultFormatError(
            f"version is {data.get('version')!r}; this reader knows version {RECORD_VERSION}"
        )
    job_id = _text(data, "job_id")
    receiver_id = _text(data, "receiver_id")
    number = data.get("attempt")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ResultFormatError("attempt must be a whole number from 1")
    try:
        status = CallStatus(str(data.get("status")))
    except ValueError:
        known = ", ".join(s.value for s in CallStatus)
        raise ResultFormatError(f"status {data.get('status')!r} is not one of {known}") from None
    attempt = Attempt(
        number=number,
        status=status,
        started_at=_when(data, "started_at"),
        ended_at=_when(data, "ended_at"),
        contact_id=_optional_text(data, "contact_id"),
        error_type=_optional_text(data, "error_type"),
        source=_optional_text(data, "source"),
        answers=MappingProxyType(_answers(data.get("answers", {}))),
    )
    return AttemptLine(job_id, receiver_id, attempt)


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ResultFormatError(f"{key} must be non-empty text")
    return value


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ResultFormatError(f"{key} must be text or null")
    return value


def _when(data: Mapping[str, Any], key: str) -> dt.datetime | None:
    value = _optional_text(data, key)
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ResultFormatError(f"{key} {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ResultFormatError(f"{key} {value!r} has no UTC offset (write ...Z)")
    return moment.astimezone(dt.UTC)


def _answers(value: object) -> dict[int, Answer]:
    if not isinstance(value, dict):
        raise ResultFormatError("answers must be an object keyed by question number")
    answers: dict[int, Answer] = {}
    for key, answer in value.items():
        if not (isinstance(key, str) and key.isdigit() and int(key) >= 1):
            raise ResultFormatError(f"answers key {key!r} is not a question number")
        if isinstance(answer, bool) or not isinstance(answer, str | int | float):
            raise ResultFormatError(f"answer to question {key} must be text or a number")
        answers[int(key)] = answer
    return answers


@dataclass
class ResultsFile:
    """Every receiver's result read from a results file, and the problems found in it.

    ``results`` is keyed by job id and receiver id. ``problems`` holds one message
    per bad line (``results line 7: ...``); a file with problems must not be
    reported as if complete.
    """

    results: dict[tuple[str, str], ReceiverResult] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def job_ids(self) -> set[str]:
        """The jobs the records are about."""
        return {job_id for job_id, _ in self.results}

    def for_job(self, job_id: str) -> dict[str, ReceiverResult]:
        """Return ``receiver id -> result`` for one job."""
        return {rid: result for (jid, rid), result in self.results.items() if jid == job_id}


def read_jsonl(lines: Iterable[str], *, name: str = "results") -> ResultsFile:
    """Read JSON Lines result records into per-receiver results, collecting every problem.

    Blank lines are skipped. A line repeated exactly (a re-delivered record) counts
    once; two different records for the same receiver and attempt are a problem,
    as are unparsable lines. Attempts are ordered by number.
    """
    out = ResultsFile()
    seen: dict[tuple[str, str, int], tuple[int, AttemptLine]] = {}
    for index, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            parsed = parse_record(json.loads(line))
        except json.JSONDecodeError as error:
            out.problems.append(f"{name} line {index}: not JSON ({error.msg})")
            continue
        except ResultFormatError as error:
            out.problems.append(f"{name} line {index}: {error}")
            continue
        key = (parsed.job_id, parsed.receiver_id, parsed.attempt.number)
        earlier = seen.get(key)
        if earlier is not None:
            if earlier[1] != parsed:
                out.problems.append(
                    f"{name} line {index}: receiver {parsed.receiver_id!r} attempt "
                    f"{parsed.attempt.number} differs from line {earlier[0]}"
                )
            continue
        seen[key] = (index, parsed)
    grouped: dict[tuple[str, str], list[Attempt]] = {}
    for (job_id, receiver_id, _), (_, parsed) in seen.items():
        grouped.setdefault((job_id, receiver_id), []).append(parsed.attempt)
    for (job_id, receiver_id), attempts in grouped.items():
        ordered = tuple(sorted(attempts, key=lambda a: a.number))
        out.results[job_id, receiver_id] = ReceiverResult(job_id, receiver_id, ordered)
    return out
