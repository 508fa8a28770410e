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
(``blocked``/``pending``, default ``blocked``). Other columns, such as the extra
ones ``export`` writes, are ignored and reported.
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


def _echo(value: str) -> str:
    if len(value) <= MAX_ECHO_CHARS:
        return value
    return f"{value[:MAX_ECHO_CHARS]}...[{len(value) - MAX_ECHO_CHARS} more characters cut]"


def has_bad_characters(value: str) -> bool:
    """Tell whether ``value`` holds control characters or bytes that were not UTF-8."""
    # Cs: bytes that were not UTF-8 (kept by surrogateescape); Cc: control characters.
    return any(unicodedata.category(char) in {"Cc", "Cs"} for char in value)


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
    """CSV records with the physical line range each one came from."""

    def __init__(self, handle: TextIO) -> None:
        self._reader = csv.reader(handle, strict=False)
        self._last_line = 0

    def __iter__(self) -> Iterator[tuple[int, int, list[str] | str]]:
        """Yield ``(first_line, last_line, fields)``, or an error message for fields."""
        while True:
            first = self._last_line + 1
            try:
                row: list[str] | str = next(self._reader)
            except StopIteration:
                return
            except csv.Error as error:
                row = f"not valid CSV ({error})"
            self._last_line = self._reader.line_num
            yield first, max(first, self._last_line), row


def _where(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def _header(fields: list[str], path: str, line: int) -> list[str]:
    names = [_ALIASES.get(name.strip().lower(), name.strip().lower()) for name in fields]
    if NUMBER_COLUMN not in names:
        found = ", ".join(repr(name) for name in fields[:5])
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
            f"{path} line {line}: header repeats column(s) {', '.join(duplicates)}"
        )
    return names


def read_import_file(
    path: Path,
    *,
    normalise: Normaliser,
    now: datetime,
    default_reason: str,
) -> ParsedFile:
    """Read and validate every line of the file at ``path``; write nothing anywhere.

    See :func:`read_import_stream`.
    """
    with path.open("rb") as raw:
        return read_import_stream(
            raw, name=str(path), normalise=normalise, now=now, default_reason=default_reason
        )


def read_import_stream(
    raw: BinaryIO,
    *,
    name: str,
    normalise: Normaliser,
    now: datetime,
    default_reason: str,
) -> ParsedFile:
    """Read and validate every line of a binary stream (a file, or standard input).

    ``name`` labels messages, ``normalise`` turns a number into E.164 (raising
    ``ValueError`` with the reason), ``now`` anchors relative expiries such as
    ``30d`` so that one run gives every line the same clock, and
    ``default_reason`` fills empty reasons. The stream is read once, front to
    back, so a pipe works as well as a file.
    """
    # Peeking needs a buffered reader; files and sys.stdin.buffer already are one.
    stream = cast("io.BufferedReader", raw if hasattr(raw, "peek") else io.BufferedReader(raw))
    _check_text_stream(stream, name)
    result = ParsedFile()
    header: list[str] | None = None
    first_seen: dict[str, int] = {}
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        for first, last, row in _Records(text):
            if isinstance(row, list) and not any(cell.strip() for cell in row):
                result.blank_lines += last - first + 1
                continue
            if header is None:
                header = _read_header(row, name, first, last)
                result.ignored_columns = tuple(
                    column for column in header if column and column not in _QUIETLY_IGNORED
                )
                continue
            result.records += 1
            outcome = _validate(
                row,
                header,
                first=first,
                last=last,
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


def _read_header(row: list[str] | str, name: str, first: int, last: int) -> list[str]:
    if isinstance(row, str):
        raise MalformedFileError(f"{name} {_where(first, last)}: header is {row}")
    if any(has_bad_characters(cell) for cell in row):
        raise MalformedFileError(
            f"{name} line {first}: the header is not UTF-8 text; save the file as 'CSV UTF-8'"
        )
    return _header(row, name, first)


class _RejectedError(Exception):
    """Raised inside validation; carries the message for the rejects report."""


def _validate(
    row: list[str] | str,
    header: list[str],
    *,
    first: int,
    last: int,
    normalise: Normaliser,
    now: datetime,
    default_reason: str,
    first_seen: dict[str, int],
) -> ImportRow | RejectedLine:
    where = _where(first, last)
    if isinstance(row, str):
        return RejectedLine(first, f"{where}: {row}")
    values = {name: cell for name, cell in zip(header, row, strict=False) if name}
    try:
        entry = _entry(
            row,
            header,
            values,
            first=first,
            normalise=normalise,
            now=now,
            default_reason=default_reason,
        )
    except _RejectedError as error:
        echo = {name: _echo(values.get(name, "")) for name in KNOWN_COLUMNS}
        return RejectedLine(first, f"{where}: {error}", echo)
    if entry.number in first_seen:
        echo = {name: _echo(values.get(name, "")) for name in KNOWN_COLUMNS}
        message = (
            f"duplicate of line {first_seen[entry.number]} "
            f"({mask(entry.number)} is already in this file)"
        )
        return RejectedLine(first, f"{where}: {message}", echo)
    first_seen[entry.number] = first
    return entry


def _entry(
    row: list[str],
    header: list[str],
    values: dict[str, str],
    *,
    first: int,
    normalise: Normaliser,
    now: datetime,
    default_reason: str,
) -> ImportRow:
    if any(cell.strip() for cell in row[len(header) :]):
        raise _RejectedError(
            f"{len(row)} fields but the header has {len(header)}; put values that contain "
            "commas in double quotes"
        )
    if any(has_bad_characters(value) for value in values.values()):
        raise _RejectedError("contains control characters or bytes that are not UTF-8 text")
    return ImportRow(
        line=first,
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

    The extra ``line`` and ``error`` columns are ignored by ``import``.
    """
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REJECT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for rejected in sorted(rejects, key=lambda item: item.line):
            writer.writerow({**rejected.values, "line": rejected.line, "error": rejected.error})
