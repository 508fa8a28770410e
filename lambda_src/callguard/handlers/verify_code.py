"""Check the code a caller keyed in, and count the attempt.

Invoked by the spam-challenge flow module with these parameters:

- ``Entered``: what the caller typed (``$.StoredCustomerInput``; Amazon Connect
  stores ``Timeout`` when nothing was typed);
- ``Expected``: the code issued by ``challenge_code`` (kept in a contact attribute);
- ``Attempts``: attempts made before this one ("" = none);
- ``MaxAttempts``: how many attempts the caller has in all (1-5, "" = 2).

The comparison happens here, not in the flow: a flow would need a dynamic
comparison operand, which Amazon Connect does not document as reliable.

Returns exactly ``result`` (``pass``, ``retry``, ``fail`` or ``error``),
``attempts`` (attempts made, this one included; "" after an error),
``remaining`` (attempts left) and ``input`` (``digits``, ``timeout`` or
``invalid``; "" after an error), all strings.

Every answer is logged with the caller's number masked and the codes left out.
A failed challenge is also counted: its log line carries a CloudWatch embedded
metric (``callguard`` / ``ChallengeFailed``, see :mod:`callguard.metrics`), so
no API call and no extra permission are needed to graph or alarm on it.

Optionally (``CALLGUARD_CHALLENGE_FLAG_AFTER`` = N, off by default) a number that
fails N challenges within ``CALLGUARD_CHALLENGE_FLAG_WINDOW_HOURS`` is flagged for
review in the deny list (``pending``, source ``challenge``; see
:mod:`callguard.challenge_failures`) through the agents' flag path
(:mod:`callguard.review_flags`): a supervisor's rejection suppresses re-flags
for ``CALLGUARD_REJECT_SUPPRESSION_DAYS``, and with
``CALLGUARD_NOTIFY_TOPIC_ARN`` set each review that opens is published once.
Counting, flagging or notifying never changes the answer: a failure there is
logged (``flag_error``, ``notification_error``) and the caller still hears the
goodbye. Only then is botocore imported, so the plain challenge stays light.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from callguard import challenge
from callguard.connect import ContactEvent
from callguard.deadline import Deadline
from callguard.handlers.envelope import Invocation, run
from callguard.logs import set_level
from callguard.metrics import Metric
from callguard.numbers import mask

if TYPE_CHECKING:
    from callguard.review_flags import FlagReport

#: The keys of every answer, in order.
KEYS: Final = ("result", "attempts", "remaining", "input")
_ERROR: Final = {"result": "error", "attempts": "", "remaining": "", "input": ""}

#: Seconds after the invocation started by which a review notification must have
#: started, or it is skipped: the publish may take up to 1.3 s (one attempt,
#: 0.3 s connect + 1 s read timeout), and the challenge flow waits 3 s by default.
NOTIFY_BUDGET_SECONDS: Final = 1.0

#: The metric of failed challenges (namespace :data:`callguard.metrics.NAMESPACE`).
FAILED_METRIC: Final = "ChallengeFailed"
#: One failed challenge, counted per handler.
_FAILED: Final = Metric(FAILED_METRIC, (("handler", "verify_code"),))


@dataclass(frozen=True, slots=True)
class FailureCount:
    """What counting one failure did: the count, the flag it caused, or what stopped it."""

    failures: int | None = None
    flag: FlagReport | None = None
    error: str = ""

    def log_fields(self) -> dict[str, object]:
        """Return the invocation log fields that describe the count (and any flag)."""
        fields: dict[str, object] = {}
        if self.failures is not None:
            fields["failures_in_window"] = self.failures
        if self.flag is not None:
            fields.update(self.flag.log_fields())
            fields["flagged_for_review"] = True
            fields["new_listing"] = self.flag.outcome.created
            fields["listing_status"] = self.flag.outcome.entry.status
        if self.error:
            fields["flag_error"] = self.error
        return fields


def handler(event: object, context: object) -> dict[str, str]:
    """Amazon Connect entry point: never raises, always answers with :data:`KEYS`."""
    return run("verify_code", _verify, lambda _invocation: dict(_ERROR), event, context)


def _verify(invocation: Invocation) -> dict[str, str]:
    started = invocation.started
    contact = invocation.contact
    config = challenge.settings()
    set_level(config.log_level)
    caller = contact.caller(config.default_country, keypad=True)
    invocation.note(caller_class=caller.caller_class)
    if caller.is_number:
        invocation.note(number=mask(caller.e164))
    max_attempts = challenge.parse_count(
        contact.parameter("MaxAttempts", 16),
        "MaxAttempts",
        challenge.MIN_ATTEMPTS,
        challenge.MAX_ATTEMPTS,
        challenge.DEFAULT_ATTEMPTS,
    )
    before = challenge.parse_count(
        contact.parameter("Attempts", 16), "Attempts", 0, challenge.MAX_ATTEMPTS, 0
    )
    verdict = challenge.verify(
        contact.parameter("Entered", 64), contact.parameter("Expected", 16), before, max_attempts
    )
    invocation.note(attempts=verdict.attempts, max_attempts=max_attempts, input=verdict.input_kind)
    if verdict.result == challenge.FAIL:
        invocation.note(challenge_failed=True)
        invocation.count(_FAILED)
    if verdict.result == challenge.FAIL and config.flags_for_review and caller.is_number:
        counted = _count_failure(config, contact, caller.e164, started)
        invocation.note(**counted.log_fields())
        if counted.flag is not None:
            invocation.count(*counted.flag.metrics)
    return {
        "result": verdict.result,
        "attempts": str(verdict.attempts),
        "remaining": str(verdict.remaining),
        "input": verdict.input_kind,
    }


def _count_failure(
    config: challenge.Settings, contact: ContactEvent, number: str, started: float
) -> FailureCount:
    """Count this failure; flag the number for review once it reaches the threshold.

    The flag (and its notification) must be done by the moment a publish
    starting :data:`NOTIFY_BUDGET_SECONDS` after ``started`` would end.
    """
    failures: int | None = None
    try:
        from callguard import aws, review_flags  # noqa: PLC0415 - only when flagging is configured
        from callguard import config as review_config  # noqa: PLC0415
        from callguard.challenge_failures import FailureCounter  # noqa: PLC0415
        from callguard.handlers.common import deny_list  # noqa: PLC0415
        from callguard.store import PENDING  # noqa: PLC0415

        window = config.flag_window_hours * 3600
        failures = FailureCounter(aws.dynamodb_client(), config.counter_table).record(
            number, window
        )
        if failures < config.flag_after:
            return FailureCount(failures)
        # The same path as an agent's flag in review mode: the environment's
        # suppression period, and one notification per review that opens.
        report = review_flags.flag(
            deny_list(config.table),
            review_config.current(),
            number,
            contact,
            status=PENDING,
            reason=f"Failed {failures} spam challenges within {config.flag_window_hours} h",
            source="challenge",
            deadline=Deadline(started + NOTIFY_BUDGET_SECONDS + aws.SNS_WORST_CASE_SECONDS),
        )
    except Exception as error:  # the caller's verdict stands whatever the table does
        return FailureCount(failures, error=type(error).__name__)
    return FailureCount(failures, report)
