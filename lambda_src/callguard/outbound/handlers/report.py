"""Lambda entry point of the Report step: every receiver's final result, and the notification.

Reads the whole job from the results table (paginated), writes the report
(``report.xlsx``, ``report.csv``, ``report.json``, and ``results.jsonl``, one record
per attempt, through :mod:`callguard.outbound.report_files`) and a per-receiver
dump of the table (``results.json``: columns, status, attempts, answers, every
attempt) to the reports bucket, and answers the SNS subject and message: counts
per status and where the report is, never a phone number. A receiver without a
final status (the job ended abnormally) is reported ``failed`` (``NoResult``), so
nobody is missing from the report.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Final

from callguard.logs import log_invocation, set_level
from callguard.outbound import layout
from callguard.outbound.handlers import orchestration
from callguard.outbound.job_results import ReceiverResult
from callguard.outbound.model import Job
from callguard.outbound.report_files import report_files

#: Error recorded for a receiver the job ended without a final status for.
NO_RESULT: Final = "NoResult"


def result_records(job: Job, results: dict[str, ReceiverResult]) -> list[dict[str, Any]]:
    """One record per receiver, in the job's order (the report module's input)."""
    rows: list[dict[str, Any]] = []
    for receiver in job.receivers:
        result = results.get(receiver.id, ReceiverResult(receiver.id))
        rows.append(
            {
                "receiver_id": receiver.id,
                "phone": receiver.phone,
                "columns": dict(receiver.columns),
                "status": result.status or "failed",
                "error": result.error if result.status else NO_RESULT,
                "detail": result.detail,
                "attempts": result.attempts,
                "answers": dict(result.answers),
                "contact_ids": [a.contact_id for a in result.history if a.contact_id],
                "history": [
                    {"attempt": a.attempt, "status": a.status, "error": a.error, "at": a.at}
                    for a in result.history
                ],
            }
        )
    return rows


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Write the job's result records; answer the notification's subject and message."""
    del context
    set_level(os.environ.get("CALLGUARD_LOG_LEVEL", "INFO"))
    config = orchestration.settings()
    job = orchestration.load_job(config, str(event["job_key"]))
    results = {r.receiver_id: r for r in orchestration.results(config).receivers(job.id)}
    rows = result_records(job, results)
    bucket = config.reports_bucket or config.work_bucket
    key = layout.report_key(job.id, "results.json")
    orchestration.put_json(bucket, key, {"job_id": job.id, "results": rows})
    files, report_counts = report_files(job, results)
    for name, body in files.items():
        orchestration.s3_client().put_object(
            Bucket=bucket, Key=layout.report_key(job.id, name), Body=body
        )
    counts = dict(sorted(report_counts.items()))
    key = layout.report_key(job.id, "report.xlsx")
    message = {
        "job_id": job.id,
        "receivers": len(rows),
        "counts": counts,
        "report": f"s3://{bucket}/{key}",
    }
    log_invocation(logging.INFO, {"event": "report_written", "job_id": job.id, "counts": counts})
    return {
        "subject": f"callguard outbound job {job.id} finished"[:100],
        "message": json.dumps(message, separators=(",", ":")),
        "counts": counts,
        "bucket": bucket,
        "key": key,
    }
