"""What agents hear after pressing the flag quick connect follows the environment's flag mode.

In block mode the caller is on the deny list at once; in review mode the number
only waits for a supervisor, so the default confirmation must not say "added to
the deny list". A message set in the tfvars wins in either mode. The plans are
of the applied roots (every ARN known), so the published flow text can be read.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from plan_helpers import (  # noqa: F401 - fixtures are used by name
    Deployed,
    deployed_plans,
    deployed_roots,
    of_type,
    stand_in_zip,
)

from callguard_tools.demo.review_steps import REVIEW_SUCCESS  # what the demo's agent hears

Plan = dict[str, Any]
BLOCK_SUCCESS = "The caller has been added to the deny list."
DEV_SETTINGS = {"default_country": "GB", "fail_mode": "open", "log_level": "DEBUG"}


def _spoken(plan: Plan) -> dict[str, set[str]]:
    """Texts of each agent-flag flow's messages, keyed by the flow's action identifiers."""
    spoken: dict[str, set[str]] = {}
    for flow in of_type(plan, "aws_connect_contact_flow"):
        if not flow["values"]["name"].endswith("-agent-flag"):
            continue
        for action in json.loads(flow["values"]["content"])["Actions"]:
            text = action.get("Parameters", {}).get("Text")
            if text is not None:
                spoken.setdefault(action["Identifier"], set()).add(text)
    assert spoken, "no agent-flag flow in the plan"
    return spoken


@pytest.fixture(scope="module")
def dev_in_review(deployed_roots: dict[str, Deployed]) -> Plan:  # noqa: F811
    return deployed_roots["dev"].plan({"settings": {**DEV_SETTINGS, "flag_mode": "review"}})


def test_block_mode_confirms_the_deny_list(deployed_plans: dict[str, Plan]) -> None:  # noqa: F811
    spoken = _spoken(deployed_plans["dev"])

    assert spoken["play-success-message"] == {BLOCK_SUCCESS}
    assert spoken["play-error-message"] == {
        "The caller could not be added to the deny list. Please add the number with the admin tool."
    }


def test_review_mode_confirms_the_review_by_default(dev_in_review: Plan) -> None:
    spoken = _spoken(dev_in_review)

    assert spoken["play-success-message"] == {REVIEW_SUCCESS}
    assert spoken["play-error-message"] == {
        "The caller could not be flagged for review. Please tell a supervisor the caller's number."
    }
    assert not any("deny list" in text for texts in spoken.values() for text in texts)


def test_only_the_agent_flag_flows_change_when_dev_switches_to_review(dev_in_review: Plan) -> None:
    changed_flows = sorted(
        c["address"]
        for c in dev_in_review["resource_changes"]
        if c["type"] == "aws_connect_contact_flow" and c["change"]["actions"] == ["update"]
    )

    assert changed_flows
    assert all("module.agent_flag." in address for address in changed_flows)


def test_a_message_set_in_the_tfvars_wins(deployed_plans: dict[str, Plan]) -> None:  # noqa: F811
    spoken = _spoken(deployed_plans["prod"])

    assert spoken["play-success-message"] == {
        "Thank you. The caller has been flagged for a supervisor's review."
    }
