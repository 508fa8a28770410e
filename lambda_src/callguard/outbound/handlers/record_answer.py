"""Judge what the receiver said or keyed to a question, and tell the flow what comes next.

Invoked after every ``ConnectParticipantWithLexBot`` block of the outbound flow, with

* ``Event``: ``intent`` (the bot matched an intent), ``fallback`` (it matched none),
  ``silence`` (the receiver said nothing), ``error`` (the bot could not be reached);
* ``Intent``, ``Answer``, ``Digits``: ``$.Lex.IntentName`` and the slots;
* ``Question``, ``Tries``, ``Repeats``, ``Heard``: the flow's counters
  (``$.Attributes.callguard_*``);
* ``MaxRetries`` (default 2): how often a question is asked again after a fallback,
  silence or an invalid answer before it is recorded unanswered;
  ``MaxRepeats`` (default 3): how often "repeat" replays it before a repeat counts as
  a failed try, so no receiver can keep the call in a loop.

An answer counts only when it fits the question's type (:mod:`.answer_check`); it is
stored at once with the call's attempt (:meth:`TaskTokenStore.add_answer`), so a
hang-up later keeps it. ``OptOut`` ("stop", "do not call me", key 9) adds the number
to the deny list before the flow confirms (:mod:`.opt_out`).

Returns exactly :data:`KEYS`, strings, on every path. ``action``: ``next`` (answered,
or given up: go to the next question), ``again`` (ask the same question again after
the retry message; ``reason`` says why: ``invalid``, ``fallback``, ``silence``,
``bot_error``), ``repeat`` (replay it), ``opted_out`` (confirm and end), ``silent``
(nothing at all was heard from the receiver in the whole call: a voicemail greeting
or an open line; the flow ends the call instead of asking every question into
silence), ``error`` (the call or its job is unknown).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from callguard.connect import ContactEvent
from callguard.handlers.envelope import Invocation, run
from callguard.logs import log_invocation
from callguard.outbound.handlers.answer_check import canonical_answer
from callguard.outbound.handlers.call_context import CallServices, call_of, services
from callguard.outbound.handlers.opt_out import record_opt_out
from callguard.outbound.task_tokens import PendingCall

KEYS: Final = ("action", "question", "answer", "reason", "tries", "repeats", "heard")
EVENTS: Final = frozenset({"intent", "fallback", "silence", "error"})
DEFAULT_MAX_RETRIES: Final = 2
DEFAULT_MAX_REPEATS: Final = 3
#: Highest setting accepted for either limit.
MAX_LIMIT: Final = 5

_FAILURE_REASON: Final = {"fallback": "fallback", "silence": "silence", "error": "bot_error"}


def handler(event: object, context: object) -> dict[str, str]:
    """Amazon Connect entry point: never raises, always answers with :data:`KEYS`."""
    return run("record_answer", _record, _error_answer, event, context, summary=_summary)


def _summary(answer: Mapping[str, str]) -> dict[str, object]:
    return {"outcome": answer["action"], "question": answer["question"], "why": answer["reason"]}


def _error_answer(_invocation: Invocation) -> dict[str, str]:
    return {key: "error" if key == "action" else "" for key in KEYS}


@dataclass(frozen=True, slots=True)
class Counters:
    """The flow's per-question counters, read leniently (a garbled value counts as 0)."""

    question: int
    tries: int
    repeats: int
    heard: bool

    @classmethod
    def of(cls, contact: ContactEvent) -> Counters:
        """Read the counters the flow passed as parameters."""
        return cls(
            question=_whole(contact.parameter("Question"), 0),
            tries=_whole(contact.parameter("Tries"), 0),
            repeats=_whole(contact.parameter("Repeats"), 0),
            heard=contact.parameter("Heard") == "true",
        )


def _whole(text: str, default: int) -> int:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 3 else default


def _limit(contact: ContactEvent, name: str, default: int) -> int:
    return min(_whole(contact.parameter(name), default), MAX_LIMIT)


def _record(invocation: Invocation) -> dict[str, str]:
    found = services()
    call = call_of(found, invocation.contact)
    invocation.note(job_id=call.job_id, receiver_id=call.receiver_id, attempt=call.attempt)
    return judge(found, call, invocation.contact, invocation.fields)


def judge(
    found: CallServices, call: PendingCall, contact: ContactEvent, fields: dict[str, object]
) -> dict[str, str]:
    """Decide one turn of a question (see the module docstring)."""
    counters = Counters.of(contact)
    kind = contact.parameter("Event")
    if kind not in EVENTS:
        raise ValueError(f"Event {kind!r} is not one of {sorted(EVENTS)}")
    question = found.plans.plan(call.job_id, call.receiver_id).question(counters.question)
    fields["question"] = question.number
    heard = counters.heard or kind != "silence"
    intent = contact.parameter("Intent") if kind == "intent" else ""
    fields["intent"] = intent
    if intent == "OptOut":
        outcome = record_opt_out(found.deny_list_table, contact, call.job_id, fields)
        fields["opt_out_written"] = outcome is not None
        return _answer("opted_out", counters, heard=True)
    if intent == "Repeat" and counters.repeats < _limit(contact, "MaxRepeats", DEFAULT_MAX_REPEATS):
        return _answer("repeat", counters, heard=True, repeats=counters.repeats + 1)
    if kind == "intent":
        slots = {"Answer": contact.parameter("Answer"), "Digits": contact.parameter("Digits")}
        answer = canonical_answer(question.type, intent, slots)
        if answer is not None:
            found.tokens.add_answer(call.contact_id, question.number, answer)
            return _answer("next", counters, heard=True, answer=answer)
        reason = "repeat_limit" if intent == "Repeat" else "invalid"
    else:
        reason = _FAILURE_REASON[kind]
    tries = counters.tries + 1
    if tries <= _limit(contact, "MaxRetries", DEFAULT_MAX_RETRIES):
        return _answer("again", counters, heard=heard, reason=reason, tries=tries)
    if not heard:
        return _answer("silent", counters, heard=False, reason=reason, tries=tries)
    found.tokens.add_answer(call.contact_id, question.number, "")
    log_invocation(
        logging.INFO,
        {"event": "question_unanswered", "job_id": call.job_id, "question": question.number},
    )
    return _answer("next", counters, heard=True, reason=reason, tries=tries)


def _answer(
    action: str,
    counters: Counters,
    *,
    heard: bool,
    answer: str = "",
    reason: str = "",
    tries: int | None = None,
    repeats: int | None = None,
) -> dict[str, str]:
    return {
        "action": action,
        "question": str(counters.question),
        "answer": answer,
        "reason": reason,
        "tries": str(counters.tries if tries is None else tries),
        "repeats": str(counters.repeats if repeats is None else repeats),
        "heard": "true" if heard else "false",
    }
