"""The job report: one row per receiver, as ``.xlsx``, CSV or JSON, and a summary.

Columns, in order: ``receiver_id``; the receiver's extra columns in the job's
order; ``phone_number`` (the receiver's own number: the report is the one place a
full number appears, never a log); ``status``; ``error``; ``attempts`` (calls
placed or tried); ``call_time`` (start of the latest call, ISO 8601 UTC);
``contact_id`` (of that call); then one column per question that takes an answer,
headed like ``Q1 (Yes/No)``.

Every receiver of the job gets a row. One with no result record gets the status
:data:`NO_RESULT` instead of disappearing. Text cells that a spreadsheet would run
as a formula (starting ``=``, ``+``, ``-``, ``@``, tab or carriage return) are
prefixed with ``'`` in the spreadsheet formats; an E.164 number is left alone (a
``+`` and digits cannot carry a formula). JSON keeps every value as it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, Final

from callguard.numbers import is_e164
from callguard.outbound.model import Job, Question, Receiver
from callguard.outbound.results import Answer, CallStatus, ReceiverResult
from callguard.spreadsheet import neutralise

#: Status of a receiver for whom no result record exists (not reached yet, or lost).
NO_RESULT: Final = "no_result"
#: Every status a report row can have, in the order the summary lists them.
REPORT_STATUSES: Final = (*(s.value for s in CallStatus), NO_RESULT)
#: The fixed columns after the receiver's own columns.
FIXED_COLUMNS: Final = ("phone_number", "status", "error", "attempts", "call_time", "contact_id")

#: Characters the xlsx format cannot hold (XML 1.0 forbids them); shown escaped.
_ILLEGAL_XML_RE: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Cell = str | int | float


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One receiver's line of the report."""

    receiver: Receiver
    status: str
    error: str
    attempts: int
    call_time: str
    contact_id: str
    answers: tuple[Answer | None, ...]


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts per status over every receiver, and the share that completed."""

    counts: Mapping[str, int]
    total: int

    @property
    def completion_rate(self) -> float:
        """Completed receivers over all receivers (0.0 for a job with none)."""
        return self.counts.get(CallStatus.COMPLETED.value, 0) / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class Report:
    """The rows of one job's report, with its headers and summary."""

    job: Job
    questions: tuple[Question, ...]
    rows: tuple[ReportRow, ...]

    @property
    def headers(self) -> list[str]:
        """Column headers, in order."""
        return [
            "receiver_id",
            *self.job.columns,
            *FIXED_COLUMNS,
            *(q.header for q in self.questions),
        ]

    def values(self, row: ReportRow) -> list[Cell | None]:
        """Return ``row``'s cells in header order (``None`` for an empty cell)."""
        columns = [row.receiver.columns.get(name, "") for name in self.job.columns]
        fixed: list[Cell | None] = [
            row.receiver.phone,
            row.status,
            row.error,
            row.attempts,
            row.call_time,
            row.contact_id,
        ]
        return [row.receiver.id, *columns, *fixed, *row.answers]

    @property
    def summary(self) -> Summary:
        """Counts per status (every status listed, zeros included)."""
        counts = dict.fromkeys(REPORT_STATUSES, 0)
        for row in self.rows:
            counts[row.status] += 1
        return Summary(counts=counts, total=len(self.rows))


def build_report(job: Job, results: Mapping[str, ReceiverResult]) -> Report:
    """Build ``job``'s report from its receivers' results (keyed by receiver id).

    Results for receivers that are not in the job are not the caller's to drop
    silently: check :func:`unknown_receivers` first.
    """
    questions = tuple(q for q in job.questions if q.type.expects_answer)
    rows = tuple(_row(receiver, results.get(receiver.id), questions) for receiver in job.receivers)
    return Report(job=job, questions=questions, rows=rows)


def unknown_receivers(job: Job, results: Mapping[str, ReceiverResult]) -> list[str]:
    """Return the receiver ids that have results but are not in ``job``, sorted."""
    known = {receiver.id for receiver in job.receivers}
    return sorted(rid for rid in results if rid not in known)


def _row(
    receiver: Receiver, result: ReceiverResult | None, questions: Sequence[Question]
) -> ReportRow:
    if result is None:
        return ReportRow(
            receiver, NO_RESULT, "no result recorded", 0, "", "", (None,) * len(questions)
        )
    call = result.last_call
    answers = result.answers
    return ReportRow(
        receiver=receiver,
        status=result.status.value,
        error=_error(result),
        attempts=result.dial_attempts,
        call_time=_iso(call.started_at) if call else "",
        contact_id=(call.contact_id or "") if call else "",
        answers=tuple(answers.get(q.number) for q in questions),
    )


def _error(result: ReceiverResult) -> str:
    final = result.final
    if final.status is CallStatus.DO_NOT_CALL:
        return f"on the deny list (source: {final.source or 'unknown'})"
    if final.status is CallStatus.FAILED:
        return final.error_type or "unknown error"
    return final.error_type or ""


def _iso(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


# ------------------------------------------------------------------ writers
def _sheet_cell(value: Cell | None, *, phone: bool = False) -> Cell | None:
    """Make a value safe for a spreadsheet cell (formula prefix, XML-illegal characters)."""
    if not isinstance(value, str):
        return value
    text = _ILLEGAL_XML_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return text if phone and is_e164(text) else neutralise(text)


def _sheet_rows(report: Report) -> Iterator[list[Cell | None]]:
    """Yield the header and then each row, made safe for a spreadsheet, one at a time."""
    phone_at = 1 + len(report.job.columns)
    yield [_sheet_cell(h) for h in report.headers]
    for row in report.rows:
        values = report.values(row)
        yield [_sheet_cell(v, phone=i == phone_at) for i, v in enumerate(values)]


def write_csv(report: Report, out: IO[str]) -> int:
    """Write the report rows as CSV (header first); return the number of receivers.

    CSV has no second sheet: the summary is in the xlsx and JSON forms.
    """
    writer = csv.writer(out, lineterminator="\n")
    for values in _sheet_rows(report):
        writer.writerow(["" if v is None else v for v in values])
    return len(report.rows)


def write_xlsx(report: Report, out: IO[bytes]) -> int:
    """Write the report as a workbook: sheet ``Report``, then sheet ``Summary``.

    openpyxl's write-only mode streams rows to the file, so a large job does not
    build a whole workbook in memory.
    """
    from openpyxl import Workbook  # noqa: PLC0415 - only the xlsx report needs it
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Report")
    sheet.freeze_panes = "B2"
    for values in _sheet_rows(report):
        sheet.append(values)
    summary = report.summary
    totals = book.create_sheet("Summary")
    totals.append(["status", "receivers"])
    for status, count in summary.counts.items():
        totals.append([status, count])
    totals.append(["total", summary.total])
    rate = WriteOnlyCell(totals, value=summary.completion_rate)
    rate.number_format = "0.0%"
    totals.append(["completion_rate", rate])
    book.save(out)
    return len(report.rows)


def report_json(report: Report) -> dict[str, Any]:
    """Return the report as JSON-ready data: job id, headers, summary and one object per row."""
    summary = report.summary
    receivers = []
    for row in report.rows:
        receivers.append(
            {
                "receiver_id": row.receiver.id,
                "columns": {
                    name: row.receiver.columns.get(name, "") for name in report.job.columns
                },
                "phone_number": row.receiver.phone,
                "status": row.status,
                "error": row.error,
                "attempts": row.attempts,
                "call_time": row.call_time or None,
                "contact_id": row.contact_id or None,
                "answers": {
                    q.header: answer
                    for q, answer in zip(report.questions, row.answers, strict=True)
                },
            }
        )
    return {
        "job_id": report.job.id,
        "columns": report.headers,
        "summary": {
            "counts": dict(summary.counts),
            "total": summary.total,
            "completion_rate": round(summary.completion_rate, 4),
        },
        "receivers": receivers,
    }


def write_json(report: Report, out: IO[str]) -> int:
    """Write :func:`report_json` as indented JSON; return the number of receivers."""
    json.dump(report_json(report), out, ensure_ascii=False, indent=2)
    out.write("\n")
    return len(report.rows)
