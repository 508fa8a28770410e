"""The spam challenge: who must key in a code, the code itself, and checking an answer.

Robocallers and spoofed numbers are on no list yet, but they rarely press keys
on request. The challenge flow module reads a short random code to the caller
and lets them key it in; these pure functions hold every decision, so the two
handlers (:mod:`callguard.handlers.challenge_code` and
:mod:`callguard.handlers.verify_code`) only translate between Amazon Connect and
them, and tests can drive each decision without an event.

Settings (``CALLGUARD_CHALLENGE_*``) are read here rather than in
:mod:`callguard.config`: the challenge functions need no table, so they must not
fail for lack of ``CALLGUARD_TABLE``.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final
from xml.sax.saxutils import escape

from callguard.numbers import E164, MISSING, NON_TELEPHONE, TOO_LONG, UNPARSABLE, WITHHELD
from callguard.settings import DEFAULT_COUNTRY, LOG_LEVEL, Reader, parse_whole_number

# ---------------------------------------------------------------- policies
#: Challenge every caller.
POLICY_EVERYONE: Final = "everyone"
#: Challenge callers without a usable number: withheld, missing or unparsable ids.
POLICY_WITHHELD: Final = "withheld"
#: Challenge callers whose number waits for review (``pending`` in the deny list).
POLICY_PENDING: Final = "pending"
POLICIES: Final = (POLICY_EVERYONE, POLICY_WITHHELD, POLICY_PENDING)

#: Caller classes that count as "withheld or unknown" for :data:`POLICY_WITHHELD`.
#: ``""`` is what the check module stores when the check itself failed: the
#: caller is then unknown too. Non-telephone contacts (chat, tasks) are never
#: challenged: they have no keypad.
UNKNOWN_CALLER_CLASSES: Final = frozenset({WITHHELD, MISSING, TOO_LONG, UNPARSABLE, ""})
#: Every value the check module may leave in ``callguard_caller_class``.
KNOWN_CALLER_CLASSES: Final = UNKNOWN_CALLER_CLASSES | {E164, NON_TELEPHONE}

# ---------------------------------------------------------------- limits
MIN_LENGTH: Final = 3
MAX_LENGTH: Final = 6
DEFAULT_LENGTH: Final = 4
MIN_ATTEMPTS: Final = 1
MAX_ATTEMPTS: Final = 5
DEFAULT_ATTEMPTS: Final = 2
#: Longest prompt text accepted from the flow (Polly's limit per prompt is 3,000
#: characters; the code and tags must still fit).
MAX_PROMPT_LENGTH: Final = 1000
#: What the caller hears before the code when the flow passes no prompt.
DEFAULT_PROMPT: Final = "To continue, please enter the following code on your telephone keypad:"

#: Most failed challenges that may be required before a number is flagged for review.
MAX_FLAG_AFTER: Final = 20
DEFAULT_FLAG_WINDOW_HOURS: Final = 24
#: Longest window: 30 days.
MAX_FLAG_WINDOW_HOURS: Final = 720

#: Stored input Amazon Connect writes when the caller typed nothing in store mode.
TIMEOUT_INPUT: Final = "Timeout"

# ---------------------------------------------------------------- outcomes
PASS: Final = "pass"  # noqa: S105 - an outcome name, not a password
RETRY: Final = "retry"
FAIL: Final = "fail"
#: How the caller answered: digits, nothing (time limit), or something unusable.
INPUT_DIGITS: Final = "digits"
INPUT_TIMEOUT: Final = "timeout"
INPUT_INVALID: Final = "invalid"


class ChallengeError(ValueError):
    """The challenge cannot be decided: bad settings or bad parameters (the message says which)."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Validated ``CALLGUARD_CHALLENGE_*`` settings; the defaults are the documented ones."""

    length: int = DEFAULT_LENGTH
    policy: str = POLICY_EVERYONE
    default_country: str | None = None
    log_level: str = "INFO"
    #: Failed challenges within the window that flag a number for review; 0 = never.
    flag_after: int = 0
    flag_window_hours: int = DEFAULT_FLAG_WINDOW_HOURS
    #: The deny-list table and the failure-counter table (needed only with flag_after).
    table: str = ""
    counter_table: str = ""

    @property
    def flags_for_review(self) -> bool:
        """Whether failed challenges are counted and may flag the number for review."""
        return self.flag_after > 0


#: Every variable :func:`settings` reads.
VARIABLES: Final = (
    "CALLGUARD_CHALLENGE_LENGTH",
    "CALLGUARD_CHALLENGE_POLICY",
    DEFAULT_COUNTRY,
    LOG_LEVEL,
    "CALLGUARD_CHALLENGE_FLAG_AFTER",
    "CALLGUARD_CHALLENGE_FLAG_WINDOW_HOURS",
    "CALLGUARD_TABLE",
    "CALLGUARD_CHALLENGE_COUNTER_TABLE",
)


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the challenge settings from ``environ`` (default: the process environment).

    Raises:
        ChallengeError: listing every invalid variable at once.

    """
    env = os.environ if environ is None else environ
    return _settings(tuple(env.get(name) for name in VARIABLES))


@lru_cache(maxsize=16)
def _settings(values: tuple[str | None, ...]) -> Settings:
    reader = Reader({k: v for k, v in zip(VARIABLES, values, strict=True) if v})
    parsed = Settings(
        length=reader.whole_number(
            "CALLGUARD_CHALLENGE_LENGTH", MIN_LENGTH, MAX_LENGTH, default=DEFAULT_LENGTH
        ),
        policy=reader.choice("CALLGUARD_CHALLENGE_POLICY", POLICIES, default=POLICY_EVERYONE),
        default_country=reader.country(),
        log_level=reader.log_level(),
        flag_after=reader.whole_number(
            "CALLGUARD_CHALLENGE_FLAG_AFTER", 0, MAX_FLAG_AFTER, default=0
        ),
        flag_window_hours=reader.whole_number(
            "CALLGUARD_CHALLENGE_FLAG_WINDOW_HOURS",
            1,
            MAX_FLAG_WINDOW_HOURS,
            default=DEFAULT_FLAG_WINDOW_HOURS,
        ),
        table=reader.raw("CALLGUARD_TABLE"),
        counter_table=reader.raw("CALLGUARD_CHALLENGE_COUNTER_TABLE"),
    )
    if parsed.flag_after and not (parsed.table and parsed.counter_table):
        reader.problems.append(
            "CALLGUARD_CHALLENGE_FLAG_AFTER needs CALLGUARD_TABLE and "
            "CALLGUARD_CHALLENGE_COUNTER_TABLE (the deny list and the failure counts)"
        )
    reader.check(ChallengeError, "challenge configuration")
    return parsed


# ---------------------------------------------------------------- who is challenged
def must_challenge(policy: str, status: str, caller_class: str) -> tuple[bool, str]:
    """Decide whether the caller keys in a code, and say why (a short reason for logs).

    ``status`` and ``caller_class`` are the check module's ``callguard_status``
    and ``callguard_caller_class`` (or the caller's own class when no check ran).
    """
    if caller_class == NON_TELEPHONE:
        return False, "no_keypad"
    if policy == POLICY_EVERYONE:
        return True, "everyone"
    if policy == POLICY_WITHHELD:
        unknown = caller_class in UNKNOWN_CALLER_CLASSES
        return unknown, "withheld_or_unknown" if unknown else "not_required"
    if policy == POLICY_PENDING:
        pending = status == "pending"
        return pending, "pending_review" if pending else "not_required"
    raise ChallengeError(f"unknown challenge policy {policy!r}")


# ---------------------------------------------------------------- the code
def new_code(length: int, randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    """Return ``length`` random decimal digits (leading zeros allowed).

    ``randbelow`` is the randomness source: :func:`secrets.randbelow` (the
    operating system's CSPRNG) in production, a fixed sequence in tests. Each
    digit is drawn on its own, so every code of the length is equally likely.
    """
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise ChallengeError(f"code length {length} is not from {MIN_LENGTH} to {MAX_LENGTH}")
    return "".join(str(randbelow(10)) for _ in range(length))


def code_ssml(code: str, prompt: str = DEFAULT_PROMPT) -> str:
    """Return the SSML document that reads ``prompt`` and then ``code`` digit by digit.

    ``interpret-as="digits"`` makes Amazon Polly say "four seven one" rather
    than "four hundred seventy-one"; a short pause before the code gives the
    caller a moment to get ready. ``prompt`` is plain text and is escaped, so a
    message with ``&`` or ``<`` cannot break the document.
    """
    if not is_code(code):
        raise ChallengeError("the code must be 3 to 6 digits")
    text = " ".join(prompt.split())[:MAX_PROMPT_LENGTH] or DEFAULT_PROMPT
    return (
        f'<speak>{escape(text)} <break time="500ms"/>'
        f'<say-as interpret-as="digits">{code}</say-as>.</speak>'
    )


def is_code(value: str) -> bool:
    """Tell whether ``value`` is a code this module could have issued (3-6 ASCII digits)."""
    return MIN_LENGTH <= len(value) <= MAX_LENGTH and value.isascii() and value.isdigit()


# ---------------------------------------------------------------- verification
@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of one answer: ``pass``, ``retry`` or ``fail``, and the attempts so far."""

    result: str
    attempts: int
    remaining: int
    input_kind: str


def classify_input(entered: str) -> tuple[str, str]:
    """Return (kind, digits) for what the caller keyed: digits, a timeout, or invalid input.

    A trailing ``#`` (the usual terminator) is dropped; ``*`` or anything else
    that is not a digit makes the answer invalid (it still counts as an attempt).
    """
    text = entered.strip()
    if text == TIMEOUT_INPUT or not text:
        return INPUT_TIMEOUT, ""
    if text.endswith("#"):
        text = text[:-1]
    if text and text.isascii() and text.isdigit():
        return INPUT_DIGITS, text
    return INPUT_INVALID, ""


def parse_count(value: str, name: str, minimum: int, maximum: int, default: int) -> int:
    """Read a whole-number parameter from the flow ("" means ``default``)."""
    text = value.strip()
    if not text:
        return default
    try:
        return parse_whole_number(text, minimum, maximum)
    except ValueError as error:
        raise ChallengeError(f"parameter {name}={text[:16]!r} {error}") from None


def verify(entered: str, expected: str, attempts_before: int, max_attempts: int) -> Verdict:
    """Compare one answer with the issued code and count it.

    The comparison takes the same time whatever digits match
    (:func:`hmac.compare_digest`), so timing says nothing about the code. A
    right answer passes on any attempt; a wrong, empty or invalid one is
    ``retry`` while attempts remain and ``fail`` on the last.

    Raises:
        ChallengeError: ``expected`` is not a code (the flow lost it), or the
            counts are out of range; the caller cannot be judged.

    """
    if not is_code(expected):
        raise ChallengeError("the expected code is missing or not 3 to 6 digits")
    if not MIN_ATTEMPTS <= max_attempts <= MAX_ATTEMPTS:
        raise ChallengeError(
            f"max attempts {max_attempts} is not from {MIN_ATTEMPTS} to {MAX_ATTEMPTS}"
        )
    if not 0 <= attempts_before < max_attempts:
        raise ChallengeError(f"attempt count {attempts_before} is outside 0..{max_attempts - 1}")
    kind, digits = classify_input(entered)
    attempts = attempts_before + 1
    matched = kind == INPUT_DIGITS and hmac.compare_digest(digits.encode(), expected.encode())
    if matched:
        return Verdict(PASS, attempts, max_attempts - attempts, kind)
    remaining = max_attempts - attempts
    return Verdict(RETRY if remaining > 0 else FAIL, attempts, remaining, kind)
