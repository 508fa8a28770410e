"""Lambda entry point of the state machine's Plan step: decide the next round of calls.

Input ``{"job_id", "job_key", "round"}``; output ``{"action": "dial"|"wait"|"done",
"round", "round_key", "wait_until", "calls"}`` (every key on every path, as the
state machine's ``ResultSelector`` reads them all).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from typing import Any

from callguard.logs import log_invocation, set_level
from callguard.outbound.handlers import clients, orchestration
from callguard.outbound.planner import DIAL, Planner
from callguard.outbound.screening import DoNotCallList


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Plan a round; write its items file when there is anyone to call."""
    del context
    set_level(os.environ.get("CALLGUARD_LOG_LEVEL", "INFO"))
    config = orchestration.settings()
    job = orchestration.load_job(config, str(event["job_key"]))
    planner = Planner(
        orchestration.results(config),
        DoNotCallList(clients.dynamodb_client(), config.deny_table),
        orchestration.CapReservations(config.cap_table) if config.cap_table else None,
        config.calls_per_second,
        config.source_phone_number,
    )
    plan = planner.plan(job, int(event.get("round") or 0))
    key = ""
    if plan.action == DIAL:
        key = orchestration.round_key(job.id, plan.round)
        orchestration.put_json(config.work_bucket, key, list(plan.items))
    log_invocation(
        logging.INFO,
        {
            "event": "round_planned",
            "job_id": job.id,
            "round": plan.round,
            "action": plan.action,
            "calls": len(plan.items),
            "finished": len(plan.finished or {}),
        },
    )
    return plan.payload(key, dt.datetime.now(dt.UTC))
