"""Every branch of the shipped agent-flag and static-list flows, and the deployment they share.

Each test renders the templates as Terraform would (demo values plus the
overrides under test, :mod:`simulator_helpers`), plays one contact through them
against moto DynamoDB, and asserts what the agent or caller hears, what the flag
function wrote, and how the contact leaves; then that no transcript holds a full
number, and how the deployment maps functions and rejects unknown overrides. The
inbound flow and its check module are in ``test_simulator_inbound_flow.py``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from simulator_helpers import (
    CALLER,
    FUNCTION_FAULTS,
    INBOUND,
    assert_blocked,
    simulator,
)

from callguard.store import DenyList, Entry
from callguard_tools.flows.connect_event import WITHHELD_ADDRESS, Contact
from callguard_tools.flows.shipped_templates import DEMO_VALUES
from callguard_tools.flows.simulation import (
    AGENT_FLAG_FLOW,
    CHECK_MODULE,
    STATIC_LIST_FLOW,
    CallScript,
    Deployment,
)

FLAG = "agent_flag.flow.json.tftpl"
STATIC = "inbound_static_list.flow.json.tftpl"

FLAG_PROMPT = str(DEMO_VALUES[FLAG]["agent_prompt"])
FLAG_SUCCESS = str(DEMO_VALUES[FLAG]["success_message"])
FLAG_ERROR = str(DEMO_VALUES[FLAG]["error_message"])


def agent_hears(outcome_message: str) -> list[str]:
    """What the agent hears in the flag flow: the optional prompt, then the outcome."""
    return [message for message in (FLAG_PROMPT, outcome_message) if message]


# ---------------------------------------------------------------- agent flag


def test_agent_flag_blocks_the_caller_and_tells_the_agent(
    table_name: str, deny_list: DenyList
) -> None:
    sim = simulator(table_name)
    first = sim.inbound(CALLER)
    result = sim.agent_flag(first.contact)
    assert result.outcome.kind == "disconnected"
    assert result.transcript.prompts == agent_hears(FLAG_SUCCESS)
    assert result.attributes["callguard_flag_result"] == "flagged"
    assert result.attributes["callguard_flag_status"] == "blocked"
    (call,) = result.transcript.lambda_calls
    assert call.handler == "callguard.handlers.flag_number.handler"
    assert call.parameters["CustomerNumber"] == CALLER
    assert call.parameters["Reason"] == DEMO_VALUES[FLAG]["flag_reason"]
    assert call.parameters["PreviousContactId"] == first.contact.contact_id
    assert call.parameters["InitialContactId"] == first.contact.contact_id
    entry = deny_list.get(CALLER)
    assert entry is not None
    assert entry.status == "blocked"
    assert entry.source == "agent"
    assert entry.previous_contact_id == first.contact.contact_id
    # ... and the caller's next call is blocked.
    assert_blocked(sim.inbound(CALLER))


def test_agent_flag_of_a_listed_caller_reports_already_listed(
    table_name: str, deny_list: DenyList
) -> None:
    deny_list.add(Entry.new(CALLER, reason="first reason", source="cli"))
    result = simulator(table_name).agent_flag(Contact.inbound(CALLER))
    assert result.attributes["callguard_flag_result"] == "already_listed"
    assert result.transcript.prompts == agent_hears(FLAG_SUCCESS)
    entry = deny_list.get(CALLER)
    assert entry is not None
    assert entry.reason == "first reason"


def test_agent_flag_in_review_mode_records_a_pending_number(
    table_name: str, deny_list: DenyList
) -> None:
    sim = simulator(table_name, environment={"CALLGUARD_FLAG_MODE": "review"})
    result = sim.agent_flag(Contact.inbound(CALLER))
    assert result.attributes["callguard_flag_status"] == "pending"
    assert result.transcript.prompts == agent_hears(FLAG_SUCCESS)
    entry = deny_list.get(CALLER)
    assert entry is not None
    assert entry.status == "pending"
    assert sim.inbound(CALLER).attributes["callguard_pending_review"] == "true"


@pytest.mark.parametrize("fault", sorted(FUNCTION_FAULTS))
def test_agent_flag_function_failure_tells_the_agent(
    table_name: str, deny_list: DenyList, fault: str
) -> None:
    sim = simulator(table_name, faults={"flag_function_arn": FUNCTION_FAULTS[fault]})
    result = sim.agent_flag(Contact.inbound(CALLER))
    assert result.outcome.kind == "disconnected"
    assert result.transcript.prompts == agent_hears(FLAG_ERROR)
    assert "callguard_flag_result" not in result.attributes


def test_agent_flag_of_a_withheld_caller_is_invalid(table_name: str) -> None:
    result = simulator(table_name).agent_flag(Contact.inbound(WITHHELD_ADDRESS))
    assert result.attributes["callguard_flag_result"] == "invalid"
    assert result.transcript.prompts == agent_hears(FLAG_ERROR)


def test_agent_flag_with_the_table_down_reports_error(table_name: str) -> None:
    result = simulator("callguard-no-such-table").agent_flag(Contact.inbound(CALLER))
    assert result.attributes["callguard_flag_result"] == "error"
    assert result.transcript.prompts == agent_hears(FLAG_ERROR)


def test_agent_flag_without_a_prompt_goes_straight_to_the_function(table_name: str) -> None:
    sim = simulator(table_name, overrides={FLAG: {"agent_prompt": ""}})
    result = sim.agent_flag(Contact.inbound(CALLER))
    assert result.transcript.prompts == [FLAG_SUCCESS]
    assert f"{AGENT_FLAG_FLOW}/play-agent-prompt" not in result.transcript.visited


# ---------------------------------------------------------------- static list


STATIC_NUMBERS = list(DEMO_VALUES[STATIC]["blocked_numbers"])


@pytest.mark.parametrize("listed", STATIC_NUMBERS)
def test_static_list_blocks_each_listed_number(table_name: str, listed: str) -> None:
    result = simulator(table_name).call(STATIC_LIST_FLOW, Contact.inbound(listed))
    assert result.outcome.kind == "disconnected"
    assert result.transcript.prompts == [DEMO_VALUES[STATIC]["blocked_message"]]
    assert result.transcript.lambda_calls == []


@pytest.mark.parametrize("caller", [CALLER, WITHHELD_ADDRESS, None])
def test_static_list_queues_everyone_else(table_name: str, caller: str | None) -> None:
    sim = simulator(table_name)
    result = sim.call(STATIC_LIST_FLOW, Contact.inbound(caller))
    assert result.outcome.kind == "transferred"
    assert result.outcome.queue == DEMO_VALUES[STATIC]["queue_arn"]


@pytest.mark.parametrize(
    "script", [CallScript(all_queues_at_capacity=True), CallScript(transfers_fail=True)]
)
def test_static_list_apologises_when_the_queue_cannot_take_the_call(
    table_name: str, script: CallScript
) -> None:
    result = simulator(table_name).call(STATIC_LIST_FLOW, Contact.inbound(CALLER), script)
    assert result.outcome.kind == "disconnected"
    assert len(result.transcript.prompts) == 1
    assert result.transcript.prompts[0] != DEMO_VALUES[STATIC]["blocked_message"]


def test_static_list_with_an_unusable_queue_apologises(table_name: str) -> None:
    sim = simulator(table_name, overrides={STATIC: {"queue_arn": ""}})
    result = sim.call(STATIC_LIST_FLOW, Contact.inbound(CALLER))
    assert result.outcome.kind == "disconnected"
    assert len(result.transcript.prompts) == 1


# ---------------------------------------------------------------- transcript hygiene


def test_no_transcript_line_holds_a_full_number(table_name: str, deny_list: DenyList) -> None:
    sim = simulator(table_name)
    lines = sim.inbound(CALLER).transcript.render(verbose=True)
    lines += sim.agent_flag(Contact.inbound(CALLER)).transcript.render(verbose=True)
    lines += sim.inbound(CALLER).transcript.render(verbose=True)
    text = "\n".join(lines)
    assert CALLER not in text
    assert "+4420*****958" in text
    assert "log: {" in text  # the handlers' own log lines are part of the verbose transcript


# ---------------------------------------------------------------- deployment


def test_the_deployment_maps_each_function_arn_to_its_handler() -> None:
    deployment = Deployment.render()
    assert deployment.handlers == {
        deployment.function_arn("check_function_arn"): "callguard.handlers.check_number.handler",
        deployment.function_arn("flag_function_arn"): "callguard.handlers.flag_number.handler",
        deployment.function_arn(
            "challenge_function_arn"
        ): "callguard.handlers.challenge_code.handler",
        deployment.function_arn("verify_function_arn"): "callguard.handlers.verify_code.handler",
        deployment.function_arn(
            "call_step_function_arn"
        ): "callguard.outbound.handlers.call_step.handler",
        deployment.function_arn(
            "record_answer_function_arn"
        ): "callguard.outbound.handlers.record_answer.handler",
        deployment.function_arn(
            "finish_function_arn"
        ): "callguard.outbound.handlers.finish_call.handler",
    }
    module_id = str(deployment.value(INBOUND, "check_module_id"))
    module = deployment.library.find(module_id)
    assert module is not None
    assert module.name == CHECK_MODULE
    assert module.kind == "CONTACT_FLOW_MODULE"
    flag_flow = deployment.library.find(AGENT_FLAG_FLOW)
    assert flag_flow is not None
    assert flag_flow.kind == "QUEUE_TRANSFER"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nope.json.tftpl": {}}, "no template"),
        ({INBOUND: {"colour": "blue"}}, "has no variable(s) colour"),
    ],
)
def test_unknown_overrides_are_rejected(overrides: dict[str, dict[str, Any]], message: str) -> None:
    with pytest.raises(KeyError, match=re.escape(message)):
        Deployment.render(overrides)
