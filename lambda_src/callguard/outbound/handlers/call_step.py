"""What the outbound flow plays next: the greeting, a question, or the ending.

Invoked by the outbound flow with ``After`` = the number of the last item finished
(``$.Attributes.callguard_question``: empty before the greeting, ``0`` after it,
``n`` after question n). The call is found by the contact id Connect sends (the
dialer recorded it with the job, receiver and attempt), and the prompt comes from
the job's plan for this receiver: one prompt per invocation, never the whole job in
the contact's attributes.

Returns exactly :data:`KEYS`, strings, on every path:

* ``action``: ``greet`` (before question 1), ``ask`` (a question a bot hears),
  ``message`` (a question that is only spoken), ``done`` (play the ending), or
  ``error`` (unknown contact or job, unreadable plan: the flow apologises and ends);
* ``question``: the number now playing (``0`` for the greeting, the last number
  with ``done``);
* ``prompt``: its SSML; for a question, followed by the answer hint for its type
  (``HintOK`` ... ``HintTime`` parameters, wording set in the flow template);
* ``bot``: the bot key the flow routes on (``yes_no``, ...), ``message`` or "";
* ``tries``, ``repeats``: ``0`` (a new item starts with a clean count).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from callguard.connect import ContactEvent
from callguard.handlers.envelope import Invocation, run
from callguard.outbound.handlers.call_context import (
    MESSAGE_BOT,
    CallContextError,
    CallPlan,
    call_of,
    services,
)

KEYS: Final = ("action", "question", "prompt", "bot", "tries", "repeats")

#: The flow parameter holding the spoken hint of each bot's answers.
HINT_PARAMETERS: Final = {
    "ok": "HintOK",
    "yes_no": "HintYesNo",
    "multiple_choice": "HintMultipleChoice",
    "number": "HintNumber",
    "date": "HintDate",
    "time": "HintTime",
}
#: Longest hint kept (they are one sentence).
MAX_HINT_LENGTH: Final = 500


def handler(event: object, context: object) -> dict[str, str]:
    """Amazon Connect entry point: never raises, always answers with :data:`KEYS`."""
    return run("call_step", _step, _error_answer, event, context, summary=_summary)


def _summary(answer: Mapping[str, str]) -> dict[str, object]:
    return {"outcome": answer["action"], "question": answer["question"]}


def _error_answer(_invocation: Invocation) -> dict[str, str]:
    return _answer("error", "", "", "")


def _step(invocation: Invocation) -> dict[str, str]:
    contact = invocation.contact
    call = call_of(services(), contact)
    invocation.note(job_id=call.job_id, receiver_id=call.receiver_id, attempt=call.attempt)
    plan = services().plans.plan(call.job_id, call.receiver_id)
    return next_step(plan, contact)


def next_step(plan: CallPlan, contact: ContactEvent) -> dict[str, str]:
    """Return the item after ``After`` in ``plan`` (see the module docstring)."""
    after = contact.parameter("After").strip()
    if not after:
        return _answer("greet", "0", plan.greeting, "")
    if not after.isdigit() or int(after) > len(plan.questions):
        raise CallContextError(f"After {after!r} is not a position in job {plan.job_id}")
    number = int(after) + 1
    if number > len(plan.questions):
        return _answer("done", str(len(plan.questions)), plan.ending, "")
    question = plan.question(number)
    if question.bot == MESSAGE_BOT:
        return _answer("message", str(number), question.ssml, MESSAGE_BOT)
    hint = contact.parameter(HINT_PARAMETERS[question.bot], MAX_HINT_LENGTH)
    return _answer("ask", str(number), _with_hint(question.ssml, hint), question.bot)


def _with_hint(ssml: str, hint: str) -> str:
    if not hint:
        return ssml
    escaped = hint.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    body = ssml.removesuffix("</speak>") if ssml.endswith("</speak>") else ssml
    return f'{body} <break time="300ms"/>{escaped}</speak>'


def _answer(action: str, question: str, prompt: str, bot: str) -> dict[str, str]:
    return {
        "action": action,
        "question": question,
        "prompt": prompt,
        "bot": bot,
        "tries": "0",
        "repeats": "0",
    }
