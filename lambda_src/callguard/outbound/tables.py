"""What every reader hands to the assembler: cells with their place, before any meaning.

A workbook, a CSV bundle, the JSON job format and the Callouts message differ only in
how they are read; once their content is :class:`RawJob` (text cells that know their
location), one assembler (:mod:`callguard.outbound.assemble`) turns it into the
model and reports problems, so the four ways in cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Cell:
    """One value as text, where it came from, and whether the source held a number.

    ``numeric`` matters for phone numbers: a spreadsheet number cell (or a JSON
    number) has lost any leading zero the person typed.
    """

    text: str
    location: str
    numeric: bool = False


@dataclass(slots=True)
class Table:
    """A header row and data rows of cells; every row has one cell per header cell."""

    name: str
    header: list[Cell] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    #: Where a missing table or an empty one is reported.
    location: str = ""


@dataclass(slots=True)
class RawJob:
    """A job as read: configuration pairs, a questions table and a receivers table."""

    source: str
    default_id: str
    config: list[tuple[Cell, Cell]] = field(default_factory=list)
    questions: Table = field(default_factory=lambda: Table("questions"))
    receivers: Table = field(default_factory=lambda: Table("receivers"))


def cell_text(value: object) -> tuple[str, bool]:  # noqa: PLR0911 - one return per type
    """Return (text, numeric) for a value read from a cell or JSON, without float artefacts.

    ``12345678.0`` -> ``"12345678"``; ``8.5212345678E10`` -> ``"85212345678"``; a
    float with a fraction keeps its shortest form; dates are ISO 8601, times ``HH:MM``
    (``HH:MM:SS`` when they have seconds); ``None`` is ``""``.
    """
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)), True
        return repr(value), True
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat(), False
        return value.isoformat(), False
    if isinstance(value, dt.date):
        return value.isoformat(), False
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M"), False
    return str(value), False
