"""Prompts and keypad input: what a participant hears, and the digits they key in reply.

``MessageParticipant`` plays a prompt; ``GetParticipantInput`` plays one and reads
the next scripted keys, branching on them or storing them. :class:`Prompt`,
:func:`read_prompt` and :func:`play_prompt` are shared with the other actions that
speak before they listen (the Lex bot block in :mod:`.lex_actions`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from callguard_tools.flows.model import Action
from callguard_tools.flows.simulation.action_handler import (
    ActionHandler,
    ParameterError,
    ParameterReader,
)
from callguard_tools.flows.simulation.script import REPEAT_HEARD_DIGITS
from callguard_tools.flows.transcript import InputReceived, PromptPlayed

if TYPE_CHECKING:
    from callguard_tools.flows.simulation.walker import Walker

#: Digits an SSML prompt reads out one by one, e.g. a spam-challenge code.
_SPOKEN_DIGITS = re.compile(r'<say-as interpret-as="digits">\s*([0-9]+)\s*</say-as>')

PromptKind = Literal["Text", "SSML", "PromptId"]
_PROMPT_KINDS: tuple[PromptKind, ...] = ("Text", "SSML", "PromptId")


@dataclass(frozen=True)
class Prompt:
    """What a participant hears: plain text, SSML, or a stored prompt id (a value)."""

    kind: PromptKind
    content: str


def read_prompt(reader: ParameterReader) -> Prompt | None:
    """Return the prompt an action plays (its ``Text``, ``SSML`` or ``PromptId``), if any."""
    for kind in _PROMPT_KINDS:
        if kind in reader.parameters:
            return Prompt(kind, str(reader.parameters[kind]))
    return None


def play_prompt(walk: Walker, action: Action, prompt: Prompt | None) -> None:
    """Record ``prompt`` as played by ``action``, its references filled in (nothing if None)."""
    if prompt is None:
        return
    content = walk.text(prompt.content) if prompt.kind == "PromptId" else walk.fill(prompt.content)
    walk.record(PromptPlayed(walk.flow.name, action.identifier, prompt.kind, content))


def _message(walk: Walker, action: Action, prompt: Prompt | None) -> str:
    play_prompt(walk, action, prompt)
    return walk.next(action)


@dataclass(frozen=True)
class ParticipantInput:
    """``GetParticipantInput``: its prompt, and the store-mode settings the walk applies."""

    prompt: Prompt | None
    store: bool
    terminator: str
    maximum_length: int | None


def _participant_input(reader: ParameterReader) -> ParticipantInput:
    validation = reader.nested("InputValidation").nested("CustomValidation")
    maximum = validation.value("MaximumLength", None)
    try:
        maximum_length = None if maximum is None else int(maximum)
    except (TypeError, ValueError) as error:
        raise ParameterError(
            f"{validation.prefix}MaximumLength must be a whole number, not {maximum!r}"
        ) from error
    return ParticipantInput(
        prompt=read_prompt(reader),
        store=str(reader.value("StoreInput", "False")).lower() == "true",
        terminator=reader.nested("DTMFConfiguration").text("InputTerminationSequence"),
        maximum_length=maximum_length,
    )


def _heard_digits(walk: Walker, action: Action) -> str | None:
    """Return the digits the prompt of ``action`` just read out, if it read any."""
    played = walk.transcript.of_type(PromptPlayed)
    if not played or played[-1].identifier != action.identifier:
        return None
    spoken = _SPOKEN_DIGITS.findall(played[-1].content)
    return spoken[-1] if spoken else None


def _get_participant_input(walk: Walker, action: Action, spec: ParticipantInput) -> str:
    play_prompt(walk, action, spec.prompt)
    digits = walk.next_input()
    if digits == REPEAT_HEARD_DIGITS:
        digits = _heard_digits(walk, action)
    walk.record(InputReceived(walk.flow.name, action.identifier, digits))
    if digits is None:
        if spec.store and action.error_target("InputTimeLimitExceeded") is None:
            walk.stored_input = "Timeout"
            return walk.next(action)
        return walk.error(action, "InputTimeLimitExceeded")
    if spec.store:
        if spec.terminator and digits.endswith(spec.terminator):
            digits = digits[: -len(spec.terminator)]
        if spec.maximum_length is not None and len(digits) > spec.maximum_length:
            return walk.error(action, "NoMatchingError")
        walk.stored_input = digits
        return walk.next(action)
    chosen = walk.first_condition(action, digits)
    return chosen or walk.error(action, "NoMatchingCondition")


#: The prompt and keypad actions, by type.
HANDLERS: Mapping[str, ActionHandler[Any]] = {
    "MessageParticipant": ActionHandler(read_prompt, _message),
    "GetParticipantInput": ActionHandler(_participant_input, _get_participant_input),
}
