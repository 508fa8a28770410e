"""End a call's wait from its ``DISCONNECTED`` contact event, so no call waits out a timeout.

Amazon Connect publishes "Amazon Connect Contact Event" events to EventBridge,
best effort and unordered. ``DISCONNECTED`` is sent when a call ends, and for an
outbound call also when the dial fails, nobody picks up, or a SIT tone answers.
An EventBridge rule sends those events to this handler, which looks up the task
token by contact id and resolves it with what the event tells:

* ``disconnectReason`` ``TELECOM_BUSY`` -> ``busy``; ``TELECOM_UNANSWERED`` or
  ``TELECOM_TIMEOUT`` -> ``no_answer``; ``TELECOM_NUMBER_INVALID`` -> ``failed``.
  These are the contact-record codes; that contact events carry them for
  non-campaign calls is *unverified*.
* ``answeringMachineDetectionStatus`` (campaign traffic only): ``SIT_TONE_BUSY`` ->
  ``busy``, ``SIT_TONE_INVALID_NUMBER`` -> ``failed``, ``VOICEMAIL_BEEP`` /
  ``VOICEMAIL_NO_BEEP`` -> ``voicemail``, ``AMD_UNANSWERED`` -> ``no_answer``.
* otherwise ``connectedToSystemTimestamp`` (documented): set means the call was
  answered and ended before the flow resolved it -> ``partial``, with the answers
  recorded so far; absent means nobody answered -> ``no_answer``.

A completed call is resolved by the outbound flow's last Lambda before it
disconnects, so the event then finds the token already resolved and does nothing.
Events for contacts this engine did not place (unknown contact ids, other event
types) are ignored and counted, never errors.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from callguard.logs import log_invocation
from callguard.outbound.call_slots import CallSlots, instance_id_from_arn
from callguard.outbound.client_token import client_token
from callguard.outbound.task_tokens import Outcome, TaskTokenStore

#: EventBridge ``detail-type`` of contact events.
DETAIL_TYPE: Final = "Amazon Connect Contact Event"
#: The one event type that ends a wait.
DISCONNECTED: Final = "DISCONNECTED"

#: ``disconnectReason`` codes (contact-record vocabulary) and the outcome they mean.
_REASON_OUTCOMES: Final = {
    "TELECOM_BUSY": "busy",
    "TELECOM_UNANSWERED": "no_answer",
    "TELECOM_TIMEOUT": "no_answer",
    "TELECOM_NUMBER_INVALID": "failed",
}
#: Answering-machine detection results (campaign calls) and the outcome they mean.
_AMD_OUTCOMES: Final = {
    "SIT_TONE_BUSY": "busy",
    "SIT_TONE_INVALID_NUMBER": "failed",
    "VOICEMAIL_BEEP": "voicemail",
    "VOICEMAIL_NO_BEEP": "voicemail",
    "AMD_UNANSWERED": "no_answer",
}


@dataclass(frozen=True, slots=True)
class Classification:
    """The outcome an event implies and the evidence it was read from."""

    status: str
    evidence: str


def classify(detail: Mapping[str, Any]) -> Classification:
    """Map a ``DISCONNECTED`` event's ``detail`` to a call outcome (see the module table)."""
    reason = str(detail.get("disconnectReason") or "")
    if reason in _REASON_OUTCOMES:
        return Classification(_REASON_OUTCOMES[reason], f"disconnectReason={reason}")
    amd = str(detail.get("answeringMachineDetectionStatus") or "")
    if amd in _AMD_OUTCOMES:
        return Classification(_AMD_OUTCOMES[amd], f"answeringMachineDetectionStatus={amd}")
    if detail.get("connectedToSystemTimestamp"):
        return Classification("partial", "connectedToSystemTimestamp")
    return Classification("no_answer", "not connected")


@dataclass(slots=True)
class EventReport:
    """Counts of what the handler did with the events it was given."""

    resolved: int = 0
    already_resolved: int = 0
    unknown_contact: int = 0
    ignored: int = 0
    slots_released: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


def handle_event(
    event: Mapping[str, Any], store: TaskTokenStore, slots: CallSlots | None = None
) -> EventReport:
    """Resolve the waiting task of one contact event, if it is ours and a disconnect.

    With ``slots``, the call's concurrent-call lease is given back too: the call is
    over, whoever resolved its wait.

    Raises :class:`~callguard.outbound.task_tokens.TokenStoreError` when the resolve
    could not reach DynamoDB or Step Functions: the asynchronous invocation is then
    retried by Lambda, and resolving twice is harmless.
    """
    report = EventReport()
    detail = event.get("detail")
    if event.get("detail-type") != DETAIL_TYPE or not isinstance(detail, Mapping):
        report.ignored += 1
        return report
    contact_id = detail.get("contactId")
    if detail.get("eventType") != DISCONNECTED or not isinstance(contact_id, str) or not contact_id:
        report.ignored += 1
        return report
    classification = classify(detail)
    outcome = Outcome(
        status=classification.status, source="contact_event", detail=classification.evidence
    )
    result = store.resolve(contact_id, outcome)
    if result.unknown:
        report.unknown_contact += 1
    elif result.already:
        report.already_resolved += 1
    else:
        report.resolved += 1
        report.statuses[outcome.status] = report.statuses.get(outcome.status, 0) + 1
    instance_id = instance_id_from_arn(str(detail.get("instanceArn", "")))
    if slots is not None and result.call is not None and instance_id:
        call = result.call
        if slots.release(instance_id, client_token(call.job_id, call.receiver_id, call.attempt)):
            report.slots_released += 1
    log_invocation(
        logging.INFO,
        {
            "event": "contact_disconnected",
            "contact_id": contact_id,
            "outcome": outcome.status,
            "evidence": classification.evidence,
            "unknown_contact": result.unknown,
            "already_resolved": result.already,
            "task_gone": result.task_gone,
        },
    )
    return report
