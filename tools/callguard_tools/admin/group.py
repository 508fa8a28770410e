"""A click group that turns expected AWS and store failures into one-line errors.

Every deny-list and Connect command runs inside it, so no command has to wrap
its own calls, and an operator never sees a traceback for a missing table,
missing credentials or throttling - only what is wrong and what to do.
"""

from __future__ import annotations

from typing import Any

import click
from botocore.exceptions import BotoCoreError, ClientError

from callguard_tools.admin.errors import (
    CliError,
    CliOperationError,
    CliUsageError,
    describe_aws_error,
)
from callguard_tools.admin.state import CliState


def describe_store_error(error: Exception, state: CliState | None) -> CliError:
    """Translate a ``callguard.store`` exception, naming the table and the fix."""
    from callguard.store import (  # noqa: PLC0415 - the store pulls in boto3; load it on use
        InvalidEntryError,
        TableNotFoundError,
        ThrottledError,
    )

    table = state.options.table if state else None
    if isinstance(error, TableNotFoundError):
        region = _region(state)
        return CliUsageError(
            f"table {table!r} not found in region {region}: check --table, --region, "
            "--profile and --endpoint-url, or deploy the stack first"
        )
    if isinstance(error, ThrottledError):
        return CliOperationError(
            f"DynamoDB is throttling table {table!r} ({error}): wait a minute and re-run; "
            "re-running is safe"
        )
    if isinstance(error, InvalidEntryError):
        return CliUsageError(str(error))
    cause = error.__cause__
    if isinstance(cause, BotoCoreError | ClientError):
        return describe_aws_error(cause, table=table)
    return CliOperationError(str(error))


def _region(state: CliState | None) -> str:
    if state is None:
        return "(default)"
    try:
        return state.session().region_name or "(none set)"
    except BotoCoreError:
        return "(unknown)"


class AwsCommandGroup(click.Group):
    """``click.Group`` whose subcommands' AWS and store exceptions become ``CliError``s."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; translate expected exceptions on the way out."""
        from callguard.store import StoreError  # noqa: PLC0415 - see describe_store_error

        try:
            return super().invoke(ctx)
        except (BotoCoreError, ClientError) as error:
            state = ctx.find_object(CliState)
            table = state.options.table if state else None
            raise describe_aws_error(error, table=table) from None
        except StoreError as error:
            raise describe_store_error(error, ctx.find_object(CliState)) from None
