"""The shipped GitHub Actions pipeline plans with OIDC and applies prod only after dev.

These read the workflow files as data: the properties a reviewer would check by eye
(no stored keys, least-privilege token, saved plan applied as reviewed, prod behind
its environment, no expression injection into shell scripts).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from callguard_tools.tfkit.paths import repo_root

WORKFLOWS = repo_root() / ".github" / "workflows"


def _load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    return document


def _triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as True.
    triggers: dict[str, Any] = workflow["on"] if "on" in workflow else workflow[True]
    return triggers


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_default_token_is_read_only(path: Path) -> None:
    workflow = _load(path.name)
    assert workflow["permissions"] == {"contents": "read"}


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_no_expression_is_pasted_into_a_shell_script(path: Path) -> None:
    for job in _load(path.name)["jobs"].values():
        for step in job.get("steps", []):
            assert not re.search(r"\$\{\{", step.get("run", "")), step.get("name")


def test_pull_requests_run_make_test() -> None:
    workflow = _load("ci.yml")
    assert "pull_request" in _triggers(workflow)
    steps = workflow["jobs"]["test"]["steps"]
    assert any(step.get("run") == "make test" for step in steps)


def test_plan_runs_per_environment_with_oidc_and_uploads_the_plan() -> None:
    plan = _load("terraform.yml")["jobs"]["plan"]
    assert plan["strategy"]["matrix"]["env"] == ["dev", "prod"]
    assert plan["permissions"] == {"contents": "read", "id-token": "write"}
    uses = [step.get("uses", "") for step in plan["steps"]]
    assert any(u.startswith("aws-actions/configure-aws-credentials@") for u in uses)
    credentials = next(s for s in plan["steps"] if "configure-aws-credentials" in s.get("uses", ""))
    assert "role-to-assume" in credentials["with"]
    assert "aws-access-key-id" not in credentials["with"]
    upload = next(
        s for s in plan["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")
    )
    assert "tfplan" in upload["with"]["path"]
    assert "build/lambda/callguard.zip" in upload["with"]["path"]


def test_apply_runs_on_main_only_dev_first_then_prod_in_its_environment() -> None:
    jobs = _load("terraform.yml")["jobs"]
    for name in ("apply-dev", "apply-prod"):
        assert "refs/heads/main" in jobs[name]["if"]
        assert jobs[name]["uses"] == "./.github/workflows/terraform-apply.yml"
    assert jobs["apply-dev"]["with"] == {"env": "dev"}
    assert jobs["apply-prod"]["with"] == {"env": "prod"}
    assert jobs["apply-prod"]["needs"] == "apply-dev"

    apply = _load("terraform-apply.yml")["jobs"]["apply"]
    assert apply["environment"] == "${{ inputs.env }}"
    script = next(s["run"] for s in apply["steps"] if s.get("name") == "terraform apply")
    assert "apply -input=false tfplan" in script


_PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_third_party_actions_are_pinned_by_commit_with_the_tag_as_comment(path: Path) -> None:
    lines = [
        line.split("uses:", 1)[1].strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if "uses:" in line and "uses: ./" not in line
    ]
    assert lines, f"{path.name} uses no action"
    unpinned = [u for u in lines if not _PINNED.match(u)]
    assert unpinned == [], f"{path.name}: pin by SHA with '# vX.Y.Z': {unpinned}"


def test_prod_is_applied_only_by_a_typed_manual_trigger_on_main() -> None:
    workflow = _load("terraform.yml")
    confirm = _triggers(workflow)["workflow_dispatch"]["inputs"]["confirm_prod"]
    assert confirm["type"] == "string"
    assert confirm["default"] == ""
    condition = workflow["jobs"]["apply-prod"]["if"]
    assert "github.event_name == 'workflow_dispatch'" in condition
    assert "inputs.confirm_prod == 'apply prod'" in condition
    assert "push" not in condition
    assert "refs/heads/main" in condition


def test_plans_assume_the_separate_read_only_plan_role() -> None:
    plan = _load("terraform.yml")["jobs"]["plan"]
    credentials = next(
        s for s in plan["steps"] if s.get("uses", "").startswith("aws-actions/configure")
    )
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_PLAN_ROLE_ARN }}"
    assert plan["environment"] == "${{ matrix.env }}-plan"
    apply = _load("terraform-apply.yml")["jobs"]["apply"]
    apply_credentials = next(
        s for s in apply["steps"] if s.get("uses", "").startswith("aws-actions/configure")
    )
    assert apply_credentials["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
