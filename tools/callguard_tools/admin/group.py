"""A click group that turns expected AWS failures into one-line errors.

Every deny-list and Connect command runs inside it, so no command has to wrap
its own calls, and an operator never sees a botocore traceback for a missing
table, missing credentials or throttling.
"""

from __future__ import annotations

from typing import Any

import click
from botocore.exceptions import BotoCoreError, ClientError

from callguard_tools.admin.errors import describe_aws_error
from callguard_tools.admin.state import CliState


class AwsCommandGroup(click.Group):
    """``click.Group`` whose subcommands' AWS exceptions become ``CliError``s."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; translate botocore exceptions on the way out."""
        try:
            return super().invoke(ctx)
        except (BotoCoreError, ClientError) as error:
            state = ctx.find_object(CliState)
            table = state.options.table if state else None
            raise describe_aws_error(error, table=table) from None
