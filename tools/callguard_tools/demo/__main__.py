"""Run the demo: ``python -m callguard_tools.demo`` (what ``make demo`` does after the build)."""

from __future__ import annotations

import sys
import time

import click

from callguard_tools.demo.local_aws import moto_server
from callguard_tools.demo.plan import PlanSummary, validate_and_plan
from callguard_tools.demo.scenarios import Verdict, play_calls


def _terraform_step(env: str) -> tuple[PlanSummary, Verdict]:
    title = f"Terraform: validate and plan terraform/environments/{env} offline"
    click.echo(f"[0] {title}")
    click.echo("    expected: a valid root and a plan, with no AWS account")
    summary = validate_and_plan(env)
    for line in summary.lines():
        click.echo(f"    {line}")
    actual = summary.headline() if summary.ok else "no plan"
    click.echo(f"    {'OK' if summary.ok else 'UNEXPECTED'}: {actual}")
    return summary, Verdict(title, "a valid root and a plan", summary.ok, actual)


@click.command()
@click.option("--env", default="dev", show_default=True, help="Terraform root to plan.")
@click.option(
    "--skip-terraform",
    is_flag=True,
    help="Only play the calls (the functions then use the demo's default environment).",
)
@click.option("-v", "--verbose", is_flag=True, help="Show every action, branch and log line.")
def main(env: str, skip_terraform: bool, verbose: bool) -> None:
    """Plan the dev root offline, then play simulated calls through the real flows."""
    started = time.monotonic()
    click.echo("callguard demo: Terraform plan and simulated calls, offline, no AWS account")
    click.echo("")
    verdicts: list[Verdict] = []
    function_environment: dict[str, str] = {}
    planned_flows: dict[str, str] = {}
    if not skip_terraform:
        summary, verdict = _terraform_step(env)
        verdicts.append(verdict)
        function_environment = dict(summary.function_environment)
        planned_flows = dict(summary.planned_flows)
        click.echo("")
        if function_environment:
            click.echo("The simulated functions run with the environment Terraform planned:")
            for name, value in sorted(function_environment.items()):
                click.echo(f"    {name}={value}")
    with moto_server() as server:
        click.echo(f"Local DynamoDB emulation: moto_server on {server.endpoint_url}")
        verdicts += play_calls(
            server.endpoint_url,
            function_environment or None,
            planned_flows,
            echo=click.echo,
            verbose=verbose,
        )
    failed = [v for v in verdicts if not v.ok]
    click.echo("")
    click.echo(
        f"{len(verdicts) - len(failed)} of {len(verdicts)} steps went as expected "
        f"({time.monotonic() - started:.0f} s)."
    )
    for verdict in failed:
        click.echo(f"  UNEXPECTED: {verdict.title}: {verdict.actual}", err=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
