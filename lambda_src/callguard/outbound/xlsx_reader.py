"""Read a job workbook (``.xlsx``) safely into a :class:`~callguard.outbound.tables.RawJob`.

Safety first, in this order, before a byte of XML is parsed by openpyxl:

1. the file is a zip within the size, member-count and unpacked-size limits
   (:mod:`callguard.outbound.zipcheck`: zip bombs);
2. it holds no macros (``vbaProject.bin``, a macro-enabled content type);
3. openpyxl runs with defusedxml (XML entity attacks), checked, not assumed.

Then each of the three sheets is read in read-only (streaming) mode with formulas
kept as formulas (``data_only=False``): a formula cell is refused naming the cell,
never evaluated or read from a cached value. A pre-pass over each sheet's XML finds
merged cells and hidden rows and columns, which are refused too: what a person
cannot see in the workbook must not be called. Rows, columns and cell sizes are
capped (:class:`~callguard.outbound.limits.Limits`). The workbook is always closed.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final
from xml.parsers import expat

import openpyxl
import openpyxl.xml
from defusedxml import DefusedXmlException
from openpyxl.utils import get_column_letter

from callguard.outbound.limits import Limits
from callguard.outbound.problems import Problem, UnreadableJobError, error
from callguard.outbound.tables import Cell, RawJob, Table, cell_text
from callguard.outbound.zipcheck import open_checked

#: Accepted sheet names (case-insensitive): the Callouts blog's and its sample workbook's.
SHEET_NAMES: Final = {
    "configuration": ("configuration", "configures", "configure", "config"),
    "questions": ("questions",),
    "receivers": ("receivers",),
}
_MACRO_TYPES: Final = (b"macroEnabled", b"vbaProject")


def read_xlsx(path: Path, limits: Limits) -> tuple[RawJob, list[Problem]]:
    """Read ``path``; raise :class:`UnreadableJobError` for a file that is not a safe workbook."""
    if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a pinned dependency
        raise UnreadableJobError(
            error(path.name, "file_xml", "defusedxml is not installed; refusing to parse XML")
        )
    with open_checked(path, limits, "workbook") as archive:
        _refuse_macros(archive, path.name)
        sheet_xml = _scan_sheets(archive, path, limits)
        problems: list[Problem] = []
        raw = RawJob(source="xlsx", default_id=path.stem)
        try:
            workbook = openpyxl.load_workbook(
                path, read_only=True, data_only=False, keep_links=False
            )
        except DefusedXmlException as exc:
            raise UnreadableJobError(
                error(
                    path.name,
                    "file_xml",
                    f"the workbook's XML uses entities or DTDs ({type(exc).__name__}), which "
                    "are refused; save it again from a spreadsheet program",
                )
            ) from None
        except Exception as exc:
            raise UnreadableJobError(
                error(
                    path.name,
                    "file_format",
                    f"the workbook cannot be read ({type(exc).__name__}: {exc}); "
                    "save it again as an Excel Workbook (.xlsx)",
                )
            ) from None
        try:
            sheets = _match_sheets(workbook.sheetnames, problems, path.name)
            for role, title in sheets.items():
                sheet = workbook[title]
                if sheet.sheet_state != "visible":
                    problems.append(
                        error(
                            title,
                            "hidden_sheet",
                            f"the {title} sheet is hidden; unhide it (right-click the sheet "
                            "tabs, Unhide) so what is called is what you see",
                        )
                    )
                hidden = sheet_xml.get(getattr(sheet, "_worksheet_path", ""), _SheetLayout())
                problems.extend(hidden.problems(title))
                table = _read_table(sheet, title, limits, problems, role == "configuration")
                if role == "configuration":
                    raw.config = pairs(table)
                elif role == "questions":
                    raw.questions = table
                else:
                    raw.receivers = table
        finally:
            workbook.close()
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


class _SheetLayout:
    """Merged ranges and hidden rows and columns of one sheet, from its XML."""

    def __init__(self) -> None:
        self.merged: list[str] = []
        self.hidden_rows: list[int] = []
        self.hidden_cols: list[tuple[int, int]] = []
        self.all_rows_hidden = False

    def problems(self, title: str) -> list[Problem]:
        found = [
            error(
                f"{title}!{ref}",
                "merged_cells",
                f"cells {ref} are merged; unmerge them and put each value in its own cell",
            )
            for ref in self.merged
        ]
        found.extend(
            error(
                f"{title}!{row}:{row}",
                "hidden_row",
                f"row {row} is hidden; unhide it or delete it",
            )
            for row in self.hidden_rows
        )
        for first, last in self.hidden_cols:
            letters = get_column_letter(first)
            if last != first:
                letters += ":" + get_column_letter(last)
            found.append(
                error(
                    f"{title}!{letters}",
                    "hidden_column",
                    f"column {letters} is hidden; unhide it or delete it",
                )
            )
        if self.all_rows_hidden:
            found.append(
                error(title, "hidden_row", "rows are hidden by default in this sheet; unhide them")
            )
        return found


def _scan_sheets(archive: zipfile.ZipFile, path: Path, limits: Limits) -> dict[str, _SheetLayout]:
    """Find merged cells and hidden rows/columns in every worksheet part.

    Streams each part through expat with start-tag handlers only (no tree is built)
    and refuses any DTD or entity declaration, as defusedxml does.
    """
    layouts: dict[str, _SheetLayout] = {}
    for name in archive.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        layout = _SheetLayout()
        parser = expat.ParserCreate(namespace_separator="}")
        parser.StartElementHandler = lambda tag, attrs, layout=layout: _note(
            tag, attrs, layout, limits
        )
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_dtd
        try:
            with archive.open(name) as source:
                parser.ParseFile(source)
        except _DtdError:
            raise UnreadableJobError(
                error(
                    path.name,
                    "file_xml",
                    "the workbook's XML declares a DTD or entities, which are refused; "
                    "save it again from a spreadsheet program",
                )
            ) from None
        except expat.ExpatError as exc:
            raise UnreadableJobError(
                error(path.name, "file_format", f"a sheet's XML is damaged ({exc}); save again")
            ) from None
        layouts[name] = layout
    return layouts


class _DtdError(Exception):
    """A DTD or entity declaration in a workbook part (the XML entity attacks)."""


def _refuse_dtd(*_args: object) -> None:
    raise _DtdError


_TRUE_XML: Final = frozenset({"1", "true"})


def _note(tag: str, attrs: dict[str, str], layout: _SheetLayout, limits: Limits) -> None:
    local = tag.rsplit("}", 1)[-1]
    if local == "mergeCell":
        layout.merged.append(str(attrs.get("ref", "?")))
    elif local == "row" and attrs.get("hidden") in _TRUE_XML:
        if len(layout.hidden_rows) < limits.max_rows:
            layout.hidden_rows.append(int(attrs.get("r", "0")))
    elif local == "col" and attrs.get("hidden") in _TRUE_XML:
        layout.hidden_cols.append((int(attrs.get("min", "1")), int(attrs.get("max", "1"))))
    elif local == "sheetFormatPr" and attrs.get("zeroHeight") in _TRUE_XML:
        layout.all_rows_hidden = True


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


def _rows(sheet: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    sheet.reset_dimensions()  # never trust the file's own claim of its size
    number = 0
    for row in sheet.iter_rows():
        number += 1
        for cell in row:
            real = getattr(cell, "row", None)
            if real is not None:
                number = int(real)
                break
        yield number, row


def _read_table(
    sheet: Any, title: str, limits: Limits, problems: list[Problem], keyed: bool
) -> Table:
    """Read a sheet: a header row and data rows; ``keyed`` sheets are two columns, no header."""
    table = Table(name=title, location=title)
    width = 2 if keyed else 0
    for number, row in _rows(sheet):
        if number - 1 > limits.max_rows:
            problems.append(
                error(
                    f"{title}!A{number}",
                    "too_many_rows",
                    f"the {title} sheet has more than {limits.max_rows:,} rows; split the job "
                    "into several files",
                )
            )
            break
        cells = _row_cells(row, number, title, limits, problems)
        if not keyed and not table.header:
            if not any(c.text.strip() for c in cells):
                continue
            while cells and not cells[-1].text.strip():
                cells.pop()
            table.header = cells
            width = len(cells)
            continue
        extra = [c for c in cells[width:] if c.text.strip()]
        if extra:
            problems.append(
                error(
                    extra[0].location,
                    "missing_header",
                    "this value is in a column without a header; name the column in the "
                    "header row or move the value",
                )
            )
        cells = cells[:width] + [
            Cell("", f"{title}!{get_column_letter(i + 1)}{number}")
            for i in range(len(cells), width)
        ]
        table.rows.append(cells)
    return table


def _row_cells(
    row: tuple[Any, ...], number: int, title: str, limits: Limits, problems: list[Problem]
) -> list[Cell]:
    cells: list[Cell] = []
    for index, cell in enumerate(row):
        if index >= limits.max_columns:
            if any(getattr(c, "value", None) is not None for c in row[index:]):
                problems.append(
                    error(
                        f"{title}!{get_column_letter(index + 1)}{number}",
                        "too_many_columns",
                        f"the {title} sheet has more than {limits.max_columns} columns; "
                        "delete the unused ones",
                    )
                )
            break
        location = f"{title}!{get_column_letter(index + 1)}{number}"
        value = getattr(cell, "value", None)
        if getattr(cell, "data_type", None) == "f":
            formula = value if isinstance(value, str) else getattr(value, "text", "")
            problems.append(
                error(
                    location,
                    "formula_cell",
                    f"the cell holds a formula ({str(formula)[:40]}), which is not evaluated; "
                    "replace it with its value (copy, then Paste Values)",
                )
            )
            cells.append(Cell("", location))
            continue
        text, numeric = cell_text(value)
        if len(text) > limits.max_cell_chars:
            problems.append(
                error(
                    location,
                    "cell_too_long",
                    f"the cell holds {len(text):,} characters, over the limit of "
                    f"{limits.max_cell_chars:,}; shorten it",
                )
            )
            text = ""
        cells.append(Cell(text, location, numeric))
    return cells


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
