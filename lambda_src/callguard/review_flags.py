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

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from callguard import aws, notify
from callguard.deadline import Deadline, enforced
from callguard.store import PENDING

if TYPE_CHECKING:
    from callguard.config import Config
    from callguard.connect import ContactEvent
    from callguard.metrics import Metric
    from callguard.store import DenyList, FlagOutcome

#: ``notification`` of a review that opened too late in the invocation to publish.
SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class FlagReport:
    """What one flag did: the store's outcome and the notification's fate.

    ``notification`` is ``sent``, ``failed`` or ``skipped`` (no time left), or
    "" when none was due (no new review, or no topic); ``metrics`` counts a
    notification that did not go out.
    """

    outcome: FlagOutcome
    notification: str = ""
    notification_error: str = ""
    metrics: tuple[Metric, ...] = ()

    def log_fields(self) -> dict[str, object]:
        """Return the invocation log fields that describe this flag."""
        fields: dict[str, object] = {"flag_count": self.outcome.entry.flag_count}
        if self.outcome.repeated:
            fields["repeated"] = True  # Connect retried this contact's invocation
        if self.outcome.suppressed:
            fields["suppressed"] = True  # rejected recently: counted, no new review
        if self.outcome.reopened:
            fields["reopened"] = True
        if self.notification:
            fields["notification"] = self.notification
        if self.notification_error:
            fields["notification_error"] = self.notification_error
        return fields


def flag(
    store: DenyList,
    config: Config,
    number: str,
    contact: ContactEvent,
    *,
    status: str,
    reason: str,
    source: str,
    flagged_by: str = "",
    deadline: Deadline | None = None,
) -> FlagReport:
    """Flag ``number`` from ``contact`` and notify on a new review; report what happened.

    With a ``deadline`` (a handler whose flow waits only a few seconds), the
    write runs under it (:func:`callguard.deadline.enforced`), and a publish
    starts only while a whole publish (:data:`callguard.aws.SNS_WORST_CASE_SECONDS`)
    still fits, and runs under it too: a slow write plus a hanging SNS cannot
    run past the flow's limit, and a stored flag is never answered as an
    error because its notification was slow. A notification skipped for time
    is reported as ``skipped`` and counted like a failed one; the review is in
    the queue either way.

    Raises what :meth:`DenyList.flag` raises, and
    :class:`~callguard.deadline.DeadlineExceeded` when the write runs out of
    time (the caller decides what its flow hears); never raises for the
    notification.
    """
    with enforced(deadline) if deadline else contextlib.nullcontext():
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
    # One message per review that opens; a retried invocation already had its chance.
    opened = outcome.created and not outcome.repeated and outcome.entry.status == PENDING
    if not (opened and config.notify_topic_arn):
        return FlagReport(outcome)
    lost = (notify.failure_metric(config.table),)
    if deadline is not None and deadline.remaining() < aws.SNS_WORST_CASE_SECONDS:
        return FlagReport(outcome, SKIPPED, "OutOfTime", lost)
    notice = notify.Notice(table=config.table, block_pending=config.block_pending)
    sent, error = notify.publish_pending(
        aws.sns_client, config.notify_topic_arn, outcome.entry, notice, deadline
    )
    return FlagReport(outcome, sent, error, lost if error else ())
