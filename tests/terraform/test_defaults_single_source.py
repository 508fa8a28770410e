"""Every setting has exactly one default, the composition module's, and the roots obey it.

The environment roots once repeated modules/callguard's object types with their own
``optional(x, default)`` values; called from a root, the root's copy won, so changing a
default in the module changed nothing in dev or prod. The roots now declare types only.
These tests change a default in a copy of the module and look for it in the dev plan,
and hold the roots to declaring no defaults of their own inside object types.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from plan_helpers import stand_in_zip  # noqa: F401

from callguard_tools.tfkit import plans
from callguard_tools.tfkit.paths import repo_root

REPO = repo_root()
ROOT_VARIABLES = REPO / "terraform" / "shared" / "variables.tf"


def _tree_with_module_default(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the repository's Terraform with one module default edited; the rest linked."""
    tree = tmp_path / "tree"
    tree.mkdir()
    for entry in REPO.iterdir():
        if entry.name in {"modules", "terraform"}:
            shutil.copytree(
                entry, tree / entry.name, symlinks=True, ignore=shutil.ignore_patterns(".terraform")
            )
        elif entry.name not in {".git", ".venv", ".venv-checkov"}:
            (tree / entry.name).symlink_to(entry)
    variables = tree / "modules" / "callguard" / "variables.tf"
    text = variables.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in modules/callguard/variables.tf any more"
    variables.write_text(text.replace(old, new, 1), encoding="utf-8")
    return tree


def _dev_plan(tree: Path, tmp_path: Path, zip_path: Path) -> dict[str, Any]:
    root = plans.offline_root(
        tree / "terraform" / "environments" / "dev", tmp_path / "work", base=tree
    )
    return plans.plan_dir(root, tmp_path / "out", {"lambda_zip_path": str(zip_path)})


def _after(plan: dict[str, Any], address: str) -> dict[str, Any]:
    for change in plan["resource_changes"]:
        if change["address"] == address:
            after: dict[str, Any] = change["change"]["after"]
            return after
    raise AssertionError(f"{address} is not in the plan")


def test_a_module_default_reaches_the_dev_plan(
    tmp_path: Path,
    stand_in_zip: Path,  # noqa: F811
) -> None:
    """memory_size and default_reason are not set in dev's tfvars: the module decides."""
    tree = _tree_with_module_default(
        tmp_path,
        "    memory_size                = optional(number, 512)",
        "    memory_size                = optional(number, 640)",
    )
    variables = tree / "modules" / "callguard" / "variables.tf"
    text = variables.read_text(encoding="utf-8")
    variables.write_text(
        text.replace('optional(string, "Flagged by agent")', 'optional(string, "Module default")'),
        encoding="utf-8",
    )
    plan = _dev_plan(tree, tmp_path, stand_in_zip)
    check = _after(
        plan, 'module.callguard.module.functions["check_number"].aws_lambda_function.this'
    )
    assert check["memory_size"] == 640
    flag = _after(plan, 'module.callguard.module.functions["flag_number"].aws_lambda_function.this')
    assert flag["environment"][0]["variables"]["CALLGUARD_DEFAULT_REASON"] == "Module default"


def test_roots_declare_no_defaults_inside_object_types() -> None:
    """An ``optional(x, default)`` in a root would shadow the module's default again."""
    text = ROOT_VARIABLES.read_text(encoding="utf-8")
    shadowing = [
        f"terraform/shared/variables.tf:{number}: {line.strip()}"
        for number, line in enumerate(text.splitlines(), start=1)
        if re.search(r"optional\([^()]*(\([^()]*\))*[^()]*,", line) or re.search(r"\}\)+, ", line)
    ]
    assert shadowing == []
