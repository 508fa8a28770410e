"""Lambda entry point for "Amazon Connect Contact Event" events from EventBridge.

Invoked asynchronously by an EventBridge rule that matches ``DISCONNECTED`` events of
the outbound instance. A resolve that could not reach DynamoDB or Step Functions
raises, so Lambda's asynchronous retries try again (resolving twice is harmless);
everything else answers with the counts of what was done.
"""

from __future__ import annotations

import os
from typing import Any

from callguard.logs import set_level
from callguard.outbound.contact_events import handle_event
from callguard.outbound.handlers import clients
from callguard.outbound.task_tokens import TaskTokenStore


def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Resolve the waiting task of a disconnected outbound contact."""
    del context  # unused: the work is one conditional update and one API call
    set_level(os.environ.get("CALLGUARD_LOG_LEVEL", "INFO"))
    settings = clients.settings()
    store = TaskTokenStore(clients.dynamodb_client(), clients.sfn_client(), settings.token_table)
    report = handle_event(event, store, clients.call_slots(settings))
    return {
        "resolved": report.resolved,
        "already_resolved": report.already_resolved,
        "unknown_contact": report.unknown_contact,
        "ignored": report.ignored,
        "slots_released": report.slots_released,
    }
