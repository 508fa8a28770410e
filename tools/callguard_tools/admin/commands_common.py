"""Shared pieces of the deny-list commands: store access, number and reason checks.

Kept apart from the commands so that the everyday commands and the bulk import
use exactly the same normalisation, validation and messages.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from callguard_tools.admin.errors import CliUsageError
from callguard_tools.admin.state import CliState

if TYPE_CHECKING:
    from callguard.store import DenyList


def open_store(state: CliState) -> DenyList:
    """Return the store for ``--table`` on the command's DynamoDB client."""
    from callguard.store import DenyList  # noqa: PLC0415 - keep --help free of boto3

    return DenyList(state.client("dynamodb"), state.require_table())


def normaliser(state: CliState) -> Callable[[str], str]:
    """Return ``text -> E.164`` for ``--default-country`` (already checked by the option)."""
    from callguard.numbers import to_e164  # noqa: PLC0415

    country = state.options.default_country
    return lambda text: to_e164(text, country)


def checked_reason(text: str) -> str:
    """Return ``text`` stripped, or stop if the store would have to cut or rewrite it."""
    from callguard.store.model import MAX_REASON_LENGTH  # noqa: PLC0415

    reason = text.strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise CliUsageError(
            f"--reason is {len(reason)} characters long (at most {MAX_REASON_LENGTH})"
        )
    check_one_line("--reason", reason)
    return reason


def check_one_line(option: str, value: str) -> None:
    """Stop if ``value`` holds a character no stored text may (the import's rule, too)."""
    from callguard_tools.admin.csvfile import bad_character, describe_bad_character  # noqa: PLC0415

    char = bad_character(value)
    if char is not None:
        raise CliUsageError(
            f"{option} contains {describe_bad_character(char)}; use one line of plain text"
        )


def e164_argument(state: CliState, text: str) -> str:
    """Return a NUMBER argument in E.164, or stop with a usage error saying why not."""
    try:
        return normaliser(state)(text)
    except ValueError as error:
        raise CliUsageError(str(error)) from None


def require_directory(path: Path, option: str) -> None:
    """Stop before any work if ``path`` cannot be created because its directory is missing."""
    directory = path.resolve().parent
    if not directory.is_dir():
        raise CliUsageError(f"{option}: directory {directory} does not exist")


def note(message: str) -> None:
    """Print a diagnostic on standard error (results go to standard output)."""
    click.echo(message, err=True)
