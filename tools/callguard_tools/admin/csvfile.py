"""Reading and validating a deny-list CSV, and writing the rejects file.

The file comes from people and other systems: spreadsheets add a byte-order
mark and CRLF line ends, carriers send national formats, fraud reports repeat
numbers, and sometimes a whole e-mail lands in one cell. Every data line ends in
exactly one place - accepted, or rejected with its line number and the reason -
so nothing is dropped silently. Problems with the file as a whole (no header,
not text) raise ``MalformedFileError`` before anything is written.

Format: a header line, then one entry per line. Columns (case-insensitive, any
order): ``number`` (required; ``phone_number`` also accepted), ``reason``,
``expires`` (see ``callguard_tools.admin.expiry``) and ``status``
(``blocked``/``pending``/``rejected``, default ``blocked``). Other columns, such
as the extra ones ``export`` writes, are ignored and reported.

Each physical line is one record: a quoted value must close on the line it opens.
No entry needs a line break (a number, a reason, an expiry, a status are all one
line), and reading line by line means an unbalanced quote costs exactly its own
line ("unterminated quote starting on line N") instead of swallowing the rest of
the file.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Final, TextIO, cast

from callguard.numbers import mask
from callguard.store.model import MAX_REASON_LENGTH
from callguard_tools.admin.expiry import ExpiryError, parse_expiry
from callguard_tools.admin.files import write_private
from callguard_tools.admin.output import EXPORT_ONLY_COLUMNS, unescape_cell

#: Column names, and aliases people use for them.
NUMBER_COLUMN: Final = "number"
_ALIASES: Final = {"phone_number": "number", "phone": "number", "expires_at": "expires"}
KNOWN_COLUMNS: Final = ("number", "reason", "expires", "status")
REJECT_COLUMNS: Final = (*KNOWN_COLUMNS, "line", "error")
#: Columns that are not reported as ignored: ours, export's audit columns, rejects' extras.
_QUIETLY_IGNORED: Final = frozenset({*KNOWN_COLUMNS, *EXPORT_ONLY_COLUMNS, "line", "error"})
#: "rejected" is accepted so that an export (which may hold review decisions)
#: imports again; without its decision time it suppresses no re-flags.
STATUSES: Final = ("blocked", "pending", "rejected")

#: A phone number has at most 15 digits; generous room for spaces, dashes, "tel:".
MAX_NUMBER_CHARS: Final = 64
#: Reasons are shown to supervisors and in exports; the store keeps at most this many.
MAX_REASON_CHARS: Final = MAX_REASON_LENGTH
#: Values longer than this are shortened in the rejects file (the error says so).
MAX_ECHO_CHARS: Final = 200

#: Longest header cell quoted in an error message.
MAX_HEADER_ECHO_CHARS: Final = 40

#: Turns a number as written into E.164, or raises ``ValueError`` saying why not.
Normaliser = Callable[[str], str]


class MalformedFileError(ValueError):
    """The file as a whole cannot be imported (no header, not UTF-8 text, ...)."""


@dataclass(frozen=True)
class ImportRow:
    """One valid entry to import: the number in E.164 and its attributes."""

    line: int
    number: str
    reason: str
    status: str
    expires_at: datetime | None


@dataclass(frozen=True)
class RejectedLine:
    """A data line that will not be imported, and why."""

    line: int
    error: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedFile:
    """Everything ``read_import_file`` found, in file order."""

    rows: list[ImportRow] = field(default_factory=list)
    rejects: list[RejectedLine] = field(default_factory=list)
    records: int = 0
    blank_lines: int = 0
    ignored_columns: tuple[str, ...] = ()


def _shorten(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    return f"{value[:limit]}...[{len(value) - limit} more characters cut]"


def _echo(value: str) -> str:
    return _shorten(value, MAX_ECHO_CHARS)


#: Unicode categories no value may contain: control (Cc) and formatting (Cf:
#: bidirectional overrides such as U+202E, zero-width characters) characters,
#: bytes that were not UTF-8 (Cs, kept by surrogateescape), private-use and
#: unassigned code points, and line or paragraph separators. The store would
#: otherwise turn them into spaces, so a reason would not be stored as written;
#: a bidirectional override would also make it read differently than it is.
_BAD_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def bad_character(value: str) -> str | None:
    """Return the first character of ``value`` that no value may hold, or ``None``."""
    for char in value:
        if unicodedata.category(char) in _BAD_CATEGORIES:
            return char
    return None


def has_bad_characters(value: str) -> bool:
    """Tell whether ``value`` holds a control, formatting or non-UTF-8 character."""
    return bad_character(value) is not None


def describe_bad_character(char: str) -> str:
    """Name a character :func:`bad_character` found, for a message (``U+202E``)."""
    if unicodedata.category(char) == "Cs":
        return "bytes that are not UTF-8 text"
    return f"control characters (U+{ord(char):04X})"


def _check_text_stream(stream: io.BufferedReader, name: str) -> None:
    """Refuse what is clearly not a UTF-8 CSV, peeking so that pipes are not consumed."""
    head = stream.peek(4096)[:4096]
    if not head:
        raise MalformedFileError(
            f"{name}: the file is empty; expected a header line such as 'number,reason,expires'"
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise MalformedFileError(f"{name}: the file is UTF-16; save it as 'CSV UTF-8' and retry")
    if head.startswith(b"PK\x03\x04"):
        raise MalformedFileError(f"{name}: this is a spreadsheet or zip file; export it as CSV")
    if b"\x00" in head:
        raise MalformedFileError(f"{name}: the file contains NUL bytes, so it is not a text CSV")


class _Records:
    """CSV records, one per physical line, each with its line number.

    A line is parsed on its own, so a quote left open ends with its line: the
    record is reported as unterminated and the next line is read as usual.
    """

    def __init__(self, handle: TextIO) -> None:
        self._handle = handle

    def __iter__(self) -> Iterator[tuple[int, list[str] | str]]:
        """Yield ``(line number, fields)``, or an error message for fields."""
        for number, text in enumerate(self._handle, start=1):
            yield number, _parse_line(text, number)


class _OneLine:
    """The single line a CSV reader may read; notes when it asks for another."""

    def __init__(self, text: str) -> None:
        self._text: str | None = text
        self.wanted_more = False

    def __iter__(self) -> _OneLine:
        return self

    def __next__(self) -> str:
        if self._text is None:
            self.wanted_more = True  # only a quoted value still open asks for more
            raise StopIteration
        text, self._text = self._text, None
        return text


def _parse_line(text: str, number: int) -> list[str] | str:
    source = _OneLine(text)
    try:
        fields = next(csv.reader(source, strict=False), [])
    except csv.Error as error:
        return f"not valid CSV ({error})"
    if source.wanted_more:
        return (
            f"unterminated quote starting on line {number}: close the quote on the same "
            "line (a value cannot span lines); the lines after it are read as usual"
        )
    return fields


def _header(fields: list[str], path: str, line: int) -> list[str]:
    names = [_ALIASES.get(name.strip().lower(), name.strip().lower()) for name in fields]
    if NUMBER_COLUMN not in names:
        found = ", ".join(repr(_shorten(name, MAX_HEADER_ECHO_CHARS)) for name in fields[:5])
        hint = ""
        if len(fields) == 1 and ";" in fields[0]:
            hint = "; separate columns with commas, not semicolons"
        elif fields and any(char.isdigit() for char in fields[0]):
            hint = "; it looks like data, so add a first line such as 'number,reason,expires'"
        raise MalformedFileError(
            f"{path} line {line}: the header has no 'number' column (found {found}){hint}"
        )
    duplicates = sorted({name for name in names if name and names.count(name) > 1})
    if duplicates:
        raise MalformedFileError(
            f"{path} line {line}: header repeats column(s) "
            f"{', '.join(_shorten(name, MAX_HEADER_ECHO_CHARS) for name in duplicates[:5])}"
        )
    return names


def read_import_file(
    path: Path,
    *,
    normalise: Normaliser,
    now: datetime,
    default_reason: str,
    exports_keep_empty_reasons: bool = False,
) -> ParsedFile:
    """Read and validate every line of the file at ``path``; write nothing anywhere.

    See :func:`read_import_stream`.
    """
    with path.open("rb") as raw:
        return read_import_stream(
            raw,
            name=str(path),
            normalise=normalise,
            now=now,
            default_reason=default_reason,
            exports_keep_empty_reasons=exports_keep_empty_reasons,
        )


def read_import_stream(
    raw: BinaryIO,
    *,
    name: str,
    normalise: Normaliser,
    now: datetime,
    default_reason: str,
    exports_keep_empty_reasons: bool = False,
) -> ParsedFile:
    """Read and validate every line of a binary stream (a file, or standard input).

    ``name`` labels messages, ``normalise`` turns a number into E.164 (raising
    ``ValueError`` with the reason), ``now`` anchors relative expiries such as
    ``30d`` so that one run gives every line the same clock, and
    ``default_reason`` fills empty reasons. With ``exports_keep_empty_reasons``,
    a file that ``export`` wrote (its header has export's provenance columns)
    keeps empty reasons empty instead, so export then import round-trips. The
    stream is read once, front to back, so a pipe works as well as a file.
    """
    # Peeking needs a buffered reader; files and sys.stdin.buffer already are one.
    stream = cast("io.BufferedReader", raw if hasattr(raw, "peek") else io.BufferedReader(raw))
    _check_text_stream(stream, name)
    result = ParsedFile()
    header: list[str] | None = None
    first_seen: dict[str, int] = {}
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        for line, row in _Records(text):
            if isinstance(row, list) and not any(cell.strip() for cell in row):
                result.blank_lines += 1
                continue
            if header is None:
                header = _read_header(row, name, line)
                result.ignored_columns = tuple(
                    column for column in header if column and column not in _QUIETLY_IGNORED
                )
                if exports_keep_empty_reasons and is_export_header(header):
                    default_reason = ""
                continue
            result.records += 1
            outcome = _validate(
                row,
                header,
                line=line,
                normalise=normalise,
                now=now,
                default_reason=default_reason,
                first_seen=first_seen,
            )
            if isinstance(outcome, ImportRow):
                result.rows.append(outcome)
            else:
                result.rejects.append(outcome)
    finally:
        text.detach()  # the caller owns (and closes) the underlying stream
    if header is None:
        raise MalformedFileError(f"{name}: no header line found; the file has only blank lines")
    return result


#: Columns only ``export`` writes; a header with all of them is an export's.
_EXPORT_SIGNATURE: Final = frozenset({"source", "flagged_by", "created_at"})


def is_export_header(header: list[str]) -> bool:
    """Tell whether a (normalised) header is the one ``export`` writes."""
    return set(header) >= _EXPORT_SIGNATURE


def _read_header(row: list[str] | str, name: str, line: int) -> list[str]:
    if isinstance(row, str):
        raise MalformedFileError(f"{name} line {line}: header is {row}")
    for cell in row:
        char = bad_character(cell)
        if char is not None:
            raise MalformedFileError(
                f"{name} line {line}: the header contains {describe_bad_character(char)}; "
                "save the file as 'CSV UTF-8' with plain column names"
            )
    return _header(row, name, line)


class _RejectedError(Exception):
    """Raised inside validation; carries the message for the rejects report."""


def _validate(
    row: list[str] | str,
    header: list[str],
    *,
    line: int,
    normalise: Normaliser,
    now: datetime,
    default_reason: str,
    first_seen: dict[str, int],
) -> ImportRow | RejectedLine:
    where = f"line {line}"
    if isinstance(row, str):
        return RejectedLine(line, f"{where}: {row}")
    values = {name: cell for name, cell in zip(header, row, strict=False) if name}
    try:
        entry = _entry(
            row,
            header,
            values,
            line=line,
            normalise=normalise,
            now=now,
            default_reason=default_reason,
        )
    except _RejectedError as error:
        echo = {name: _echo(values.get(name, "")) for name in KNOWN_COLUMNS}
        return RejectedLine(line, f"{where}: {error}", echo)
    if entry.number in first_seen:
        echo = {name: _echo(values.get(name, "")) for name in KNOWN_COLUMNS}
        message = (
            f"duplicate of line {first_seen[entry.number]} "
            f"({mask(entry.number)} is already in this file)"
        )
        return RejectedLine(line, f"{where}: {message}", echo)
    first_seen[entry.number] = line
    return entry


def _entry(
    row: list[str],
    header: list[str],
    values: dict[str, str],
    *,
    line: int,
    normalise: Normaliser,
    now: datetime,
    default_reason: str,
) -> ImportRow:
    if any(cell.strip() for cell in row[len(header) :]):
        raise _RejectedError(
            f"{len(row)} fields but the header has {len(header)}; put values that contain "
            "commas in double quotes"
        )
    for name, value in values.items():
        char = bad_character(value)
        if char is not None:
            raise _RejectedError(f"the {name} contains {describe_bad_character(char)}")
    return ImportRow(
        line=line,
        number=_number(values.get(NUMBER_COLUMN, ""), normalise),
        reason=_reason(values.get("reason", ""), default_reason),
        status=_status(values.get("status", "")),
        expires_at=_expires(values.get("expires", ""), now),
    )


def _number(text: str, normalise: Normaliser) -> str:
    raw = text.strip()
    if not raw:
        raise _RejectedError("the number is empty")
    if len(raw) > MAX_NUMBER_CHARS:
        raise _RejectedError(
            f"the number is {len(raw)} characters long (at most {MAX_NUMBER_CHARS})"
        )
    try:
        return normalise(raw)
    except ValueError as error:
        raise _RejectedError(str(error)) from None


def _reason(text: str, default_reason: str) -> str:
    reason = unescape_cell(text.strip()) or default_reason
    if len(reason) > MAX_REASON_CHARS:
        raise _RejectedError(
            f"the reason is {len(reason)} characters long (at most {MAX_REASON_CHARS})"
        )
    return reason


def _status(text: str) -> str:
    status = text.strip().lower() or "blocked"
    if status not in STATUSES:
        raise _RejectedError(f"status {_echo(status)!r} is not one of {', '.join(STATUSES)}")
    return status


def _expires(text: str, now: datetime) -> datetime | None:
    if not text.strip():
        return None
    try:
        return parse_expiry(text, now=now)
    except ExpiryError as error:
        raise _RejectedError(str(error)) from None


def write_rejects(path: Path, rejects: list[RejectedLine]) -> None:
    """Write ``rejects`` as a CSV that, once fixed, can be imported again.

    The extra ``line`` and ``error`` columns are ignored by ``import``. The file
    holds full numbers, so it is private to its owner (:func:`write_private`).
    """

    def write(handle: TextIO) -> None:
        writer = csv.DictWriter(handle, fieldnames=REJECT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for rejected in sorted(rejects, key=lambda item: item.line):
            writer.writerow({**rejected.values, "line": rejected.line, "error": rejected.error})

    write_private(path, write)
