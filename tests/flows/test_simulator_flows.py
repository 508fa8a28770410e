"""Every branch of every shipped flow, walked with the real handlers against moto DynamoDB.

Each test renders the templates as Terraform would (demo values plus the
overrides under test), plays one contact through them, and asserts what the
caller or agent hears, the attributes the flows leave on the contact, and how
the contact leaves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest

from callguard.store import PENDING, DenyList, Entry
from callguard_tools.flows.connect_event import WITHHELD_ADDRESS, Contact
from callguard_tools.flows.lambda_invoke import Fault
from callguard_tools.flows.shipped_templates import DEMO_VALUES
from callguard_tools.flows.simulation import (
    AGENT_FLAG_FLOW,
    CHECK_MODULE,
    STATIC_LIST_FLOW,
    CallScript,
    Deployment,
    SimulationResult,
    Simulator,
)
from callguard_tools.flows.transcript import AttributeSet

CALLER = "+442079460958"
OTHER = "+442079460123"

MODULE = "check_caller.module.json.tftpl"
INBOUND = "inbound_denylist.flow.json.tftpl"
FLAG = "agent_flag.flow.json.tftpl"
STATIC = "inbound_static_list.flow.json.tftpl"

BLOCKED_MESSAGE = str(DEMO_VALUES[INBOUND]["blocked_message"])
QUEUE_FULL_MESSAGE = str(DEMO_VALUES[INBOUND]["queue_full_message"])
ERROR_MESSAGE = str(DEMO_VALUES[INBOUND]["error_message"])
FLAG_PROMPT = str(DEMO_VALUES[FLAG]["agent_prompt"])
FLAG_SUCCESS = str(DEMO_VALUES[FLAG]["success_message"])
FLAG_ERROR = str(DEMO_VALUES[FLAG]["error_message"])

#: Each way the check or flag function can fail as Connect sees it.
FUNCTION_FAULTS = {
    "raises": Fault(raises="simulated crash"),
    "timeout": Fault(delay_seconds=30.0),
    "non-string": Fault(response={"blocked": True, "status": "blocked"}),
    "nested": Fault(response={"blocked": {"value": "true"}}),
}


def simulator(
    table_name: str,
    *,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    environment: Mapping[str, str] | None = None,
    faults: Mapping[str, Fault] | None = None,
) -> Simulator:
    deployment = Deployment.render(overrides)
    return Simulator(
        deployment,
        environment={"CALLGUARD_TABLE": table_name, **(environment or {})},
        faults={
            deployment.function_arn(variable): fault for variable, fault in (faults or {}).items()
        },
    )


def agent_hears(outcome_message: str) -> list[str]:
    """What the agent hears in the flag flow: the optional prompt, then the outcome."""
    return [message for message in (FLAG_PROMPT, outcome_message) if message]


def assert_transferred(result: SimulationResult, sim: Simulator) -> None:
    assert result.outcome.kind == "transferred", result.transcript.render(verbose=True)
    assert result.outcome.queue == sim.deployment.queue_arn
    assert BLOCKED_MESSAGE not in result.transcript.prompts


def assert_blocked(result: SimulationResult) -> None:
    assert result.outcome.kind == "disconnected", result.transcript.render(verbose=True)
    assert result.transcript.prompts == [BLOCKED_MESSAGE]
    assert result.attributes["callguard_blocked"] == "true"
    assert result.attributes["blockedStatus"] == "match"


# ---------------------------------------------------------------- inbound + module


def test_unknown_caller_is_queued_with_clear_attributes(table_name: str) -> None:
    sim = simulator(table_name)
    result = sim.inbound(CALLER)
    assert_transferred(result, sim)
    assert result.transcript.prompts == []
    assert {k: result.attributes[k] for k in ("callguard_blocked", "callguard_status")} == {
        "callguard_blocked": "false",
        "callguard_status": "clear",
    }
    assert result.attributes["blockedStatus"] == "nomatch"
    assert result.attributes["callguard_caller_class"] == "e164"
    assert "callguard_pending_review" not in result.attributes
    (call,) = result.transcript.lambda_calls
    assert call.handler == "callguard.handlers.check_number.handler"
    assert call.ok
    assert result.transcript.visited[:3] == [
        "inbound_denylist/enable-flow-logging",
        "inbound_denylist/invoke-check-module",
        "check_caller/invoke-check-function",
    ]


def test_blocked_caller_hears_the_message_and_is_disconnected(
    table_name: str, deny_list: DenyList
) -> None:
    deny_list.add(Entry.new(CALLER, reason="abusive", source="cli"))
    result = simulator(table_name).inbound(CALLER)
    assert_blocked(result)
    assert result.attributes["callguard_status"] == "blocked"
    assert result.attributes["callguard_reason"] == "abusive"
    assert result.target_queue is None


def test_ssml_blocked_message_is_spoken_as_ssml(table_name: str, deny_list: DenyList) -> None:
    deny_list.add(Entry.new(CALLER, source="cli"))
    ssml = "<speak>We cannot take your call.</speak>"
    result = simulator(table_name, overrides={INBOUND: {"blocked_message": ssml}}).inbound(CALLER)
    assert result.transcript.prompts == [ssml]
    assert "  says (SSML): " + ssml in result.transcript.render()


def test_pending_caller_is_queued_with_the_review_attribute(
    table_name: str, deny_list: DenyList
) -> None:
    deny_list.add(Entry.new(CALLER, status=PENDING, reason="agent suspects fraud", source="agent"))
    sim = simulator(table_name)
    result = sim.inbound(CALLER)
    assert_transferred(result, sim)
    assert result.attributes["callguard_status"] == "pending"
    assert result.attributes["callguard_pending_review"] == "true"
    assert result.attributes["callguard_blocked"] == "false"


def test_pending_caller_is_blocked_when_the_policy_says_so(
    table_name: str, deny_list: DenyList
) -> None:
    deny_list.add(Entry.new(CALLER, status=PENDING, source="agent"))
    sim = simulator(table_name, environment={"CALLGUARD_BLOCK_PENDING": "true"})
    result = sim.inbound(CALLER)
    assert_blocked(result)
    assert result.attributes["callguard_status"] == "pending"


@pytest.mark.parametrize(
    ("caller", "caller_class"), [(WITHHELD_ADDRESS, "withheld"), (None, "missing")]
)
def test_anonymous_caller_is_queued_by_default(
    table_name: str, caller: str | None, caller_class: str
) -> None:
    sim = simulator(table_name)
    result = sim.inbound(caller)
    assert_transferred(result, sim)
    assert result.attributes["callguard_status"] == "anonymous"
    assert result.attributes["callguard_caller_class"] == caller_class


@pytest.mark.parametrize("caller", [WITHHELD_ADDRESS, None])
def test_anonymous_caller_is_blocked_when_the_policy_says_so(
    table_name: str, caller: str | None
) -> None:
    sim = simulator(table_name, environment={"CALLGUARD_BLOCK_ANONYMOUS": "true"})
    result = sim.inbound(caller)
    assert_blocked(result)
    assert result.attributes["callguard_status"] == "anonymous"


def test_a_chat_contact_is_invalid_and_never_blocked(table_name: str) -> None:
    sim = simulator(table_name, environment={"CALLGUARD_BLOCK_ANONYMOUS": "true"})
    result = sim.inbound(None, channel="CHAT")
    assert_transferred(result, sim)
    assert result.attributes["callguard_status"] == "invalid"
    assert result.attributes["callguard_caller_class"] == "non_telephone"


@pytest.mark.parametrize("fault", sorted(FUNCTION_FAULTS))
def test_check_function_failure_fails_open(table_name: str, fault: str) -> None:
    sim = simulator(
        table_name,
        overrides={MODULE: {"fail_mode": "open"}},
        faults={"check_function_arn": FUNCTION_FAULTS[fault]},
    )
    result = sim.inbound(CALLER)
    assert_transferred(result, sim)
    assert not result.transcript.lambda_calls[0].ok
    assert result.attributes["callguard_status"] == "error"
    assert result.attributes["callguard_reason"] == "check_unavailable"
    assert result.attributes["callguard_blocked"] == "false"
    assert result.attributes["blockedStatus"] == "nomatch"


@pytest.mark.parametrize("fault", sorted(FUNCTION_FAULTS))
def test_check_function_failure_fails_closed(
    table_name: str, deny_list: DenyList, fault: str
) -> None:
    sim = simulator(
        table_name,
        overrides={MODULE: {"fail_mode": "closed"}},
        faults={"check_function_arn": FUNCTION_FAULTS[fault]},
    )
    result = sim.inbound(OTHER)  # not listed: only the fail mode blocks it
    assert_blocked(result)
    assert result.attributes["callguard_status"] == "error"
    assert deny_list.get(OTHER) is None


def test_timeout_error_names_the_limit_from_the_template(table_name: str) -> None:
    sim = simulator(
        table_name,
        overrides={MODULE: {"invocation_timeout_seconds": "2"}},
        faults={"check_function_arn": Fault(delay_seconds=2.5)},
    )
    call = sim.inbound(CALLER).transcript.lambda_calls[0]
    assert "InvocationTimeLimitSeconds=2" in call.error


@pytest.mark.parametrize("handler_mode", ["open", "closed"])
@pytest.mark.parametrize(("module_mode", "blocked"), [("open", False), ("closed", True)])
def test_unreachable_table_follows_the_instances_fail_mode(
    handler_mode: str, module_mode: str, blocked: bool
) -> None:
    """A DynamoDB outage: the function answers ``error`` and the module's fail mode decides.

    The check function is shared by every instance of an environment, so its own
    ``CALLGUARD_FAIL_MODE`` must not override an instance that asked to fail closed.
    """
    sim = simulator(
        "callguard-no-such-table",
        environment={"CALLGUARD_FAIL_MODE": handler_mode},
        overrides={MODULE: {"fail_mode": module_mode}},
    )
    result = sim.inbound(CALLER)
    (call,) = result.transcript.lambda_calls
    assert call.ok  # the function answered; the flow's error branch is not involved
    assert call.response["status"] == "error"
    assert result.attributes["callguard_status"] == "error"
    assert result.attributes["callguard_reason"] == "check_unavailable"
    assert result.attributes["blockedStatus"] == ("match" if blocked else "nomatch")
    if blocked:
        assert_blocked(result)
    else:
        assert_transferred(result, sim)


def test_a_missing_module_sets_error_and_still_queues(table_name: str) -> None:
    sim = simulator(table_name)
    sim.deployment.library.aliases.clear()  # the module was deleted after publishing
    result = sim.inbound(CALLER)
    assert_transferred(result, sim)
    assert result.transcript.lambda_calls == []
    assert result.attributes == {"callguard_status": "error"}


def test_attributes_that_cannot_be_stored_leave_the_caller_routed(table_name: str) -> None:
    """The contact's 32 KB attribute budget is full: every UpdateContactAttributes fails."""
    sim = simulator(table_name)
    big = {"history": "x" * (32 * 1024 - 20)}
    result = sim.inbound(CALLER, attributes=big)
    assert_transferred(result, sim)
    assert result.transcript.of_type(AttributeSet) == []
    assert result.transcript.visited.count("check_caller/apply-fail-mode") == 1


def test_queue_at_capacity_plays_the_queue_full_message(table_name: str) -> None:
    result = simulator(table_name).inbound(CALLER, CallScript(all_queues_at_capacity=True))
    assert result.outcome.kind == "disconnected"
    assert result.transcript.prompts == [QUEUE_FULL_MESSAGE]


def test_a_failing_transfer_plays_the_error_message(table_name: str) -> None:
    result = simulator(table_name).inbound(CALLER, CallScript(transfers_fail=True))
    assert result.outcome.kind == "disconnected"
    assert result.transcript.prompts == [ERROR_MESSAGE]


def test_an_unusable_queue_plays_the_error_message(table_name: str) -> None:
    result = simulator(table_name, overrides={INBOUND: {"queue_arn": ""}}).inbound(CALLER)
    assert result.outcome.kind == "disconnected"
    assert result.transcript.prompts == [ERROR_MESSAGE]


def test_the_module_on_its_own_ends_after_setting_attributes(table_name: str) -> None:
    sim = simulator(table_name)
    result = sim.call(CHECK_MODULE, Contact.inbound(CALLER))
    assert result.outcome.kind == "ended"
    assert result.attributes["blockedStatus"] == "nomatch"


def test_the_check_function_receives_connects_event(table_name: str) -> None:
    seen: list[dict[str, Any]] = []
    sim = simulator(table_name)

    def spy(event: dict[str, Any], context: Any) -> dict[str, str]:
        seen.append(event)
        return {"blocked": "false", "status": "clear", "reason": "", "caller_class": "e164"}

    arn = sim.deployment.function_arn("check_function_arn")
    sim.deployment.handlers[arn] = spy
    contact = Contact.inbound(CALLER, attributes={"lang": "en"})
    sim.call("inbound_denylist", contact)
    data = seen[0]["Details"]["ContactData"]
    assert data["CustomerEndpoint"] == {"Address": CALLER, "Type": "TELEPHONE_NUMBER"}
    assert data["ContactId"] == contact.contact_id
    assert data["Attributes"] == {"lang": "en"}
    assert data["InstanceARN"] == contact.instance_arn
    assert seen[0]["Details"]["Parameters"] == {}


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
