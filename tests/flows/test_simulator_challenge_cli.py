"""``callguard flows simulate`` with the spam challenge enabled through a vars file."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from callguard_tools.cli import main
from callguard_tools.flows.shipped_templates import DEMO_CHALLENGE_MODULE_ARN

CALLER = "+442079460958"


def simulate(tmp_path: Path, *args: str) -> Result:
    vars_file = tmp_path / "challenge.json"
    vars_file.write_text(
        json.dumps({"challenge_enabled": True, "challenge_module_id": DEMO_CHALLENGE_MODULE_ARN})
    )
    command = ["flows", "simulate", "--caller", CALLER, "--vars-file", str(vars_file), *args]
    return CliRunner().invoke(main, command)


def test_caller_who_repeats_the_code_is_transferred(tmp_path: Path) -> None:
    result = simulate(tmp_path, "--input", "0000x", "--input", "heard", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["outcome"]["kind"] == "transferred"
    assert summary["attributes"]["callguard_challenge_result"] == "pass"
    assert summary["attributes"]["callguard_challenge_attempts"] == "2"


def test_silent_caller_is_disconnected(tmp_path: Path) -> None:
    result = simulate(
        tmp_path, "--input", "timeout", "--input", "timeout", "--expect", "disconnected"
    )
    assert result.exit_code == 0, result.output
    assert "We could not verify your call. Goodbye." in result.output


def test_challenge_module_can_be_entered_directly() -> None:
    command = ["flows", "simulate", "--flow", "spam_challenge", "--withheld"]
    result = CliRunner().invoke(main, [*command, "--input", "heard", "--expect", "ended", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["attributes"]["callguard_challenge_result"] == "pass"
