"""Fixtures for Terraform tests: run Terraform offline, plan roots, run ``terraform test``.

Everything goes through :mod:`callguard_tools.tfkit.launcher`, so the tests use the
pinned Terraform and the stand-in provider, or the real ones when
``CALLGUARD_REAL_PROVIDER=1`` and ``CALLGUARD_TERRAFORM`` are set (docs/offline-terraform.md).

* ``terraform``: run any Terraform command in a directory;
* ``plan_root``: a parsed ``show -json`` plan of a root with given variables (tftest);
* ``root_copy`` / ``module_copy``: temporary copies to edit (defect planting);
* ``validate``: the function ``make validate`` runs on one directory;
* ``run_module_tests``: ``terraform test`` in a module directory.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import tftest

from callguard_tools.tfkit import api, launcher
from callguard_tools.tfkit.paths import repo_root

REPO = repo_root()
MODULES = REPO / "modules"
ENVIRONMENTS = REPO / "terraform" / "environments"

Plan = dict[str, Any]


class Terraform:
    """Runs Terraform commands through the launcher and captures their output."""

    binary = launcher.wrapper_path()

    def __call__(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        """Run ``terraform <args>`` in ``cwd``; never raises on a non-zero exit."""
        return launcher.run(list(args), cwd=cwd)


@pytest.fixture(scope="session")
def terraform() -> Terraform:
    """Run Terraform offline: ``terraform("validate", "-json", cwd=path)``."""
    launcher.install()
    return Terraform()


@pytest.fixture
def root_copy(tmp_path: Path) -> Callable[[Path], Path]:
    """Return ``copy(root_dir)``: an editable copy of a root at the repository's depth.

    The copy's neighbours are symlinks, so relative module sources still resolve, and its
    backend is local (see :func:`api.offline_root`).
    """

    def copy(root_dir: Path) -> Path:
        return api.offline_root(root_dir, tmp_path / "tree")

    return copy


@pytest.fixture
def module_copy(tmp_path: Path) -> Callable[[str], Path]:
    """Return ``copy(name)``: an editable copy of ``modules/<name>`` (next to symlinked peers)."""

    def copy(name: str) -> Path:
        return api.offline_root(MODULES / name, tmp_path / "tree", local_backend=False)

    return copy


@pytest.fixture(scope="session")
def shared_provider_env() -> Iterator[dict[str, str]]:
    """One stand-in provider process for the session's ``validate`` calls (faster)."""
    with api.shared_provider() as env:
        yield env


@pytest.fixture
def validate(shared_provider_env: dict[str, str]) -> Callable[[Path], api.CheckResult]:
    """Return the function ``make validate`` runs per directory (``api.validate_dir``)."""

    def run(directory: Path) -> api.CheckResult:
        return api.validate_dir(directory, shared_provider_env)

    return run


def _var_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@pytest.fixture
def plan_root(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Plan]:
    """Return ``plan_root(root_dir, variables=None) -> dict``: the root's parsed plan.

    The root is copied (:func:`api.offline_root`) and planned with tftest through the
    launcher's ``terraform`` wrapper; variables are passed as ``-var`` (non-strings as
    JSON). The result is Terraform's ``show -json`` document as a plain dict.
    """
    launcher.install()

    def plan(root_dir: Path, variables: Mapping[str, Any] | None = None) -> Plan:
        directory = api.offline_root(root_dir, tmp_path_factory.mktemp("plan"))
        test = tftest.TerraformTest(
            str(directory), binary=str(launcher.wrapper_path()), env=launcher.terraform_env()
        )
        test.setup(cleanup_on_exit=False)
        tf_vars = {k: _var_text(v) for k, v in (variables or {}).items()}
        output = test.plan(output=True, tf_vars=tf_vars)
        raw: Plan = output._raw
        return raw

    return plan


@pytest.fixture
def run_module_tests() -> Callable[[Path], api.CheckResult]:
    """Return ``run(module_dir)``: ``terraform test`` there (after ``init``), as a result."""
    return api.module_test


def modules_with_tests() -> list[Path]:
    """Return every module directory that has ``tests/*.tftest.hcl`` files."""
    return sorted({p.parent.parent for p in MODULES.glob("*/tests/*.tftest.hcl")})


def copy_tree(source: Path, dest: Path) -> Path:
    """Copy a directory tree without ``.terraform`` (for tests that edit module files)."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".terraform"))
    return dest
