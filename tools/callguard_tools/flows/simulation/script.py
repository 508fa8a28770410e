"""What the world does during a simulated call, and what the call came to.

:class:`CallScript` is the input of one simulation (keypad digits, queue
state), :class:`SimulationResult` its output. Both belong to the simulation's
public API (:mod:`callguard_tools.flows.simulation`), not to the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from callguard_tools.flows.connect_event import Contact
from callguard_tools.flows.transcript import Outcome, Transcript

#: A scripted input meaning "key in the digits just read out" (a spoken code).
REPEAT_HEARD_DIGITS = "heard"

#: How many actions one contact may pass through before the walk calls it a loop.
DEFAULT_MAX_STEPS = 500


TurnKind = Literal["say", "press", "silence", "hang_up"]


@dataclass(frozen=True)
class Turn:
    """One turn of a receiver talking to a Lex bot: speech, key presses, silence, or hanging up."""

    kind: TurnKind
    text: str = ""

    @classmethod
    def parse(cls, text: str) -> Turn:
        """Read ``key:1234#`` (keys), ``<silence>``, ``<hang-up>``; anything else is speech."""
        if text == "<silence>":
            return cls("silence")
        if text == "<hang-up>":
            return cls("hang_up")
        if text.startswith("key:"):
            return cls("press", text[len("key:") :])
        return cls("say", text)


def say(text: str) -> Turn:
    """Return the turn of a receiver saying ``text``."""
    return Turn("say", text)


def press(keys: str) -> Turn:
    """Return the turn of a receiver pressing ``keys`` on the keypad."""
    return Turn("press", keys)


#: The receiver says nothing until the bot gives up.
SILENCE = Turn("silence")
#: The receiver hangs up while the question is asked.
HANG_UP = Turn("hang_up")


@dataclass(frozen=True)
class CallScript:
    """What the world does during the call: keypad input and queue state.

    ``inputs`` feeds ``GetParticipantInput`` actions in order (``None`` = the
    caller types nothing until the time limit; :data:`REPEAT_HEARD_DIGITS` = the
    caller keys in the digits that action's SSML prompt read out, as a person
    answering a spoken code would, or nothing if it read none). ``queues_at_capacity`` lists
    queue ids/ARNs that are full; ``all_queues_at_capacity`` fills every queue.
    ``transfers_fail`` makes every transfer fail with ``NoMatchingError`` (a
    deleted or misconfigured queue). ``turns`` feeds ``ConnectParticipantWithLexBot``
    blocks in order (running out is silence). ``call_status`` is what
    ``CheckOutboundCallStatus`` reports (``CallAnswered``, ``VoicemailBeep``, ...);
    ``None``: the call is not campaign traffic, so the block takes its error branch.
    """

    inputs: tuple[str | None, ...] = ()
    queues_at_capacity: frozenset[str] = frozenset()
    all_queues_at_capacity: bool = False
    transfers_fail: bool = False
    max_steps: int = DEFAULT_MAX_STEPS
    turns: tuple[Turn, ...] = ()
    call_status: str | None = None

    def at_capacity(self, queue: str) -> bool:
        """Whether ``queue`` (id or ARN) is scripted to be full."""
        if self.all_queues_at_capacity:
            return True
        tail = queue.rsplit("/", 1)[-1]
        return queue in self.queues_at_capacity or tail in self.queues_at_capacity


@dataclass(frozen=True)
class SimulationResult:
    """The contact's journey: transcript, final attributes, target queue and outcome."""

    contact: Contact
    transcript: Transcript
    attributes: dict[str, str]
    external: dict[str, Any]
    target_queue: str | None
    outcome: Outcome
