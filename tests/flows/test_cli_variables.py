"""``--var`` means the same in ``lint``, ``render`` and ``simulate``, and empty input is refused.

A template variable given on the command line is an override on top of the
demo values of our own templates, applied to every template that declares it;
a name that no template involved reads is refused with exit code 2, so a typo
can never pass silently.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from callguard_tools.cli import main

REPO = Path(__file__).resolve().parents[2]
FLOWS = REPO / "flows"
MODULE = FLOWS / "check_caller.module.json.tftpl"
CALLER = "+442079460958"


def flows(*args: str) -> Result:
    return CliRunner().invoke(main, ["flows", *args])


def test_lint_var_overrides_one_value_and_keeps_the_demo_values() -> None:
    result = flows("lint", str(FLOWS), "--var", "invocation_timeout_seconds=12")
    assert result.exit_code == 1, result.output
    assert "[lambda-timeout]" in result.output
    assert "'12' must be whole seconds from 1 to 8" in result.output
    assert "is not bound" not in result.output
    assert "bound but the template never uses it" not in result.output


def test_lint_var_that_no_template_reads_is_refused() -> None:
    result = flows("lint", str(FLOWS), "--var", "fail_mod=closed")
    assert result.exit_code == 2, result.output
    assert "fail_mod" in result.output


def test_lint_var_is_accepted_for_a_foreign_template(tmp_path: Path) -> None:
    foreign = tmp_path / "mine.json.tftpl"
    foreign.write_text((FLOWS / "check_caller.module.json.tftpl").read_text(encoding="utf-8"))
    args = ["--var", "check_function_arn=x", "--var", "invocation_timeout_seconds=3"]
    result = flows("lint", str(foreign), *args, "--var", "fail_mode=open")
    assert "is not bound" not in result.output, result.output


def test_render_refuses_a_variable_the_template_does_not_read() -> None:
    result = flows("render", str(MODULE), "--demo-values", "--var", "nosuch=1")
    assert result.exit_code == 2, result.output
    assert "nosuch" in result.output


def test_render_still_takes_a_variable_the_template_reads() -> None:
    closed = flows("render", str(MODULE), "--demo-values", "--var", "fail_mode=closed")
    opened = flows("render", str(MODULE), "--demo-values")
    assert closed.exit_code == 0, closed.output
    assert closed.output != opened.output


def test_simulate_refuses_the_same_unknown_variable() -> None:
    result = flows("simulate", "--caller", CALLER, "--var", "nosuch=1")
    assert result.exit_code == 2, result.output
    assert "nosuch" in result.output


def test_lint_of_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no flows here")
    result = flows("lint", str(tmp_path))
    assert result.exit_code == 2, result.output
    assert "no flow files" in result.output
    assert str(tmp_path) in result.output


def test_simulate_with_the_challenge_on_and_no_module_id_says_what_is_missing() -> None:
    result = flows("simulate", "--caller", CALLER, "--var", "challenge_enabled=true")
    assert result.exit_code == 2, result.output
    assert "challenge_module_id" in result.output
    assert "no module ''" not in result.output
