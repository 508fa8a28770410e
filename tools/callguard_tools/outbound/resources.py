"""Where the outbound job commands find the deployed resources: options, env vars, outputs.

Each resource is one option with an environment fallback, named after the
Terraform root output that holds it, so a missing setting is one line that says
all three places to look, and the commands never guess a name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import click

from callguard_tools.admin.errors import CliUsageError


@dataclass(frozen=True)
class Resource:
    """One deployed resource a command may need."""

    option: str
    envvar: str
    output: str
    help: str

    @property
    def parameter(self) -> str:
        """The click parameter name (``--uploads-bucket`` -> ``uploads_bucket``)."""
        return self.option.lstrip("-").replace("-", "_")


UPLOADS: Final = Resource(
    "--uploads-bucket",
    "CALLGUARD_OUTBOUND_UPLOADS_BUCKET",
    "outbound_uploads_bucket",
    "uploads bucket (jobs are uploaded to it)",
)
WORK: Final = Resource(
    "--work-bucket",
    "CALLGUARD_OUTBOUND_WORK_BUCKET",
    "outbound_work_bucket",
    "work bucket (the normalised jobs)",
)
REPORTS: Final = Resource(
    "--reports-bucket",
    "CALLGUARD_OUTBOUND_REPORTS_BUCKET",
    "outbound_reports_bucket",
    "reports bucket",
)
RESULTS: Final = Resource(
    "--results-table",
    "CALLGUARD_OUTBOUND_RESULTS_TABLE",
    "outbound_results_table",
    "results table (DynamoDB)",
)
STATE_MACHINE: Final = Resource(
    "--state-machine-arn",
    "CALLGUARD_OUTBOUND_STATE_MACHINE_ARN",
    "outbound_state_machine_arn",
    "job state machine ARN",
)
TOKENS: Final = Resource(
    "--token-table",
    "CALLGUARD_OUTBOUND_TOKEN_TABLE",
    "outbound_token_table",
    "task-token table (DynamoDB; the waiting calls)",
)

_Command = TypeVar("_Command", bound=Callable[..., Any])


def resource_options(*resources: Resource) -> Callable[[_Command], _Command]:
    """Add one option per resource (value from the option or its environment variable)."""

    def decorate(command: _Command) -> _Command:
        for resource in reversed(resources):
            command = click.option(
                resource.option,
                resource.parameter,
                envvar=resource.envvar,
                metavar="NAME"
                if "bucket" in resource.option or "table" in resource.option
                else "ARN",
                help=f"The {resource.help} (env {resource.envvar}; "
                f"Terraform output {resource.output}).",
            )(command)
        return command

    return decorate


def required(resource: Resource, value: str | None) -> str:
    """Return the resource's value, or stop (exit 2) naming the option, variable and output."""
    if not value or not value.strip():
        raise CliUsageError(
            f"no {resource.help} given: pass {resource.option}, "
            f"set {resource.envvar}, or read Terraform output {resource.output}"
        )
    return value.strip()
