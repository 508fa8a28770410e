"""The parts of an ``.xlsx`` zip a job needs, parsed with expat and nothing else.

A job reads three small sheets of plain values, so this module reads the few parts
that hold them (the workbook's sheet list and relationships, the shared strings,
the number formats that mark dates, and the sheets) with start/end handlers only:
no tree, no per-cell objects, and no spreadsheet library to import (openpyxl's
reader costs a cold start hundreds of milliseconds and tens of MiB, and its
streaming reader builds an ElementTree element per cell). Values come back as
openpyxl's read-only mode gives them: ``int``/``float``, ``str``, ``bool``, and
``datetime``/``date``/``time``/``timedelta`` for cells with a date or time format.

Every parser refuses a DTD or an entity declaration (the XML entity attacks
defusedxml guards against) by raising :class:`XmlRefusedError`.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final
from xml.parsers import expat

_CHUNK: Final = 64 * 1024
_TRUE_XML: Final = frozenset({"1", "true"})
#: Built-in number formats that are dates or times (ECMA-376 18.8.30).
_BUILTIN_DATES: Final = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
_BUILTIN_TIMEDELTA: Final = frozenset({46})
#: Quoted text, escapes, fills, colours and locales: what is no date code in a format.
_FORMAT_NOISE_RE: Final = re.compile(r'"[^"]*"|\\.|_.|\*.|\[(?!h+\]|m+\]|s+\])[^\]]*\]')
_DATE_CODE_RE: Final = re.compile(r"[dmhysDMHYS]")
_TIMEDELTA_RE: Final = re.compile(r"\[(h+|m+|s+)\]")
_REF_LETTERS_RE: Final = re.compile(r"[A-Z]+")
_WINDOWS_EPOCH: Final = dt.datetime(1899, 12, 30)
_MAC_EPOCH: Final = dt.datetime(1904, 1, 1)


class XmlRefusedError(Exception):
    """A part declares a DTD or entities, or is not well-formed XML (``str`` says which)."""


def _refuse_dtd(*_args: object) -> None:
    raise XmlRefusedError("dtd")


def _parser() -> Any:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True  # one text event per run of text, not one per buffer split
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    return parser


#: Local names of the tags seen so far: a sheet repeats a handful of tags 100,000s of times.
_LOCAL_NAMES: Final[dict[str, str]] = {}


def _local(tag: str) -> str:
    local = _LOCAL_NAMES.get(tag)
    if local is None:
        local = tag.rsplit("}", 1)[-1]
        if len(_LOCAL_NAMES) < 256:  # a hostile part cannot grow it without bound
            _LOCAL_NAMES[tag] = local
    return local


def _parse(archive: zipfile.ZipFile, name: str, start: Callable[..., None], **more: Any) -> None:
    """Run ``start`` (and ``end``/``text`` handlers) over part ``name``, if it exists."""
    if name not in archive.NameToInfo:
        return
    parser = _parser()
    parser.StartElementHandler = start
    if "end" in more:
        parser.EndElementHandler = more["end"]
    if "text" in more:
        parser.CharacterDataHandler = more["text"]
    try:
        with archive.open(name) as source:
            parser.ParseFile(source)
    except expat.ExpatError as exc:
        raise XmlRefusedError(f"{name}: {exc}") from None


@dataclass(frozen=True, slots=True)
class SheetEntry:
    """One sheet of the workbook: its title, visibility and part name in the zip."""

    title: str
    state: str
    part: str


@dataclass(slots=True)
class Book:
    """What the cells need from the workbook: sheets, shared strings, date styles."""

    sheets: list[SheetEntry] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)
    #: Per cell style index: ``None`` (a plain number), ``"date"`` or ``"timedelta"``.
    styles: list[str | None] = field(default_factory=list)
    epoch: dt.datetime = _WINDOWS_EPOCH


def read_book(archive: zipfile.ZipFile) -> Book:
    """Read the sheet list, shared strings and styles; raise ``KeyError`` without a workbook."""
    book = Book()
    found: list[tuple[str, str, str]] = []
    targets: dict[str, str] = {}

    def on_workbook(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "sheet":
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            found.append((attrs.get("name", ""), attrs.get("state", "visible"), rid))
        elif local == "workbookPr" and attrs.get("date1904") in _TRUE_XML:
            book.epoch = _MAC_EPOCH

    def on_rels(tag: str, attrs: dict[str, str]) -> None:
        if _local(tag) == "Relationship":
            target = attrs.get("Target", "")
            targets[attrs.get("Id", "")] = (
                target.lstrip("/") if target.startswith("/") else "xl/" + target
            )

    if "xl/workbook.xml" not in archive.NameToInfo:
        raise KeyError("xl/workbook.xml")
    _parse(archive, "xl/workbook.xml", on_workbook)
    _parse(archive, "xl/_rels/workbook.xml.rels", on_rels)
    book.sheets = [SheetEntry(t, s, targets.get(r, "")) for t, s, r in found]
    book.strings = _shared_strings(archive)
    book.styles = _styles(archive)
    return book


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    strings: list[str] = []
    parts: list[str] = []
    state = {"text": False, "phonetic": False}

    def start(tag: str, _attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "si":
            parts.clear()
        elif local == "rPh":
            state["phonetic"] = True
        elif local == "t" and not state["phonetic"]:
            state["text"] = True

    def end(tag: str) -> None:
        local = _local(tag)
        if local == "si":
            strings.append("".join(parts))
        elif local == "rPh":
            state["phonetic"] = False
        elif local == "t":
            state["text"] = False

    def text(data: str) -> None:
        if state["text"]:
            parts.append(data)

    _parse(archive, "xl/sharedStrings.xml", start, end=end, text=text)
    return strings


def format_kind(code: str) -> str | None:
    """``"date"``, ``"timedelta"`` or ``None`` for a number format code (as openpyxl decides)."""
    code = code.split(";", 1)[0]
    if _TIMEDELTA_RE.search(code):
        return "timedelta"
    return "date" if _DATE_CODE_RE.search(_FORMAT_NOISE_RE.sub("", code)) else None


def _styles(archive: zipfile.ZipFile) -> list[str | None]:
    codes: dict[int, str] = {}
    xfs: list[int] = []
    state = {"cell_xfs": False}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "numFmt":
            codes[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            state["cell_xfs"] = True
        elif local == "xf" and state["cell_xfs"]:
            xfs.append(int(attrs.get("numFmtId", "0")))

    def end(tag: str) -> None:
        if _local(tag) == "cellXfs":
            state["cell_xfs"] = False

    _parse(archive, "xl/styles.xml", start, end=end)
    kinds: list[str | None] = []
    for number in xfs:
        if number in codes:
            kinds.append(format_kind(codes[number]))
        elif number in _BUILTIN_DATES:
            kinds.append("timedelta" if number in _BUILTIN_TIMEDELTA else "date")
        else:
            kinds.append(None)
    return kinds


@dataclass(slots=True)
class Layout:
    """Merged ranges and hidden rows and columns of one sheet, noted while it streams."""

    merged: list[str] = field(default_factory=list)
    hidden_rows: list[int] = field(default_factory=list)
    hidden_cols: list[tuple[int, int]] = field(default_factory=list)
    all_rows_hidden: bool = False


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula cell's text (``=1+1``): refused by the reader, never evaluated."""

    text: str


def column_index(ref: str) -> int:
    """0-based column of a cell reference: ``"B7"`` -> 1."""
    match = _REF_LETTERS_RE.match(ref)
    index = 0
    for letter in match.group() if match else "":
        index = index * 26 + ord(letter) - 64
    return index - 1


def from_serial(value: float, kind: str, epoch: dt.datetime) -> object:
    """Return a date-formatted number as a date or time value, as openpyxl's ``from_excel`` does."""
    if kind == "timedelta":
        return dt.timedelta(days=value)
    day, fraction = divmod(value, 1)
    diff = dt.timedelta(milliseconds=round(fraction * 86_400_000))
    if 0 <= value < 1 and diff.days == 0:
        seconds = diff.seconds
        return dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60, diff.microseconds)
    if 0 < value < 60 and epoch == _WINDOWS_EPOCH:  # Excel's 1900-02-29 that never was
        day += 1
    return epoch + dt.timedelta(days=day) + diff


def iter_rows(  # noqa: PLR0915 - one state machine over one sheet's elements
    archive: zipfile.ZipFile, part: str, book: Book, layout: Layout, max_rows: int
) -> Iterator[tuple[int, list[object]]]:
    """Yield (row number, values) of a sheet, streaming; gaps in a row are ``None``.

    Notes merged cells and hidden rows and columns in ``layout`` as they pass.
    """
    ready: list[tuple[int, list[object]]] = []
    row: list[object] = []
    buffer: list[str] = []
    cell: dict[str, Any] = {}
    state: dict[str, Any] = {"number": 0, "collect": False, "phonetic": False}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "c":
            ref = attrs.get("r")
            column = column_index(ref) if ref else len(row)
            cell.clear()
            cell.update(column=column, type=attrs.get("t", "n"), style=attrs.get("s"))
        elif local in ("v", "f") or (local == "t" and not state["phonetic"]):
            buffer.clear()
            state["collect"] = True
        elif local == "rPh":
            state["phonetic"] = True
        elif local == "row":
            row.clear()
            state["number"] = int(attrs["r"]) if "r" in attrs else state["number"] + 1
            if attrs.get("hidden") in _TRUE_XML and len(layout.hidden_rows) < max_rows:
                layout.hidden_rows.append(state["number"])
        elif local == "mergeCell":
            layout.merged.append(str(attrs.get("ref", "?")))
        elif local == "col" and attrs.get("hidden") in _TRUE_XML:
            layout.hidden_cols.append((int(attrs.get("min", "1")), int(attrs.get("max", "1"))))
        elif local == "sheetFormatPr" and attrs.get("zeroHeight") in _TRUE_XML:
            layout.all_rows_hidden = True

    def end(tag: str) -> None:
        local = _local(tag)
        if local == "v":
            cell["value"] = "".join(buffer)
            state["collect"] = False
        elif local == "f":
            cell["formula"] = "".join(buffer)
            state["collect"] = False
        elif local == "t" and state["collect"]:
            cell["inline"] = cell.get("inline", "") + "".join(buffer)
            state["collect"] = False
        elif local == "rPh":
            state["phonetic"] = False
        elif local == "c":
            column = cell["column"]
            if column >= len(row):
                row.extend([None] * (column + 1 - len(row)))
            row[column] = _value(cell, book)
        elif local == "row":
            ready.append((state["number"], list(row)))

    def text(data: str) -> None:
        if state["collect"]:
            buffer.append(data)

    parser = _parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        with archive.open(part) as source:
            while chunk := source.read(_CHUNK):
                parser.Parse(chunk, False)
                yield from ready
                ready.clear()
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise XmlRefusedError(f"{part}: {exc}") from None
    yield from ready


def _value(cell: dict[str, Any], book: Book) -> object:  # noqa: PLR0911 - one return per type
    if "formula" in cell:
        return Formula("=" + cell["formula"])
    kind = cell["type"]
    if kind == "inlineStr":
        return cell.get("inline", "")
    raw = cell.get("value")
    if raw is None:
        return None
    if kind == "s":
        return book.strings[int(raw)]
    if kind in ("str", "e"):
        return raw
    if kind == "b":
        return raw.strip() in _TRUE_XML
    if kind == "d":
        return dt.datetime.fromisoformat(raw)
    number: float = float(raw) if any(c in raw for c in ".eE") else int(raw)
    style = cell["style"]
    if style is not None:
        index = int(style)
        date_kind = book.styles[index] if index < len(book.styles) else None
        if date_kind is not None:
            return from_serial(number, date_kind, book.epoch)
    return number
