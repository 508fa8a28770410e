"""Read a job workbook (``.xlsx``) safely into a :class:`~callguard.outbound.tables.RawJob`.

Safety first, in this order, before a byte of a sheet is read:

1. the file is a zip within the size, member-count and unpacked-size limits
   (:mod:`callguard.outbound.zipcheck`: zip bombs);
2. it holds no macros (``vbaProject.bin``, a macro-enabled content type);
3. every XML part is parsed by expat with any DTD or entity declaration refused
   (the XML entity attacks), in :mod:`callguard.outbound.xlsx_parts`.

Then each of the three sheets is streamed once: a formula cell is refused naming
the cell, never evaluated or read from a cached value; merged cells and hidden
rows, columns and sheets are refused too: what a person cannot see in the
workbook must not be called. Rows, columns and cell sizes are capped
(:class:`~callguard.outbound.limits.Limits`).
"""

from __future__ import annotations

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
    build_table,
    cell_text,
    checked,
    column_letter,
    grid_location,
    pairs,
)
from callguard.outbound.xlsx_parts import Formula, Layout, XmlRefusedError, iter_rows, read_book
from callguard.outbound.zipcheck import open_checked

__all__ = ["SHEET_NAMES", "read_xlsx"]

_MACRO_TYPES: Final = (b"macroEnabled", b"vbaProject")


def read_xlsx(path: Path, limits: Limits) -> tuple[RawJob, list[Problem]]:
    """Read ``path``; raise :class:`UnreadableJobError` for a file that is not a safe workbook."""
    with open_checked(path, limits, "workbook") as archive:
        _refuse_macros(archive, path.name)
        problems: list[Problem] = []
        raw = RawJob(source="xlsx", default_id=path.stem)
        try:
            book = read_book(archive)
            sheets = _match_sheets([s.title for s in book.sheets], problems, path.name)
            for role, title in sheets.items():
                entry = next(s for s in book.sheets if s.title == title)
                if entry.state != "visible":
                    problems.append(
                        error(
                            title,
                            "hidden_sheet",
                            f"the {title} sheet is hidden; unhide it (right-click the sheet "
                            "tabs, Unhide) so what is called is what you see",
                        )
                    )
                if entry.part not in archive.NameToInfo:
                    raise KeyError(entry.part)
                layout = Layout()
                mark = len(problems)
                values = iter_rows(archive, entry.part, book, layout, limits.max_rows)
                table = build_table(
                    title,
                    _cell_rows(values, title, limits, problems),
                    limits,
                    problems,
                    keyed=role == "configuration",
                    what=f"the {title} sheet",
                )
                for _ in values:  # the rest of the sheet: merged cells are noted at its end
                    pass
                problems[mark:mark] = _layout_problems(layout, title)
                if role == "configuration":
                    raw.config = pairs(table)
                elif role == "questions":
                    raw.questions = table
                else:
                    raw.receivers = table
        except XmlRefusedError as exc:
            if str(exc) == "dtd":
                raise UnreadableJobError(
                    error(
                        path.name,
                        "file_xml",
                        "the workbook's XML declares a DTD or entities, which are refused; "
                        "save it again from a spreadsheet program",
                    )
                ) from None
            raise UnreadableJobError(
                error(path.name, "file_format", f"a sheet's XML is damaged ({exc}); save again")
            ) from None
        except UnreadableJobError:
            raise
        except Exception as exc:
            raise UnreadableJobError(
                error(
                    path.name,
                    "file_format",
                    f"the workbook cannot be read ({type(exc).__name__}: {exc}); "
                    "save it again as an Excel Workbook (.xlsx)",
                )
            ) from None
    return raw, problems


def _refuse_macros(archive: zipfile.ZipFile, where: str) -> None:
    names = [info.filename for info in archive.infolist()]
    content_types = b""
    if "[Content_Types].xml" in names:
        content_types = archive.read("[Content_Types].xml")
    if any(n.lower().endswith("vbaproject.bin") for n in names) or any(
        marker in content_types for marker in _MACRO_TYPES
    ):
        raise UnreadableJobError(
            error(
                where,
                "file_macro",
                "the workbook contains macros, which are refused; save it as an Excel "
                "Workbook (.xlsx), not a Macro-Enabled Workbook (.xlsm)",
            )
        )


def _layout_problems(layout: Layout, title: str) -> list[Problem]:
    found = [
        error(
            f"{title}!{ref}",
            "merged_cells",
            f"cells {ref} are merged; unmerge them and put each value in its own cell",
        )
        for ref in layout.merged
    ]
    found.extend(
        error(f"{title}!{row}:{row}", "hidden_row", f"row {row} is hidden; unhide it or delete it")
        for row in layout.hidden_rows
    )
    for first, last in layout.hidden_cols:
        letters = column_letter(first)
        if last != first:
            letters += ":" + column_letter(last)
        found.append(
            error(
                f"{title}!{letters}",
                "hidden_column",
                f"column {letters} is hidden; unhide it or delete it",
            )
        )
    if layout.all_rows_hidden:
        found.append(
            error(title, "hidden_row", "rows are hidden by default in this sheet; unhide them")
        )
    return found


def _match_sheets(titles: list[str], problems: list[Problem], where: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for role, accepted in SHEET_NAMES.items():
        matches = [t for t in titles if t.strip().casefold() in accepted]
        if len(matches) > 1:
            problems.append(
                error(
                    where,
                    "duplicate_sheet",
                    f"sheets {', '.join(matches)} are all the {role} sheet; keep one",
                )
            )
        if matches:
            found[role] = matches[0]
        else:
            raise UnreadableJobError(
                error(
                    where,
                    "file_missing_sheet",
                    f"the workbook has no {role} sheet (it has: {', '.join(titles)}); add a "
                    f"sheet named {accepted[0]}",
                )
            )
    return found


def _cell_rows(
    rows: Iterator[tuple[int, list[object]]], title: str, limits: Limits, problems: list[Problem]
) -> Iterator[tuple[int, list[Cell]]]:
    """Yield each row of the sheet as cells, reporting formulas, long cells, wide rows."""
    for number, values in rows:
        if len(values) > limits.max_columns:
            if any(v is not None for v in values[limits.max_columns :]):
                problems.append(
                    error(
                        grid_location(title, number, limits.max_columns + 1),
                        "too_many_columns",
                        f"the {title} sheet has more than {limits.max_columns} columns; "
                        "delete the unused ones",
                    )
                )
            del values[limits.max_columns :]
        cells: list[Cell] = []
        for column, value in enumerate(values, start=1):
            if isinstance(value, Formula):
                problems.append(
                    error(
                        grid_location(title, number, column),
                        "formula_cell",
                        f"the cell holds a formula ({value.text[:40]}), which is not "
                        "evaluated; replace it with its value (copy, then Paste Values)",
                    )
                )
                cells.append(Cell("", title, row=number, column=column))
                continue
            text, numeric = cell_text(value)
            cells.append(checked(Cell(text, title, numeric, number, column), limits, problems))
        yield number, cells
