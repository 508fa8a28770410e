"""Where the toolkit finds the repository and writes its generated files.

One place decides this so the launcher, the provider, the tests and the Makefile all
agree on ``build/tfkit`` without passing paths around.
"""

from __future__ import annotations

import os
from pathlib import Path

from callguard_tools.installation import checkout_root

#: Overrides the directory the toolkit writes generated files into.
TFKIT_DIR_ENV = "CALLGUARD_TFKIT_DIR"


def repo_root() -> Path:
    """Return the repository root (see :func:`callguard_tools.installation.checkout_root`)."""
    return checkout_root("the offline Terraform kit")


def tfkit_dir() -> Path:
    """Return the directory for generated toolkit files (``build/tfkit`` by default)."""
    override = os.environ.get(TFKIT_DIR_ENV)
    return Path(override) if override else repo_root() / "build" / "tfkit"
