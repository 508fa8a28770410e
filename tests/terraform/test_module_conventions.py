"""Every module follows the conventions tflint and terraform-aws-modules check.

tflint cannot be installed here, so these apply the rules of its
``terraform_documented_variables``, ``terraform_typed_variables`` and
``terraform_standard_module_structure`` checks directly to the parsed HCL of every
module, and the provider-version convention: a reusable module states a minimum
(``>=``) so callers can compose it under their own pin; only the roots pin exactly.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import hcl2
import pytest

from callguard_tools.tfkit.paths import repo_root

REPO = repo_root()
MODULES = sorted(d for d in (REPO / "modules").iterdir() if any(d.glob("*.tf")))
ROOT_VERSIONS = REPO / "terraform" / "shared" / "versions.tf"


def _blocks(directory: Path) -> dict[str, dict[str, Any]]:
    """Return file name -> parsed HCL for every ``.tf`` file of a module."""
    parsed: dict[str, dict[str, Any]] = {}
    for tf_file in sorted(directory.glob("*.tf")):
        with tf_file.open(encoding="utf-8") as handle:
            parsed[tf_file.name] = hcl2.load(handle)
    return parsed


def _text(value: Any) -> str:
    """Return an HCL string attribute's text (python-hcl2 keeps the quotes)."""
    return str(value or "").strip().removeprefix('"').removesuffix('"').strip()


def _variables(directory: Path) -> dict[str, dict[str, Any]]:
    return {
        name.strip('"'): body
        for block in _blocks(directory).get("variables.tf", {}).get("variable", [])
        for name, body in block.items()
        if isinstance(body, dict)
    }


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_standard_module_structure(module: Path) -> None:
    files = _blocks(module)
    for required in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
        assert required in files, f"{module.name} has no {required}"
    misplaced = [
        f"{kind} in {name}"
        for name, document in files.items()
        for kind, home in (("variable", "variables.tf"), ("output", "outputs.tf"))
        if document.get(kind) and name != home
    ]
    assert misplaced == [], f"{module.name}: {misplaced}"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_every_variable_is_typed_and_documented(module: Path) -> None:
    variables = _variables(module)
    assert variables, f"{module.name} declares no variables"
    untyped = sorted(n for n, body in variables.items() if "type" not in body)
    undocumented = sorted(n for n, body in variables.items() if not _text(body.get("description")))
    assert untyped == [], f"{module.name}: variables without a type: {untyped}"
    assert undocumented == [], f"{module.name}: variables without a description: {undocumented}"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_every_output_is_documented(module: Path) -> None:
    outputs = [
        (name, body)
        for block in _blocks(module).get("outputs.tf", {}).get("output", [])
        for name, body in block.items()
        if isinstance(body, dict)
    ]
    undocumented = [n for n, body in outputs if not _text(body.get("description"))]
    assert undocumented == [], f"{module.name}: outputs without a description: {undocumented}"


def _provider_pins(versions_tf: Path) -> dict[str, str]:
    with versions_tf.open(encoding="utf-8") as handle:
        terraform = hcl2.load(handle)["terraform"][0]
    return {
        name: _text(spec["version"])
        for block in terraform.get("required_providers", [])
        for name, spec in block.items()
        if isinstance(spec, dict)
    }


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_modules_state_minimum_provider_versions(module: Path) -> None:
    pins = _provider_pins(module / "versions.tf")
    assert pins
    not_minimum = {n: v for n, v in pins.items() if not v.startswith(">=")}
    assert not_minimum == {}, f"{module.name} pins instead of stating a minimum: {not_minimum}"


def test_roots_pin_provider_versions_exactly() -> None:
    pins = _provider_pins(ROOT_VERSIONS)
    assert pins
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in pins.values()), pins
