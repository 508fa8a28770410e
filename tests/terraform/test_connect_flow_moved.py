"""States written before connect_flow and connect_flow_module were merged plan no replacements.

The merged ``modules/connect_flow`` counts its two resources (a flow or a flow
module, picked by ``type``); its ``moved`` blocks carry the old, uncounted
addresses over. The test applies a root built on the old layout with the stand-in
provider, points the same module calls at the merged module, and plans: every
object moves, nothing is created or destroyed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from callguard_tools.tfkit import launcher
from callguard_tools.tfkit.paths import repo_root

_DOC = json.dumps({"Version": "2019-10-30", "StartAction": "a", "Actions": []})
_INSTANCE = "0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"

_VARIABLES = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 6.66" }
  }
}
variable "instance_id" { type = string }
variable "name" { type = string }
variable "content" { type = string }
variable "type" { type = string }
"""

_OLD_FLOW = (
    _VARIABLES
    + """
resource "aws_connect_contact_flow" "this" {
  instance_id = var.instance_id
  name        = var.name
  type        = var.type
  content     = var.content
}
"""
)

_OLD_FLOW_MODULE = (
    _VARIABLES
    + """
resource "aws_connect_contact_flow_module" "this" {
  instance_id = var.instance_id
  name        = var.name
  content     = var.content
}
"""
)


def _root(flow_source: str, module_source: str) -> str:
    return f"""
terraform {{
  required_providers {{
    aws = {{ source = "hashicorp/aws", version = "6.66.0" }}
  }}
}}
provider "aws" {{
  region = "eu-west-2"
}}
module "flow" {{
  source      = "{flow_source}"
  instance_id = "{_INSTANCE}"
  name        = "inbound"
  type    = "CONTACT_FLOW"
  content = {json.dumps(_DOC)}
}}
module "check" {{
  source      = "{module_source}"
  instance_id = "{_INSTANCE}"
  name        = "check-caller"
  type    = "FLOW_MODULE"
  content = {json.dumps(_DOC)}
}}
"""


def _run(args: list[str], cwd: Path) -> str:
    proc = launcher.run(args, cwd=cwd)
    assert proc.returncode == 0, proc.stderr or proc.stdout
    return proc.stdout


def test_old_addresses_move_into_the_merged_module(tmp_path: Path) -> None:
    launcher.install()
    for name, text in (("old_flow", _OLD_FLOW), ("old_flow_module", _OLD_FLOW_MODULE)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(text, encoding="utf-8")
    (tmp_path / "merged").symlink_to(repo_root() / "modules" / "connect_flow")
    main = tmp_path / "main.tf"
    main.write_text(_root("./old_flow", "./old_flow_module"), encoding="utf-8")
    _run(["init", "-input=false", "-no-color"], tmp_path)
    _run(["apply", "-auto-approve", "-input=false", "-lock=false", "-no-color"], tmp_path)

    main.write_text(_root("./merged", "./merged"), encoding="utf-8")
    _run(["get", "-no-color"], tmp_path)  # modules only: the provider is already set up
    _run(["plan", "-input=false", "-lock=false", "-no-color", "-out=tfplan"], tmp_path)
    plan: dict[str, Any] = json.loads(_run(["show", "-json", "-no-color", "tfplan"], tmp_path))

    changes = {c["address"]: c for c in plan["resource_changes"]}
    moved = {a: c.get("previous_address") for a, c in changes.items()}
    assert moved == {
        "module.flow.aws_connect_contact_flow.this[0]": "module.flow.aws_connect_contact_flow.this",
        "module.check.aws_connect_contact_flow_module.this[0]": (
            "module.check.aws_connect_contact_flow_module.this"
        ),
    }
    actions = {a: c["change"]["actions"] for a, c in changes.items()}
    assert all("create" not in act and "delete" not in act for act in actions.values()), actions
