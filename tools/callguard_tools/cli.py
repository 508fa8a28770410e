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
from click.core import ParameterSource

#: command name -> "module:attribute" of a click command or group.
COMMAND_GROUPS: dict[str, str] = {
    "denylist": "callguard_tools.admin.denylist:denylist",
    "connect": "callguard_tools.admin.connect:connect",
    "flows": "callguard_tools.flows.cli:flows",
    "outbound": "callguard_tools.outbound.cli:outbound",
}

#: One-line summaries for `callguard --help`, so listing the groups imports none of them.
COMMAND_SUMMARIES: dict[str, str] = {
    "denylist": "Add, remove, check, list, import and export deny-list numbers.",
    "connect": "Wire callguard into Connect resources Terraform does not manage.",
    "flows": "Lint, render, diagram and simulate the Amazon Connect flows.",
    "outbound": "Check, preview, submit and follow outbound call jobs; download their reports.",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when used."""

    def __init__(self, *args: Any, lazy_commands: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Name every command, eager or lazy, without importing any."""
        return sorted({*super().list_commands(ctx), *self._lazy_commands})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List commands from their static summaries instead of importing each group."""
        rows = []
        for name in self.list_commands(ctx):
            eager = None if name in self._lazy_commands else super().get_command(ctx, name)
            summary = eager.get_short_help_str() if eager else COMMAND_SUMMARIES.get(name, "")
            rows.append((name, summary))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return the command named ``cmd_name`` (``None`` if unknown)."""
        target = self._lazy_commands.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


def _country(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Check the default country by the runtime's own rule, naming where the value came from."""
    if value is None or not value.strip():
        return None
    from callguard.settings import DEFAULT_COUNTRY, parse_country, quoted  # noqa: PLC0415

    try:
        return parse_country(value)
    except ValueError as error:
        if param.name and ctx.get_parameter_source(param.name) is ParameterSource.ENVIRONMENT:
            raise click.UsageError(f"{DEFAULT_COUNTRY}={quoted(value)} {error}") from None
        raise click.BadParameter(f"{quoted(value)} {error}") from None


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMAND_GROUPS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--table",
    envvar="CALLGUARD_TABLE",
    metavar="NAME",
    help="Deny-list DynamoDB table (env CALLGUARD_TABLE; Terraform output table_name).",
)
@click.option("--region", metavar="REGION", help="AWS region (default: AWS_REGION or profile).")
@click.option("--profile", metavar="PROFILE", help="AWS named profile (default: AWS_PROFILE).")
@click.option(
    "--endpoint-url",
    metavar="URL",
    help="Send AWS calls to this endpoint, e.g. a local moto_server: http://127.0.0.1:5000.",
)
@click.option(
    "--default-country",
    envvar="CALLGUARD_DEFAULT_COUNTRY",
    metavar="CC",
    callback=_country,
    help="ISO country for national numbers such as 020 7946 0958 (env CALLGUARD_DEFAULT_COUNTRY)."
    " Without it only international (+...) numbers are accepted.",
)
@click.version_option(package_name="callguard")
@click.pass_context
def main(
    ctx: click.Context,
    *,
    table: str | None,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    default_country: str | None,
) -> None:
    """Manage the callguard caller deny list and its Amazon Connect flows.

    \b
    Examples:
      export CALLGUARD_TABLE=callguard-prod-denylist
      callguard denylist add "+44 20 7946 0958" --reason "fraud report 1234" --expires 30d
      callguard denylist check +442079460958
      callguard --default-country GB denylist import carrier-report.csv --rejects rejects.csv
      callguard --endpoint-url http://127.0.0.1:5000 --table local denylist list
    """
    # Imported here so that `callguard flows ...` never loads the AWS admin modules.
    from callguard_tools.admin.state import CliState, GlobalOptions  # noqa: PLC0415

    state = ctx.ensure_object(CliState)
    state.options = GlobalOptions(
        table=table or None,
        region=region or None,
        profile=profile or None,
        endpoint_url=endpoint_url or None,
        default_country=default_country,
    )
