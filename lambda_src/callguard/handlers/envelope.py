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
from dataclasses import dataclass, field

from callguard.connect import ContactEvent, parse_event
from callguard.logs import log_invocation
from callguard.metrics import Metric, embedded


@dataclass(slots=True)
class Invocation:
    """One call of a handler: its contact, and what its log line will say.

    The envelope parses the event and records the contact and instance ids
    before the handler runs; the handler adds what it learns with
    :meth:`note` and :meth:`count`. Functions below the handler return what
    they know and the handler notes it: only the handler writes here.
    """

    contact: ContactEvent = field(default_factory=ContactEvent)
    fields: dict[str, object] = field(default_factory=dict)
    #: The Lambda context (``None`` in tests) and the start, on the ``perf_counter`` clock.
    context: object = None
    started: float = field(default_factory=time.perf_counter)
    metrics: list[Metric] = field(default_factory=list)

    def note(self, **fields: object) -> None:
        """Add log fields (never a full number, never a code)."""
        self.fields.update(fields)

    def count(self, *metrics: Metric) -> None:
        """Count ``metrics`` in this invocation's log line (see :mod:`callguard.metrics`)."""
        self.metrics.extend(metrics)


#: ``body(invocation)``: the handler's work; it notes the log fields it knows.
Body = Callable[[Invocation], dict[str, str]]
#: ``error_answer(invocation)``: the answer when ``body`` raised (the fields name the error).
ErrorAnswer = Callable[[Invocation], dict[str, str]]
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
    """Parse ``event``, run ``body`` and always answer; on any exception, ``error_answer``.

    The envelope notes the contact id and the instance (the metrics' Instance
    dimension), whether this is the container's first call of ``name``, the
    error and its cause by type only (messages may hold data), the request id,
    the duration, ``summary(answer)`` and the invocation's metrics, then writes
    one log line. Losing that line never loses the answer.
    """
    started = time.perf_counter()
    invocation = Invocation(
        fields={"handler": name, "cold_start": name not in _invoked},
        context=context,
        started=started,
    )
    _invoked.add(name)
    level = logging.INFO
    try:
        invocation.contact = contact = parse_event(event)
        invocation.note(
            contact_id=contact.loggable_contact_id(), instance=contact.instance_id() or "unknown"
        )
        answer = body(invocation)
    except Exception as error:  # a contact flow must always get an answer
        invocation.note(error=type(error).__name__)
        if error.__cause__ is not None:
            invocation.note(cause=type(error.__cause__).__name__)
        answer = error_answer(invocation)
        level = logging.ERROR
    fields = invocation.fields
    fields["request_id"] = request_id(context)
    fields["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
    fields.update(summary(answer))
    with contextlib.suppress(Exception):
        fields.update(embedded(invocation.metrics))
        log_invocation(level, fields)
    return answer


def request_id(context: object) -> str:
    """Return the Lambda request id, when the context has one (tests may pass ``None``)."""
    value = getattr(context, "aws_request_id", "")
    return value if isinstance(value, str) and len(value) <= 64 else ""
