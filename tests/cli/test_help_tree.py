"""Every command in the whole ``callguard`` tree has readable help with an example.

``test_help.py`` pins the operator commands; this walks the tree, so commands added
later (flows, review, audit) are held to the same standard without being listed.
"""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from callguard_tools.cli import main


def _walk(group: click.Group, path: list[str]) -> Iterator[list[str]]:
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, f"{' '.join([*path, name])} is listed but cannot be loaded"
        yield [*path, name]
        if isinstance(command, click.Group):
            yield from _walk(command, [*path, name])


ALL_COMMANDS = list(_walk(main, []))


def test_the_tree_holds_every_group() -> None:
    top_level = {tuple(command[:1]) for command in ALL_COMMANDS}
    assert {("denylist",), ("connect",), ("flows",)} <= top_level
    assert len(ALL_COMMANDS) > 12


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=" ".join)
def test_help_is_clean_and_shows_an_example(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])

    assert result.exit_code == 0, result.output
    assert "\\b" not in result.stdout, "click's no-rewrap marker leaked into the help"
    assert "Example" in result.stdout
    assert "callguard " in result.stdout.split("Example", 1)[1]
