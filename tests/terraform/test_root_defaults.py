"""Every setting has one default: the composition module's, never a copy in the roots.

The roots' object types use ``optional(x)`` without a default, so an unset field
reaches ``modules/callguard`` as null and the module's own ``optional(x, default)``
applies. The test changes module defaults in a temporary copy of the tree and plans
the dev root there: the new defaults must show in the plan.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import hcl2
from plan_helpers import of_type, stand_in_zip  # noqa: F401

from callguard_tools.tfkit import plans
from callguard_tools.tfkit.paths import repo_root

REPO = repo_root()


def _tree_copy(dest: Path) -> Path:
    """A checkout whose modules/ and terraform/ are real copies, the rest symlinks."""
    dest.mkdir()
    for entry in REPO.iterdir():
        if entry.name in (".git", ".venv", ".venv-checkov", "build"):
            continue
        if entry.name in ("modules", "terraform"):
            shutil.copytree(
                entry, dest / entry.name, symlinks=True, ignore=shutil.ignore_patterns(".terraform")
            )
        else:
            (dest / entry.name).symlink_to(entry)
    return dest


def _set_default(variables_tf: Path, field: str, old: str, new: str) -> None:
    text = variables_tf.read_text(encoding="utf-8")
    pattern = re.compile(rf"(\b{field}\s*=\s*optional\([a-z]+,\s*){re.escape(old)}\)")
    changed, count = pattern.subn(rf"\g<1>{new})", text)
    assert count == 1, f"{field} default {old} not found once in {variables_tf}"
    variables_tf.write_text(changed, encoding="utf-8")


def _types_with_defaults(type_text: str) -> list[str]:
    return re.findall(r"optional\([^(){}]*?,", type_text)


def test_root_types_carry_no_defaults() -> None:
    with (REPO / "terraform" / "shared" / "variables.tf").open(encoding="utf-8") as handle:
        variables = hcl2.load(handle)["variable"]
    with_defaults = {
        name: found
        for block in variables
        for name, body in block.items()
        if isinstance(body.get("type"), str) and (found := _types_with_defaults(body["type"]))
    }

    assert with_defaults == {}, f"root types repeat module defaults: {with_defaults}"


def test_module_defaults_reach_the_dev_plan(tmp_path: Path, stand_in_zip: Path) -> None:  # noqa: F811
    tree = _tree_copy(tmp_path / "repo")
    module_vars = tree / "modules" / "callguard" / "variables.tf"
    _set_default(module_vars, "memory_size", "512", "640")
    _set_default(module_vars, "default_reason", '"Flagged by agent"', '"Planted default"')
    _set_default(module_vars, "code_length", "4", "5")
    root = tree / "terraform" / "environments" / "dev"
    directory = plans.offline_root(root, tmp_path / "work", base=tree)

    plan: dict[str, Any] = plans.plan_dir(
        directory,
        tmp_path / "out",
        {"lambda_zip_path": str(stand_in_zip), "challenge": {"enabled": True}},
    )

    functions = {
        f["values"]["function_name"]: f["values"] for f in of_type(plan, "aws_lambda_function")
    }
    check = functions["callguard-dev-check-number"]
    assert check["memory_size"] == 640
    assert check["environment"][0]["variables"]["CALLGUARD_DEFAULT_REASON"] == "Planted default"
    challenge = functions["callguard-dev-challenge-code"]
    assert challenge["environment"][0]["variables"]["CALLGUARD_CHALLENGE_LENGTH"] == "5"
