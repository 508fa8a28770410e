"""One flag path for every source: store the flag, then tell supervisors about a new review.

An agent's quick connect (:mod:`callguard.handlers.flag_number`) and a caller
who keeps failing the spam challenge (:mod:`callguard.handlers.verify_code`)
both flag numbers. They must follow the same review rules, so both come here:
the rejection suppression period is the environment's
(``CALLGUARD_REJECT_SUPPRESSION_DAYS``), and each review that opens - a new
``pending`` entry, or a rejection whose suppression has ended - publishes one
notification when ``CALLGUARD_NOTIFY_TOPIC_ARN`` is set. A publish failure is
logged and counted (:func:`callguard.notify.failure_metric`) and never turns
the flag, or the caller's call, into an error.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from callguard import aws, notify
from callguard.store import PENDING

if TYPE_CHECKING:
    from callguard.config import Config
    from callguard.connect import ContactEvent
    from callguard.store import DenyList, FlagOutcome


def flag(
    store: DenyList,
    config: Config,
    number: str,
    contact: ContactEvent,
    fields: dict[str, object],
    *,
    status: str,
    reason: str,
    source: str,
    flagged_by: str = "",
    notify_by: float | None = None,
) -> FlagOutcome:
    """Flag ``number`` from ``contact``, notify on a new review, and fill the log ``fields``.

    ``notify_by`` (a :func:`time.perf_counter` value) is the latest moment a
    publish may start: a handler whose flow waits only a few seconds passes it,
    so a slow flag write plus a hanging SNS cannot run past the flow's limit.
    A notification skipped for time is logged (``notification`` =
    ``skipped``) and counted like a failed one; the review is in the queue
    either way.

    Raises what :meth:`DenyList.flag` raises (the caller decides what its flow
    hears); never raises for the notification.
    """
    outcome = store.flag(
        number,
        status=status,
        reason=reason,
        source=source,
        flagged_by=flagged_by,
        contact_id=contact.contact_id,
        initial_contact_id=contact.initial_contact_id,
        previous_contact_id=contact.previous_contact_id,
        instance_arn=contact.instance_arn,
        suppression_days=config.reject_suppression_days,
    )
    fields["flag_count"] = outcome.entry.flag_count
    if outcome.repeated:
        fields["repeated"] = True  # Connect retried this contact's invocation
    if outcome.suppressed:
        fields["suppressed"] = True  # rejected recently: counted, no new review
    if outcome.reopened:
        fields["reopened"] = True
    # One message per review that opens; a retried invocation already had its chance.
    opened = outcome.created and not outcome.repeated and outcome.entry.status == PENDING
    if opened and config.notify_topic_arn:
        if notify_by is not None and time.perf_counter() > notify_by:
            fields["notification"] = "skipped"
            fields["notification_error"] = "OutOfTime"
            add_metric(fields, notify.failure_metric(config.table))
            return outcome
        notice = notify.Notice(table=config.table, block_pending=config.block_pending)
        sent, error = notify.publish_pending(
            aws.sns_client, config.notify_topic_arn, outcome.entry, notice
        )
        fields["notification"] = sent
        if error:
            fields["notification_error"] = error
            add_metric(fields, notify.failure_metric(config.table))
    return outcome


def add_metric(fields: dict[str, object], metric: dict[str, object]) -> None:
    """Merge an embedded-metric block into ``fields``, keeping metrics already declared.

    One log line may declare several metrics (the challenge's ``ChallengeFailed``
    and a failed notification); EMF takes a list of directives under ``_aws``,
    so a second block adds its directive instead of replacing the first.
    """
    existing = fields.get("_aws")
    new = metric.get("_aws")
    if isinstance(existing, dict) and isinstance(new, dict):
        merged: dict[str, Any] = dict(existing)
        merged["CloudWatchMetrics"] = [
            *existing.get("CloudWatchMetrics", []),
            *new.get("CloudWatchMetrics", []),
        ]
        fields.update({k: v for k, v in metric.items() if k != "_aws"})
        fields["_aws"] = merged
        return
    fields.update(metric)
