"""The demo's spam-challenge steps: the inbound flow with the challenge module switched on.

Three calls show the piece end to end with the real handlers: a person keys in
the code they hear and is queued; a robocaller that presses nothing hears the
goodbye and is disconnected; and with the ``withheld`` policy a caller with a
known number is not asked at all. The simulated caller repeats the digits the
prompt read out, so the code stays random, as in production.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from callguard_tools.demo.story import Story
from callguard_tools.flows.shipped_templates import DEMO_CHALLENGE_MODULE_ARN, DEMO_VALUES
from callguard_tools.flows.simulation import REPEAT_HEARD_DIGITS, CallScript, SimulationResult
from callguard_tools.flows.transcript import mask_number

#: A second caller of the story (a number reserved for drama in the UK plan).
CHALLENGED_CALLER: Final = "+442079460321"

_INBOUND: Final = "inbound_denylist.flow.json.tftpl"
_CHALLENGE: Final = "spam_challenge.module.json.tftpl"
_ENABLED: Final[dict[str, dict[str, Any]]] = {
    _INBOUND: {"challenge_enabled": True, "challenge_module_id": DEMO_CHALLENGE_MODULE_ARN}
}

Check = Callable[[SimulationResult], tuple[bool, str]]


def _challenge_says(result: SimulationResult) -> str:
    attributes = result.attributes
    return (
        f"callguard_challenge_result={attributes.get('callguard_challenge_result', '')!r}, "
        f"attempts={attributes.get('callguard_challenge_attempts', '-')}"
    )


def _queued_after(result_wanted: str, queue: str) -> Check:
    def check(result: SimulationResult) -> tuple[bool, str]:
        ok = (
            result.outcome.kind == "transferred"
            and result.outcome.queue == queue
            and result.attributes.get("callguard_challenge_result") == result_wanted
        )
        return ok, f"{result.outcome.describe()} ({_challenge_says(result)})"

    return check


def _hung_up_after_goodbye(goodbye: str) -> Check:
    def check(result: SimulationResult) -> tuple[bool, str]:
        ok = (
            result.outcome.kind == "disconnected"
            and result.transcript.prompts[-1:] == [goodbye]
            and result.target_queue is None
            and result.attributes.get("callguard_challenge_result") == "fail"
        )
        return ok, f"heard {result.transcript.prompts[-1:]!r}, {result.outcome.describe()} " + (
            f"({_challenge_says(result)})"
        )

    return check


def spam_challenge_steps(story: Story) -> None:
    """Play the challenge steps into ``story`` (each one judged like every other step)."""
    queue = story.deployment.queue_arn
    goodbye = str(DEMO_VALUES[_CHALLENGE]["goodbye_message"])
    caller = mask_number(CHALLENGED_CALLER)
    everyone = {"CALLGUARD_CHALLENGE_POLICY": "everyone"}

    story.call(
        f"Spam challenge on (policy everyone): a caller ({caller}) keys in the code they hear",
        "the code is read digit by digit; the right answer is queued",
        lambda: story.simulator(overrides=_ENABLED, environment=everyone).inbound(
            CHALLENGED_CALLER, CallScript(inputs=(REPEAT_HEARD_DIGITS,))
        ),
        _queued_after("pass", queue),
    )
    story.call(
        "Spam challenge on: a robocaller that presses nothing, twice",
        "a reminder after the first silence, then the goodbye and a disconnect",
        lambda: story.simulator(overrides=_ENABLED, environment=everyone).inbound(
            CHALLENGED_CALLER, CallScript(inputs=(None, None))
        ),
        _hung_up_after_goodbye(goodbye),
    )
    story.call(
        "Spam challenge on (policy withheld): a caller with a known number",
        "not challenged; queued at once",
        lambda: story.simulator(
            overrides=_ENABLED, environment={"CALLGUARD_CHALLENGE_POLICY": "withheld"}
        ).inbound(CHALLENGED_CALLER),
        _queued_after("skipped", queue),
    )
