"""Helpers for driving ``callguard`` in-process against moto's DynamoDB.

The shared fixtures in ``tests/conftest.py`` give fake credentials and a table
created with the store's own schema; ``run_cli`` invokes the real click entry
point with ``--table`` and returns the result with stdout and stderr apart.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from callguard_tools.admin.state import CliState
from callguard_tools.cli import main

RunCli = Callable[..., Result]


@pytest.fixture
def run_cli(table_name: str) -> RunCli:
    """Return ``run(*args, state=None)``: ``callguard --table <test table> *args``."""

    def run(*args: str, state: CliState | None = None) -> Result:
        return CliRunner().invoke(main, ["--table", table_name, *args], obj=state)

    return run


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """Return ``write(content, name=None)``: store text (as UTF-8) or bytes in a temp file."""
    counter = iter(range(1_000_000))

    def write(content: str | bytes, name: str | None = None) -> Path:
        path = tmp_path / (name or f"input-{next(counter)}.csv")
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", newline="")
        else:
            path.write_bytes(content)
        return path

    return write
