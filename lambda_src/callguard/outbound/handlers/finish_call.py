"""End the wait of the state machine for this call: the outbound flow's last function.

Invoked with ``Status``: ``completed`` (every question was asked), ``opted_out``,
``voicemail`` (answering-machine detection heard a machine), ``partial`` (the flow
gave up: nothing was heard, or a function failed). It resolves the attempt's task
token through :class:`~callguard.outbound.task_tokens.TaskTokenStore` (once: a
``DISCONNECTED`` event racing it finds the token resolved, and the other way round),
with the answers recorded during the call. For ``opted_out`` the deny-list write is
repeated first (idempotent per contact), so an opt-out whose first write failed is
still recorded before the job hears of it.

Returns exactly :data:`KEYS`: ``result`` = ``resolved``, ``already`` (someone else
ended the wait first), ``gone`` (the wait was over: timed out or cancelled),
``unknown`` (no attempt recorded for the contact) or ``error``; ``status`` as sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from callguard.handlers.envelope import Invocation, run
from callguard.outbound.handlers.call_context import services
from callguard.outbound.handlers.opt_out import record_opt_out
from callguard.outbound.task_tokens import Outcome

KEYS: Final = ("result", "status")
#: Statuses the flow may end a call with.
FLOW_STATUSES: Final = frozenset({"completed", "opted_out", "voicemail", "partial"})
#: Longest detail kept.
MAX_DETAIL_LENGTH: Final = 200


def handler(event: object, context: object) -> dict[str, str]:
    """Amazon Connect entry point: never raises, always answers with :data:`KEYS`."""
    return run("finish_call", _finish, _error_answer, event, context, summary=_summary)


def _summary(answer: Mapping[str, str]) -> dict[str, object]:
    return {"outcome": answer["result"], "status": answer["status"]}


def _error_answer(_invocation: Invocation) -> dict[str, str]:
    return {"result": "error", "status": ""}


def _finish(invocation: Invocation) -> dict[str, str]:
    contact = invocation.contact
    status = contact.parameter("Status")
    if status not in FLOW_STATUSES:
        raise ValueError(f"Status {status!r} is not one of {sorted(FLOW_STATUSES)}")
    found = services()
    if not contact.contact_id:
        raise ValueError("the event carries no ContactId")
    if status == "opted_out":
        call = found.tokens.get(contact.contact_id)
        if call is not None:
            record_opt_out(found.deny_list_table, contact, call.job_id, invocation.fields)
    result = found.tokens.resolve(
        contact.contact_id,
        Outcome(
            status=status,
            source="flow",
            detail=contact.parameter("Detail", MAX_DETAIL_LENGTH),
        ),
    )
    if result.unknown:
        return {"result": "unknown", "status": status}
    if result.already:
        return {"result": "already", "status": result.status}
    return {"result": "gone" if result.task_gone else "resolved", "status": status}
