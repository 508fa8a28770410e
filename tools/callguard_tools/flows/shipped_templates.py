"""The flow templates we ship: their Connect types, variable contracts and offline values.

One catalogue for the linter (which variables a template may reference), the
diagrams, the simulator, the tests and ``make demo``, so that they all prove the
same rendered flows. The values are fictional: a documentation account id
(111122223333), all-zero UUIDs, and numbers from ranges reserved for drama.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callguard_tools.flows.model import MODULE_TYPE
from callguard_tools.installation import checkout_root
from callguard_tools.outbound_sim.lex import deployed_bots


def flows_dir() -> Path:
    """Return where the templates live: ``flows/`` at the checkout's root."""
    return checkout_root("reading the shipped flow templates") / "flows"


def __getattr__(name: str) -> Path:
    """Resolve ``FLOWS_DIR`` on first use (PEP 562), not on import.

    Linting a flow of your own needs only this catalogue, not the checkout, so
    an installed package can import this module anywhere; only reading the
    shipped templates needs a checkout, and says so when there is none.
    """
    if name == "FLOWS_DIR":
        return flows_dir()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Most numbers the static-list flow accepts (see flows/README.md for why).
STATIC_LIST_MAX_NUMBERS = 100

_REGION = "eu-west-2"
_ACCOUNT = "111122223333"
_INSTANCE = "00000000-0000-4000-8000-000000000001"
_INSTANCE_ARN = f"arn:aws:connect:{_REGION}:{_ACCOUNT}:instance/{_INSTANCE}"

DEMO_CHECK_FUNCTION_ARN = f"arn:aws:lambda:{_REGION}:{_ACCOUNT}:function:callguard-dev-check-number"
DEMO_FLAG_FUNCTION_ARN = f"arn:aws:lambda:{_REGION}:{_ACCOUNT}:function:callguard-dev-flag-number"
DEMO_MODULE_ARN = f"{_INSTANCE_ARN}/flow-module/00000000-0000-4000-8000-0000000000a1"
DEMO_QUEUE_ARN = f"{_INSTANCE_ARN}/queue/00000000-0000-4000-8000-0000000000b1"
DEMO_CHALLENGE_FUNCTION_ARN = (
    f"arn:aws:lambda:{_REGION}:{_ACCOUNT}:function:callguard-dev-challenge-code"
)
DEMO_VERIFY_FUNCTION_ARN = f"arn:aws:lambda:{_REGION}:{_ACCOUNT}:function:callguard-dev-verify-code"
DEMO_CHALLENGE_MODULE_ARN = f"{_INSTANCE_ARN}/flow-module/00000000-0000-4000-8000-0000000000a2"
DEMO_CALL_STEP_FUNCTION_ARN = (
    f"arn:aws:lambda:{_REGION}:{_ACCOUNT}:function:callguard-dev-call-step"
)
DEMO_RECORD_ANSWER_FUNCTION_ARN = (
    f"arn:aws:lambda:{_REGION}:{_ACCOUNT}:function:callguard-dev-record-answer"
)
DEMO_FINISH_FUNCTION_ARN = f"arn:aws:lambda:{_REGION}:{_ACCOUNT}:function:callguard-dev-finish-call"

#: The outbound bots (keys of ``modules/outbound_bots/bots.json``), in the flow's order.
OUTBOUND_BOTS: tuple[str, ...] = ("ok", "yes_no", "multiple_choice", "number", "date", "time")


def demo_bot_alias_arn(bot: str) -> str:
    """Return a fictional Lex V2 alias ARN for ``bot`` (ids: ten capitals or digits)."""
    index = OUTBOUND_BOTS.index(bot) + 1
    return f"arn:aws:lex:{_REGION}:{_ACCOUNT}:bot-alias/BOT{index:07d}/ALIAS{index:05d}"


def _session_attributes(bot: str) -> dict[str, str]:
    """Return the Lex session attributes of ``bot``, as the outbound-bots module outputs them."""
    definition = deployed_bots()
    return {**definition.session_attributes, **definition.bot(bot).session_attributes}


@dataclass(frozen=True)
class FlowTemplate:
    """One shipped template: file name, Connect type, a title, and its variable contract."""

    filename: str
    flow_type: str
    title: str
    summary: str
    variables: tuple[str, ...]

    @property
    def path(self) -> Path:
        """The template file in the repository."""
        return flows_dir() / self.filename

    @property
    def stem(self) -> str:
        """The file name without ``.json.tftpl`` (used for diagram file names)."""
        return self.filename.split(".", 1)[0]


TEMPLATES: tuple[FlowTemplate, ...] = (
    FlowTemplate(
        "check_caller.module.json.tftpl",
        MODULE_TYPE,
        "Check-caller flow module",
        "Calls the check function and copies its answer into contact attributes; "
        "a function error sets them per the fail mode.",
        ("check_function_arn", "invocation_timeout_seconds", "fail_mode"),
    ),
    FlowTemplate(
        "inbound_denylist.flow.json.tftpl",
        "CONTACT_FLOW",
        "Inbound deny-list flow",
        "Runs the check module; blocked callers hear a message and are disconnected, "
        "everyone else is transferred to the working queue.",
        (
            "check_module_id",
            "blocked_message",
            "queue_arn",
            "queue_full_message",
            "error_message",
            "challenge_enabled",
            "challenge_module_id",
        ),
    ),
    FlowTemplate(
        "agent_flag.flow.json.tftpl",
        "QUEUE_TRANSFER",
        "Agent-flag flow (quick connect)",
        "Flags the caller through the flag function and tells the agent the outcome.",
        (
            "flag_function_arn",
            "invocation_timeout_seconds",
            "flag_reason",
            "agent_prompt",
            "success_message",
            "error_message",
        ),
    ),
    FlowTemplate(
        "inbound_static_list.flow.json.tftpl",
        "CONTACT_FLOW",
        "Inbound static-list flow (no Lambda)",
        "Compares the caller with a short list of numbers rendered into the flow.",
        ("blocked_numbers", "blocked_message", "queue_arn"),
    ),
    FlowTemplate(
        "spam_challenge.module.json.tftpl",
        MODULE_TYPE,
        "Spam-challenge flow module",
        "Reads a random code to the caller and lets them key it in; a right answer "
        "returns, too many wrong ones hear a goodbye and are disconnected.",
        (
            "challenge_function_arn",
            "verify_function_arn",
            "invocation_timeout_seconds",
            "fail_mode",
            "code_length",
            "max_attempts",
            "input_timeout_seconds",
            "challenge_message",
            "retry_message",
            "no_input_message",
            "goodbye_message",
        ),
    ),
    FlowTemplate(
        "outbound_call.flow.json.tftpl",
        "CONTACT_FLOW",
        "Outbound call flow",
        "Greets the receiver, asks the job's questions one by one through the Lex bot of "
        "each question's type, records every answer, honours an opt-out, and ends the "
        "state machine's wait for the call.",
        (
            "call_step_function_arn",
            "record_answer_function_arn",
            "finish_function_arn",
            "invocation_timeout_seconds",
            *(f"{bot}_bot_alias_arn" for bot in OUTBOUND_BOTS),
            *(f"{bot}_session_attributes" for bot in OUTBOUND_BOTS),
            *(f"hint_{bot}" for bot in OUTBOUND_BOTS),
            "max_retries",
            "max_repeats",
            "voice",
            "recording_enabled",
            "voicemail_message",
            "retry_message",
            "opt_out_message",
            "error_message",
        ),
    ),
)

#: Template file name -> default variables (fictional, deterministic).
DEMO_VALUES: Mapping[str, Mapping[str, Any]] = {
    "check_caller.module.json.tftpl": {
        "check_function_arn": DEMO_CHECK_FUNCTION_ARN,
        "invocation_timeout_seconds": "3",
        "fail_mode": "open",
    },
    "inbound_denylist.flow.json.tftpl": {
        "check_module_id": DEMO_MODULE_ARN,
        "blocked_message": "We are unable to take your call. Goodbye.",
        "queue_arn": DEMO_QUEUE_ARN,
        "queue_full_message": "All of our lines are busy. Please call again later.",
        "error_message": "Sorry, something went wrong. Please call again later.",
        "challenge_enabled": False,
        "challenge_module_id": "",
    },
    "agent_flag.flow.json.tftpl": {
        "flag_function_arn": DEMO_FLAG_FUNCTION_ARN,
        "invocation_timeout_seconds": "5",
        "flag_reason": "Flagged by agent",
        "agent_prompt": "Adding the caller to the deny list.",
        "success_message": "The caller has been added to the deny list.",
        "error_message": "The caller could not be added. Please use the admin tool.",
    },
    "inbound_static_list.flow.json.tftpl": {
        "blocked_numbers": ["+447700900123", "+14155550123"],
        "blocked_message": "We are unable to take your call. Goodbye.",
        "queue_arn": DEMO_QUEUE_ARN,
    },
    "spam_challenge.module.json.tftpl": {
        "challenge_function_arn": DEMO_CHALLENGE_FUNCTION_ARN,
        "verify_function_arn": DEMO_VERIFY_FUNCTION_ARN,
        "invocation_timeout_seconds": "3",
        "fail_mode": "open",
        "code_length": "4",
        "max_attempts": "2",
        "input_timeout_seconds": "8",
        "challenge_message": "To continue, please enter this code on your telephone keypad:",
        "retry_message": "That code did not match. Please try again.",
        "no_input_message": "We did not receive any digits. Please try again.",
        "goodbye_message": "We could not verify your call. Goodbye.",
    },
    "outbound_call.flow.json.tftpl": {
        "call_step_function_arn": DEMO_CALL_STEP_FUNCTION_ARN,
        "record_answer_function_arn": DEMO_RECORD_ANSWER_FUNCTION_ARN,
        "finish_function_arn": DEMO_FINISH_FUNCTION_ARN,
        "invocation_timeout_seconds": "3",
        **{f"{bot}_bot_alias_arn": demo_bot_alias_arn(bot) for bot in OUTBOUND_BOTS},
        **{f"{bot}_session_attributes": _session_attributes(bot) for bot in OUTBOUND_BOTS},
        "hint_ok": "Say okay, or press 1.",
        "hint_yes_no": "Please say yes or no. You can also press 1 for yes, or 2 for no.",
        "hint_multiple_choice": "Say the letter of your choice, A to E, or press 1 to 5.",
        "hint_number": "Say the number, or key it in and press the hash key.",
        "hint_date": (
            "Say the date, or key it in as year, month and day, eight digits, then hash."
        ),
        "hint_time": ("Say the time, or key it in as four digits on the 24-hour clock, then hash."),
        "max_retries": "2",
        "max_repeats": "3",
        "voice": "Joanna",
        "recording_enabled": False,
        "voicemail_message": "",
        "retry_message": "Sorry, I did not get that. Let me ask again.",
        "opt_out_message": (
            "Thank you. We have added your number to our do-not-call list, and you will "
            "not be called again. Goodbye."
        ),
        "error_message": "Sorry, something went wrong on our side. We will try again later. "
        "Goodbye.",
    },
}


def template(filename: str) -> FlowTemplate | None:
    """Return the catalogue entry for a template file name, or None when it is not ours."""
    for entry in TEMPLATES:
        if entry.filename == filename:
            return entry
    return None


def demo_values(filename: str, **overrides: Any) -> dict[str, Any]:
    """Return a copy of the default variables of ``filename`` with ``overrides`` applied.

    Raises:
        KeyError: ``filename`` is not one of our templates, or an override names
            a variable the template does not have.

    """
    values = dict(DEMO_VALUES[filename])
    unknown = set(overrides) - set(values)
    if unknown:
        raise KeyError(f"{filename} has no variable(s) {', '.join(sorted(unknown))}")
    values.update(overrides)
    return values
