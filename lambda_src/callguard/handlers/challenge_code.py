"""Issue a spam-challenge code, when the policy says this caller must key one in.

Invoked by the spam-challenge flow module with these parameters:

- ``Status``: the deny-list check's ``callguard_status`` (only the ``pending``
  policy reads it; "" when no check ran);
- ``Prompt``: plain text read before the code (optional).

``CALLGUARD_CHALLENGE_POLICY`` decides who is challenged: ``everyone``,
``withheld`` (withheld, missing or unparsable caller ids) or ``pending`` (numbers
waiting for review). The caller's id is classified from the contact itself, so
the module also works in flows that run no deny-list check.

Returns exactly ``result`` (``challenge``, ``skip`` or ``error``), ``code`` (the
digits, "" unless ``challenge``), ``ssml`` (a ``<speak>`` document that reads the
prompt and the code digit by digit, "" unless ``challenge``) and ``reason`` (why:
``everyone``, ``withheld_or_unknown``, ``pending_review``, ``not_required``,
``no_keypad``, or ``error``), all strings. The code is never logged.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Final

from callguard import challenge
from callguard.handlers.envelope import Invocation, run
from callguard.logs import set_level
from callguard.numbers import mask

#: The keys of every answer, in order.
KEYS: Final = ("result", "code", "ssml", "reason")
_ERROR: Final = {"result": "error", "code": "", "ssml": "", "reason": "error"}

#: The randomness source; tests replace it with a fixed sequence.
randbelow: Callable[[int], int] = secrets.randbelow


def handler(event: object, context: object) -> dict[str, str]:
    """Amazon Connect entry point: never raises, always answers with :data:`KEYS`."""
    return run("challenge_code", _issue, lambda _invocation: dict(_ERROR), event, context)


def _issue(invocation: Invocation) -> dict[str, str]:
    contact = invocation.contact
    config = challenge.settings()
    set_level(config.log_level)
    caller = contact.caller(config.default_country, keypad=True)
    invocation.note(caller_class=caller.caller_class, policy=config.policy)
    if caller.is_number:
        invocation.note(number=mask(caller.e164))
    status = contact.parameter("Status", 32)
    required, reason = challenge.must_challenge(config.policy, status, caller.caller_class)
    invocation.note(reason=reason)
    if not required:
        return {"result": "skip", "code": "", "ssml": "", "reason": reason}
    code = challenge.new_code(config.length, randbelow)
    prompt = contact.parameter("Prompt", challenge.MAX_PROMPT_LENGTH * 2)
    invocation.note(code_length=len(code))
    ssml = challenge.code_ssml(code, prompt or challenge.DEFAULT_PROMPT)
    return {"result": "challenge", "code": code, "ssml": ssml, "reason": reason}
