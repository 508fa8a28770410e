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

from callguard_tools.tfkit import plans, tfvars_check
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


# ------------------------------------------------------------------ the outbound block

#: modules/outbound inputs with a default that the ``outbound`` block does not carry,
#: and why. Every other one is a key of the block, passed on under its own name.
OUTBOUND_INPUTS_NOT_IN_THE_BLOCK = {
    "partition": "the root's aws_partition",
    "log_level": "the root's settings.log_level, shared with the inbound functions",
    "tags": "the roots tag through the provider's default_tags",
    "alarm_actions": "the root's monitoring.sns_topic_arns, shared with the deny-list alarms",
}
#: Keys of the block that are not module inputs of the same name.
OUTBOUND_BLOCK_ONLY = {"enabled", "instance"}


def _hcl(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = hcl2.load(handle)
    return document


def _block(document: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    [body] = [b[f'"{name}"'] for b in document[kind] if f'"{name}"' in b]
    return dict(body)


def test_outbound_keys_reach_the_module_and_are_documented() -> None:
    root = REPO / "terraform" / "shared"
    keys = set(tfvars_check.root_variables(root)["outbound"].attributes)
    call = _block(_hcl(root / "main.tf"), "module", "outbound")
    module_inputs = {
        name.strip('"'): body
        for block in _hcl(REPO / "modules" / "outbound" / "variables.tf")["variable"]
        for name, body in block.items()
    }

    passed = {
        key for key in keys if re.search(rf"\bvar\.outbound\.{key}\b", str(call.get(key, "")))
    }
    assert passed == keys - OUTBOUND_BLOCK_ONLY
    with_defaults = {name for name, body in module_inputs.items() if "default" in body}
    assert with_defaults - keys == set(OUTBOUND_INPUTS_NOT_IN_THE_BLOCK)

    description = _block(_hcl(root / "variables.tf"), "variable", "outbound")["description"]
    assert {key for key in keys if not re.search(rf"\b{key}\b", description)} == set()
    section = (REPO / "docs" / "deployment.md").read_text(encoding="utf-8")
    section = section.split("## Outbound call jobs", 1)[1].split("\n## ", 1)[0]
    assert set(re.findall(r"^\| `([a-z_]+)` \|", section, re.MULTILINE)) == keys
