"""Rules for the blocks an outbound call uses: Lex bots and the call-progress check.

``ConnectParticipantWithLexBot`` branches on the plain intent name the bot matched
(``Equals`` with one name per condition); whatever matches no condition takes
``NoMatchingCondition`` (Lex's ``FallbackIntent`` included), silence takes
``InputTimeLimitExceeded`` and a bot that cannot be reached ``NoMatchingError``.
The catalogue (:mod:`.catalog`) requires the last two of those three to be wired
and allows the first; these rules check what the catalogue cannot: the
conditions and the alias ARN. ``CheckOutboundCallStatus`` may only branch on the
statuses answering-machine detection reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from callguard_tools.flows.model import Flow
from callguard_tools.flows.rules.catalog import CALL_STATUS_CONDITIONS, LOOP_CONDITIONS
from callguard_tools.flows.rules.registry import Problem, flow_rule

#: A Lex V2 bot alias ARN: ``arn:aws:lex:<region>:<account>:bot-alias/<bot id>/<alias id>``.
LEX_ALIAS_ARN: Final = re.compile(
    r"arn:aws[a-z-]*:lex:[a-z0-9-]+:\d{12}:bot-alias/[0-9A-Z]{10}/[0-9A-Z]{10}"
)
#: Lex V2 intent names: letters, digits, ``_`` and ``-``, starting with a letter or digit.
INTENT_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")


@flow_rule("lex-bot")
def check_lex_bot(flow: Flow) -> Iterator[Problem]:
    """Lex blocks: a real alias ARN (or a reference), and one Equals per intent name."""
    for action in flow.actions:
        if action.type != "ConnectParticipantWithLexBot":
            continue
        label = action.identifier or None
        bot = action.parameters.get("LexV2Bot")
        alias = bot.get("AliasArn") if isinstance(bot, dict) else None
        if (
            isinstance(alias, str)
            and not alias.startswith("$.")
            and not LEX_ALIAS_ARN.fullmatch(alias)
        ):
            yield Problem(
                f"LexV2Bot.AliasArn {alias!r} is not a Lex V2 bot alias ARN "
                "(arn:aws:lex:<region>:<account>:bot-alias/<bot id>/<alias id>)",
                label,
            )
        if not action.conditions:
            yield Problem("a Lex block without intent conditions always takes an error", label)
        seen: set[str] = set()
        for condition in action.conditions:
            names = [o for o in condition.operands if isinstance(o, str)]
            if condition.operator != "Equals" or len(names) != 1:
                yield Problem("a Lex condition is Equals with exactly one intent name", label)
                continue
            if not INTENT_NAME.fullmatch(names[0]):
                yield Problem(f"{names[0]!r} is not a Lex intent name", label)
            if names[0] in seen:
                yield Problem(f"intent {names[0]!r} has two conditions; only the first", label)
            seen.add(names[0])


def _only(flow: Flow, action_type: str, allowed: tuple[str, ...]) -> Iterator[Problem]:
    for action in flow.actions:
        if action.type != action_type:
            continue
        for condition in action.conditions:
            unknown = [o for o in condition.operands if o not in allowed]
            if condition.operator != "Equals" or unknown:
                yield Problem(
                    f"{action_type} branches only on Equals {', '.join(allowed)} "
                    f"(found {condition.operator} {', '.join(map(repr, unknown))})",
                    action.identifier or None,
                )


@flow_rule("call-status-conditions")
def check_call_status(flow: Flow) -> Iterator[Problem]:
    """CheckOutboundCallStatus: conditions only on the statuses detection reports."""
    yield from _only(flow, "CheckOutboundCallStatus", CALL_STATUS_CONDITIONS)


@flow_rule("loop-conditions")
def check_loop(flow: Flow) -> Iterator[Problem]:
    """Loop: a LoopCount of 1 or more, conditions only on ContinueLooping and DoneLooping."""
    yield from _only(flow, "Loop", LOOP_CONDITIONS)
    for action in flow.actions:
        count = action.parameters.get("LoopCount") if action.type == "Loop" else None
        if isinstance(count, str) and not (count.isdigit() and int(count) >= 1):
            yield Problem(
                f"LoopCount {count!r} must be a whole number, 1 or more", action.identifier or None
            )
