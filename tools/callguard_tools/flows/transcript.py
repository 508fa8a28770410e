"""What a simulated call did, step by step, in a form both tests and people can read.

A transcript is an ordered list of typed entries (an action visited, a prompt
spoken, an attribute set, a Lambda call, a branch taken) ending in one
:class:`Outcome`. Tests assert on the entries; :meth:`Transcript.render` turns
them into the readable text ``callguard flows simulate`` and ``make demo`` print.
Phone numbers are masked wherever they appear, as in the runtime's logs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from callguard.numbers import mask

T = TypeVar("T")

OutcomeKind = Literal["disconnected", "transferred", "ended", "hung_up", "error"]

_PHONE = re.compile(r"\+\d{7,15}")


def mask_number(text: str) -> str:
    """Mask every E.164-looking number in ``text`` with the runtime's own masking.

    ``+442079460958`` becomes ``+4420*****958``: transcripts are printed and
    pasted into documents, so they follow the same rule as the runtime's logs.
    """
    return _PHONE.sub(lambda match: mask(match.group(0)), text)


@dataclass(frozen=True)
class ActionVisited:
    """The simulator entered an action."""

    flow: str
    identifier: str
    action_type: str


@dataclass(frozen=True)
class PromptPlayed:
    """A prompt the participant heard (or read): plain text, SSML, or a stored prompt id."""

    flow: str
    identifier: str
    kind: Literal["Text", "SSML", "PromptId"]
    content: str


@dataclass(frozen=True)
class InputReceived:
    """Keypad input the script supplied to a ``GetParticipantInput`` action."""

    flow: str
    identifier: str
    digits: str | None  # None: the caller typed nothing before the time limit


@dataclass(frozen=True)
class AttributeSet:
    """A contact attribute written by ``UpdateContactAttributes``."""

    flow: str
    identifier: str
    key: str
    value: str


@dataclass(frozen=True)
class LambdaCalled:
    """A function invocation and how Connect judged it."""

    flow: str
    identifier: str
    function_arn: str
    handler: str
    parameters: dict[str, Any]
    ok: bool
    response: dict[str, Any]
    error: str
    log_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReceiverHeard:
    """What a Lex bot made of one turn of the receiver (``ConnectParticipantWithLexBot``).

    ``said`` is the utterance, ``keys`` the key presses (one of them is set; neither:
    silence); ``intent`` and ``slots`` are what the bot resolved them to.
    """

    flow: str
    identifier: str
    bot: str
    said: str | None
    keys: str | None
    intent: str
    slots: dict[str, str]


@dataclass(frozen=True)
class BranchTaken:
    """Which transition left an action: ``next``, a condition, or an error type."""

    flow: str
    identifier: str
    branch: str
    target: str


@dataclass(frozen=True)
class Note:
    """Anything else worth reporting: logging switched, queue set, module entered or left."""

    flow: str
    identifier: str
    text: str


@dataclass(frozen=True)
class Outcome:
    """How the contact left the flows."""

    kind: OutcomeKind
    queue: str = ""
    detail: str = ""

    def describe(self) -> str:
        """One line, e.g. ``transferred to queue arn:...:queue/abc``."""
        if self.kind == "transferred":
            return f"transferred to queue {self.queue}"
        if self.kind == "error":
            return f"error: {self.detail}"
        return self.kind if not self.detail else f"{self.kind} ({self.detail})"


Entry = (
    ActionVisited
    | PromptPlayed
    | InputReceived
    | ReceiverHeard
    | AttributeSet
    | LambdaCalled
    | BranchTaken
    | Note
)


def _compact(mapping: dict[str, Any]) -> str:
    return mask_number(json.dumps(mapping, sort_keys=True, separators=(", ", ": ")))


@dataclass
class Transcript:
    """The ordered entries of one simulated contact and its outcome."""

    entries: list[Entry] = field(default_factory=list)
    outcome: Outcome | None = None

    def add(self, entry: Entry) -> None:
        """Append one entry."""
        self.entries.append(entry)

    def of_type(self, kind: type[T]) -> list[T]:
        """Every entry of one type, in order."""
        return [entry for entry in self.entries if isinstance(entry, kind)]

    @property
    def prompts(self) -> list[str]:
        """The text of every prompt played, in order."""
        return [entry.content for entry in self.of_type(PromptPlayed)]

    @property
    def lambda_calls(self) -> list[LambdaCalled]:
        """Every function invocation, in order."""
        return self.of_type(LambdaCalled)

    @property
    def visited(self) -> list[str]:
        """``flow/identifier`` of every action entered, in order."""
        return [f"{entry.flow}/{entry.identifier}" for entry in self.of_type(ActionVisited)]

    def render(self, *, verbose: bool = False) -> list[str]:
        """Readable lines; ``verbose`` also lists every action and branch."""
        lines: list[str] = []
        for entry in self.entries:
            line = _render_entry(entry, verbose=verbose)
            if line:
                lines.append(line)
        if self.outcome is not None:
            lines.append(f"  => {self.outcome.describe()}")
        return lines


def _turn(entry: ReceiverHeard) -> str:
    if entry.said is not None:
        return f"says {entry.said!r}"
    if entry.keys is not None:
        return f"presses {entry.keys}"
    return "says nothing"


def _intent(entry: ReceiverHeard) -> str:
    slots = ", ".join(f"{name}={value!r}" for name, value in sorted(entry.slots.items()) if value)
    return f"{entry.intent} ({slots})" if slots else entry.intent


def _render_entry(entry: Entry, *, verbose: bool) -> str:  # noqa: PLR0911 - one per entry type
    match entry:
        case ActionVisited() if verbose:
            return f"  [{entry.flow}] {entry.identifier} ({entry.action_type})"
        case BranchTaken() if verbose:
            return f"      -> {entry.branch} -> {entry.target}"
        case PromptPlayed():
            return f"  says ({entry.kind}): {mask_number(entry.content)!s}"
        case InputReceived():
            typed = "nothing (time limit)" if entry.digits is None else f"'{entry.digits}'"
            return f"  caller types: {typed}"
        case ReceiverHeard():
            return f"  receiver {_turn(entry)} -> {entry.bot} bot: {_intent(entry)}"
        case AttributeSet():
            return f"  attribute {entry.key} = {mask_number(entry.value)!r}"
        case LambdaCalled():
            name = entry.handler or entry.function_arn
            head = f"  lambda {name}({_compact(entry.parameters)})"
            if verbose:
                head += "".join(f"\n      log: {mask_number(line)}" for line in entry.log_lines)
            if entry.ok:
                return f"{head}\n      returned {_compact(entry.response)}"
            return f"{head}\n      failed: {mask_number(entry.error)}"
        case Note():
            return f"  {mask_number(entry.text)}"
        case _:
            return ""
