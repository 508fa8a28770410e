"""Read a CSV bundle: ``configuration.csv``, ``questions.csv`` and ``receivers.csv``.

The bundle is a directory or a zip holding the three files (names matched
case-insensitively; ``configures.csv`` also works). Each file is UTF-8 (a byte-order
mark from Excel is fine); locations are spreadsheet-style (``receivers!B7``), so a
message points at the same cell in whatever program made the CSV. CSV cells are
text: a number a spreadsheet exported as ``12345678.0`` or ``8.5212345678E10`` is
recognised by :mod:`callguard.outbound.phones`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from callguard.outbound.limits import Limits
from callguard.outbound.problems import Problem, UnreadableJobError, error
from callguard.outbound.tables import (
    SHEET_NAMES,
    Cell,
    RawJob,
    Table,
    build_table,
    checked,
    grid_location,
    pairs,
)
from callguard.outbound.zipcheck import open_checked

CSV_NAMES: Final = {role: tuple(f"{n}.csv" for n in names) for role, names in SHEET_NAMES.items()}


def read_csv_bundle(path: Path, limits: Limits) -> tuple[RawJob, list[Problem]]:  # noqa: PLR0912
    """Read a directory or zip of the three CSV files."""
    texts: dict[str, bytes] = {}
    if path.is_dir():
        files = {p.name.casefold(): p for p in path.iterdir() if p.is_file()}
        for role, names in CSV_NAMES.items():
            match = next((files[n] for n in names if n in files), None)
            if match is not None:
                if match.stat().st_size > limits.max_file_bytes:
                    raise UnreadableJobError(
                        error(match.name, "file_too_large", "the CSV file is over the size limit")
                    )
                texts[role] = match.read_bytes()
    else:
        with open_checked(path, limits, "CSV bundle") as archive:
            members = {Path(i.filename).name.casefold(): i for i in archive.infolist()}
            for role, names in CSV_NAMES.items():
                info = next((members[n] for n in names if n in members), None)
                if info is not None:
                    texts[role] = _read_member(archive, info)
    for role, names in CSV_NAMES.items():
        if role not in texts:
            raise UnreadableJobError(
                error(
                    path.name,
                    "file_missing_sheet",
                    f"the CSV bundle has no {names[0]}; it needs configuration.csv, "
                    "questions.csv and receivers.csv",
                )
            )
    problems: list[Problem] = []
    raw = RawJob(source="csv", default_id=path.stem)
    for role, data in texts.items():
        table = _table(role, data, limits, problems, keyed=role == "configuration")
        if role == "configuration":
            raw.config = pairs(table)
        elif role == "questions":
            raw.questions = table
        else:
            raw.receivers = table
    return raw, problems


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with archive.open(info) as source:
        return source.read(info.file_size + 1)[: info.file_size]


def _table(
    role: str, data: bytes, limits: Limits, problems: list[Problem], *, keyed: bool
) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableJobError(
            error(
                f"{role}.csv",
                "file_encoding",
                f"{role}.csv is not UTF-8 (byte {exc.start}); save it as CSV UTF-8",
            )
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    table = Table(name=role, location=role)
    try:
        build_table(
            role,
            _numbered(role, reader, limits, problems),
            limits,
            problems,
            keyed=keyed,
            what=f"{role}.csv",
            into=table,
        )
    except csv.Error as exc:
        if "field limit" in str(exc):  # the csv module's own cap (128 KiB) on one field
            problems.append(
                error(
                    grid_location(role, reader.line_num, 1),
                    "cell_too_long",
                    f"a cell in row {reader.line_num} of {role}.csv is over "
                    f"{csv.field_size_limit():,} characters; shorten it (rows after it "
                    "were not read)",
                )
            )
            return table
        raise UnreadableJobError(
            error(f"{role}.csv", "file_format", f"{role}.csv is not valid CSV ({exc})")
        ) from None
    return table


def _numbered(
    role: str, reader: Iterator[list[str]], limits: Limits, problems: list[Problem]
) -> Iterator[tuple[int, list[Cell]]]:
    """Yield (row number, cells) of a CSV file, reporting rows too wide and cells too long."""
    for number, row in enumerate(reader, start=1):
        if len(row) > limits.max_columns:
            problems.append(
                error(
                    grid_location(role, number, 1),
                    "too_many_columns",
                    f"{role}.csv row {number} has more than {limits.max_columns} columns",
                )
            )
            row = row[: limits.max_columns]  # noqa: PLW2901 - the row, cut to the limit
        cells = []
        for column, value in enumerate(row, start=1):
            cells.append(checked(Cell(value, role, row=number, column=column), limits, problems))
        yield number, cells
