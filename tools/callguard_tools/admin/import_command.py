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
from callguard_tools.admin.files import same_file
from callguard_tools.admin.state import CliState, get_state

if TYPE_CHECKING:
    from callguard_tools.admin.csvfile import ParsedFile, RejectedLine
    from callguard_tools.admin.importer import WriteOutcome

#: Conditional PutItem requests in flight during an import unless --workers says
#: otherwise: each request is one number and mostly network wait, so enough to
#: hide the round trip to DynamoDB, few enough not to trip throttling (the CLI's
#: client keeps 32 connections).
IMPORT_WORKERS = 16

#: Exit code after Ctrl-C, as shells report a process ended by SIGINT (128 + 2).
EXIT_INTERRUPTED = 130


@click.command("import")
@click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path)
)
@click.option("--dry-run", is_flag=True, help="Validate and count; write nothing to the table.")
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help=(
        "Write rejected and failed lines to this CSV (fix it, then import it again). "
        "Never the input file; an existing file only with --force; on a dry run only "
        "with --write-rejects."
    ),
)
@click.option("--force", is_flag=True, help="Let --rejects replace a file that exists.")
@click.option(
    "--write-rejects",
    is_flag=True,
    help="On a dry run, write the --rejects file too (a dry run writes nothing otherwise).",
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
    force: bool,
    write_rejects: bool,
    default_reason: str | None,
    workers: int,
    batched: bool,
) -> None:
    """Import numbers from a CSV FILE with a header line ('-' reads standard input).

    Columns: number (required), reason, expires (30d, 2027-01-31, ...) and
    status (blocked, pending or rejected, default blocked), in any order; other
    columns are ignored. Each line is one entry (a quote must close on its own
    line). Every line is validated first; a rejected line is reported with its
    line number and reason and written to --rejects. Numbers already listed are
    left as they are, so importing the same file again changes nothing, also
    after an interruption (Ctrl-C). The summary counts lines read, imported,
    already listed and rejected. An empty reason gets --reason, or 'imported
    from FILE'; in a file written by 'export' it stays empty, unless --reason
    is given.

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
    from_stdin = str(file) == "-"
    if rejects is not None:
        _check_rejects_path(rejects, _stdin_descriptor() if from_stdin else file, force=force)
    elif write_rejects:
        raise CliUsageError("--write-rejects needs --rejects FILE")
    now = datetime.now(UTC)
    label = "standard input" if from_stdin else file.name
    normalise = normaliser(state)
    reason = checked_reason(default_reason or f"imported from {label}")
    # An export keeps its empty reasons empty unless --reason asks otherwise.
    keep_empty = default_reason is None
    try:
        if from_stdin:
            parsed = read_import_stream(
                sys.stdin.buffer,
                name="<stdin>",
                normalise=normalise,
                now=now,
                default_reason=reason,
                exports_keep_empty_reasons=keep_empty,
            )
        else:
            parsed = read_import_file(
                file,
                normalise=normalise,
                now=now,
                default_reason=reason,
                exports_keep_empty_reasons=keep_empty,
            )
    except KeyboardInterrupt:
        note(f"interrupted while reading {label}: nothing was written")
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
    except MalformedFileError as error:
        raise CliUsageError(str(error)) from None
    except OSError as error:
        raise CliUsageError(f"cannot read {file}: {error.strerror or error}") from None
    _report_file(parsed)
    if dry_run:
        _dry_run(state, parsed, rejects=rejects, write_rejects=write_rejects)
        return
    _run_import(state, parsed, now=now, rejects=rejects, workers=workers, batched=batched)


def _stdin_descriptor() -> int | None:
    """Return standard input's file descriptor, or ``None`` when it has none (tests)."""
    try:
        return sys.stdin.fileno()
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return None


def _check_rejects_path(rejects: Path, source: Path | int | None, *, force: bool) -> None:
    """Stop before any work if writing ``rejects`` could destroy data.

    The rejects file replaces what is at its path, so it must never be the input
    (also through a symbolic or hard link, or as standard input redirected from
    it: :func:`same_file` compares inodes), and it replaces an existing file only
    when asked with ``--force``.
    """
    require_directory(rejects, "--rejects")
    if source is not None and same_file(rejects, source):
        raise CliUsageError(
            f"--rejects {rejects} is the input file itself; name another file for the rejects"
        )
    if rejects.exists() and not force:
        raise CliUsageError(
            f"--rejects {rejects} already exists; pass --force to replace it, or name another file"
        )


def _report_file(parsed: ParsedFile) -> None:
    if parsed.ignored_columns:
        note(f"ignoring column(s): {', '.join(parsed.ignored_columns)}")
    for rejected in parsed.rejects:
        note(f"rejected {rejected.error}")
    if parsed.blank_lines:
        note(f"skipped {parsed.blank_lines} blank line(s)")


def _dry_run(
    state: CliState, parsed: ParsedFile, *, rejects: Path | None, write_rejects: bool
) -> None:
    """Count what an import would do; write nothing unless ``--write-rejects`` asks."""
    from callguard_tools.admin.importer import new_rows  # noqa: PLC0415

    try:
        fresh, already = new_rows(open_store(state), parsed.rows)
    except KeyboardInterrupt:
        note("interrupted: dry run, nothing was written")
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
    rejected = len(parsed.rejects)
    click.echo(
        f"dry run: read {parsed.records}, would import {len(fresh)}, "
        f"already listed {already}, rejected {rejected}"
    )
    if rejects is not None:
        if write_rejects:
            _save_rejects(rejects, parsed.rejects)
        else:
            note(f"dry run: {rejects} not written (add --write-rejects to write it on a dry run)")
    _exit_partial_if(rejected > 0)


def _run_import(
    state: CliState,
    parsed: ParsedFile,
    *,
    now: datetime,
    rejects: Path | None,
    workers: int,
    batched: bool,
) -> None:
    from callguard_tools.admin.importer import new_rows, write_rows  # noqa: PLC0415

    store = open_store(state)
    if batched:
        # Each slice is read right before it is written; a first pass over the
        # whole file would only add a second read of every number.
        fresh, already = list(parsed.rows), 0
    else:
        try:
            fresh, already = new_rows(store, parsed.rows)
        except KeyboardInterrupt:
            note("interrupted before the first write: nothing was written; re-running is safe")
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
    rejected = len(parsed.rejects)
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
    if outcome.interrupted is not None:
        _report_interruption(outcome, rejects, [*parsed.rejects, *failed])
    summary = (
        f"read {parsed.records}, imported {written}, already listed {already}, rejected {rejected}"
    )
    click.echo(summary + (f", failed {len(failed)}" if failed else ""))
    if rejects is not None:
        _save_rejects(rejects, [*parsed.rejects, *failed])
        if rejected or failed:
            note(f"rejected and failed lines written to {rejects}")
    _exit_partial_if(rejected > 0 or bool(failed))


def _report_interruption(
    outcome: WriteOutcome, rejects: Path | None, lines: list[RejectedLine]
) -> None:
    """Say what an interrupted import wrote, keep the rejects so far, and stop (exit 130)."""
    assert outcome.interrupted is not None
    first, last = outcome.interrupted
    click.echo(
        f"interrupted: imported {outcome.written} before line {first}; lines {first}-{last} "
        "were being written and may be partly imported, later lines were not"
    )
    if rejects is not None:
        _save_rejects(rejects, lines)
        note(f"rejected and failed lines so far written to {rejects}")
    note(
        "re-running the same import is safe: numbers already listed are left as they are, "
        "so it only adds what is missing"
    )
    raise click.exceptions.Exit(EXIT_INTERRUPTED)


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
