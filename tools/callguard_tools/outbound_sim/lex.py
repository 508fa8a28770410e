"""Hear a simulated receiver the way the deployed Lex V2 bots would, from their definition.

Terraform builds the outbound bots from ``modules/outbound_bots/bots.json``; this
module reads the same file, so a simulated call talks to the bots that would be
deployed. A key press is matched against each bot's ``keypad`` table (exact keys or
the documented pattern); speech is matched against the intents' sample utterances
after normalising case, spacing and punctuation, with slot values read by a small
interpreter of the built-in slot types (``AMAZON.Confirmation``, ``AMAZON.Number``,
``AMAZON.Date``, ``AMAZON.Time``) and by the custom slot types' values and synonyms.
Anything else is ``FallbackIntent``, as in Lex.

Real Lex matches far more loosely (its NLU generalises from the samples), so a
phrase this module refuses might still be understood on a real instance; the
point offline is the opposite direction: whatever the flow *suggests* a receiver
says must resolve here, or the bot definition is missing it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final

#: The bot definition Terraform deploys.
DEFINITION_PATH: Final = (
    Path(__file__).resolve().parents[3] / "modules" / "outbound_bots" / "bots.json"
)
#: The intent Lex reports when nothing matched.
FALLBACK_INTENT: Final = "FallbackIntent"

_SLOT: Final = re.compile(r"\{(\w+)\}")


def normalise(text: str) -> str:
    """Return the form utterances are compared in: case, apostrophes, punctuation, spacing."""
    text = text.casefold().replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^\w:{}.\-]+", " ", text).split()).strip(" .")


class DefinitionError(ValueError):
    """The bot definition is not what this module (and Terraform) expect; says what and where."""


@dataclass(frozen=True)
class LexResult:
    """What Lex hands back to the flow: ``$.Lex.IntentName`` and ``$.Lex.Slots``."""

    intent: str
    slots: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Bot:
    """One bot of the definition: its key, question type, intents (own + common) and keys."""

    key: str
    question_type: str
    intents: Mapping[str, Mapping[str, Any]]
    keypad: tuple[Mapping[str, Any], ...]
    session_attributes: Mapping[str, str]


@dataclass(frozen=True)
class BotDefinition:
    """The whole definition file: bots by key, custom slot types and the keypad settings."""

    bots: Mapping[str, Bot]
    slot_types: Mapping[str, Mapping[str, Any]]
    end_character: str
    opt_out_key: str
    session_attributes: Mapping[str, str]
    today: dt.date = field(default_factory=dt.date.today)

    @classmethod
    def load(cls, path: Path = DEFINITION_PATH, today: dt.date | None = None) -> BotDefinition:
        """Read a definition file.

        Raises:
            DefinitionError: the file is not JSON or lacks a part this module reads.

        """
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            common = data["common_intents"]
            keypad = data["keypad"]
            bots = {
                key: Bot(
                    key=key,
                    question_type=bot["question_type"],
                    intents={**bot["intents"], **common},
                    keypad=tuple(bot["keypad"]),
                    session_attributes=dict(bot.get("session_attributes", {})),
                )
                for key, bot in data["bots"].items()
            }
            return cls(
                bots=bots,
                slot_types=data.get("slot_types", {}),
                end_character=keypad["end_character"],
                opt_out_key=keypad["opt_out_key"],
                session_attributes=dict(keypad["session_attributes"]),
                today=today or dt.date.today(),
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise DefinitionError(f"{path}: not a bot definition ({error!r})") from error

    def bot(self, key: str) -> Bot:
        """Return the bot ``key`` (``yes_no``, ...); a ``KeyError`` names the known ones."""
        try:
            return self.bots[key]
        except KeyError:
            raise KeyError(f"no bot {key!r} in the definition ({', '.join(self.bots)})") from None

    def bot_for_type(self, question_type: str) -> Bot:
        """Return the bot that hears answers to ``question_type`` (``"Yes/No"``, ...)."""
        for bot in self.bots.values():
            if bot.question_type == question_type:
                return bot
        raise KeyError(f"no bot hears {question_type!r} answers")

    # ------------------------------------------------------------------ resolving
    def press(self, key: str, keys: str) -> LexResult:
        """Resolve a key sequence (the end character, if pressed, is not part of it)."""
        keys = keys.removesuffix(self.end_character)
        for entry in self.bot(key).keypad:
            if entry.get("keys") == keys:
                return LexResult(entry["intent"], dict(entry.get("slots", {})))
            pattern = entry.get("pattern")
            if pattern is not None and re.fullmatch(pattern, keys):
                return LexResult(entry["intent"], {entry["slot"]: keys})
        return LexResult(FALLBACK_INTENT)

    def say(self, key: str, utterance: str) -> LexResult:
        """Resolve speech: exact sample utterances first, then utterances with slots."""
        wanted = normalise(utterance)
        bot = self.bot(key)
        if not wanted:
            return LexResult(FALLBACK_INTENT)
        for name, intent in bot.intents.items():
            for sample in intent["utterances"]:
                if not _SLOT.search(sample) and normalise(sample) == wanted:
                    return LexResult(name)
        for name, intent in bot.intents.items():
            slots: Mapping[str, str] = intent.get("slots", {})
            for sample in intent["utterances"]:
                if _SLOT.search(sample):
                    filled = self._fill(sample, slots, wanted)
                    if filled is not None:
                        return LexResult(name, filled)
        return LexResult(FALLBACK_INTENT)

    def _fill(self, sample: str, slots: Mapping[str, str], wanted: str) -> dict[str, str] | None:
        """Match ``wanted`` against one slot utterance; return the interpreted slot values."""
        parts = _SLOT.split(sample)
        pattern = ""
        names: list[str] = []
        for index, part in enumerate(parts):
            if index % 2:
                names.append(part)
                pattern += "(.+?)"
            elif normalise(part):
                edge = " " if part[:1].isspace() else ""
                tail = " " if part[-1:].isspace() else ""
                pattern += re.escape(f"{edge}{normalise(part)}{tail}")
        match = re.fullmatch(pattern, wanted)
        if match is None:
            return None
        values: dict[str, str] = {}
        for name, text in zip(names, match.groups(), strict=True):
            value = self.slot_value(slots[name], text.strip())
            if value is None:
                return None
            values[name] = value
        return values

    def slot_value(self, slot_type: str, text: str) -> str | None:
        """Interpret ``text`` as a value of ``slot_type`` (None: not such a value)."""
        custom = self.slot_types.get(slot_type)
        if custom is not None:
            for value, synonyms in custom["values"].items():
                if text in {normalise(word) for word in [value, *synonyms]}:
                    return str(value)
            return None
        reader = _BUILT_IN.get(slot_type)
        if reader is None:
            raise DefinitionError(f"slot type {slot_type!r} is neither custom nor known built-in")
        return reader(text, self.today)


# ---------------------------------------------------------------------- built-in slot types

_CONFIRMATION: Final = {
    "Yes": {"yes", "yeah", "yep", "yes please", "correct", "that is right", "thats right"},
    "No": {"no", "nope", "no thanks", "no thank you", "not really"},
    "Maybe": {"maybe", "perhaps", "possibly"},
    "Don't know": {"dont know", "i dont know", "not sure", "no idea"},
}

_UNITS: Final = {
    word: number
    for number, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS: Final = {
    word: 10 * (index + 2)
    for index, word in enumerate(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    )
}
_MONTHS: Final = {
    name: index + 1
    for index, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
_ORDINAL: Final = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")


def _confirmation(text: str, today: dt.date) -> str | None:
    del today
    for value, words in _CONFIRMATION.items():
        if text in words:
            return value
    return None


def _number(text: str, today: dt.date) -> str | None:
    """Digits (``42``, ``-3``, ``2.5``) or English number words up to the millions."""
    del today
    compact = text.replace(",", "").replace(" ", "")
    if re.fullmatch(r"-?\d+(?:\.\d+)?", compact):
        return compact
    total = current = 0
    seen = False
    for word in text.replace("-", " ").split():
        if word == "and" and seen:
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred" and seen:
            current *= 100
        elif word in {"thousand", "million"} and seen:
            total += current * (1000 if word == "thousand" else 1_000_000)
            current = 0
        else:
            return None
        seen = True
    return str(total + current) if seen else None


def _date(text: str, today: dt.date) -> str | None:
    """ISO dates, ``3 March 2026``, ``the 3rd of March 2026``, ``March 3 2026``, today/tomorrow."""
    relative = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if text in relative:
        return (today + dt.timedelta(days=relative[text])).isoformat()
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    words = [w for w in text.replace(",", " ").split() if w not in {"the", "of"}]
    if len(words) != 3:
        return None
    day_first = _ORDINAL.match(words[0]) and words[1] in _MONTHS
    month_first = words[0] in _MONTHS and _ORDINAL.match(words[1])
    if not (day_first or month_first) or not words[2].isdigit():
        return None
    day_word, month_word = (words[0], words[1]) if day_first else (words[1], words[0])
    day_match = _ORDINAL.match(day_word)
    assert day_match is not None
    try:
        return dt.date(int(words[2]), _MONTHS[month_word], int(day_match.group(1))).isoformat()
    except ValueError:
        return None


def _time(text: str, today: dt.date) -> str | None:  # noqa: PLR0911 - one return per form
    """``14:30``, ``2:30 pm``, ``2 pm``, ``noon``, ``midnight``, ``half past two``."""
    del today
    named = {"noon": "12:00", "midday": "12:00", "midnight": "00:00"}
    if text in named:
        return named[text]
    half = re.fullmatch(r"half past (\w+)", text)
    if half:
        spoken = _number(half.group(1), dt.date.min)
        return f"{int(spoken):02d}:30" if spoken and spoken.isdigit() and int(spoken) < 24 else None
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?", text)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").replace(".", "")
    if suffix and not 1 <= hour <= 12:
        return None
    if suffix == "pm" and hour != 12:
        hour += 12
    if suffix == "am" and hour == 12:
        hour = 0
    if match.group(2) is None and not suffix:
        return None  # a bare number is a Number, not a time
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


_BUILT_IN: Final = {
    "AMAZON.Confirmation": _confirmation,
    "AMAZON.Number": _number,
    "AMAZON.Date": _date,
    "AMAZON.Time": _time,
}


@cache
def deployed_bots() -> BotDefinition:
    """Return the definition Terraform deploys (read once)."""
    return BotDefinition.load()
