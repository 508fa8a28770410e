"""Where the toolkit finds the repository and writes its generated files.

One place decides this so the launcher, the provider, the tests and the Makefile all
agree on ``build/tfkit`` without passing paths around.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Overrides the directory the toolkit writes generated files into.
TFKIT_DIR_ENV = "CALLGUARD_TFKIT_DIR"


def repo_root() -> Path:
    """Return the repository root: the nearest parent holding ``pyproject.toml`` and ``modules``.

    The package is installed editable from ``tools/``, so its own location finds the
    checkout; a plain install falls back to the current directory.
    """
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file() and (parent / "tools").is_dir():
            return parent
    return Path.cwd()


def tfkit_dir() -> Path:
    """Return the directory for generated toolkit files (``build/tfkit`` by default)."""
    override = os.environ.get(TFKIT_DIR_ENV)
    return Path(override) if override else repo_root() / "build" / "tfkit"
