"""The envelope every handler shares: timing, one log line, an answer on every path.

Kept free of :mod:`callguard.handlers.common` (which builds the DynamoDB client
at import): the challenge functions never touch the table, so their cold start
skips botocore altogether.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Final

from callguard.connect import ContactEvent
from callguard.logs import log_invocation
from callguard.numbers import NON_TELEPHONE, Caller, classify_endpoint

#: Channels without a keypad: nobody there can answer a spoken code.
NON_VOICE_CHANNELS: Final = frozenset({"CHAT", "TASK", "EMAIL"})

#: ``body(event, fields)``: the handler's work; it fills the log fields it knows.
Body = Callable[[object, dict[str, object]], dict[str, str]]
#: ``error_answer(fields)``: the answer when ``body`` raised (fields name the error).
ErrorAnswer = Callable[[dict[str, object]], dict[str, str]]
#: ``summary(answer)``: the log fields that sum up an answer.
Summary = Callable[[Mapping[str, str]], dict[str, object]]

_invoked: set[str] = set()


def _result_only(answer: Mapping[str, str]) -> dict[str, object]:
    return {"outcome": answer["result"]}


def run(
    name: str,
    body: Body,
    error_answer: ErrorAnswer,
    event: object,
    context: object,
    *,
    summary: Summary = _result_only,
) -> dict[str, str]:
    """Run ``body`` and always answer; on any exception, ``error_answer``.

    ``body`` fills the log fields it knows (never a full number, never a code); the
    envelope adds whether this is the container's first call of ``name``, the error
    and its cause by type only (messages may hold data), the request id, the
    duration and ``summary(answer)``, then writes one log line. Losing that line
    never loses the answer.
    """
    started = time.perf_counter()
    fields: dict[str, object] = {"handler": name, "cold_start": name not in _invoked}
    _invoked.add(name)
    level = logging.INFO
    try:
        answer = body(event, fields)
    except Exception as error:  # a contact flow must always get an answer
        fields["error"] = type(error).__name__
        if error.__cause__ is not None:
            fields["cause"] = type(error.__cause__).__name__
        answer = error_answer(fields)
        level = logging.ERROR
    fields["request_id"] = request_id(context)
    fields["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
    fields.update(summary(answer))
    with contextlib.suppress(Exception):
        log_invocation(level, fields)
    return answer


def keypad_caller(contact: ContactEvent, default_country: str | None) -> Caller:
    """Classify the contact's own caller id (chat, task and email contacts have no keypad)."""
    if contact.channel.upper() in NON_VOICE_CHANNELS:
        return Caller(NON_TELEPHONE)
    return classify_endpoint(contact.customer_endpoint, default_country)


def request_id(context: object) -> str:
    """Return the Lambda request id, when the context has one (tests may pass ``None``)."""
    value = getattr(context, "aws_request_id", "")
    return value if isinstance(value, str) and len(value) <= 64 else ""
