"""What every reader hands to the assembler: cells with their place, before any meaning.

A workbook, a CSV bundle, the JSON job format and the Callouts message differ only in
how they are read; once their content is :class:`RawJob` (text cells that know their
location), one assembler (:mod:`callguard.outbound.assemble`) turns it into the
model and reports problems, so the four ways in cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Final

from callguard.outbound.limits import Limits
from callguard.outbound.problems import Problem, error

#: Accepted sheet names (case-insensitive): the Callouts blog's and its sample workbook's.
#: A CSV bundle's files are these names with ``.csv``.
SHEET_NAMES: Final = {
    "configuration": ("configuration", "configures", "configure", "config"),
    "questions": ("questions",),
    "receivers": ("receivers",),
}


@dataclass(frozen=True, slots=True)
class Cell:
    """One value as text, where it came from, and whether the source held a number.

    ``numeric`` matters for phone numbers: a spreadsheet number cell (or a JSON
    number) has lost any leading zero the person typed.

    A cell of a sheet or a CSV file keeps its sheet, ``row`` and ``column`` (both
    1-based) and spells its location (``receivers!B7``) only when asked: a
    10,000-row job would otherwise hold 40,000 location strings that only a problem
    ever reads. Any other cell (a JSON value) has ``place`` as its whole location.
    """

    text: str
    place: str
    numeric: bool = False
    row: int = 0
    column: int = 0

    @property
    def location(self) -> str:
        """Where the value is: ``receivers!B7``, or a JSON path such as ``$.receivers[6].phone``."""
        if not self.row:
            return self.place
        return grid_location(self.place, self.row, self.column)


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


def column_letter(index: int) -> str:
    """Spreadsheet column letters of a 1-based column number: ``1`` -> ``A``, ``28`` -> ``AB``."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def grid_location(sheet: str, row: int, column: int) -> str:
    """Spell a place in a sheet or CSV file as people read it: ``receivers!B7`` (1-based)."""
    return f"{sheet}!{column_letter(column)}{row}"


def checked(cell: Cell, limits: Limits, problems: list[Problem]) -> Cell:
    """Return ``cell``, or a blank copy with a problem when it is over the cell size limit."""
    if len(cell.text) <= limits.max_cell_chars:
        return cell
    problems.append(
        error(
            cell.location,
            "cell_too_long",
            f"the value holds {len(cell.text):,} characters, over the limit of "
            f"{limits.max_cell_chars:,}; shorten it",
        )
    )
    return replace(cell, text="")


def build_table(
    name: str,
    rows: Iterable[tuple[int, list[Cell]]],
    limits: Limits,
    problems: list[Problem],
    *,
    keyed: bool,
    what: str,
    into: Table | None = None,
) -> Table:
    """Turn numbered rows of cells into a :class:`Table`: what every reader shares.

    The first non-blank row is the header (``keyed`` tables, the configuration, have
    none and two columns); every data row gets one cell per header cell, blanks
    where the row is short; a value right of the header is an error; more than
    ``limits.max_rows`` rows stop the read with an error. ``what`` names the source
    in messages (``the receivers sheet``, ``receivers.csv``). Rows go into ``into``
    when given, so a reader that fails part-way keeps the rows read before.
    """
    table = into if into is not None else Table(name=name, location=name)
    width = 2 if keyed else 0
    for number, cells in rows:
        if number - 1 > limits.max_rows:
            problems.append(
                error(
                    grid_location(name, number, 1),
                    "too_many_rows",
                    f"{what} has more than {limits.max_rows:,} rows; split the job into "
                    "several files",
                )
            )
            break
        if not keyed and not table.header:
            if not any(c.text.strip() for c in cells):
                continue
            while cells and not cells[-1].text.strip():
                cells.pop()
            table.header, width = cells, len(cells)
            continue
        extra = next((c for c in cells[width:] if c.text.strip()), None)
        if extra is not None:
            problems.append(
                error(
                    extra.location,
                    "missing_header",
                    "this value is in a column without a header; name the column in the "
                    "header row or move the value",
                )
            )
        del cells[width:]
        cells.extend(Cell("", name, row=number, column=i + 1) for i in range(len(cells), width))
        table.rows.append(cells)
    return table


def pairs(table: Table) -> list[tuple[Cell, Cell]]:
    """Two-column configuration rows as (key, value); a ``Key | Value`` header is skipped."""
    found: list[tuple[Cell, Cell]] = []
    for row in table.rows:
        key, value = row[0], row[1]
        if not key.text.strip() and not value.text.strip():
            continue
        if not found and key.text.strip().casefold() == "key":
            continue
        found.append((key, value))
    return found
