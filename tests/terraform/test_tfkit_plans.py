"""Offline plans of the environment roots, the ``plan_root`` fixture, and module tests.

``terraform test`` runs for every module that ships ``tests/*.tftest.hcl`` files, so a
module author only writes the ``.tftest.hcl`` file and ``make test`` runs it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from plan_helpers import write_stand_in_zip

from callguard_tools.tfkit import api
from callguard_tools.tfkit.paths import repo_root

MODULES = repo_root() / "modules"
ENVIRONMENTS = repo_root() / "terraform" / "environments"
MODULES_WITH_TESTS = sorted({p.parent.parent for p in MODULES.glob("*/tests/*.tftest.hcl")})


@pytest.fixture(scope="module")
def zip_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small deployment package, so plans do not depend on ``make build``."""
    # Both packages the roots hash: callguard.zip and, next to it, callguard-outbound.zip.
    return write_stand_in_zip(tmp_path_factory.mktemp("zip") / "callguard.zip")


def test_there_are_module_tests_to_run() -> None:
    assert MODULES_WITH_TESTS, "no module has tests/*.tftest.hcl"


@pytest.mark.parametrize("module", MODULES_WITH_TESTS, ids=lambda p: p.name)
def test_module_terraform_tests_pass(
    module: Path, run_module_tests: Callable[[Path], api.CheckResult]
) -> None:
    result = run_module_tests(module)
    assert result.ok, result.message
    assert "0 failed" in result.message


def test_plan_root_fixture_returns_the_parsed_plan(
    plan_root: Callable[..., dict[str, Any]], zip_path: Path
) -> None:
    plan = plan_root(ENVIRONMENTS / "dev", {"lambda_zip_path": str(zip_path)})
    assert plan["format_version"]
    types = {c["type"] for c in plan["resource_changes"]}
    assert {"aws_dynamodb_table", "aws_lambda_function", "aws_connect_contact_flow"} <= types
    managed = [c for c in plan["resource_changes"] if c["mode"] == "managed"]
    assert managed
    assert all(c["change"]["actions"] == ["create"] for c in managed)
    # A data source whose arguments are unknown until apply is read then (the
    # outbound workflow's policy document names functions not yet created).
    data = [c for c in plan["resource_changes"] if c["mode"] == "data"]
    assert all(c["change"]["actions"] == ["read"] for c in data)
    assert plan["variables"]["lambda_zip_path"]["value"] == str(zip_path)


def test_plan_offline_saves_the_plan_and_its_json(tmp_path: Path, zip_path: Path) -> None:
    result = api.plan_offline("dev", {"lambda_zip_path": str(zip_path)}, out_dir=tmp_path)
    assert result.plan_path == tmp_path / "tfplan"
    assert result.plan_path.stat().st_size > 0
    assert json.loads(result.json_path.read_text(encoding="utf-8")) == result.plan
    tables = [c for c in result.plan["resource_changes"] if c["type"] == "aws_dynamodb_table"]
    assert tables
    assert tables[0]["change"]["after_unknown"]["arn"] is True


def test_plan_offline_names_the_known_environments() -> None:
    with pytest.raises(api.TfkitError, match=r"environments: \[.*'dev'.*\]"):
        api.plan_offline("staging")


def test_offline_root_keeps_relative_paths_and_uses_a_local_backend(tmp_path: Path) -> None:
    copy = api.offline_root(ENVIRONMENTS / "dev", tmp_path)
    assert copy == tmp_path / "terraform" / "environments" / "dev"
    assert (tmp_path / "modules").is_symlink()
    assert (tmp_path / "modules").resolve() == MODULES.resolve()
    assert not (copy / "main.tf").is_symlink()  # the root's own files are editable copies
    assert 'backend "local"' in (copy / "zz_tfkit_backend_override.tf").read_text("utf-8")
