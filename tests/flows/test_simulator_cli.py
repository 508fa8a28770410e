"""``callguard flows simulate``: options, output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from callguard_tools.cli import main
from callguard_tools.flows.shipped_templates import DEMO_VALUES

CALLER = "+442079460958"
BLOCKED_MESSAGE = str(DEMO_VALUES["inbound_denylist.flow.json.tftpl"]["blocked_message"])


def simulate(*args: str) -> Result:
    return CliRunner().invoke(main, ["flows", "simulate", *args])


def test_an_unknown_caller_is_transferred() -> None:
    result = simulate("--caller", CALLER)
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().splitlines()[-1].startswith("  => transferred to queue arn:")
    assert 'status": "clear"' in result.output
    assert CALLER not in result.output


def test_a_listed_caller_is_refused() -> None:
    result = simulate("--caller", CALLER, "--listed", f"{CALLER}=blocked:fraud ring")
    assert result.exit_code == 0, result.output
    assert f"says (Text): {BLOCKED_MESSAGE}" in result.output
    assert "'fraud ring'" in result.output
    assert result.output.rstrip().endswith("=> disconnected")


def test_a_pending_listing_sets_the_review_attribute() -> None:
    result = simulate(
        "--caller", CALLER, "--listed", f"{CALLER}=pending", "--expect", "transferred"
    )
    assert result.exit_code == 0, result.output
    assert "attribute callguard_pending_review = 'true'" in result.output


def test_expect_exits_1_when_the_outcome_differs() -> None:
    result = simulate("--caller", CALLER, "--listed", CALLER, "--expect", "transferred")
    assert result.exit_code == 1
    assert "expected transferred, got disconnected" in result.output


def test_policy_comes_from_the_function_environment() -> None:
    args = ("--withheld", "--expect", "disconnected")
    assert simulate(*args).exit_code == 1
    result = simulate(*args, "--env", "CALLGUARD_BLOCK_ANONYMOUS=true")
    assert result.exit_code == 0, result.output
    assert "'anonymous'" in result.output


def test_no_caller_id_is_anonymous() -> None:
    result = simulate("--no-caller-id", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["attributes"]["callguard_caller_class"] == "missing"


@pytest.mark.parametrize(
    ("fault", "fail_mode", "expect"),
    [
        ("timeout", "closed", "disconnected"),
        ("raise", "closed", "disconnected"),
        ("non-string", "closed", "disconnected"),
        ("timeout", "open", "transferred"),
    ],
)
def test_faults_take_the_fail_mode_branch(fault: str, fail_mode: str, expect: str) -> None:
    result = simulate(
        "--caller", CALLER, "--fault", fault, "--var", f"fail_mode={fail_mode}", "--expect", expect
    )
    assert result.exit_code == 0, result.output
    assert "attribute callguard_reason = 'check_unavailable'" in result.output


def test_the_agent_flag_flow_runs_on_a_transferred_contact() -> None:
    result = simulate("--flow", "agent_flag", "--caller", CALLER, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    (call,) = summary["lambda_calls"]
    assert call["handler"] == "callguard.handlers.flag_number.handler"
    assert call["parameters"]["PreviousContactId"] == call["parameters"]["InitialContactId"]
    assert call["parameters"]["CustomerNumber"] == "+4420*****958"
    assert summary["attributes"]["callguard_flag_result"] == "flagged"
    assert summary["outcome"]["kind"] == "disconnected"


def test_queue_at_capacity_and_verbose_output() -> None:
    result = simulate("--caller", CALLER, "--queue-at-capacity", "-v")
    assert result.exit_code == 0, result.output
    assert "-> error QueueAtCapacity -> play-queue-full-message" in result.output
    assert "log: {" in result.output


def test_the_static_list_flow_with_a_vars_file(tmp_path: Path) -> None:
    variables = tmp_path / "vars.json"
    variables.write_text(json.dumps({"blocked_numbers": [CALLER]}), encoding="utf-8")
    args = ("--flow", "inbound_static_list", "--vars-file", str(variables))
    assert simulate(*args, "--caller", CALLER, "--expect", "disconnected").exit_code == 0
    assert simulate(*args, "--caller", "+14155550123", "--expect", "transferred").exit_code == 0


def test_an_existing_table_on_an_endpoint(server_table: str, moto_server_clean: str) -> None:
    result = simulate(
        "--caller",
        CALLER,
        "--table",
        server_table,
        "--endpoint-url",
        moto_server_clean,
        "--flow",
        "agent_flag",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["attributes"]["callguard_flag_result"] == "flagged"
    again = simulate(
        "--caller", CALLER, "--table", server_table, "--endpoint-url", moto_server_clean
    )
    assert again.output.rstrip().endswith("=> disconnected")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "exactly one of --caller, --withheld, --no-caller-id"),
        (("--caller", CALLER, "--withheld"), "exactly one of"),
        (("--caller", CALLER, "--var", "colour=blue"), "colour: not a variable of any template"),
        (("--caller", CALLER, "--var", "oops"), "expected NAME=VALUE"),
        (("--caller", CALLER, "--listed", "not-a-number"), "--listed"),
        (("--caller", CALLER, "--listed", f"{CALLER}=maybe"), "--listed"),
        (("--caller", CALLER, "--endpoint-url", "http://127.0.0.1:1"), "--endpoint-url needs"),
        (("--caller", CALLER, "--table", "t", "--listed", CALLER), "cannot be used with --table"),
    ],
)
def test_usage_errors_exit_2_with_a_clear_message(args: tuple[str, ...], message: str) -> None:
    result = simulate(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_a_template_error_is_reported_without_a_traceback() -> None:
    result = simulate("--caller", CALLER, "--var", "blocked_numbers=not-a-list")
    assert result.exit_code == 1
    assert "Error:" in result.output
    assert "Traceback" not in result.output


def _customer_flow(tmp_path: Path) -> Path:
    """A customer's own inbound flow that drops in the check module (export wrapper form)."""
    content = {
        "Version": "2019-10-30",
        "StartAction": "check",
        "Actions": [
            {
                "Identifier": "check",
                "Type": "InvokeFlowModule",
                "Parameters": {"FlowModuleId": "their-module-id"},
                "Transitions": {
                    "NextAction": "branch",
                    "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "welcome"}],
                },
            },
            {
                "Identifier": "branch",
                "Type": "Compare",
                "Parameters": {"ComparisonValue": "$.Attributes.blockedStatus"},
                "Transitions": {
                    "NextAction": "welcome",
                    "Conditions": [
                        {
                            "NextAction": "refuse",
                            "Condition": {"Operator": "Equals", "Operands": ["match"]},
                        }
                    ],
                    "Errors": [{"ErrorType": "NoMatchingCondition", "NextAction": "welcome"}],
                },
            },
            {
                "Identifier": "refuse",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "Goodbye."},
                "Transitions": {"NextAction": "end", "Errors": []},
            },
            {
                "Identifier": "welcome",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "Welcome."},
                "Transitions": {"NextAction": "end", "Errors": []},
            },
            {
                "Identifier": "end",
                "Type": "DisconnectParticipant",
                "Parameters": {},
                "Transitions": {},
            },
        ],
    }
    path = tmp_path / "MyInbound.json"
    wrapper = {"Name": "MyInbound", "Type": "CONTACT_FLOW", "Content": json.dumps(content)}
    path.write_text(json.dumps(wrapper), encoding="utf-8")
    return path


def test_your_own_flow_can_drop_in_the_check_module(tmp_path: Path) -> None:
    flow = str(_customer_flow(tmp_path))
    base = ("--flow-file", flow, "--module-id", "their-module-id", "--caller", CALLER, "--json")
    listed = json.loads(simulate(*base, "--listed", CALLER).output)
    assert listed["prompts"] == ["Goodbye."]
    assert listed["actions"][:2] == [
        "file:MyInbound.json/check",
        "check_caller/invoke-check-function",
    ]
    clear = json.loads(simulate(*base).output)
    assert clear["prompts"] == ["Welcome."]
    # Without the alias the module cannot be found: the flow's own error branch decides.
    unaliased = simulate("--flow-file", flow, "--caller", CALLER, "--listed", CALLER, "--json")
    assert json.loads(unaliased.output)["prompts"] == ["Welcome."]


def test_a_flow_file_that_is_not_a_flow_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    result = simulate("--flow-file", str(bad), "--caller", CALLER)
    assert result.exit_code == 2
    assert "broken.json:1:2" in result.output


def test_a_malformed_flow_file_is_refused_naming_each_defect(tmp_path: Path) -> None:
    """Refused before the call starts, not half-walked: every defect with its action."""
    bad = tmp_path / "malformed.json"
    actions = [
        {
            "Identifier": "set",
            "Type": "UpdateContactAttributes",
            "Parameters": {"Attributes": "$.Attributes"},
            "Transitions": {"NextAction": "bye", "Errors": "bye"},
        },
        {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
    ]
    bad.write_text(json.dumps({"Version": "2019-10-30", "StartAction": "set", "Actions": actions}))
    result = simulate("--flow-file", str(bad), "--caller", CALLER)
    assert result.exit_code == 2, result.output
    assert "action 'set': Transitions.Errors must be a list" in result.output
    assert "action 'set': Parameters.Attributes must be an object" in result.output
    assert "says" not in result.output
