"""Flag a caller from an agent's quick connect (invoked by the agent flag flow).

Number: ``Details.Parameters.CustomerNumber`` if set, else the contact's
``CustomerEndpoint.Address``. Reason: ``Details.Parameters.Reason`` if set, else
``CALLGUARD_DEFAULT_REASON``. The contact ids (``ContactId``, ``InitialContactId``,
``PreviousContactId`` - the agent's leg), the instance ARN and the agent identity
(``Details.Parameters.FlaggedBy``/``AgentUsername``/``AgentARN``/``AgentId``) are
recorded with the first flag.

A retried invocation for the same contact (Amazon Connect retries slow Lambda
calls) gives the same answer as the original and is not counted again.

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

from callguard import aws, review_flags
from callguard import config as settings
from callguard.attributes import clean_text
from callguard.connect import parse_event
from callguard.handlers.common import caller_of, deny_list, prewarm
from callguard.handlers.envelope import run
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


def _error_answer(_fields: dict[str, object]) -> dict[str, str]:
    return _answer("error", "", "")


def _flag(event: object, fields: dict[str, object]) -> dict[str, str]:
    contact = parse_event(event)
    fields["contact_id"] = contact.loggable_contact_id()
    fields["instance"] = contact.instance_id() or "unknown"  # the metrics' Instance dimension
    fields["caller_class"] = UNPARSABLE
    config = settings.current()
    set_level(config.log_level)
    caller = caller_of(contact, config.default_country, "CustomerNumber")
    fields["caller_class"] = caller.caller_class
    if not caller.is_number:
        return _answer("invalid", "", "")
    fields["number"] = mask(caller.e164)
    given_reason = contact.parameters.get("Reason")
    reason = clean_text(given_reason, MAX_REASON_LENGTH) if isinstance(given_reason, str) else ""
    outcome = review_flags.flag(
        deny_list(config.table),
        config,
        caller.e164,
        contact,
        fields,
        status=PENDING if config.flag_mode == settings.FLAG_REVIEW else BLOCKED,
        reason=reason or config.default_reason,
        source="agent",
        flagged_by=contact.agent(),
    )
    result = "flagged" if outcome.created else "already_listed"
    return _answer(result, outcome.entry.status, outcome.entry.reason)


def _answer(result: str, status: str, reason: str) -> dict[str, str]:
    return {"result": result, "status": status, "reason": reason}


prewarm()
if os.environ.get("CALLGUARD_NOTIFY_TOPIC_ARN"):
    with contextlib.suppress(Exception):  # as prewarm(): the first publish retries it
        aws.sns_client()
