"""Flag a caller from an agent's quick connect (invoked by the agent flag flow).

Number: ``Details.Parameters.CustomerNumber`` if set, else the contact's
``CustomerEndpoint.Address``. Reason: ``Details.Parameters.Reason`` if set, else
``CALLGUARD_DEFAULT_REASON``. The contact ids (``ContactId``, ``InitialContactId``,
``PreviousContactId`` - the agent's leg), the instance ARN and the agent identity
(``Details.Parameters.FlaggedBy``/``AgentUsername``/``AgentARN``/``AgentId``) are
recorded with the first flag.

A retried invocation for the same contact (Amazon Connect retries slow Lambda
calls) gives the same answer as the original and is not counted again.

The write and the notification run under the flow's time limit
(``CALLGUARD_FLAG_TIME_LIMIT_SECONDS``, or the Lambda's remaining time; see
:mod:`callguard.deadline`): a write still running then answers ``error``, and
a notification starts only while a whole publish fits, so a stored flag is
never answered as a failure because SNS was slow.

``CALLGUARD_FLAG_MODE=block`` blocks at once; ``review`` records the number as
``pending`` for a supervisor and, when ``CALLGUARD_NOTIFY_TOPIC_ARN`` is set,
publishes one SNS message for each review this opens (:mod:`callguard.notify`;
a publish failure is logged and counted, never an error for the agent). A
number a supervisor rejected less than ``CALLGUARD_REJECT_SUPPRESSION_DAYS``
ago is only counted: ``already_listed`` with status ``rejected``.

Returns exactly ``result`` (``flagged``, ``already_listed``, ``invalid``,
``error``), ``status`` (``blocked``, ``pending``, ``rejected`` or "") and
``reason`` (the entry's first reason, "" when none), all strings.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from typing import Final

from callguard import aws, config, deadline, review_flags
from callguard.attributes import clean_text
from callguard.handlers.common import deny_list, prewarm
from callguard.handlers.envelope import Invocation, run
from callguard.logs import set_level
from callguard.numbers import UNPARSABLE, mask
from callguard.store import BLOCKED, PENDING
from callguard.store.model import MAX_REASON_LENGTH

#: The keys of every answer, in order.
KEYS: Final = ("result", "status", "reason")


def handler(event: object, context: object) -> dict[str, str]:
    """Amazon Connect entry point: never raises, always answers with :data:`KEYS`."""
    return run("flag_number", _flag, _error_answer, event, context, summary=_summary)


def _summary(answer: Mapping[str, str]) -> dict[str, object]:
    return {"outcome": answer["result"], "status": answer["status"]}


def _error_answer(_invocation: Invocation) -> dict[str, str]:
    return _answer("error", "", "")


def _flag(invocation: Invocation) -> dict[str, str]:
    contact = invocation.contact
    invocation.note(caller_class=UNPARSABLE)
    settings = config.current()
    set_level(settings.log_level)
    caller = contact.caller(settings.default_country, parameter="CustomerNumber")
    invocation.note(caller_class=caller.caller_class)
    if not caller.is_number:
        return _answer("invalid", "", "")
    invocation.note(number=mask(caller.e164))
    given_reason = contact.parameters.get("Reason")
    reason = clean_text(given_reason, MAX_REASON_LENGTH) if isinstance(given_reason, str) else ""
    limit = settings.flag_time_limit_seconds
    report = review_flags.flag(
        deny_list(settings.table),
        settings,
        caller.e164,
        contact,
        status=PENDING if settings.flag_mode == config.FLAG_REVIEW else BLOCKED,
        reason=reason or settings.default_reason,
        source="agent",
        flagged_by=contact.agent(),
        deadline=deadline.for_invocation(invocation.started, limit, invocation.context),
    )
    invocation.note(**report.log_fields())
    invocation.count(*report.metrics)
    entry = report.outcome.entry
    return _answer(
        "flagged" if report.outcome.created else "already_listed", entry.status, entry.reason
    )


def _answer(result: str, status: str, reason: str) -> dict[str, str]:
    return {"result": result, "status": status, "reason": reason}


prewarm()
if os.environ.get("CALLGUARD_NOTIFY_TOPIC_ARN"):
    with contextlib.suppress(Exception):  # as prewarm(): the first publish retries it
        aws.sns_client()
