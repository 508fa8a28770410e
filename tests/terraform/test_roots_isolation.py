"""Editing one Connect instance's settings touches only that instance.

Each test starts from the dev root applied with the stand-in provider (a local
state, as after a first ``make apply``), edits ``connect_instances`` or
``settings`` the way an operator edits terraform.tfvars, and reads the next plan.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from plan_helpers import (  # noqa: F401 - fixtures are used by name
    INSTANCE_PREFIX,
    Deployed,
    changed_addresses,
    deployed_plans,
    deployed_roots,
    root_variable,
    stand_in_zip,
)

Plan = dict[str, Any]

#: The dashboard draws one line per instance, so adding or removing one redraws it.
DASHBOARD = "module.callguard.module.monitoring.aws_cloudwatch_dashboard.this"


@pytest.fixture
def dev(deployed_roots: dict[str, Deployed]) -> Deployed:  # noqa: F811
    return deployed_roots["dev"]


@pytest.fixture
def committed(deployed_plans: dict[str, Plan]) -> Plan:  # noqa: F811
    """dev's plan with its committed tfvars, after the apply."""
    return deployed_plans["dev"]


@pytest.fixture
def instances(committed: Plan) -> dict[str, Any]:
    """A private copy of dev's connect_instances, as committed."""
    return copy.deepcopy(root_variable(committed, "connect_instances"))


def _outside(plan: Plan, key: str) -> dict[str, list[str]]:
    prefix = INSTANCE_PREFIX.format(key=key)
    return {a: act for a, act in changed_addresses(plan).items() if not a.startswith(prefix)}


def test_committed_settings_plan_no_changes(committed: Plan) -> None:
    assert changed_addresses(committed) == {}


def test_new_message_and_timeout_change_only_that_instance(
    dev: Deployed, instances: dict[str, Any]
) -> None:
    key = sorted(instances)[0]
    edited = instances[key]
    edited["check_timeout_seconds"] = 6
    edited.setdefault("messages", {})["blocked"] = "This number cannot reach us. Goodbye."

    plan = dev.plan({"connect_instances": instances})

    changes = changed_addresses(plan)
    prefix = INSTANCE_PREFIX.format(key=key)
    expected = {
        f"{prefix}module.check_caller.aws_connect_contact_flow_module.this[0]": ["update"],
        f"{prefix}module.inbound_denylist.aws_connect_contact_flow.this[0]": ["update"],
    }
    if edited.get("static_blocked_numbers"):  # the static-list flow plays the same message
        expected[f"{prefix}module.inbound_static_list[0].aws_connect_contact_flow.this[0]"] = [
            "update"
        ]
    assert _outside(plan, key) == {}
    assert changes == expected


def test_fail_mode_of_one_instance_changes_only_its_check_module(
    dev: Deployed, instances: dict[str, Any]
) -> None:
    key = next(k for k, v in sorted(instances.items()) if v.get("fail_mode") != "closed")
    instances[key]["fail_mode"] = "closed"

    plan = dev.plan({"connect_instances": instances})

    prefix = INSTANCE_PREFIX.format(key=key)
    assert changed_addresses(plan) == {
        f"{prefix}module.check_caller.aws_connect_contact_flow_module.this[0]": ["update"]
    }


def test_adding_an_instance_only_creates_its_resources(
    dev: Deployed, instances: dict[str, Any]
) -> None:
    instances["branch"] = {
        "instance_id": str(uuid.UUID(int=0x1234, version=4)),
        "queue_id": str(uuid.UUID(int=0x5678, version=4)),
    }

    plan = dev.plan({"connect_instances": instances})

    changes = changed_addresses(plan)
    assert _outside(plan, "branch") == {DASHBOARD: ["update"]}
    del changes[DASHBOARD]
    assert changes and all(actions == ["create"] for actions in changes.values())
    assert len(changes) == 8  # 2 associations, 2 permissions, module, 2 flows, quick connect


def test_removing_an_instance_only_deletes_its_resources(
    dev: Deployed, instances: dict[str, Any], committed: Plan
) -> None:
    # An instance the outbound engine does not call from (removing that one is refused).
    outbound_instance = root_variable(committed, "outbound").get("instance")
    key = sorted(k for k in instances if k != outbound_instance)[-1]
    del instances[key]

    plan = dev.plan({"connect_instances": instances})

    changes = changed_addresses(plan)
    assert _outside(plan, key) == {DASHBOARD: ["update"]}
    del changes[DASHBOARD]
    assert changes and all(actions == ["delete"] for actions in changes.values())


def test_environment_setting_changes_the_functions_and_no_instance(
    dev: Deployed, committed: Plan
) -> None:
    settings = dict(root_variable(committed, "settings"))
    # block_pending only changes the functions' environment (flag_mode would also
    # add or remove the review topic: see test_review_plan.py).
    settings["block_pending"] = not settings.get("block_pending", False)

    plan = dev.plan({"settings": settings})

    changes = changed_addresses(plan)
    assert set(changes) == {
        'module.callguard.module.functions["check_number"].aws_lambda_function.this',
        'module.callguard.module.functions["flag_number"].aws_lambda_function.this',
    }
    assert all(actions == ["update"] for actions in changes.values())
