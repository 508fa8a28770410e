"""A loop that only an error branch can leave is reported by lint, before a caller is stuck in it.

Such a flow passes ``paths-terminate`` (a terminal action *is* reachable, through
the error branch), but on the normal path the contact goes round for ever: the
simulator stops it after its step limit, and Connect would keep the caller in it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from callguard_tools.cli import main
from callguard_tools.flows.lint import lint_text

REPO = Path(__file__).resolve().parents[2]


def _say(identifier: str, text: str, next_action: str) -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "MessageParticipant",
        "Parameters": {"Text": text},
        "Transitions": {
            "NextAction": next_action,
            "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "bye"}],
        },
    }


def _document(*actions: dict[str, Any]) -> str:
    bye = {
        "Identifier": "bye",
        "Type": "DisconnectParticipant",
        "Parameters": {},
        "Transitions": {},
    }
    return json.dumps(
        {
            "Version": "2019-10-30",
            "StartAction": actions[0]["Identifier"],
            "Actions": [*actions, bye],
        }
    )


LOOP = _document(_say("ask", "Hello", "again"), _say("again", "Hello again", "ask"))


def test_a_loop_left_only_by_an_error_branch_is_a_named_lint_error() -> None:
    findings = lint_text(LOOP, "loop.json", "CONTACT_FLOW")
    errors = {(f.rule, f.action) for f in findings if f.severity == "error"}
    assert errors == {("loop-exits-only-on-error", "ask"), ("loop-exits-only-on-error", "again")}
    message = next(f.message for f in findings if f.rule == "loop-exits-only-on-error")
    assert "only an error branch" in message


def test_the_simulator_confirms_the_contact_goes_round(tmp_path: Path) -> None:
    path = tmp_path / "loop.json"
    path.write_text(LOOP)
    result = CliRunner().invoke(
        main, ["flows", "simulate", "--flow-file", str(path), "--caller", "+442079460958"]
    )
    assert "more than 500 steps" in result.output


def test_a_loop_with_a_normal_way_out_is_fine() -> None:
    leave = {
        "Identifier": "again",
        "Type": "Compare",
        "Parameters": {"ComparisonValue": "$.Attributes.tries"},
        "Transitions": {
            "NextAction": "ask",
            "Conditions": [
                {
                    "NextAction": "bye",
                    "Condition": {"Operator": "Equals", "Operands": ["3"]},
                }
            ],
            "Errors": [{"ErrorType": "NoMatchingCondition", "NextAction": "ask"}],
        },
    }
    findings = lint_text(_document(_say("ask", "Hello", "again"), leave), "ok.json", "CONTACT_FLOW")
    assert [f for f in findings if f.rule == "loop-exits-only-on-error"] == []


def test_the_shipped_flows_have_no_such_loop() -> None:
    result = CliRunner().invoke(main, ["flows", "lint", str(REPO / "flows")])
    assert "loop-exits-only-on-error" not in result.output
    assert result.exit_code == 0, result.output
