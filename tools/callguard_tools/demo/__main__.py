"""Run the demo: ``python -m callguard_tools.demo`` (what ``make demo`` does after the build)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import click

from callguard_tools.demo import transcript
from callguard_tools.demo.local_aws import moto_server
from callguard_tools.demo.outbound_steps import outbound_steps
from callguard_tools.demo.plan import PlanSummary, validate_and_plan
from callguard_tools.demo.scenarios import Verdict, play_calls
from callguard_tools.demo.story import DEFAULT_FUNCTION_ENVIRONMENT, Story
from callguard_tools.tfkit.paths import repo_root


def _terraform_step(env: str, echo: Callable[[str], None]) -> tuple[PlanSummary, Verdict]:
    title = f"Terraform: validate and plan terraform/environments/{env} offline"
    echo(f"[0] {title}")
    echo("    expected: a valid root and a plan, with no AWS account")
    summary = validate_and_plan(env)
    for line in summary.lines():
        echo(f"    {line}")
    actual = summary.headline() if summary.ok else "no plan"
    echo(f"    {'OK' if summary.ok else 'UNEXPECTED'}: {actual}")
    return summary, Verdict(title, "a valid root and a plan", summary.ok, actual)


def _outbound(
    before: list[Verdict], *, echo: Callable[[str], None], verbose: bool
) -> list[Verdict]:
    """Play the outbound story (its own offline AWS), numbering its steps after ``before``."""
    echo("")
    echo("Outbound calls: intake, the state machine, the dialer and the call flow, offline")
    story = Story("", DEFAULT_FUNCTION_ENVIRONMENT, echo=echo, verbose=verbose)
    story.verdicts = [v for v in before if not v.title.startswith("Terraform")]  # step [0]
    count = len(story.verdicts)
    outbound_steps(story)
    return story.verdicts[count:]


def _write_transcripts(lines: list[str]) -> None:
    """Rewrite the transcripts of docs/demo.md and README.md from this run."""
    root = repo_root()
    lines = "\n".join(lines).splitlines()  # a step's line may hold several
    transcript.write(root / "docs" / "demo.md", transcript.DEMO_DOC_MARKER, lines)
    transcript.write(root / "README.md", transcript.README_MARKER, transcript.summary(lines))
    click.echo("wrote the transcripts of docs/demo.md and README.md", err=True)


@click.command()
@click.option("--env", default="dev", show_default=True, help="Terraform root to plan.")
@click.option(
    "--skip-terraform",
    is_flag=True,
    help="Only play the calls (the functions then use the demo's default environment).",
)
@click.option("-v", "--verbose", is_flag=True, help="Show every action, branch and log line.")
@click.option(
    "--write-transcripts",
    is_flag=True,
    help="After a run where every step went as expected, rewrite the transcripts in "
    "docs/demo.md and README.md from it.",
)
def main(env: str, skip_terraform: bool, verbose: bool, write_transcripts: bool) -> None:
    """Plan the dev root offline, then play simulated calls through the real flows."""
    if write_transcripts and (skip_terraform or verbose or env != "dev"):
        raise click.UsageError("--write-transcripts records the plain run of the dev root only")
    started = time.monotonic()
    printed: list[str] = []

    def echo(line: str) -> None:
        printed.append(line)
        click.echo(line)

    echo(transcript.HEADLINE)
    echo("")
    verdicts: list[Verdict] = []
    function_environment: dict[str, str] = {}
    planned_flows: dict[str, str] = {}
    if not skip_terraform:
        summary, verdict = _terraform_step(env, echo)
        verdicts.append(verdict)
        function_environment = dict(summary.function_environment)
        planned_flows = dict(summary.planned_flows)
        echo("")
        if function_environment:
            echo("The simulated functions run with the environment Terraform planned:")
            for name, value in sorted(function_environment.items()):
                echo(f"    {name}={value}")
    with moto_server() as server:
        echo(f"Local DynamoDB emulation: moto_server on {server.endpoint_url}")
        verdicts += play_calls(
            server.endpoint_url,
            function_environment or None,
            planned_flows,
            echo=echo,
            verbose=verbose,
        )
    verdicts += _outbound(verdicts, echo=echo, verbose=verbose)
    failed = [v for v in verdicts if not v.ok]
    echo("")
    echo(
        f"{len(verdicts) - len(failed)} of {len(verdicts)} steps went as expected "
        f"({time.monotonic() - started:.0f} s)."
    )
    for verdict in failed:
        click.echo(f"  UNEXPECTED: {verdict.title}: {verdict.actual}", err=True)
    if write_transcripts and not failed:
        _write_transcripts(printed)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
