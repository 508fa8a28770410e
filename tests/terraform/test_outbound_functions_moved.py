"""States written before the in-call functions got their own module call plan no replacements.

Up to f40741b, ``modules/outbound`` built all twelve functions in ``module.functions``;
b4d2f72 moved the five the contact flow invokes to ``module.call_functions`` (one
call would be a cycle: the flow names them and the dialer's policy names the flow)
and added a ``moved`` block for each. The test applies the current module as the
roots call it (``count``, so the addresses are ``module.outbound[0]...``) with its own
``contact_flow_id`` (as f40741b required), moves the five function modules in the
state back to their f40741b addresses (``terraform state mv``), and plans twice from
that state: keeping the own flow, and dropping it as dev did in b4d2f72 (the bots and
the flow are then created). Every managed object of the five function modules
(function, role, role policy, log group, Connect permission) must be reported as
moved from its old address; neither plan deletes anything or creates a function.
What it does not cover: attribute changes between f40741b and now (the state holds
today's values), which the plan tests of the current module cover.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from plan_helpers import write_stand_in_zip

from callguard_tools.tfkit import launcher
from callguard_tools.tfkit.paths import repo_root

REPO = repo_root()
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


def _old_address(new: str) -> str:
    return new.replace("module.call_functions[", "module.functions[")


@pytest.fixture(scope="module")
def upgrade(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A state with the f40741b addresses; the current module planned over it, both ways."""
    directory = tmp_path_factory.mktemp("outbound-moved")
    launcher.install()
    write_stand_in_zip(directory / "callguard-outbound.zip")
    (directory / "new").symlink_to(REPO)
    (directory / "main.tf").write_text(_root(NEW_SOURCE), encoding="utf-8")
    _run(["init", "-input=false", "-no-color"], directory)
    _run(["apply", "-auto-approve", "-input=false", "-lock=false", "-no-color"], directory)
    for key in IN_CALL:  # back to where f40741b kept them
        new = f'{PREFIX}module.call_functions["{key}"]'
        _run(["state", "mv", "-lock=false", "-no-color", new, _old_address(new)], directory)
    return {
        "old_state": _run(["state", "list"], directory).split(),
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
