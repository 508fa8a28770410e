"""The demo's Terraform step: validate and plan an environment root offline, then summarise.

The plan is more than a printout here: the demo's simulated functions run with
the environment variables Terraform plans for the real ones (table name, fail
mode, flag mode, default country), so the calls that follow exercise the
configuration that would be deployed, not a separate demo configuration.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from callguard_tools.tfkit import api
from callguard_tools.tfkit.paths import repo_root

#: The handler whose planned environment the demo's functions use.
CHECK_HANDLER = "callguard.handlers.check_number.handler"


@dataclass(frozen=True)
class PlanSummary:
    """What the demo reports about an offline plan, and what it reuses from it."""

    env: str
    valid: bool
    messages: tuple[str, ...]
    actions: Mapping[str, int] = field(default_factory=dict)
    resource_types: Mapping[str, int] = field(default_factory=dict)
    function_environment: Mapping[str, str] = field(default_factory=dict)
    planned_flows: Mapping[str, str] = field(default_factory=dict)
    plan_json: str = ""

    @property
    def ok(self) -> bool:
        """Return True when the root validated and a plan was made."""
        return self.valid and bool(self.actions)

    def headline(self) -> str:
        """Return Terraform's one-line summary, e.g. ``Plan: 29 to add, 0 to change, ...``."""
        return (
            f"Plan: {self.actions.get('create', 0)} to add, "
            f"{self.actions.get('update', 0)} to change, "
            f"{self.actions.get('delete', 0)} to destroy."
        )

    def lines(self) -> list[str]:
        """Readable lines for the demo transcript."""
        if not self.valid:
            return ["terraform validate failed:", *self.messages]
        if not self.actions:
            return ["terraform plan failed:", *self.messages]
        lines = [f"terraform validate: terraform/environments/{self.env} is valid", self.headline()]
        for resource_type, count in sorted(self.resource_types.items()):
            lines.append(f"  {count:>2} x {resource_type}")
        if self.plan_json:
            lines.append(f"saved plan JSON: {self.plan_json}")
        return lines


def _count_actions(changes: list[Mapping[str, Any]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for change in changes:
        # A replacement is ["delete", "create"]: one add and one destroy, as Terraform counts.
        actions = change.get("change", {}).get("actions", [])
        counts.update(action for action in actions if action not in ("no-op", "read"))
    return counts


def _function_environment(changes: list[Mapping[str, Any]]) -> dict[str, str]:
    """Return the check function's planned environment ({} when it is not in the plan)."""
    for change in changes:
        after = change.get("change", {}).get("after") or {}
        if change.get("type") == "aws_lambda_function" and after.get("handler") == CHECK_HANDLER:
            blocks = after.get("environment") or [{}]
            variables = blocks[0].get("variables") or {}
            return {str(k): str(v) for k, v in variables.items()}
    return {}


def _planned_flows(changes: list[Mapping[str, Any]]) -> dict[str, str]:
    """Return the flow contents Terraform knows at plan time (those naming no new ARN)."""
    flows: dict[str, str] = {}
    for change in changes:
        after = change.get("change", {}).get("after") or {}
        if change.get("type") == "aws_connect_contact_flow" and isinstance(
            after.get("content"), str
        ):
            flows[str(change.get("address"))] = after["content"]
    return flows


def summarize(env: str, plan: Mapping[str, Any], plan_json: str = "") -> PlanSummary:
    """Summarise a ``terraform show -json`` plan."""
    changes = [c for c in plan.get("resource_changes", []) if c.get("mode") == "managed"]
    return PlanSummary(
        env=env,
        valid=True,
        messages=(),
        actions=dict(_count_actions(changes)),
        resource_types=dict(Counter(str(c.get("type")) for c in changes)),
        function_environment=_function_environment(changes),
        planned_flows=_planned_flows(changes),
        plan_json=plan_json,
    )


def validate_and_plan(env: str = "dev") -> PlanSummary:
    """Validate the environment root, then plan it against the stand-in provider."""
    try:
        root = api.environment_root(env)
        checked = api.validate_dir(root)
        if not checked.ok:
            return PlanSummary(env, False, tuple(checked.message.splitlines()))
        planned = api.plan_offline(env)
    except (api.TfkitError, OSError) as error:
        return PlanSummary(env, True, tuple(str(error).splitlines()))
    try:
        shown = str(planned.json_path.resolve().relative_to(repo_root().resolve()))
    except ValueError:
        shown = str(planned.json_path)
    return summarize(env, planned.plan, shown)
