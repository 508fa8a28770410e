"""Check an inbound caller against the deny list (invoked by the check flow module).

Returns exactly ``blocked`` ("true"/"false"), ``status`` (``blocked``, ``pending``,
``clear``, ``anonymous``, ``invalid``, ``error``), ``reason`` ("" when none) and
``caller_class`` (see :mod:`callguard.numbers`), all strings, on every path.

Decisions:

- an E.164 caller is looked up; listed ``blocked`` blocks, ``pending`` blocks only
  with ``CALLGUARD_BLOCK_PENDING``, absent (or expired) is ``clear``, and so is
  ``rejected`` (a supervisor reviewed the flag and decided not to block);
- a withheld or missing caller id is ``anonymous`` and blocks only with
  ``CALLGUARD_BLOCK_ANONYMOUS``;
- anything else (chat, over-long, unparsable) is ``invalid`` and never blocks:
  there is no number to match, and blocking what cannot be parsed would turn away
  callers whose numbering a parser does not know;
- any failure (configuration, DynamoDB timeout or throttling, a bug) is ``error``,
  and ``CALLGUARD_FAIL_MODE`` decides: ``open`` lets the call through, ``closed``
  blocks it; so is a lookup still running when the flow would stop waiting
  (``CALLGUARD_CHECK_TIME_LIMIT_SECONDS``, or the Lambda's own remaining time:
  see :mod:`callguard.deadline`), so the flow always hears the fail mode's answer.

The fast path (an E.164 caller id from Connect) imports no phone-number library.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from callguard import config, deadline
from callguard.handlers.common import deny_list, prewarm
from callguard.handlers.envelope import Invocation, run
from callguard.logs import set_level
from callguard.numbers import MISSING, UNPARSABLE, WITHHELD, mask
from callguard.store import BLOCKED, PENDING, REJECTED

#: The keys of every answer, in order.
KEYS: Final = ("blocked", "status", "reason", "caller_class")
#: Longest reason returned to the flow (contact attributes share a 32 KB budget).
MAX_REASON: Final = 256
#: The flow parameter that may name the number to check instead of the caller id.
PARAMETER: Final = "CustomerNumber"


def handler(event: object, context: object) -> dict[str, str]:
    """Amazon Connect entry point: never raises, always answers with :data:`KEYS`."""
    return run("check_number", _check, _error_answer, event, context, summary=_summary)


def _summary(answer: Mapping[str, str]) -> dict[str, object]:
    return {"outcome": answer["status"], "blocked": answer["blocked"]}


def _check(invocation: Invocation) -> dict[str, str]:
    contact = invocation.contact
    try:
        settings = config.current()
    except config.ConfigError:
        # Still say what the caller was (the usual E.164 needs no configuration).
        invocation.note(caller_class=contact.caller(None, parameter=PARAMETER).caller_class)
        raise
    set_level(settings.log_level)
    caller = contact.caller(settings.default_country, parameter=PARAMETER)
    invocation.note(caller_class=caller.caller_class)
    if caller.caller_class in (WITHHELD, MISSING):
        return _answer(settings.block_anonymous, "anonymous", "", caller.caller_class)
    if not caller.is_number:
        return _answer(False, "invalid", "", caller.caller_class)
    invocation.note(number=mask(caller.e164))
    limit = settings.check_time_limit_seconds
    with deadline.enforced(deadline.for_invocation(invocation.started, limit, invocation.context)):
        listing = deny_list(settings.table).lookup(caller.e164)
    if listing is None or listing.status == REJECTED:  # a supervisor said "do not block"
        return _answer(False, "clear", "", caller.caller_class)
    if listing.status == PENDING:
        return _answer(settings.block_pending, PENDING, listing.reason, caller.caller_class)
    return _answer(True, BLOCKED, listing.reason, caller.caller_class)


def _answer(blocked: bool, status: str, reason: str, caller_class: str) -> dict[str, str]:
    return {
        "blocked": "true" if blocked else "false",
        "status": status,
        "reason": reason[:MAX_REASON],
        "caller_class": caller_class,
    }


def _error_answer(invocation: Invocation) -> dict[str, str]:
    """Answer as the fail mode says (the envelope has logged the error by type)."""
    try:
        fail_closed = config.current().fail_closed
    except config.ConfigError:
        fail_closed = config.fail_closed_from_env()
    caller_class = invocation.fields.get("caller_class")
    return _answer(
        fail_closed, "error", "", caller_class if isinstance(caller_class, str) else UNPARSABLE
    )


prewarm()
