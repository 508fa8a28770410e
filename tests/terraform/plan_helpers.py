"""Plans of the environment roots against the stand-in provider, and ways to read them.

The roots are planned offline exactly as ``make plan-offline`` does (through
:mod:`callguard_tools.tfkit.api`), with their committed ``terraform.tfvars`` and a
small stand-in deployment package, so these tests do not depend on ``make build``.
Everything here reads Terraform's own ``show -json`` output: what would be sent to
AWS, not what the HCL looks like.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from callguard_tools.tfkit import api, launcher

ENVIRONMENTS = ("dev", "prod")

#: Where every per-instance resource lives in a root's plan.
INSTANCE_PREFIX = 'module.callguard.module.instances["{key}"].'


@dataclass(frozen=True)
class Wildcard:
    """One place where a policy must use ``*``, and why AWS leaves no choice."""

    resource_type: str
    sid: str
    field: str
    reason: str


#: Every ``*`` a policy in the plan may contain. Anything else fails the IAM test.
ALLOWED_WILDCARDS: tuple[Wildcard, ...] = (
    Wildcard(
        "aws_iam_role_policy",
        "SendTaskOutcome",
        "Resource",
        "states:SendTaskSuccess/SendTaskFailure list only the activity resource type; "
        "tokens of .waitForTaskToken service integrations match no ARN, so AWS accepts only '*'.",
    ),
    Wildcard(
        "aws_iam_role_policy",
        "PlaceOutboundCalls",
        "Resource",
        "StartOutboundVoiceContact requires the contact resource type and the contact "
        "does not exist yet: '<instance ARN>/contact/*' names this instance's contacts only.",
    ),
    Wildcard(
        "aws_iam_role_policy",
        "StopJobs",
        "Resource",
        "Executions are named at run time: 'execution:<state machine>:*' is this machine's only.",
    ),
    Wildcard(
        "aws_iam_role_policy",
        "ManageMapChildren",
        "Resource",
        "Distributed Map child executions are named at run time under this state machine's name.",
    ),
    Wildcard(
        "aws_iam_role_policy",
        "DeliverLogs",
        "Resource",
        "Step Functions log delivery (logs:CreateLogDelivery and friends) has no resource types.",
    ),
    Wildcard(
        "aws_iam_role_policy",
        "ReadUploads",
        "Resource",
        "Upload object keys are chosen by users: '<uploads bucket ARN>/*'.",
    ),
    Wildcard(
        "aws_iam_role_policy",
        "WriteReports",
        "Resource",
        "Report keys are per job: '<reports bucket ARN>/*'.",
    ),
    Wildcard(
        "aws_iam_role_policy",
        "ReadWriteWorkItems",
        "Resource",
        "Work items live under the jobs/ prefix: '<work bucket ARN>/jobs/*'.",
    ),
    Wildcard(
        "aws_iam_role_policy",
        "ReadJobs",
        "Resource",
        "Normalised jobs live under the jobs/ prefix: '<work bucket ARN>/jobs/*'.",
    ),
    Wildcard(
        "aws_iam_role_policy",
        "WriteXRayTraces",
        "Resource",
        "xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level "
        "permissions; IAM only accepts Resource '*' for them.",
    ),
    Wildcard(
        "aws_iam_role_policy",
        "WriteOwnLogGroup",
        "Resource",
        "Lambda names a log stream per execution environment at run time; "
        "'<own log group ARN>:log-stream:*' is the narrowest ARN that covers them.",
    ),
    Wildcard(
        "aws_kms_key",
        "EnableIamPoliciesOfThisAccount",
        "Resource",
        "In a key policy, Resource '*' means 'this key'; no other value is accepted.",
    ),
    Wildcard(
        "aws_iam_role_policy",
        "ReadDenyListStream",
        "Resource",
        "A table's stream ARN ends in a label that changes whenever the stream is "
        "re-enabled; '<table ARN>/stream/*' names this table's streams only.",
    ),
    Wildcard(
        "aws_iam_role_policy",
        "WriteAuditLogGroup",
        "Resource",
        "The audit function creates its own log stream per container at run time; "
        "'<audit log group ARN>:log-stream:*' is the narrowest ARN that covers them.",
    ),
    Wildcard(
        "aws_kms_key",
        "EnableIamPoliciesOfThisAccount",
        "Action",
        "AWS's default key statement: the account root gets kms:* so that IAM policies "
        "decide access and the key can never become unmanageable.",
    ),
    Wildcard(
        "aws_kms_key",
        "AllowCloudWatchLogsForCallguardLogGroups",
        "Resource",
        "In a key policy, Resource '*' means 'this key'; the encryption-context "
        "condition limits it to callguard's log groups.",
    ),
)


def write_stand_in_zip(path: Path) -> Path:
    """Write a tiny deployment package at ``path`` for plans that only hash it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("callguard/__init__.py", '"""Stand-in package for offline plans."""\n')
    # The outbound engine's package sits next to the main one (terraform/shared/main.tf).
    if path.name == "callguard.zip":
        write_stand_in_zip(path.with_name("callguard-outbound.zip"))
    return path


# ------------------------------------------------------------------ reading a plan


def planned_resources(plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return every managed resource in ``planned_values``, child modules included."""
    found: list[dict[str, Any]] = []

    def walk(module: Mapping[str, Any]) -> None:
        found.extend(r for r in module.get("resources", []) if r.get("mode") == "managed")
        for child in module.get("child_modules", []):
            walk(child)

    walk(plan["planned_values"]["root_module"])
    return found


def without_module(plan: Mapping[str, Any], address: str) -> dict[str, Any]:
    """Return ``plan`` with the module at ``address`` (and its children) left out.

    For tests about one part of a root (the deny list) that count or inspect every
    resource of a type: another part (the outbound engine) has its own tests.
    """

    def prune(module: Mapping[str, Any]) -> dict[str, Any]:
        children = [
            prune(child)
            for child in module.get("child_modules", [])
            if not (child["address"] == address or child["address"].startswith(address + "["))
        ]
        return {**module, "child_modules": children}

    planned = {
        **plan["planned_values"],
        "root_module": prune(plan["planned_values"]["root_module"]),
    }
    changes = [
        change
        for change in plan.get("resource_changes", [])
        if not change["address"].startswith((address + ".", address + "["))
    ]
    return {**plan, "planned_values": planned, "resource_changes": changes}


def of_type(plan: Mapping[str, Any], resource_type: str) -> list[dict[str, Any]]:
    """Return the planned resources of one type."""
    return [r for r in planned_resources(plan) if r["type"] == resource_type]


def only(plan: Mapping[str, Any], resource_type: str) -> dict[str, Any]:
    """Return the single planned resource of ``resource_type`` (fail if not exactly one)."""
    matches = of_type(plan, resource_type)
    assert len(matches) == 1, f"expected one {resource_type}, got {[r['address'] for r in matches]}"
    return matches[0]


def root_variable(plan: Mapping[str, Any], name: str) -> Any:
    """Return the value the root variable ``name`` had in this plan."""
    return plan["variables"][name]["value"]


def instance_keys(plan: Mapping[str, Any]) -> list[str]:
    """Return the keys of ``connect_instances`` the plan was made with."""
    return sorted(root_variable(plan, "connect_instances"))


def instance_arn(plan: Mapping[str, Any], key: str) -> str:
    """Return the Connect instance ARN the root builds for ``key``."""
    instance = root_variable(plan, "connect_instances")[key]
    return (
        f"arn:{root_variable(plan, 'aws_partition')}:connect:"
        f"{root_variable(plan, 'aws_region')}:{root_variable(plan, 'aws_account_id')}:"
        f"instance/{instance['instance_id']}"
    )


def changed_addresses(plan: Mapping[str, Any]) -> dict[str, list[str]]:
    """Return address -> actions for every resource change that is not a no-op."""
    return {
        change["address"]: change["change"]["actions"]
        for change in plan.get("resource_changes", [])
        if change["change"]["actions"] not in (["no-op"], ["read"])
    }


def policy_documents(plan: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield (address, resource type, parsed document) for every policy in the plan.

    Role inline policies, trust policies and KMS key policies are all JSON strings
    built with ``jsonencode()``; a policy that is unknown until apply would escape
    the check, so that fails here too.
    """
    fields = {
        "aws_iam_role_policy": "policy",
        "aws_iam_role": "assume_role_policy",
        "aws_kms_key": "policy",
    }
    for resource in planned_resources(plan):
        field = fields.get(resource["type"])
        if field is None:
            continue
        text = resource["values"].get(field)
        assert isinstance(text, str), f"{resource['address']}.{field} is unknown at plan time"
        yield resource["address"], resource["type"], json.loads(text)


def as_list(value: Any) -> list[Any]:
    """Return an IAM field (string or list) as a list."""
    return value if isinstance(value, list) else [value]


def wildcard_allowed(resource_type: str, sid: str, field: str) -> bool:
    """Return True when ``ALLOWED_WILDCARDS`` lists this statement field."""
    return any(
        w.resource_type == resource_type and w.sid == sid and w.field == field
        for w in ALLOWED_WILDCARDS
    )


# ------------------------------------------------------------------ making plans


#: The outbound call engine's module in a root. Plans made here leave it out unless
#: asked (``with_outbound=True``): the deny-list tests count and inspect every resource
#: of a type, and dev's committed tfvars switch the outbound block on, so without this
#: view every such test would have to know about the outbound tables, alarms and roles.
#: tests/terraform/test_outbound_plan.py asks for the whole plan.
OUTBOUND_MODULE = "module.outbound"


def deny_list_view(plan: Mapping[str, Any], with_outbound: bool = False) -> dict[str, Any]:
    """Return ``plan`` as the deny-list tests read it (whole when ``with_outbound``)."""
    return dict(plan) if with_outbound else without_module(plan, OUTBOUND_MODULE)


def plan_environment(
    env: str,
    out_dir: Path,
    zip_path: Path,
    variables: Mapping[str, Any] | None = None,
    with_outbound: bool = False,
) -> dict[str, Any]:
    """Plan ``terraform/environments/<env>`` offline with its tfvars plus ``variables``."""
    merged = {"lambda_zip_path": str(zip_path), **(variables or {})}
    return deny_list_view(api.plan_offline(env, merged, out_dir=out_dir).plan, with_outbound)


def _run(args: list[str], cwd: Path) -> str:
    proc = launcher.run(args, cwd=cwd)
    if proc.returncode != 0:
        raise AssertionError(f"terraform {args[0]} failed:\n{proc.stderr}\n{proc.stdout[-2000:]}")
    return proc.stdout


def _var_args(variables: Mapping[str, Any]) -> list[str]:
    return [
        f"-var={name}={value if isinstance(value, str) else json.dumps(value)}"
        for name, value in variables.items()
    ]


@dataclass
class Deployed:
    """An environment root applied with the stand-in provider into a local state.

    Its plans start from that state, as an operator's next ``make plan`` would: every
    value the provider computes (ARNs, ids) is known, and only edits show as changes.
    """

    env: str
    directory: Path
    zip_path: Path
    plans: int = 0

    @classmethod
    def apply(cls, env: str, work: Path, zip_path: Path) -> Deployed:
        """Lay out ``env`` under ``work``, init it and apply its committed tfvars."""
        directory = api.offline_root(api.environment_root(env), work)
        deployed = cls(env, directory, zip_path)
        _run(["init", "-input=false", "-no-color"], directory)
        _run(
            [
                "apply",
                "-auto-approve",
                "-input=false",
                "-lock=false",
                "-no-color",
                *_var_args(deployed.variables()),
            ],
            directory,
        )
        return deployed

    def variables(self, changed: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Return the -var values: the stand-in zip plus ``changed``."""
        return {"lambda_zip_path": str(self.zip_path), **(changed or {})}

    def plan(
        self, changed: Mapping[str, Any] | None = None, with_outbound: bool = False
    ) -> dict[str, Any]:
        """Plan against the applied state with ``changed`` variables; return the plan JSON.

        The outbound module is left out unless ``with_outbound`` (see ``OUTBOUND_MODULE``).
        """
        self.plans += 1
        plan_file = self.directory / f"next-{self.plans}.tfplan"
        _run(
            [
                "plan",
                "-input=false",
                "-lock=false",
                "-no-color",
                f"-out={plan_file}",
                *_var_args(self.variables(changed)),
            ],
            self.directory,
        )
        shown: dict[str, Any] = json.loads(
            _run(["show", "-json", "-no-color", str(plan_file)], self.directory)
        )
        return deny_list_view(shown, with_outbound)


# ------------------------------------------------------------------ fixtures
#
# Several test modules import these fixtures, and pytest gives each importing module
# its own copy of a run-wide fixture; the memo below makes every copy share one plan
# (and one apply) per environment for the whole test run.

_MADE: dict[str, Any] = {}


def _memo(key: str, make: Callable[[], Any]) -> Any:
    if key not in _MADE:
        _MADE[key] = make()
    return _MADE[key]


@pytest.fixture(scope="session")
def stand_in_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small zip that stands in for build/lambda/callguard.zip."""
    path: Path = _memo(
        "zip", lambda: write_stand_in_zip(tmp_path_factory.mktemp("zip") / "callguard.zip")
    )
    return path


@pytest.fixture(scope="session")
def root_plans(
    tmp_path_factory: pytest.TempPathFactory, stand_in_zip: Path
) -> dict[str, dict[str, Any]]:
    """The offline plan of every environment root, made once per test run (deny-list view)."""
    plans: dict[str, dict[str, Any]] = _memo(
        "root_plans",
        lambda: {
            env: plan_environment(env, tmp_path_factory.mktemp(f"plan-{env}"), stand_in_zip)
            for env in ENVIRONMENTS
        },
    )
    return plans


@pytest.fixture(scope="session")
def deployed_roots(
    tmp_path_factory: pytest.TempPathFactory, stand_in_zip: Path
) -> dict[str, Deployed]:
    """Every environment root applied once per test run with the stand-in provider."""
    roots: dict[str, Deployed] = _memo(
        "deployed_roots",
        lambda: {
            env: Deployed.apply(env, tmp_path_factory.mktemp(f"deployed-{env}"), stand_in_zip)
            for env in ENVIRONMENTS
        },
    )
    return roots


def _whole_deployed_plans(deployed_roots: dict[str, Deployed]) -> dict[str, dict[str, Any]]:
    plans: dict[str, dict[str, Any]] = _memo(
        "whole_deployed_plans",
        lambda: {env: d.plan(with_outbound=True) for env, d in deployed_roots.items()},
    )
    return plans


@pytest.fixture(scope="session")
def whole_deployed_plans(deployed_roots: dict[str, Deployed]) -> dict[str, dict[str, Any]]:
    """The no-change plan of every deployed root, outbound module included."""
    return _whole_deployed_plans(deployed_roots)


@pytest.fixture(scope="session")
def deployed_plans(deployed_roots: dict[str, Deployed]) -> dict[str, dict[str, Any]]:
    """The no-change plan of every deployed root (all computed values known), deny-list view."""
    whole = _whole_deployed_plans(deployed_roots)
    return {env: deny_list_view(plan) for env, plan in whole.items()}
