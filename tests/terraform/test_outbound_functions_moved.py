"""States written before the in-call functions got their own module call plan no replacements.

Up to f40741b, ``modules/outbound`` built all twelve functions in ``module.functions``;
b4d2f72 moved the five the contact flow invokes to ``module.call_functions`` (one
call would be a cycle: the flow names them and the dialer's policy names the flow)
and added a ``moved`` block for each. The test applies a root calling the module as
it landed in f40741b (``fixtures/outbound_f40741b``, its sub-modules from the working
tree, unchanged since then), points the same module call at the current
``modules/outbound`` and plans.

It plans twice from the one state: keeping the own ``contact_flow_id`` f40741b
required, and dropping it as dev did in b4d2f72 (the bots and the flow are then
created). What it covers: the module call as the roots make it (``count``, so the
addresses are ``module.outbound[0]...``) and every managed object of the five function
modules (function, role, role policy, log group, Connect permission); neither plan
deletes anything or creates a function. What it does not: the rest of the roots, which
pass the same values through. Measured on the shared 2-core machine: about 11 s.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from plan_helpers import write_stand_in_zip

from callguard_tools.tfkit import launcher
from callguard_tools.tfkit.paths import repo_root

REPO = repo_root()
OLD_COMMIT = "f40741b"
OLD_MODULE = Path(__file__).parent / "fixtures" / "outbound_f40741b"
IN_CALL = ("call_step", "record_answer", "finish_call", "opt_out", "answer_check")
PREFIX = "module.outbound[0]."
NEW_SOURCE = "./new/modules/outbound"
KEY_ARN = "arn:aws:kms:eu-west-2:111122223333:key/0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
TABLE_ARN = "arn:aws:dynamodb:eu-west-2:111122223333:table/callguard-dev-denylist"
FLOW_ID = "2f3e4d5c-6b7a-4c8d-9e0f-1a2b3c4d5e6f"


def _root(source: str, own_flow: bool = True) -> str:
    flow = f'contact_flow_id = "{FLOW_ID}"' if own_flow else "# no contact_flow_id: built"
    return f"""
terraform {{
  required_providers {{
    aws   = {{ source = "hashicorp/aws", version = "6.66.0" }}
    awscc = {{ source = "hashicorp/awscc", version = "1.106.0" }}
  }}
}}
provider "aws" {{
  region = "eu-west-2"
}}
provider "awscc" {{
  region = "eu-west-2"
}}
module "outbound" {{
  source = "{source}"
  count  = 1

  name_prefix            = "callguard-dev"
  region                 = "eu-west-2"
  account_id             = "111122223333"
  kms_key_arn            = "{KEY_ARN}"
  log_group_prefix       = "/callguard/callguard-dev/"
  denylist_table_name    = "callguard-dev-denylist"
  denylist_table_arn     = "{TABLE_ARN}"
  lambda_zip_path        = "${{path.root}}/callguard-outbound.zip"
  instance_id            = "0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
  source_phone_number    = "+442079460000"
  source_phone_number_id = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
  {flow}

  functions = {{
    runtime               = "python3.13"
    architecture          = "arm64"
    log_retention_in_days = 365
  }}
}}
"""


def _run(args: list[str], cwd: Path) -> str:
    proc = launcher.run(args, cwd=cwd)
    assert proc.returncode == 0, proc.stderr or proc.stdout
    return proc.stdout


def _old_layout(base: Path) -> str:
    """Lay out the f40741b module beside the sub-modules it calls; return its source."""
    modules = base / "old" / "modules"
    shutil.copytree(OLD_MODULE, modules / "outbound", ignore=shutil.ignore_patterns("*.md"))
    for module in (REPO / "modules").iterdir():
        if module.name != "outbound":
            (modules / module.name).symlink_to(module)
    return "./old/modules/outbound"


def _new_address(old: str) -> str:
    for key in IN_CALL:
        old = old.replace(f'module.functions["{key}"].', f'module.call_functions["{key}"].')
    return old


def _plan(directory: Path, own_flow: bool) -> dict[str, Any]:
    (directory / "main.tf").write_text(_root(NEW_SOURCE, own_flow), encoding="utf-8")
    plan_file = f"{'own' if own_flow else 'built'}.tfplan"
    _run(["plan", "-input=false", "-lock=false", "-no-color", f"-out={plan_file}"], directory)
    shown: dict[str, Any] = json.loads(_run(["show", "-json", "-no-color", plan_file], directory))
    return shown


@pytest.fixture(scope="module")
def upgrade(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The f40741b layout applied; the current module planned over it, both ways."""
    directory = tmp_path_factory.mktemp("outbound-moved")
    launcher.install()
    write_stand_in_zip(directory / "callguard-outbound.zip")
    (directory / "main.tf").write_text(_root(_old_layout(directory)), encoding="utf-8")
    _run(["init", "-input=false", "-no-color"], directory)
    _run(["apply", "-auto-approve", "-input=false", "-lock=false", "-no-color"], directory)
    old_state = _run(["state", "list"], directory).split()

    (directory / "new").symlink_to(REPO)
    (directory / "main.tf").write_text(_root(NEW_SOURCE), encoding="utf-8")
    _run(["get", "-no-color"], directory)  # modules only: the providers are already set up
    return {
        "old_state": old_state,
        "own_flow": _plan(directory, own_flow=True),
        "built_flow": _plan(directory, own_flow=False),
    }


@pytest.mark.parametrize("variant", ["own_flow", "built_flow"])
def test_in_call_functions_move_to_their_own_module_call(
    upgrade: dict[str, Any], variant: str
) -> None:
    """Kept own flow (as f40741b required), or dropped as dev did in b4d2f72."""
    old_state: list[str] = upgrade["old_state"]
    moving = [  # managed objects only: data sources are read again, not moved
        a
        for a in old_state
        if any(a.startswith(f'{PREFIX}module.functions["{key}"].') for key in IN_CALL)
        and ".data." not in a
    ]
    assert len([a for a in moving if a.endswith(".aws_lambda_function.this")]) == len(IN_CALL)
    changes = upgrade[variant]["resource_changes"]

    moved = {c["previous_address"]: c["address"] for c in changes if "previous_address" in c}
    assert moved == {old: _new_address(old) for old in moving}
    actions = {c["address"]: c["change"]["actions"] for c in changes}
    assert {
        a: actions[a] for a in moved.values() if actions[a] not in (["no-op"], ["update"])
    } == {}
    assert [a for a, act in actions.items() if "delete" in act] == []
    function_modules = (f"{PREFIX}module.functions[", f"{PREFIX}module.call_functions[")
    assert [
        a for a, act in actions.items() if a.startswith(function_modules) and "create" in act
    ] == []
    lambdas = {
        c["address"]: c["change"]["actions"] for c in changes if c["type"] == "aws_lambda_function"
    }
    assert len(lambdas) == len([a for a in old_state if a.endswith(".aws_lambda_function.this")])
    assert all(act in (["no-op"], ["update"]) for act in lambdas.values()), lambdas


#: sha256 of each file as ``git show f40741b:modules/outbound/<file>`` prints it, taken
#: when the fixture was copied: CI clones one commit, so the history is not at hand.
LANDED_SHA256 = {
    "main.tf": "e0e0eb281085ad9e14b0b729b4ca743f7e222877f12a5e3dcd1db913bbed024a",
    "variables.tf": "45a73d66a38af0a44ac8d517402349f04672e162e75432d64a95472a3f937dcf",
    "outputs.tf": "acd7211078cf36725b22905070bfb6b21723f3342ad6181e161306417bb91b87",
    "versions.tf": "3c4a44efab0f074cbf532c0e9a63cb64fec29eaff8d22a7e82555bcb645d11bc",
}


@pytest.mark.parametrize("name", sorted(LANDED_SHA256))
def test_the_old_module_is_the_landed_one(name: str) -> None:
    """The fixture is byte for byte what landed: an edited copy would test nothing real."""
    digest = hashlib.sha256((OLD_MODULE / name).read_bytes()).hexdigest()
    assert digest == LANDED_SHA256[name]
