"""``callguard outbound``: validate and preview a call job, and write a sample, offline.

Nothing here needs AWS: a job file is read and checked exactly as the intake
Lambda will read it (:func:`callguard.outbound.load.load_job`), so what passes here
passes there.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from callguard import numbers
from callguard.outbound.load import is_unreadable, load_job
from callguard.outbound.problems import Problem, has_errors
from callguard.outbound.render import Renderer, RenderError, render_messages
from callguard_tools.admin.group import AwsCommandGroup
from callguard_tools.outbound.jobs_command import COMMANDS as JOB_COMMANDS
from callguard_tools.outbound.report_command import report_command

#: Exit codes of ``validate``.
EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


@click.group(cls=AwsCommandGroup)
def outbound() -> None:
    """Check, preview, submit and follow outbound call jobs; download their reports.

    validate, preview, template and report work offline; submit, status, cancel,
    download and list work on the deployed pipeline (resource names from options,
    environment variables or the Terraform outputs each option names).

    \b
    Examples:
      callguard outbound template my-job.xlsx
      callguard outbound validate my-job.xlsx
      callguard outbound preview my-job.xlsx --receiver s001
      callguard outbound report results.jsonl --job my-job.xlsx --format xlsx --output report.xlsx
      callguard outbound submit my-job.xlsx
      callguard outbound status JOB_ID --watch
    """


outbound.add_command(report_command)
for _command in JOB_COMMANDS:
    outbound.add_command(_command)


def _job_path(_ctx: click.Context, _param: click.Parameter, value: str) -> Path:
    return Path(value)


@outbound.command()
@click.argument("job_file", metavar="JOB_FILE", callback=_job_path)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for programs (one object).",
)
def validate(job_file: Path, output_format: str) -> None:
    """Check a job file and list every problem with its cell or JSON path.

    Exit status: 0 valid (warnings allowed), 1 invalid, 2 unreadable. Every
    template is rendered for every receiver, so a job that validates renders.

    \b
    Examples:
      callguard outbound validate reminders.xlsx
      callguard outbound validate jobs/reminders/ --format json
      callguard outbound validate callouts-message.json
    """
    job, problems = load_job(job_file)
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    if job is None:
        code = EXIT_UNREADABLE if is_unreadable(problems) else EXIT_INVALID
    else:
        code = EXIT_INVALID if has_errors(problems) else EXIT_VALID
    if output_format == "json":
        click.echo(
            json.dumps(
                {
                    "file": str(job_file),
                    "valid": code == EXIT_VALID,
                    "job_id": job.id if job else None,
                    "receivers": len(job.receivers) if job else 0,
                    "questions": len(job.questions) if job else 0,
                    "errors": [p.to_dict() for p in errors],
                    "warnings": [p.to_dict() for p in warnings],
                },
                indent=2,
            )
        )
        raise SystemExit(code)
    for problem in problems:
        click.echo(str(problem), err=problem.is_error)
    summary = f"{job_file}: {len(errors)} error(s), {len(warnings)} warning(s)" + (
        f"; {len(job.receivers)} receiver(s), {len(job.questions)} question(s)" if job else ""
    )
    if code == EXIT_VALID:
        click.echo(f"{summary}: valid")
    elif code == EXIT_INVALID:
        click.echo(f"{summary}: invalid, nothing will be called", err=True)
    else:
        click.echo(f"{summary}: unreadable", err=True)
    raise SystemExit(code)


@outbound.command()
@click.argument("job_file", metavar="JOB_FILE", callback=_job_path)
@click.option("--receiver", "receiver_id", metavar="ID", help="Only this receiver's messages.")
def preview(job_file: Path, receiver_id: str | None) -> None:
    """Show what each receiver will hear, in order (phone numbers masked).

    \b
    Examples:
      callguard outbound preview reminders.xlsx
      callguard outbound preview reminders.xlsx --receiver s001
    """
    job, problems = load_job(job_file)
    if job is None:
        _fail(problems, EXIT_UNREADABLE if is_unreadable(problems) else EXIT_INVALID)
        return
    receivers = [r for r in job.receivers if receiver_id is None or r.id == receiver_id]
    if receiver_id is not None and not receivers:
        raise click.UsageError(f"no receiver with id {receiver_id!r} in {job_file}")
    renderer = Renderer()
    for receiver in receivers:
        click.echo(f"receiver {receiver.id} ({numbers.mask(receiver.phone)}):")
        try:
            messages = render_messages(job, receiver, renderer)
        except RenderError as exc:
            click.echo(f"  cannot render: {exc}")
            continue
        for message in messages:
            click.echo(f"  {message.label}: {message.ssml}")
    if has_errors(problems):
        click.echo(
            f"{sum(p.is_error for p in problems)} error(s): run callguard outbound validate "
            f"{job_file}",
            err=True,
        )
        raise SystemExit(EXIT_INVALID)


def _fail(problems: list[Problem], code: int) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    raise SystemExit(code)


@outbound.command()
@click.argument("path", metavar="PATH", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def template(path: Path, force: bool) -> None:
    """Write a sample job workbook (every question type) to fill in.

    \b
    Examples:
      callguard outbound template my-job.xlsx
      callguard outbound template my-job.xlsx --force
    """
    from callguard_tools.outbound.sample import write_sample  # noqa: PLC0415

    if path.exists() and not force:
        raise click.UsageError(f"{path} exists; pass --force to overwrite it")
    write_sample(path)
    click.echo(f"wrote {path}: fill in the three sheets, then: callguard outbound validate {path}")
