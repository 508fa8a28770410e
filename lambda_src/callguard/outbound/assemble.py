"""Turn a :class:`~callguard.outbound.tables.RawJob` into the model, reporting every problem.

The one place that knows the configuration keys, the question and receiver columns
and what each value may be. Problems are collected, never raised: one pass reports
everything wrong with a file. Receivers with an error are left out of the returned
job, and the problems make it invalid, so nothing is called.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Final

from callguard import numbers
from callguard.outbound import phones
from callguard.outbound.job_config import (
    CONFIG_KEYS,
    build_config,
    is_timezone,
    normalise_key,
    read_config,
)
from callguard.outbound.model import Columns, Job, Question, QuestionType, Receiver
from callguard.outbound.problems import Problem, error, warning
from callguard.outbound.tables import Cell, RawJob, Table

__all__ = ["CONFIG_KEYS", "assemble", "is_timezone", "normalise_key"]

#: Receiver columns with a meaning; every other column is an extra column.
ID_HEADERS: Final = frozenset({"id", "receiver_id"})
PHONE_HEADERS: Final = frozenset({"phone_number", "phone", "number"})
TIMEZONE_HEADERS: Final = frozenset({"timezone", "time_zone"})
TEMPLATE_HEADERS: Final = frozenset({"question_template", "template", "question"})
TYPE_HEADERS: Final = frozenset({"question_type", "type"})


def assemble(raw: RawJob) -> tuple[Job | None, list[Problem]]:
    """Build the job from ``raw``; return it with every problem found.

    The job is ``None`` only when a whole part (questions or receivers header) is
    unusable; otherwise it holds the receivers that were read without error.
    The receivers' rows are consumed as they are read (``raw.receivers.rows`` is
    empty afterwards), so a large job is never held twice in memory.
    """
    problems: list[Problem] = []
    settings, job_id = read_config(raw, problems)
    config = build_config(settings)
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
    positions = Columns.positions_of(tuple(name for _, name in extras))
    for row in _drain(table.rows):
        if all(not cell.text.strip() for cell in row):
            continue  # a blank row is not a receiver
        receiver = _read_receiver(
            row,
            id_at=id_at,
            phone_at=phone_at,
            tz_at=tz_at,
            extras=extras,
            positions=positions,
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


def _drain(rows: list[list[Cell]]) -> Iterator[list[Cell]]:
    """Yield each row and let go of it, so the raw rows shrink as the receivers grow."""
    for index, row in enumerate(rows):
        rows[index] = []
        yield row
    rows.clear()


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
    positions: Mapping[str, int],
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
        columns=Columns(positions, tuple(row[index].text for index, _name in extras)),
        timezone=timezone,
        location=row[id_at].location,
    )
