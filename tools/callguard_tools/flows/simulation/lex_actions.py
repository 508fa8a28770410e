"""The receiver's side of a call: the Lex bot block, and the outbound call-progress check.

``ConnectParticipantWithLexBot`` asks, hears the receiver's next scripted turn
through the bot definition and branches on the intent; ``CheckOutboundCallStatus``
branches on the scripted answering-machine result of campaign traffic.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from callguard_tools.flows.model import Action
from callguard_tools.flows.simulation.action_handler import (
    ActionHandler,
    ParameterReader,
    no_parameters,
)
from callguard_tools.flows.simulation.prompt_actions import Prompt, play_prompt, read_prompt
from callguard_tools.flows.transcript import Outcome, ReceiverHeard

if TYPE_CHECKING:
    from callguard_tools.flows.simulation.walker import Walker

#: The Lex session attribute that caps a key entry (keys past it are not heard).
DTMF_MAX_LENGTH = "x-amz-lex:dtmf:max-length:*:*"


@dataclass(frozen=True)
class LexBotBlock:
    """``ConnectParticipantWithLexBot``: its prompt, the bot alias and the session attributes."""

    prompt: Prompt | None
    alias_arn: Any
    session_attributes: Mapping[str, Any]


def _lex_bot_block(reader: ParameterReader) -> LexBotBlock:
    return LexBotBlock(
        prompt=read_prompt(reader),
        alias_arn=reader.nested("LexV2Bot").value("AliasArn", ""),
        session_attributes=reader.mapping("LexSessionAttributes"),
    )


def _connect_lex_bot(walk: Walker, action: Action, spec: LexBotBlock) -> str:
    """Ask, hear the receiver's next turn through the bot definition, branch on the intent.

    Speech and keys resolve as :mod:`callguard_tools.outbound_sim.lex` describes; a key
    entry longer than the bot's DTMF max-length is cut there, as Lex stops listening.
    Silence takes ``InputTimeLimitExceeded`` (``NoMatchingCondition`` when that is not
    wired), an unknown alias ``NoMatchingError`` (before any prompt or turn), a hang-up
    ends the walk.
    """
    alias = walk.text(spec.alias_arn)
    bot = walk.bots.bot_for(alias) if walk.bots is not None else None
    if walk.bots is None or bot is None:
        # Conservative: the bot cannot be reached, so nothing is asked or heard.
        walk.note(action, f"no Lex bot has the alias {alias!r}")
        walk.lex = {}
        return walk.error(action, "NoMatchingError")
    play_prompt(walk, action, spec.prompt)
    turn = walk.next_turn()
    if turn.kind == "hang_up":
        walk.note(action, "the receiver hangs up")
        return walk.leave(Outcome("hung_up", detail=f"during {action.identifier}"))
    definition = walk.bots.definition
    if turn.kind == "silence":
        walk.record(ReceiverHeard(walk.flow.name, action.identifier, bot, None, None, "", {}))
        walk.lex = {}
        if action.error_target("InputTimeLimitExceeded") is not None:
            return walk.error(action, "InputTimeLimitExceeded")
        return walk.error(action, "NoMatchingCondition")
    if turn.kind == "press":
        keys = turn.text
        limit = str(walk.text(spec.session_attributes.get(DTMF_MAX_LENGTH, "")))
        if limit.isdigit():
            keys = keys.removesuffix(definition.end_character)[: int(limit)]
        result = definition.press(bot, keys)
        heard = ReceiverHeard(
            walk.flow.name, action.identifier, bot, None, turn.text, result.intent, {}
        )
    else:
        result = definition.say(bot, turn.text)
        heard = ReceiverHeard(
            walk.flow.name, action.identifier, bot, turn.text, None, result.intent, {}
        )
    slots = dict(result.slots)
    walk.record(dataclasses.replace(heard, slots=slots))
    walk.lex = {"IntentName": result.intent, "Slots": slots}
    chosen = walk.first_condition(action, result.intent)
    return chosen or walk.error(action, "NoMatchingCondition")


def _check_call_status(walk: Walker, action: Action, parameters: None) -> str:
    """Branch on the scripted call status; a non-campaign call takes the error branch."""
    del parameters
    status = walk.script.call_status
    if status is None:
        walk.note(action, "no answering-machine detection (not campaign traffic)")
        return walk.error(action, "NoMatchingError")
    walk.note(action, f"call progress: {status}")
    chosen = walk.first_condition(action, status)
    return chosen or walk.error(action, "NoMatchingCondition")


#: The Lex bot and call-progress actions, by type.
HANDLERS: Mapping[str, ActionHandler[Any]] = {
    "ConnectParticipantWithLexBot": ActionHandler(_lex_bot_block, _connect_lex_bot),
    "CheckOutboundCallStatus": ActionHandler(no_parameters, _check_call_status),
}
