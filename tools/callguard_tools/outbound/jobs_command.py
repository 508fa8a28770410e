"""``callguard outbound submit|status|cancel|download|list``: run call jobs on AWS.

These commands drive the deployed pipeline and nothing else: ``submit`` checks the
job exactly as ``validate`` does and uploads it to the uploads bucket (intake takes
it from there), ``status`` reads the results table and the execution, ``cancel`` runs
the same code as the cancel function, ``download`` fetches a report file and
``list`` shows the state machine's recent executions. Resource names come from
options, environment variables or the Terraform outputs named in
:mod:`callguard_tools.outbound.resources`; the global ``--region``, ``--profile`` and
``--endpoint-url`` options work as for the deny-list commands. No phone number is
printed: the results table holds receiver ids and statuses, and so does the output.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from callguard.outbound import layout
from callguard.outbound.cancelling import cancel_job
from callguard.outbound.handlers.intake import job_id_for
from callguard.outbound.job_results import JobResults
from callguard.outbound.load import is_unreadable, load_job
from callguard.outbound.problems import has_errors
from callguard.outbound.task_tokens import TaskTokenStore
from callguard_tools.admin.errors import CliError, CliOperationError, CliUsageError
from callguard_tools.admin.files import write_private_bytes
from callguard_tools.admin.state import get_state
from callguard_tools.outbound.resources import (
    REPORTS,
    RESULTS,
    STATE_MACHINE,
    TOKENS,
    UPLOADS,
    WORK,
    required,
    resource_options,
)

#: Where uploads go in the uploads bucket (intake reacts to any key; this keeps them tidy).
UPLOAD_PREFIX = "uploads/"
#: Seconds between refreshes of ``status --watch``.
WATCH_INTERVAL_SECONDS = 5.0
#: Execution states after which nothing changes any more.
FINISHED = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})


def _client(service: str) -> Any:
    """Return a client from the global options (a bad --endpoint-url: one line, exit 2)."""
    return get_state().client(service)  # type: ignore[call-overload]


def _error_code(error: Exception) -> str:
    response = getattr(error, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


# ------------------------------------------------------------------ submit
@click.command()
@click.argument("job_file", metavar="JOB_FILE", type=click.Path(path_type=Path))
@resource_options(UPLOADS)
def submit(job_file: Path, uploads_bucket: str | None) -> None:
    """Check a job file and, when it is valid, upload it; print the job id.

    Nothing is uploaded when the job has an error (exit 1) or cannot be read
    (exit 2): the problems are listed as ``validate`` lists them. The upload starts
    the job; uploading the same file version twice starts one job.

    \b
    Examples:
      callguard outbound submit reminders.xlsx --uploads-bucket callguard-dev-outbound-uploads
      CALLGUARD_OUTBOUND_UPLOADS_BUCKET=callguard-dev-outbound-uploads \\
        callguard outbound submit reminders.xlsx
    """
    bucket = required(UPLOADS, uploads_bucket)
    job, problems = load_job(job_file)
    for problem in problems:
        click.echo(str(problem), err=problem.is_error)
    if job is None or has_errors(problems):
        unreadable = job is None and is_unreadable(problems)
        click.echo(f"{job_file}: invalid, nothing was uploaded", err=True)
        raise SystemExit(2 if unreadable else 1)
    key = f"{UPLOAD_PREFIX}{job_file.name}"
    response = _client("s3").put_object(Bucket=bucket, Key=key, Body=job_file.read_bytes())
    # The id intake derives from the upload event: its version, or its ETag unquoted.
    version = response.get("VersionId") or str(response.get("ETag", "")).strip('"')
    job_id = job_id_for("upload", bucket, key, version)
    click.echo(f"submitted {len(job.receivers)} receiver(s) as s3://{bucket}/{key}")
    click.echo(job_id)


# ------------------------------------------------------------------ status
@dataclass(frozen=True, slots=True)
class JobProgress:
    """What ``status`` reports: counts by state, and the execution's own status."""

    job_id: str
    execution: str
    receivers: int
    final: Counter[str]
    in_progress: int
    waiting: int
    calls_placed: int
    next_retry: float

    @property
    def done(self) -> int:
        """Receivers with their one final status."""
        return sum(self.final.values())

    def to_dict(self) -> dict[str, Any]:
        """Return the ``--format json`` object."""
        return {
            "job_id": self.job_id,
            "execution": self.execution,
            "receivers": self.receivers,
            "done": self.done,
            "in_progress": self.in_progress,
            "waiting": self.waiting,
            "failed": self.final.get("failed", 0),
            "calls_placed": self.calls_placed,
            "statuses": dict(sorted(self.final.items())),
            "next_retry": _when(self.next_retry) if self.next_retry else None,
        }

    def line(self) -> str:
        """One line for people."""
        retry = f", next retry {_when(self.next_retry)}" if self.next_retry else ""
        return (
            f"{self.job_id}: {self.execution}; {self.done}/{self.receivers} done, "
            f"{self.in_progress} in progress, {self.waiting} waiting, "
            f"{self.final.get('failed', 0)} failed; {self.calls_placed} call(s) placed{retry}"
        )


def _when(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="seconds")


def execution_arn(state_machine_arn: str, job_id: str) -> str:
    """Return the execution ARN of a job (intake names the execution after the job id)."""
    if ":stateMachine:" not in state_machine_arn:
        raise CliUsageError(f"{state_machine_arn!r} is not a state machine ARN")
    return f"{state_machine_arn.replace(':stateMachine:', ':execution:', 1)}:{job_id}"


def read_progress(
    job_id: str, *, results_table: str, work_bucket: str, state_machine_arn: str
) -> JobProgress:
    """Gather a job's progress from its execution, its stored receivers and its results."""
    try:
        execution = _client("stepfunctions").describe_execution(
            executionArn=execution_arn(state_machine_arn, job_id)
        )["status"]
    except Exception as error:  # botocore ClientError; others go to the group's handler
        if _error_code(error) == "ExecutionDoesNotExist":
            raise CliOperationError(f"no job {job_id} (no such execution)") from None
        raise
    try:
        body = _client("s3").get_object(Bucket=work_bucket, Key=layout.receivers_key(job_id))
        receivers = sum(1 for line in body["Body"].read().splitlines() if line.strip())
    except Exception as error:
        if _error_code(error) not in {"NoSuchKey", "404"}:
            raise
        receivers = 0
    results = list(JobResults(_client("dynamodb"), results_table).receivers(job_id))
    now = time.time()
    open_results = [r for r in results if not r.final]
    retries = [r.retry_at for r in open_results if r.retry_at > now]
    return JobProgress(
        job_id=job_id,
        execution=execution,
        receivers=max(receivers, len(results)),
        final=Counter(r.status for r in results if r.final),
        in_progress=sum(1 for r in open_results if r.retry_at <= now and r.attempts),
        waiting=max(receivers, len(results)) - len(results) + len(retries),
        calls_placed=sum(r.attempts for r in results),
        next_retry=min(retries, default=0.0),
    )


@click.command()
@click.argument("job_id", metavar="JOB_ID")
@click.option("--watch", is_flag=True, help="Refresh until the job has finished.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for programs.",
)
@resource_options(RESULTS, WORK, STATE_MACHINE)
def status(  # noqa: PLR0917 - click passes every option as an argument
    job_id: str,
    watch: bool,
    output_format: str,
    results_table: str | None,
    work_bucket: str | None,
    state_machine_arn: str | None,
) -> None:
    """Show a job's progress: receivers done, in progress, waiting and failed.

    On a terminal ``--watch`` redraws one progress line in place; elsewhere it
    prints one line per change. Exit 0 while the job runs or succeeded, 1 when its
    execution failed, timed out or was aborted, or the job is unknown.

    \b
    Examples:
      callguard outbound status job-3f2a...
      callguard outbound status job-3f2a... --watch
      callguard outbound status job-3f2a... --format json
    """
    names = {
        "results_table": required(RESULTS, results_table),
        "work_bucket": required(WORK, work_bucket),
        "state_machine_arn": required(STATE_MACHINE, state_machine_arn),
    }
    live = watch and output_format == "text" and sys.stdout.isatty()
    previous = ""
    while True:
        progress = read_progress(job_id, **names)
        text = (
            json.dumps(progress.to_dict(), indent=2) if output_format == "json" else progress.line()
        )
        if live:
            click.echo(f"\r{_bar(progress)} {text}", nl=False)
        elif text != previous:
            click.echo(text)
        previous = text
        if not watch or progress.execution in FINISHED:
            break
        time.sleep(WATCH_INTERVAL_SECONDS)
    if live:
        click.echo()
    if progress.execution in FINISHED - {"SUCCEEDED"}:
        raise SystemExit(1)


def _bar(progress: JobProgress, width: int = 20) -> str:
    filled = width * progress.done // progress.receivers if progress.receivers else 0
    return "[" + "#" * filled + "." * (width - filled) + "]"


# ------------------------------------------------------------------ cancel
@click.command()
@click.argument("job_id", metavar="JOB_ID")
@resource_options(RESULTS, TOKENS)
def cancel(job_id: str, results_table: str | None, token_table: str | None) -> None:
    """Stop a job's dialling at once; calls already waiting end as cancelled.

    The job still writes its report for what happened before the cancel.
    Cancelling twice is harmless.

    \b
    Examples:
      callguard outbound cancel job-3f2a...
    """
    results = JobResults(_client("dynamodb"), required(RESULTS, results_table))
    tokens = TaskTokenStore(
        _client("dynamodb"), _client("stepfunctions"), required(TOKENS, token_table)
    )
    ended = cancel_job(results, tokens, job_id)
    click.echo(
        f"cancelled {job_id}: no further calls; {ended} waiting call(s) ended as cancelled; "
        "the report will follow"
    )


# ------------------------------------------------------------------ download
@click.command()
@click.argument("job_id", metavar="JOB_ID")
@click.option(
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (created readable by you only: it holds phone numbers).",
)
@click.option(
    "--format",
    "report_format",
    type=click.Choice(["xlsx", "csv", "json"]),
    default="xlsx",
    show_default=True,
    help="Which report file.",
)
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
@resource_options(REPORTS)
def download(
    job_id: str, output: Path, report_format: str, force: bool, reports_bucket: str | None
) -> None:
    """Download a job's report (exit 1 when the job has no report yet).

    \b
    Examples:
      callguard outbound download job-3f2a... --output report.xlsx
      callguard outbound download job-3f2a... --format csv --output report.csv --force
    """
    bucket = required(REPORTS, reports_bucket)
    if output.exists() and not force:
        raise CliUsageError(f"{output} exists; pass --force to replace it")
    key = layout.report_key(job_id, f"report.{report_format}")
    try:
        body = _client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    except Exception as error:
        if _error_code(error) in {"NoSuchKey", "404"}:
            raise CliError(
                f"job {job_id} has no {report_format} report yet (s3://{bucket}/{key}); "
                "it is written when the job ends: see callguard outbound status"
            ) from None
        raise
    write_private_bytes(output, body)
    click.echo(f"wrote {output} ({len(body)} bytes)")


# ------------------------------------------------------------------ list
@click.command(name="list")
@click.option("--max", "max_jobs", type=click.IntRange(1, 1000), default=20, show_default=True)
@resource_options(STATE_MACHINE)
def list_jobs(max_jobs: int, state_machine_arn: str | None) -> None:
    """List recent jobs, newest first: id, status, start and stop time.

    \b
    Examples:
      callguard outbound list
      callguard outbound list --max 100
    """
    executions = _client("stepfunctions").list_executions(
        stateMachineArn=required(STATE_MACHINE, state_machine_arn), maxResults=max_jobs
    )["executions"]
    if not executions:
        click.echo("no jobs yet")
    for execution in executions:
        stopped = execution.get("stopDate")
        click.echo(
            f"{execution['name']}  {execution['status']:<9}  "
            f"started {execution['startDate']:%Y-%m-%d %H:%M:%S}"
            + (f"  stopped {stopped:%Y-%m-%d %H:%M:%S}" if stopped else "")
        )


COMMANDS = (submit, status, cancel, download, list_jobs)
