"""What the outbound flow tells receivers to say or key resolves, in the deployed bots, as meant."""

from __future__ import annotations

import pytest

from callguard.outbound.handlers.call_context import BOT_FOR_TYPE
from callguard.outbound.model import JobConfig
from callguard_tools.flows.shipped_templates import DEMO_VALUES
from callguard_tools.outbound_sim.lex import FALLBACK_INTENT, deployed_bots

FLOW = DEMO_VALUES["outbound_call.flow.json.tftpl"]
BOTS = deployed_bots()

#: What each hint (and the opt-out sentence) suggests: (bot, how, input, intent, slots).
SUGGESTED = [
    ("ok", "say", "okay", "Answer", {}),
    ("ok", "press", "1", "Answer", {}),
    ("yes_no", "say", "yes", "Answer", {"Answer": "Yes"}),
    ("yes_no", "say", "no", "Answer", {"Answer": "No"}),
    ("yes_no", "press", "1", "KeypadYes", {}),
    ("yes_no", "press", "2", "KeypadNo", {}),
    *[("multiple_choice", "say", letter, "Answer", {"Answer": letter}) for letter in "ABCDE"],
    *[
        ("multiple_choice", "press", str(n), "Answer", {"Answer": "ABCDE"[n - 1]})
        for n in range(1, 6)
    ],
    ("number", "press", "42#", "Answer", {"Answer": "42"}),
    ("number", "say", "forty two", "Answer", {"Answer": "42"}),
    ("date", "press", "20260303#", "KeypadEntry", {"Digits": "20260303"}),
    ("time", "press", "1430#", "KeypadEntry", {"Digits": "1430"}),
]


@pytest.mark.parametrize(("bot", "how", "text", "intent", "slots"), SUGGESTED, ids=str)
def test_every_suggested_answer_resolves_to_its_intent(
    bot: str, how: str, text: str, intent: str, slots: dict[str, str]
) -> None:
    result = BOTS.press(bot, text) if how == "press" else BOTS.say(bot, text)
    assert (result.intent, dict(result.slots)) == (intent, slots)


@pytest.mark.parametrize("bot", sorted(BOTS.bots))
def test_the_opt_out_sentence_and_repeat_work_in_every_bot(bot: str) -> None:
    sentence = JobConfig().opt_out_text
    assert "say stop" in sentence and "press 9" in sentence
    assert BOTS.say(bot, "stop").intent == "OptOut"
    assert BOTS.press(bot, "9").intent == "OptOut"
    assert BOTS.say(bot, "do not call me").intent == "OptOut"
    assert BOTS.say(bot, "repeat").intent == "Repeat"
    assert BOTS.say(bot, "banana split").intent == FALLBACK_INTENT


def test_the_hints_name_the_keys_the_bots_hear() -> None:
    assert "1 for yes" in FLOW["hint_yes_no"] and "2 for no" in FLOW["hint_yes_no"]
    assert "press 1 to 5" in FLOW["hint_multiple_choice"]
    assert "eight digits" in FLOW["hint_date"] and "four digits" in FLOW["hint_time"]


def test_each_question_type_routes_to_the_bot_that_hears_it() -> None:
    for kind, bot in BOT_FOR_TYPE.items():
        assert BOTS.bot(bot).question_type == kind.value


def test_invalid_keyed_dates_still_reach_the_function_that_refuses_them() -> None:
    assert BOTS.press("date", "20261345").intent == "KeypadEntry"
    assert BOTS.press("date", "2026").intent == FALLBACK_INTENT
