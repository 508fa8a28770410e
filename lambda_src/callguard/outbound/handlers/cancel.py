"""Lambda entry point that cancels a job: no further call, waiting calls end ``cancelled``.

Input ``{"job_id"}``. What a cancel does is :func:`callguard.outbound.cancelling.cancel_job`
(``callguard outbound cancel`` runs the same code).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from callguard.logs import log_invocation, set_level
from callguard.outbound.cancelling import cancel_job
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
    tokens = TaskTokenStore(
        clients.dynamodb_client(), clients.sfn_client(), clients.settings().token_table
    )
    ended = cancel_job(orchestration.results(config), tokens, job_id)
    log_invocation(logging.INFO, {"event": "job_cancelled", "job_id": job_id, "ended": ended})
    return {"job_id": job_id, "waiting_calls_ended": ended}
