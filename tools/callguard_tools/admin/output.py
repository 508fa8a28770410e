"""Rendering deny-list entries as a terminal table, CSV or JSON.

CSV and JSON are for machines and audits: every attribute, full values, and a
CSV whose first columns (``number``, ``status``, ``reason``, ``expires``) are
exactly what ``import`` reads, so an export can be imported as is. The table is
for people at a terminal: fewer columns, long values shortened.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final, TextIO

from callguard.spreadsheet import neutralise, restore
from callguard_tools.admin.expiry import format_timestamp, from_epoch

if TYPE_CHECKING:
    from callguard.store import Entry

#: Export columns: the importable ones first, then the audit facts.
CSV_COLUMNS: Final = (
    "number",
    "status",
    "reason",
    "expires",
    "source",
    "flagged_by",
    "created_at",
    "updated_at",
    "last_flagged_at",
    "flag_count",
    "contact_id",
    "initial_contact_id",
    "previous_contact_id",
    "instance_arn",
    "reviewed_by",
    "reviewed_at",
    "review_note",
)
#: Columns ``import`` knows are informational (written by export) and ignores quietly.
EXPORT_ONLY_COLUMNS: Final = frozenset(CSV_COLUMNS[4:])

_TABLE_COLUMNS: Final = (
    ("NUMBER", "number", 16),
    ("STATUS", "status", len("rejected")),  # the longest status, never shortened
    ("REASON", "reason", 36),
    ("SOURCE", "source", 9),
    ("FLAGGED BY", "flagged_by", 32),
    ("CREATED", "created_at", 20),
    ("EXPIRES", "expires", 20),
)


def expires_text(entry: Entry) -> str:
    """Return the entry's expiry as a timestamp, or "" when it never expires."""
    if entry.expires_at is None:
        return ""
    return format_timestamp(from_epoch(entry.expires_at))


def entry_record(entry: Entry) -> dict[str, str]:
    """Flatten an entry into the export columns, every value a string."""
    values = entry.to_dict()
    record = {name: str(values.get(name, "") or "") for name in CSV_COLUMNS}
    record["number"] = entry.phone_number
    record["expires"] = expires_text(entry)
    record["flag_count"] = str(entry.flag_count)
    return record


def escape_cell(value: str) -> str:
    """Prefix free text that a spreadsheet would run as a formula with ``'``.

    Reasons come from agents and from other people's files; an auditor opening
    an export in a spreadsheet must not execute ``=HYPERLINK(...)``. ``import``
    removes the prefix again (:func:`unescape_cell`), so exports round-trip. The
    rule is :func:`callguard.spreadsheet.neutralise`, shared with the job report.
    """
    return neutralise(value)


def unescape_cell(value: str) -> str:
    """Undo :func:`escape_cell`: drop one ``'`` that protects a formula character."""
    return restore(value)


def entry_json(entry: Entry) -> dict[str, Any]:
    """Return the entry as JSON-ready data: the stored attributes plus readable ``expires``."""
    data = entry.to_dict()
    data["expires"] = expires_text(entry) or None
    return data


def short_identity(arn: str) -> str:
    """Shorten an IAM/STS ARN to its resource part (``assumed-role/Admin/jane``)."""
    parts = arn.split(":", 5)
    return parts[5] if len(parts) == 6 and arn.startswith("arn:") else arn


def _cell(value: str, width: int) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def write_table(entries: Iterable[Entry], out: TextIO) -> int:
    """Write an aligned text table; return how many entries it held."""
    rows: list[Sequence[str]] = []
    for entry in entries:
        record = entry_record(entry)
        record["flagged_by"] = short_identity(record["flagged_by"])
        rows.append([_cell(record[key], width) for _, key, width in _TABLE_COLUMNS])
    headers = [title for title, _, _ in _TABLE_COLUMNS]
    widths = [max([len(headers[i]), *(len(row[i]) for row in rows)]) for i in range(len(headers))]
    for row in [headers, *rows]:
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        out.write(line.rstrip() + "\n")
    return len(rows)


def write_csv(entries: Iterable[Entry], out: TextIO) -> int:
    """Write the export CSV (header first); return how many entries it held."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for entry in entries:
        record = entry_record(entry)
        # The number is validated E.164 (digits after "+"), never a formula.
        writer.writerow({k: v if k == "number" else escape_cell(v) for k, v in record.items()})
        count += 1
    return count


def write_json(entries: Iterable[Entry], out: TextIO) -> int:
    """Write a JSON array of entries, one per line; return how many it held."""
    count = 0
    out.write("[")
    for entry in entries:
        out.write(",\n " if count else "\n ")
        out.write(json.dumps(entry_json(entry), ensure_ascii=False, sort_keys=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


WRITERS: Final = {"table": write_table, "csv": write_csv, "json": write_json}
