"""Every branch of the shipped inbound flow and check module, walked with the real handlers.

Each test renders the templates as Terraform would (demo values plus the
overrides under test, :mod:`simulator_helpers`), plays one caller through them
against moto DynamoDB, and asserts what the caller hears, the attributes the
flows leave on the contact, and how the contact leaves. The agent-flag and
static-list flows are in ``test_simulator_agent_and_static_flows.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from simulator_helpers import (
    CALLER,
    FUNCTION_FAULTS,
    INBOUND,
    MODULE,
    OTHER,
    assert_blocked,
    assert_transferred,
    simulator,
)

from callguard.store import PENDING, DenyList, Entry
from callguard_tools.flows.connect_event import WITHHELD_ADDRESS, Contact
from callguard_tools.flows.lambda_invoke import Fault
from callguard_tools.flows.shipped_templates import DEMO_VALUES
from callguard_tools.flows.simulation import CHECK_MODULE, CallScript
from callguard_tools.flows.transcript import AttributeSet

QUEUE_FULL_MESSAGE = str(DEMO_VALUES[INBOUND]["queue_full_message"])
ERROR_MESSAGE = str(DEMO_VALUES[INBOUND]["error_message"])


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
