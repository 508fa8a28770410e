"""Lambda entry point of the state machine's Record step: one attempt's outcome to the table.

Input: the Map item (``job_id``, ``receiver_id``, ``attempt``, retry policy) with
either ``outcome`` (the task-token document the dialer, the flow, the contact
event or a cancel sent) or ``error`` (``{"Error", "Cause"}`` when the wait ended
in an error, ``States.Timeout`` being the backstop for a lost contact event).
A timed-out attempt ends ``failed`` (``CallTimedOut``) and is not retried: the
call may have been answered, and calling again could call someone twice.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any, Final

from callguard.logs import log_invocation, set_level
from callguard.outbound.handlers import orchestration
from callguard.outbound.job_results import AttemptRecord

#: Error type recorded when the call's wait timed out.
TIMED_OUT: Final = "CallTimedOut"


def decide(event: dict[str, Any], now: float) -> tuple[AttemptRecord, dict[str, str], str, float]:
    """Return the attempt's record, its answers, the final status ("" to retry), retry time."""
    attempt = int(event["attempt"])
    outcome = event.get("outcome")
    if isinstance(outcome, dict):
        record = AttemptRecord(
            attempt=attempt,
            status=str(outcome.get("status") or "failed"),
            contact_id=str(outcome.get("contact_id") or ""),
            error=str(outcome.get("error") or ""),
            source=str(outcome.get("source") or ""),
            at=now,
        )
        answers = {str(k): str(v) for k, v in dict(outcome.get("answers") or {}).items()}
    else:
        error = dict(event.get("error") or {})
        code = str(error.get("Error") or "UnknownError")
        record = AttemptRecord(
            attempt=attempt,
            status="failed",
            error=TIMED_OUT if code == "States.Timeout" else code,
            source="state_machine",
            at=now,
        )
        answers = {}
    retryable = record.status in set(event.get("retry_on") or ())
    if retryable and attempt < int(event.get("max_attempts") or 1):
        return record, answers, "", now + int(event.get("retry_delay_seconds") or 0)
    return record, answers, record.status, 0.0


def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    """Record the attempt; answer ``{"status": <final status or "retry">}``."""
    del context
    set_level(os.environ.get("CALLGUARD_LOG_LEVEL", "INFO"))
    config = orchestration.settings()
    record, answers, final, retry_at = decide(event, time.time())
    new = orchestration.results(config).record(
        str(event["job_id"]),
        str(event["receiver_id"]),
        record,
        answers=answers,
        final_status=final,
        retry_at=retry_at,
    )
    log_invocation(
        logging.INFO,
        {
            "event": "attempt_recorded" if new else "attempt_already_recorded",
            "job_id": str(event["job_id"]),
            "receiver_id": str(event["receiver_id"]),
            "attempt": record.attempt,
            "status": record.status,
            "final": final or "retry",
        },
    )
    return {"status": final or "retry"}
