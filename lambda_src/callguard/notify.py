"""Tell supervisors about a new pending flag: one SNS message per review that opens.

The flag handler calls :func:`publish_pending` after the flag is stored. The
message carries what a supervisor needs to decide whether to look now - the
masked number, the reason, who flagged, the instance and contact ids - and the
``callguard`` commands that do the review. The full number is never sent: SNS
delivers to e-mail, which is not a place for customer data; ``denylist pending``
shows it to people allowed to read the table.

Publishing is best effort by design: the agent's flag is already stored and the
review queue (``callguard denylist pending``) is the source of truth, so a
publish failure is logged and counted (an embedded CloudWatch metric in the
invocation line, see :func:`failure_metric`) and never turns the flag into an
error. The SNS client has short timeouts and one attempt (:mod:`callguard.aws`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from callguard.deadline import Deadline, enforced
from callguard.metrics import Metric
from callguard.numbers import mask

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient

    from callguard.store import Entry

#: The metric of failed publishes (namespace :data:`callguard.metrics.NAMESPACE`).
FAILURE_METRIC: Final = "ReviewNotificationFailures"
#: The ``event`` message attribute, for subscription filter policies.
EVENT_PENDING: Final = "pending_review"
#: SNS accepts subjects of at most 100 characters.
MAX_SUBJECT: Final = 100
#: Longest free text (reason, note, agent) copied into a message.
MAX_TEXT: Final = 300

SENT: Final = "sent"
FAILED: Final = "failed"


@dataclass(frozen=True, slots=True)
class Notice:
    """Where the entry lives, for the "how to review" part of the message."""

    table: str
    block_pending: bool


def subject(entry: Entry) -> str:
    """Return the message subject (masked number; SNS's 100-character limit)."""
    return f"callguard: caller {mask(entry.phone_number)} flagged for review"[:MAX_SUBJECT]


def payload(entry: Entry, notice: Notice) -> dict[str, Any]:
    """Return the machine-readable form of the notification (queues, functions, webhooks)."""
    return {
        "event": EVENT_PENDING,
        "source": entry.source,
        "number_masked": mask(entry.phone_number),
        "reason": entry.reason[:MAX_TEXT],
        "flagged_by": entry.flagged_by[:MAX_TEXT],
        "flagged_at": entry.created_at,
        "flag_count": entry.flag_count,
        "instance_arn": entry.instance_arn,
        "contact_id": entry.contact_id,
        "initial_contact_id": entry.initial_contact_id,
        "previous_contact_id": entry.previous_contact_id,
        "table": notice.table,
        "previous_decision": (
            {
                "reviewed_by": entry.reviewed_by[:MAX_TEXT],
                "reviewed_at": entry.reviewed_at,
                "note": entry.review_note[:MAX_TEXT],
            }
            if entry.reviewed_at
            else None
        ),
    }


def text(entry: Entry, notice: Notice) -> str:
    """Return the message people read (e-mail): facts first, then the review commands."""
    table = notice.table
    calls = (
        "are refused (block_pending is on)"
        if notice.block_pending
        else "are let through; agents see callguard_pending_review=true"
    )
    who = (
        "A caller failed the spam challenge too often."
        if entry.source == "challenge"
        else "An agent flagged a caller."
    )
    lines = [
        f"{who} The number waits for a supervisor's decision.",
        "",
        f"Number:        {mask(entry.phone_number)}",
        f"Reason:        {entry.reason[:MAX_TEXT] or '-'}",
        f"Flagged by:    {entry.flagged_by[:MAX_TEXT] or '-'}",
        f"Flagged at:    {entry.created_at or '-'}",
        f"Instance:      {entry.instance_arn or '-'}",
        f"Contact id:    {entry.contact_id or '-'}",
        f"Caller's contact: {entry.previous_contact_id or entry.initial_contact_id or '-'}",
    ]
    if entry.reviewed_at:
        who = f" by {entry.reviewed_by[:MAX_TEXT]}" if entry.reviewed_by else ""
        note = f" ({entry.review_note[:MAX_TEXT]})" if entry.review_note else ""
        lines.append(f"Rejected before: {entry.reviewed_at}{who}{note}")
    lines += [
        "",
        f"Until a decision, calls from this number {calls}.",
        "",
        "To review (the list shows the full number):",
        f"  callguard --table {table} denylist pending",
        f'  callguard --table {table} denylist approve NUMBER --note "why"',
        f'  callguard --table {table} denylist reject NUMBER --note "why"',
    ]
    return "\n".join(lines) + "\n"


def publish_pending(
    client: Callable[[], SNSClient],
    topic_arn: str,
    entry: Entry,
    notice: Notice,
    deadline: Deadline | None = None,
) -> tuple[str, str]:
    """Publish one notification for ``entry``; return (``sent``|``failed``, error type).

    Never raises: every failure - building the client, the request, a timeout,
    the invocation's ``deadline`` passing - becomes (``failed``, the exception's
    type name) for the invocation log line.
    """
    try:
        data = json.dumps(payload(entry, notice), ensure_ascii=False, sort_keys=True)
        with enforced(deadline) if deadline else contextlib.nullcontext():
            _publish(client(), topic_arn, entry, notice, data)
    except Exception as error:  # the agent's flag must never fail here
        return FAILED, type(error).__name__
    return SENT, ""


def _publish(client: SNSClient, topic_arn: str, entry: Entry, notice: Notice, data: str) -> None:
    client.publish(
        TopicArn=topic_arn,
        Subject=subject(entry),
        MessageStructure="json",
        Message=json.dumps(
            {
                "default": text(entry, notice),
                "sqs": data,
                "lambda": data,
                "http": data,
                "https": data,
                "email-json": data,
            }
        ),
        MessageAttributes={
            "event": {"DataType": "String", "StringValue": EVENT_PENDING},
            "reopened": {
                "DataType": "String",
                "StringValue": "true" if entry.reviewed_at else "false",
            },
        },
    )


def failure_metric(table: str) -> Metric:
    """Return the metric that counts one failed publish for ``table``.

    CloudWatch extracts ``callguard/ReviewNotificationFailures`` (dimension
    ``Table``) from the invocation's log line, without any API call or
    permission, so an alarm can watch for lost notifications.
    """
    return Metric(FAILURE_METRIC, (("Table", table),))
