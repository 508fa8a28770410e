"""The outbound bots' definition (``modules/outbound_bots/bots.json``) is sound.

Terraform builds the Lex V2 bots from this file, and the flow tools resolve simulated
answers from it, so its mistakes would reach both: two intents of one bot that share an
utterance (Lex cannot tell them apart), a slot an utterance names but the intent lacks,
keypad patterns that do not say what the outbound flow promises (yes = 1, no = 2,
A-E = 1-5, 9 = opt-out, numbers, dates and times keyed with a documented pattern).
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest

from callguard.outbound.model import QuestionType
from callguard_tools.tfkit.paths import repo_root

DEFINITION_PATH = repo_root() / "modules" / "outbound_bots" / "bots.json"
DEFINITION: dict[str, Any] = json.loads(DEFINITION_PATH.read_text(encoding="utf-8"))
BOTS: dict[str, Any] = DEFINITION["bots"]
SLOT_TYPES: dict[str, Any] = DEFINITION["slot_types"]
BUILT_IN = {"AMAZON.Confirmation", "AMAZON.Number", "AMAZON.Date", "AMAZON.Time"}
_SLOT = re.compile(r"\{(\w+)\}")


def intents_of(bot: str) -> dict[str, Any]:
    """Return every intent a bot hears: its own and the common ones (as Terraform merges)."""
    merged: dict[str, Any] = {**BOTS[bot]["intents"], **DEFINITION["common_intents"]}
    return merged


def normalise(text: str) -> str:
    """Return the form Lex matches on: case, punctuation and spacing do not matter."""
    text = text.casefold().replace("'", "")
    return " ".join(re.sub(r"[^\w{}.]+", " ", text).split())


def surface_forms(intent: dict[str, Any]) -> set[str]:
    """Return what an intent is heard from.

    A slot is written as its slot type, so ``{Answer}`` of two intents with the same
    slot type collide; a slot-only utterance of a custom slot type is also heard from
    each of the type's values and synonyms.
    """
    slots: dict[str, str] = intent.get("slots", {})
    forms: set[str] = set()
    for utterance in intent["utterances"]:
        forms.add(normalise(_SLOT.sub(lambda m: "{" + slots[m.group(1)] + "}", utterance)))
        only = _SLOT.fullmatch(utterance.strip())
        if only and slots[only.group(1)] in SLOT_TYPES:
            for value, synonyms in SLOT_TYPES[slots[only.group(1)]]["values"].items():
                forms.update(normalise(word) for word in [value, *synonyms])
    return forms


def resolve(bot: str, text: str) -> tuple[str, dict[str, str]]:
    """Resolve a spoken utterance or a key sequence to (intent, slots), from the definition.

    Keys first (the keypad table), then exact utterances, then slot-only utterances of
    custom slot types; ``FallbackIntent`` otherwise, as Lex does.
    """
    for entry in BOTS[bot]["keypad"]:
        if entry.get("keys") == text:
            return entry["intent"], dict(entry.get("slots", {}))
        if "pattern" in entry and re.fullmatch(entry["pattern"], text):
            return entry["intent"], {entry["slot"]: text}
    wanted = normalise(text)
    for name, intent in intents_of(bot).items():
        if wanted in {normalise(u) for u in intent["utterances"]}:
            return name, {}
    for name, intent in intents_of(bot).items():
        for slot, slot_type in intent.get("slots", {}).items():
            values = SLOT_TYPES.get(slot_type, {}).get("values", {})
            for value, synonyms in values.items():
                if wanted in {normalise(w) for w in [value, *synonyms]}:
                    return name, {slot: value}
    return "FallbackIntent", {}


def test_one_bot_per_question_type_that_expects_an_answer() -> None:
    expected = {t.value for t in QuestionType if t.expects_answer}
    assert sorted(bot["question_type"] for bot in BOTS.values()) == sorted(expected)


@pytest.mark.parametrize("bot", sorted(BOTS))
def test_no_two_intents_of_a_bot_share_an_utterance(bot: str) -> None:
    forms = {name: surface_forms(intent) for name, intent in intents_of(bot).items()}
    for (a, forms_a), (b, forms_b) in itertools.combinations(forms.items(), 2):
        assert not forms_a & forms_b, f"{bot}: {a} and {b} share {sorted(forms_a & forms_b)}"


@pytest.mark.parametrize("bot", sorted(BOTS))
def test_every_slot_is_declared_used_and_typed(bot: str) -> None:
    for name, intent in intents_of(bot).items():
        slots = intent.get("slots", {})
        named = {m for u in intent["utterances"] for m in _SLOT.findall(u)}
        assert named == set(slots), f"{bot}.{name}: utterances name {named}, slots {set(slots)}"
        for slot_type in slots.values():
            assert slot_type in BUILT_IN or slot_type in SLOT_TYPES, f"{bot}.{name}: {slot_type}"
        assert intent["description"], f"{bot}.{name} has no description"


def test_the_built_in_slot_types_are_the_ones_each_type_needs() -> None:
    answer_types = {key: bot["intents"]["Answer"].get("slots", {}) for key, bot in BOTS.items()}
    assert answer_types == {
        "ok": {},
        "yes_no": {"Answer": "AMAZON.Confirmation"},
        "multiple_choice": {"Answer": "ChoiceLetter"},
        "number": {"Answer": "AMAZON.Number"},
        "date": {"Answer": "AMAZON.Date"},
        "time": {"Answer": "AMAZON.Time"},
    }


@pytest.mark.parametrize("bot", sorted(BOTS))
def test_nine_opts_out_and_the_spoken_opt_out_is_heard_everywhere(bot: str) -> None:
    assert DEFINITION["keypad"]["opt_out_key"] == "9"
    assert resolve(bot, "9") == ("OptOut", {})
    for words in ("stop", "do not call me", "Don't call me again!", "STOP calling me"):
        assert resolve(bot, words) == ("OptOut", {}), (bot, words)
    for words in ("repeat", "say that again", "Sorry, what was that?"):
        assert resolve(bot, words) == ("Repeat", {}), (bot, words)
    assert resolve(bot, "the weather is lovely") == ("FallbackIntent", {})


def test_keypad_yes_is_one_and_no_is_two() -> None:
    assert resolve("yes_no", "1") == ("KeypadYes", {})
    assert resolve("yes_no", "2") == ("KeypadNo", {})
    means = {e["keys"]: e["means"] for e in BOTS["yes_no"]["keypad"] if "keys" in e}
    assert means == {"1": "Yes", "2": "No", "9": "opt-out"}
    assert resolve("ok", "1") == ("Answer", {})


def test_keypad_one_to_five_choose_a_to_e_like_the_spoken_letters() -> None:
    for key, letter in zip("12345", "ABCDE", strict=True):
        assert resolve("multiple_choice", key) == ("Answer", {"Answer": letter})
        # Lex resolves the key through the slot type's synonyms, not the keypad table.
        assert key in SLOT_TYPES["ChoiceLetter"]["values"][letter]
        assert resolve("multiple_choice", f"option {letter.lower()}") == (
            "Answer",
            {"Answer": letter},
        )
    assert resolve("multiple_choice", "6") == ("FallbackIntent", {})


@pytest.mark.parametrize(
    ("bot", "keys", "expected"),
    [
        ("number", "42", ("Answer", {"Answer": "42"})),
        ("number", "09", ("Answer", {"Answer": "09"})),
        ("number", "7", ("Answer", {"Answer": "7"})),
        ("date", "20261225", ("KeypadEntry", {"Digits": "20261225"})),
        ("time", "1430", ("KeypadEntry", {"Digits": "1430"})),
        ("date", "2512", ("FallbackIntent", {})),
        ("time", "143", ("FallbackIntent", {})),
    ],
)
def test_keyed_numbers_dates_and_times_follow_the_documented_patterns(
    bot: str, keys: str, expected: tuple[str, dict[str, str]]
) -> None:
    assert resolve(bot, keys) == expected


def test_keypad_patterns_are_documented_with_the_dtmf_settings_that_bound_them() -> None:
    summary = DEFINITION["keypad"]["summary"]
    for phrase in ("press 9", "1 = yes, 2 = no", "1-5 = A-E", "09", "YYYYMMDD", "HHMM"):
        assert phrase in summary
    shared = DEFINITION["keypad"]["session_attributes"]
    assert shared["x-amz-lex:dtmf:end-character:*:*"] == DEFINITION["keypad"]["end_character"]
    lengths = {
        k: int(b["session_attributes"]["x-amz-lex:dtmf:max-length:*:*"]) for k, b in BOTS.items()
    }
    assert lengths == {
        "ok": 1,
        "yes_no": 1,
        "multiple_choice": 1,
        "number": 12,
        "date": 8,
        "time": 4,
    }
    for key, bot in BOTS.items():
        for entry in bot["keypad"]:
            assert entry["intent"] in intents_of(key), f"{key}: keypad names {entry['intent']}"
            assert entry["means"], f"{key}: a keypad entry must say what it means"
