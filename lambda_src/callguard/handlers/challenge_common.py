"""The envelope both challenge handlers share: timing, one log line, an answer on every path.

Deliberately independent of :mod:`callguard.handlers.common`: that module
builds the DynamoDB client at import, and the challenge functions never touch
the table, so their cold start skips botocore altogether.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Final

from callguard.connect import ContactEvent
from callguard.logs import log_invocation
from callguard.numbers import NON_TELEPHONE, Caller, classify_endpoint

#: Channels without a keypad: nobody there can answer a spoken code.
NON_VOICE_CHANNELS: Final = frozenset({"CHAT", "TASK", "EMAIL"})

Body = Callable[[object, dict[str, object]], dict[str, str]]


def run(
    name: str, body: Body, error_answer: dict[str, str], event: object, context: object
) -> dict[str, str]:
    """Run ``body`` and always answer: on any exception, ``error_answer`` (logged by type only).

    ``body`` fills the log fields it knows (never a full number, never a code);
    the envelope adds the request id, the duration and the outcome.
    """
    started = time.perf_counter()
    fields: dict[str, object] = {"handler": name}
    level = logging.INFO
    try:
        answer = body(event, fields)
    except Exception as error:  # a contact flow must always get an answer
        fields["error"] = type(error).__name__
        answer = dict(error_answer)
        level = logging.ERROR
    fields["request_id"] = request_id(context)
    fields["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
    fields["outcome"] = answer["result"]
    with contextlib.suppress(Exception):  # losing a log line must not lose the answer
        log_invocation(level, fields)
    return answer


def caller_of(contact: ContactEvent, default_country: str | None) -> Caller:
    """Classify the contact's own caller id (chat, task and email contacts have no keypad)."""
    if contact.channel.upper() in NON_VOICE_CHANNELS:
        return Caller(NON_TELEPHONE)
    return classify_endpoint(contact.customer_endpoint, default_country)


def request_id(context: object) -> str:
    """Return the Lambda request id, when the context has one (tests may pass ``None``)."""
    value = getattr(context, "aws_request_id", "")
    return value if isinstance(value, str) and len(value) <= 64 else ""
