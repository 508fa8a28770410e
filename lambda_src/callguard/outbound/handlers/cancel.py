"""Lambda entry point that cancels a job: no further call, waiting calls end ``cancelled``.

Input ``{"job_id"}``. The job is flagged in the results table (the planner then
schedules nobody and ends the remaining receivers ``cancelled``) and in the
task-token table (the dialer places none of the job's queued calls), and every
call already waiting is resolved ``cancelled``. The execution is not stopped:
it runs on to its report and notification, which say what happened before the
cancel. (Stopping it with StopExecution would skip the report.)
"""

from __future__ import annotations

import logging
import os
from typing import Any

from callguard.logs import log_invocation, set_level
from callguard.outbound.handlers import clients, orchestration
from callguard.outbound.task_tokens import TaskTokenStore


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Cancel the job; answer how many waiting calls were ended."""
    del context
    set_level(os.environ.get("CALLGUARD_LOG_LEVEL", "INFO"))
    job_id = str(event.get("job_id") or "")
    if not job_id:
        raise ValueError("cancel: 'job_id' is required")
    config = orchestration.settings()
    orchestration.results(config).mark_cancelled(job_id)
    tokens = TaskTokenStore(
        clients.dynamodb_client(), clients.sfn_client(), clients.settings().token_table
    )
    ended = tokens.cancel_job(job_id)
    log_invocation(logging.INFO, {"event": "job_cancelled", "job_id": job_id, "ended": ended})
    return {"job_id": job_id, "waiting_calls_ended": ended}
