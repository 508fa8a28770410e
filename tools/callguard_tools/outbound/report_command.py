"""``callguard outbound report``: build a job's report from its result records, offline.

The report can be rebuilt at any time from the results file (JSON Lines, one
record per attempt, see :mod:`callguard.outbound.results`) and the job, without
AWS. Exit codes follow the deny-list commands: 0 written; 1 written, but some
receivers have no result yet; 2 nothing written because an input is unreadable
or does not match (problems listed, every one).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Final

import click

from callguard.outbound.load import load_job as load_job_file
from callguard.outbound.model import Job, from_dict
from callguard.outbound.report import (
    NO_RESULT,
    Report,
    build_report,
    unknown_receivers,
    write_csv,
    write_json,
    write_xlsx,
)
from callguard.outbound.results import read_jsonl
from callguard_tools.admin.errors import EXIT_PARTIAL, CliUsageError

#: Problems listed before the rest are only counted.
MAX_LISTED: Final = 20


def load_job(path: Path) -> Job:
    """Read the job: the normalised job JSON intake stores, or any job file a user writes.

    A normalised job (``callguard.outbound.model.to_dict`` form, with its
    ``schema_version``) is read as it is; anything else (a workbook, a CSV bundle,
    the JSON job format, a Callouts message) goes through the same loader as
    ``callguard outbound validate``, and a job with errors is refused.
    """
    data: object = None
    if path.is_file() and path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CliUsageError(f"--job: cannot read {path}: {error.strerror or error}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CliUsageError(f"--job: {path} is not JSON ({error})") from None
    if isinstance(data, dict) and "schema_version" in data and "source" in data:
        try:
            return from_dict(data)
        except (KeyError, TypeError, ValueError) as error:
            detail = f"missing key {error}" if isinstance(error, KeyError) else str(error)
            raise CliUsageError(f"--job: {path} is not a normalised job: {detail}") from None
    job, problems = load_job_file(path)
    errors = [p for p in problems if p.is_error]
    if job is None or errors:
        listed = "; ".join(f"{p.location}: {p.message}" for p in errors[:3])
        raise CliUsageError(
            f"--job: {path} is not a valid job ({listed}); run `callguard outbound validate {path}`"
        )
    return job


def _fail(problems: list[str]) -> CliUsageError:
    shown = problems[:MAX_LISTED]
    more = len(problems) - len(shown)
    lines = [*shown, f"... and {more} more"] if more else shown
    return CliUsageError("nothing written:\n  " + "\n  ".join(lines))


def _write_private(path: Path, binary: bool, write: Callable[[IO[Any]], int]) -> int:
    """Write through a 0600 temporary file beside ``path``, then rename it over ``path``.

    The report holds full phone numbers: it is readable by its owner only, and a
    failed write never leaves a half report behind.
    """
    descriptor, temporary = tempfile.mkstemp(dir=path.resolve().parent, prefix=f".{path.name}.")
    try:
        os.fchmod(descriptor, 0o600)
        mode = "wb" if binary else "w"
        encoding = None if binary else "utf-8"
        with os.fdopen(descriptor, mode, encoding=encoding, newline=None if binary else "") as out:
            count = write(out)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


_WRITERS: Final[dict[str, tuple[bool, Callable[[Report, Any], int]]]] = {
    "xlsx": (True, write_xlsx),
    "csv": (False, write_csv),
    "json": (False, write_json),
}


@click.command("report")
@click.argument("results", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))
@click.option(
    "--job",
    "job_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The job the results belong to (normalised job JSON).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(_WRITERS)),
    default="xlsx",
    show_default=True,
    help="xlsx has a Summary sheet; json has the summary too; csv is the rows only.",
)
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Report file to write (mode 0600, replaced atomically).",
)
def report_command(results: Path, job_path: Path, output_format: str, output: Path) -> None:
    """Build the report of a call job from its RESULTS file (JSON Lines, '-' for stdin).

    One row per receiver of the job, with its columns, phone number, status and
    answers; receivers without a result are listed as no_result. Exit 0 when
    written, 1 when written but some receivers have no result yet, 2 when
    nothing was written (problems listed).

    \b
    Example:
      callguard outbound report results.jsonl --job job.json \\
          --format xlsx --output reminders-report.xlsx
    """
    job = load_job(job_path)
    if not output.resolve().parent.is_dir():
        raise CliUsageError(f"--output: directory {output.resolve().parent} does not exist")
    try:
        if str(results) == "-":
            parsed = read_jsonl(sys.stdin, name="results")
        else:
            with results.open(encoding="utf-8") as handle:
                parsed = read_jsonl(handle, name=results.name)
    except OSError as error:
        raise CliUsageError(f"cannot read {results}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise CliUsageError(f"{results} is not UTF-8 text ({error.reason})") from None
    problems = list(parsed.problems)
    other_jobs = sorted(parsed.job_ids - {job.id})
    if other_jobs:
        problems.append(
            f"results are for job(s) {', '.join(map(repr, other_jobs))}, not {job.id!r}"
        )
    by_receiver = parsed.for_job(job.id)
    problems.extend(
        f"receiver {rid!r} has results but is not in job {job.id!r}"
        for rid in unknown_receivers(job, by_receiver)
    )
    if problems:
        raise _fail(problems)
    report = build_report(job, by_receiver)
    binary, writer = _WRITERS[output_format]
    try:
        count = _write_private(output, binary, lambda out: writer(report, out))
    except OSError as error:
        raise CliUsageError(f"cannot write {output}: {error.strerror or error}") from None
    summary = report.summary
    missing = summary.counts[NO_RESULT]
    click.echo(
        f"wrote {count} receiver(s) to {output}: "
        + ", ".join(f"{status} {n}" for status, n in summary.counts.items() if n)
        + f"; completion rate {summary.completion_rate:.1%}",
        err=True,
    )
    if missing:
        click.echo(f"{missing} receiver(s) have no result yet (status {NO_RESULT})", err=True)
        sys.exit(EXIT_PARTIAL)
