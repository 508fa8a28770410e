"""The ``callguard`` command: one entry point whose command groups load on demand.

Each group lives in the module that owns its concern (deny-list administration,
Connect wiring, flow tools). Loading them lazily keeps ``callguard --help`` and
single commands fast, and lets a broken optional dependency of one group not
break the others.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

#: command name -> "module:attribute" of a click command or group.
COMMAND_GROUPS: dict[str, str] = {
    "denylist": "callguard_tools.admin.denylist:denylist",
    "connect": "callguard_tools.admin.connect:connect",
    "flows": "callguard_tools.flows.cli:flows",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when used."""

    def __init__(self, *args: Any, lazy_commands: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self._lazy_commands.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


@click.group(cls=LazyGroup, lazy_commands=COMMAND_GROUPS)
@click.version_option(package_name="callguard")
def main() -> None:
    """Manage the callguard caller deny list and its Amazon Connect flows."""
