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
    # Production needs a deliberate trigger (typed phrase), never a push alone.
    assert "push" not in jobs["apply-prod"]["if"]
    assert "github.event_name == 'workflow_dispatch'" in jobs["apply-prod"]["if"]
    assert "inputs.confirm_prod == 'apply prod'" in jobs["apply-prod"]["if"]
    dispatch = _triggers(_load("terraform.yml"))["workflow_dispatch"]
    assert dispatch["inputs"]["confirm_prod"]["default"] == ""
    assert jobs["apply-dev"]["with"] == {"env": "dev"}
    assert jobs["apply-prod"]["with"] == {"env": "prod"}
    assert jobs["apply-prod"]["needs"] == "apply-dev"

    apply = _load("terraform-apply.yml")["jobs"]["apply"]
    assert apply["environment"] == "${{ inputs.env }}"
    script = next(s["run"] for s in apply["steps"] if s.get("name") == "terraform apply")
    assert "apply -input=false tfplan" in script


def test_plans_assume_the_read_only_plan_role() -> None:
    """Pull-request plans run the pull request's code: never with the apply role."""
    plan = _load("terraform.yml")["jobs"]["plan"]
    credentials = next(s for s in plan["steps"] if "configure-aws-credentials" in s.get("uses", ""))
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_PLAN_ROLE_ARN }}"
    apply = _load("terraform-apply.yml")["jobs"]["apply"]
    credentials = next(
        s for s in apply["steps"] if "configure-aws-credentials" in s.get("uses", "")
    )
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"


_PINNED = re.compile(r"^\s*-?\s*uses:\s*([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+$")


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_third_party_actions_are_pinned_by_commit_sha(path: Path) -> None:
    """A moving tag can be re-pointed at other code; a commit SHA cannot."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if "uses:" not in line or "uses: ./" in line:
            continue
        assert _PINNED.match(line), f"{path.name}:{number}: pin by SHA with the tag: {line.strip()}"
