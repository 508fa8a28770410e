"""``callguard denylist import``: bulk import from a CSV file or standard input.

Reading and validation live in :mod:`callguard_tools.admin.csvfile`, the
"what is new, write it, account for it" logic in
:mod:`callguard_tools.admin.importer`; this module is the command around them:
options, progress, the rejects file, the summary and the exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from callguard_tools.admin.commands_common import (
    checked_reason,
    normaliser,
    note,
    open_store,
    require_directory,
)
from callguard_tools.admin.errors import EXIT_PARTIAL, CliUsageError
from callguard_tools.admin.state import CliState, get_state

if TYPE_CHECKING:
    from callguard_tools.admin.csvfile import ParsedFile, RejectedLine

#: Conditional PutItem requests in flight during an import unless --workers says
#: otherwise: each request is one number and mostly network wait, so enough to
#: hide the round trip to DynamoDB, few enough not to trip throttling (the CLI's
#: client keeps 32 connections).
IMPORT_WORKERS = 16


@click.command("import")
@click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path)
)
@click.option("--dry-run", is_flag=True, help="Validate and count; write nothing to the table.")
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write rejected and failed lines to this CSV (fix it, then import it again).",
)
@click.option(
    "--reason",
    "default_reason",
    help="Reason for lines with an empty reason column. Default: 'imported from FILE'.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    default=IMPORT_WORKERS,
    show_default=True,
    help="Write requests in flight at once (one conditional PutItem per number).",
)
@click.option(
    "--batched",
    is_flag=True,
    help=(
        "Write 25 numbers per BatchWriteItem request: much faster for large files, but "
        "unconditional. A number an agent flags in the instant between a slice's read and "
        "its write gets the import's entry (it stays listed; the audit trail keeps the "
        "agent's). Use it when agents are not flagging, e.g. out of hours."
    ),
)
def import_command(
    file: Path,
    *,
    dry_run: bool,
    rejects: Path | None,
    default_reason: str | None,
    workers: int,
    batched: bool,
) -> None:
    """Import numbers from a CSV FILE with a header line ('-' reads standard input).

    Columns: number (required), reason, expires (30d, 2027-01-31, ...) and
    status (blocked or pending, default blocked), in any order; other columns
    are ignored. Every line is validated first; a rejected line is reported with
    its line number and reason and written to --rejects. Numbers already listed
    are left as they are, so importing the same file again changes nothing.
    The summary counts lines read, imported, already listed and rejected.

    \b
    Examples:
      callguard denylist import fraud-report.csv --dry-run
      callguard --default-country GB denylist import carrier.csv --rejects rejects.csv
      callguard denylist import rejects.csv        # after fixing the rejected lines
      callguard denylist import carrier-100k.csv --batched   # out of hours

    \b
    A minimal file:
      number,reason,expires
      +442079460958,fraud ring,90d
      +12125550100,,2027-01-31
    """
    from callguard_tools.admin.csvfile import (  # noqa: PLC0415
        MalformedFileError,
        read_import_file,
        read_import_stream,
    )

    state = get_state()
    state.require_table()
    if rejects is not None:
        require_directory(rejects, "--rejects")
    now = datetime.now(UTC)
    from_stdin = str(file) == "-"
    label = "standard input" if from_stdin else file.name
    normalise = normaliser(state)
    reason = checked_reason(default_reason or f"imported from {label}")
    try:
        if from_stdin:
            parsed = read_import_stream(
                sys.stdin.buffer,
                name="<stdin>",
                normalise=normalise,
                now=now,
                default_reason=reason,
            )
        else:
            parsed = read_import_file(file, normalise=normalise, now=now, default_reason=reason)
    except MalformedFileError as error:
        raise CliUsageError(str(error)) from None
    except OSError as error:
        raise CliUsageError(f"cannot read {file}: {error.strerror or error}") from None
    _report_file(parsed)
    _run_import(
        state, parsed, now=now, dry_run=dry_run, rejects=rejects, workers=workers, batched=batched
    )


def _report_file(parsed: ParsedFile) -> None:
    if parsed.ignored_columns:
        note(f"ignoring column(s): {', '.join(parsed.ignored_columns)}")
    for rejected in parsed.rejects:
        note(f"rejected {rejected.error}")
    if parsed.blank_lines:
        note(f"skipped {parsed.blank_lines} blank line(s)")


def _run_import(
    state: CliState,
    parsed: ParsedFile,
    *,
    now: datetime,
    dry_run: bool,
    rejects: Path | None,
    workers: int,
    batched: bool,
) -> None:
    from callguard_tools.admin.importer import new_rows, write_rows  # noqa: PLC0415

    store = open_store(state)
    if batched and not dry_run:
        # Each slice is read right before it is written; a first pass over the
        # whole file would only add a second read of every number.
        fresh, already = list(parsed.rows), 0
    else:
        fresh, already = new_rows(store, parsed.rows)
    rejected = len(parsed.rejects)
    if dry_run:
        click.echo(
            f"dry run: read {parsed.records}, would import {len(fresh)}, "
            f"already listed {already}, rejected {rejected}"
        )
        if rejects is not None:
            _save_rejects(rejects, parsed.rejects)
        _exit_partial_if(rejected > 0)
        return
    identity = state.identity() if fresh else ""
    with _progress(len(fresh)) as advance:
        outcome = write_rows(
            store,
            fresh,
            identity=identity,
            now=now,
            workers=workers,
            progress=advance,
            batched=batched,
        )
    written, failed = outcome.written, outcome.failed
    already += outcome.listed_meanwhile
    if outcome.listed_meanwhile and not batched:
        note(f"{outcome.listed_meanwhile} number(s) were listed while importing; left as they are")
    for line in failed:
        note(f"failed {line.error}")
    summary = (
        f"read {parsed.records}, imported {written}, already listed {already}, rejected {rejected}"
    )
    click.echo(summary + (f", failed {len(failed)}" if failed else ""))
    if rejects is not None:
        _save_rejects(rejects, [*parsed.rejects, *failed])
        if rejected or failed:
            note(f"rejected and failed lines written to {rejects}")
    _exit_partial_if(rejected > 0 or bool(failed))


def _save_rejects(path: Path, lines: list[RejectedLine]) -> None:
    """Write the rejects file; if that fails, say so (every line was also printed above)."""
    from callguard_tools.admin.csvfile import write_rejects  # noqa: PLC0415

    try:
        write_rejects(path, lines)
    except OSError as error:
        note(f"could not write {path}: {error.strerror or error}; the lines are listed above")
        raise click.exceptions.Exit(EXIT_PARTIAL) from None


def _exit_partial_if(condition: bool) -> None:
    if condition:
        raise click.exceptions.Exit(EXIT_PARTIAL)


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None]]:
    """Yield an ``advance(count)`` callback: a bar on a terminal, a line per 10% otherwise.

    Progress goes to standard error, so the summary on standard output stays clean.
    """
    if total and sys.stderr.isatty():
        with click.progressbar(length=total, label="importing", file=sys.stderr) as bar:
            yield bar.update
        return
    done = 0
    reported_tenths = 0

    def advance(count: int) -> None:
        nonlocal done, reported_tenths
        done += count
        tenths = done * 10 // total if total else 0
        if tenths > reported_tenths:
            reported_tenths = tenths
            note(f"written {done} of {total}")

    yield advance
