"""Whether what a bot heard is an answer to the question's type, and its canonical form.

Lex reports an intent and slot values; only this module decides whether they answer
the question, so a ``Date`` answer is a real date, a Yes/No answer is yes or no (not
"maybe"), and a keypad answer counts exactly like the spoken one (``1`` is yes,
``3`` is C, ``20260303`` is 2026-03-03). The canonical forms are what the report
shows: ``OK``, ``yes``/``no``, ``A``-``E``, a number without leading zeros,
``YYYY-MM-DD``, ``HH:MM``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Final

from callguard.outbound.model import QuestionType

#: Intents that carry an answer (the bots' own intents; Repeat and OptOut are the flow's).
ANSWER_INTENTS: Final = frozenset({"Answer", "KeypadYes", "KeypadNo", "KeypadEntry"})

_NUMBER: Final = re.compile(r"-?\d+(?:\.\d+)?")
_CHOICES: Final = frozenset("ABCDE")


def _ok(intent: str, slots: Mapping[str, str]) -> str | None:
    del slots
    return "OK" if intent == "Answer" else None


def _yes_no(intent: str, slots: Mapping[str, str]) -> str | None:
    if intent == "KeypadYes":
        return "yes"
    if intent == "KeypadNo":
        return "no"
    value = slots.get("Answer", "").strip().casefold()
    return value if intent == "Answer" and value in {"yes", "no"} else None


def _choice(intent: str, slots: Mapping[str, str]) -> str | None:
    value = slots.get("Answer", "").strip().upper()
    return value if intent == "Answer" and value in _CHOICES else None


def _number(intent: str, slots: Mapping[str, str]) -> str | None:
    value = slots.get("Answer", "").strip()
    if intent != "Answer" or not _NUMBER.fullmatch(value):
        return None
    sign = "-" if value.startswith("-") else ""
    whole, _, fraction = value.lstrip("-").partition(".")
    whole = whole.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign if whole != '0' else ''}{whole}"


def _date(intent: str, slots: Mapping[str, str]) -> str | None:
    try:
        if intent == "Answer":
            return dt.date.fromisoformat(slots.get("Answer", "").strip()).isoformat()
        digits = slots.get("Digits", "").strip()
        if intent == "KeypadEntry" and len(digits) == 8 and digits.isdigit():
            return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:])).isoformat()
    except ValueError:
        return None
    return None


def _time(intent: str, slots: Mapping[str, str]) -> str | None:
    if intent == "Answer":
        text = slots.get("Answer", "").strip()
    elif intent == "KeypadEntry":
        digits = slots.get("Digits", "").strip()
        text = f"{digits[:2]}:{digits[2:]}" if len(digits) == 4 and digits.isdigit() else ""
    else:
        return None
    try:
        return dt.time.fromisoformat(text).strftime("%H:%M") if len(text) == 5 else None
    except ValueError:
        return None


_CHECKS: Final[Mapping[QuestionType, Callable[[str, Mapping[str, str]], str | None]]] = {
    QuestionType.OK: _ok,
    QuestionType.YES_NO: _yes_no,
    QuestionType.MULTIPLE_CHOICE: _choice,
    QuestionType.NUMBER: _number,
    QuestionType.DATE: _date,
    QuestionType.TIME: _time,
}


def canonical_answer(kind: QuestionType, intent: str, slots: Mapping[str, str]) -> str | None:
    """Return the answer in its canonical form, or None when it does not answer ``kind``."""
    check = _CHECKS.get(kind)
    if check is None or intent not in ANSWER_INTENTS:
        return None
    return check(intent, slots)
