"""Turn the results table's items into the report module's results, and write the report files.

The report itself (rows, summary, xlsx/CSV/JSON, formula neutralisation) is
:mod:`callguard.outbound.report`; the per-attempt records are
:mod:`callguard.outbound.results`. This module only maps one receiver's table item
(:class:`~callguard.outbound.job_results.ReceiverResult`) onto those types: every
recorded attempt, then, when the receiver ended without a call of its own
(screened out, cancelled, no outcome), one more attempt with that status.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
from collections.abc import Mapping
from typing import Final

from callguard.logs import log_invocation
from callguard.outbound import job_results
from callguard.outbound.model import Job, QuestionType
from callguard.outbound.report import build_report, write_csv, write_json, write_xlsx
from callguard.outbound.results import (
    Answer,
    Attempt,
    CallStatus,
    ReceiverResult,
    ResultFormatError,
    normalise_answer,
    write_jsonl,
)

#: Error recorded for a receiver the job ended without a final status for.
NO_RESULT: Final = "NoResult"


def _when(epoch: float) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(epoch, dt.UTC) if epoch else None


def _answers(job: Job, raw: Mapping[str, str]) -> dict[int, Answer]:
    """Return the answers in the report's form; one that does not fit its question is left out."""
    kinds = {q.number: q.type for q in job.questions}
    answers: dict[int, Answer] = {}
    for key, value in raw.items():
        kind = kinds.get(int(key)) if key.isdigit() else None
        if kind is None or kind is QuestionType.MESSAGE:
            continue
        try:
            answers[int(key)] = normalise_answer(kind, value)
        except ResultFormatError:
            log_invocation(logging.WARNING, {"event": "answer_not_normalised", "question": key})
    return answers


def receiver_result(job: Job, stored: job_results.ReceiverResult) -> ReceiverResult:
    """Map one receiver's table item onto the report module's result (every attempt)."""
    attempts = [
        Attempt(
            number=entry.attempt,
            status=CallStatus(entry.status),
            ended_at=_when(entry.at),
            contact_id=entry.contact_id or None,
            error_type=entry.error or None,
            source=entry.source or None,
        )
        for entry in stored.history
    ]
    final = stored.status or CallStatus.FAILED.value
    if not stored.status or not attempts or attempts[-1].status.value != final:
        issued_unrecorded = stored.attempts > stored.recorded
        attempts.append(
            Attempt(
                number=stored.attempts if issued_unrecorded else stored.recorded + 1,
                status=CallStatus(final),
                error_type=(stored.error if stored.status else NO_RESULT) or None,
                source=stored.detail or "planner",
            )
        )
    answers = _answers(job, stored.answers)
    if answers:
        attempts[-1] = dataclasses.replace(attempts[-1], answers=answers)
    return ReceiverResult(job.id, stored.receiver_id, tuple(attempts))


def report_files(
    job: Job, stored: Mapping[str, job_results.ReceiverResult]
) -> tuple[dict[str, bytes], dict[str, int]]:
    """Return the report's files (name -> bytes) and its counts per status."""
    results = {
        receiver.id: receiver_result(
            job, stored.get(receiver.id, job_results.ReceiverResult(receiver.id))
        )
        for receiver in job.receivers
    }
    report = build_report(job, results)
    workbook = io.BytesIO()
    write_xlsx(report, workbook)
    table, document, records = io.StringIO(), io.StringIO(), io.StringIO()
    write_csv(report, table)
    write_json(report, document)
    write_jsonl(results.values(), records)
    files = {
        "report.xlsx": workbook.getvalue(),
        "report.csv": table.getvalue().encode(),
        "report.json": document.getvalue().encode(),
        "results.jsonl": records.getvalue().encode(),
    }
    counts = {status: n for status, n in report.summary.counts.items() if n}
    return files, counts
