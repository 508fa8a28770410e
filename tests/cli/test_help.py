"""Help on every command, with examples, and a top level that stays lazy."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from callguard_tools.cli import main

COMMANDS = [
    [],
    ["denylist"],
    ["connect"],
    ["denylist", "add"],
    ["denylist", "remove"],
    ["denylist", "check"],
    ["denylist", "list"],
    ["denylist", "export"],
    ["denylist", "import"],
    ["connect", "attach-quick-connect"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "callguard")
def test_every_command_has_help_with_examples(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])

    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "\\b" not in result.stdout  # click's no-rewrap marker must not leak
    examples = result.stdout.split("Examples:", 1)[1]
    assert "callguard " in examples


@pytest.mark.parametrize("group", ["denylist", "connect"])
def test_groups_list_their_commands(group: str) -> None:
    result = CliRunner().invoke(main, [group, "-h"])

    assert result.exit_code == 0
    assert "Commands:" in result.stdout


def test_global_options_are_documented() -> None:
    result = CliRunner().invoke(main, ["--help"])

    for option in ("--table", "--region", "--profile", "--endpoint-url", "--default-country"):
        assert option in result.stdout
    assert "CALLGUARD_TABLE" in result.stdout


def test_top_level_help_imports_no_command_group() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from callguard_tools.cli import main\n"
        "result = CliRunner().invoke(main, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "loaded = [m for m in sys.modules if m.startswith(('callguard_tools.admin',"
        " 'callguard_tools.flows', 'boto3'))]\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(  # fixed code, our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.strip() == ""


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["denylist", "frobnicate"])

    assert result.exit_code == 2
    assert "No such command 'frobnicate'" in result.stderr
