"""Challenge flags in the plans: verify_code gets the review settings and, with a topic, publishes.

prod runs in review mode with a supervisors' topic; with the challenge's review
rule on (``flag_after``), verify_code must be told the topic and the suppression
period, and may publish to that topic only. dev runs in block mode: no topic, so
verify_code gets the suppression period and no SNS right at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from plan_helpers import (  # noqa: F401 - fixtures are used by name
    Deployed,
    _run,
    _var_args,
    as_list,
    of_type,
    policy_documents,
    stand_in_zip,
)

from callguard_tools.tfkit import api

Plan = dict[str, Any]
CHALLENGE = {"enabled": True, "flag_after": 3, "flag_window_hours": 12}
VERIFY = "callguard.handlers.verify_code.handler"
VERIFY_POLICY = 'module.callguard.module.functions["verify_code"].'


def _environment(plan: Plan, handler: str) -> dict[str, str]:
    [function] = [
        f for f in of_type(plan, "aws_lambda_function") if f["values"]["handler"] == handler
    ]
    variables: dict[str, str] = function["values"]["environment"][0]["variables"]
    return variables


def _sns_statements(plan: Plan) -> list[tuple[str, str, list[Any], list[Any]]]:
    found = []
    for address, _, document in policy_documents(plan):
        for statement in document["Statement"]:
            actions = as_list(statement.get("Action", []))
            if any(str(a).lower().startswith("sns:") for a in actions):
                found.append((address, statement["Sid"], actions, as_list(statement["Resource"])))
    return found


def _applied_with_challenge(env: str, work: Path, zip_path: Path) -> Plan:
    """Apply ``env`` with the challenge's review rule on, then plan again (every ARN known)."""
    directory = api.offline_root(api.environment_root(env), work)
    deployed = Deployed(env, directory, zip_path)
    _run(["init", "-input=false", "-no-color"], directory)
    apply = ["apply", "-auto-approve", "-input=false", "-lock=false", "-no-color"]
    _run([*apply, *_var_args(deployed.variables({"challenge": CHALLENGE}))], directory)
    return deployed.plan({"challenge": CHALLENGE})


@pytest.fixture(scope="module")
def prod_challenge(tmp_path_factory: pytest.TempPathFactory, stand_in_zip: Path) -> Plan:  # noqa: F811
    return _applied_with_challenge(
        "prod", tmp_path_factory.mktemp("review-challenge"), stand_in_zip
    )


@pytest.fixture(scope="module")
def dev_challenge(tmp_path_factory: pytest.TempPathFactory, stand_in_zip: Path) -> Plan:  # noqa: F811
    return _applied_with_challenge("dev", tmp_path_factory.mktemp("block-challenge"), stand_in_zip)


def test_verify_code_is_told_the_topic_and_the_suppression_period(prod_challenge: Plan) -> None:
    verify = _environment(prod_challenge, VERIFY)
    flag = _environment(prod_challenge, "callguard.handlers.flag_number.handler")

    assert verify["CALLGUARD_NOTIFY_TOPIC_ARN"] == flag["CALLGUARD_NOTIFY_TOPIC_ARN"]
    assert verify["CALLGUARD_NOTIFY_TOPIC_ARN"].endswith(":callguard-prod-review")
    assert verify["CALLGUARD_REJECT_SUPPRESSION_DAYS"] == flag["CALLGUARD_REJECT_SUPPRESSION_DAYS"]
    assert verify["CALLGUARD_BLOCK_PENDING"] == flag["CALLGUARD_BLOCK_PENDING"]


def test_verify_code_may_publish_to_that_topic_only(prod_challenge: Plan) -> None:
    topic = _environment(prod_challenge, VERIFY)["CALLGUARD_NOTIFY_TOPIC_ARN"]
    publishers = {
        (address.split(".aws_iam_role_policy")[0], sid, tuple(actions), tuple(resources))
        for address, sid, actions, resources in _sns_statements(prod_challenge)
    }

    assert publishers == {
        (
            'module.callguard.module.functions["flag_number"]',
            "PublishReviewNotifications",
            ("sns:Publish",),
            (topic,),
        ),
        (
            'module.callguard.module.functions["verify_code"]',
            "PublishReviewNotifications",
            ("sns:Publish",),
            (topic,),
        ),
    }


def test_verify_code_uses_the_key_for_sns_only_through_sns(prod_challenge: Plan) -> None:
    [document] = [
        d
        for address, kind, d in policy_documents(prod_challenge)
        if address.startswith(VERIFY_POLICY) and kind == "aws_iam_role_policy"
    ]
    [statement] = [
        s for s in document["Statement"] if s["Sid"] == "UseKeyForReviewNotificationsThroughSNS"
    ]
    assert statement["Action"] == ["kms:GenerateDataKey", "kms:Decrypt"]
    assert statement["Condition"] == {
        "StringEquals": {"kms:ViaService": ["sns.eu-west-2.amazonaws.com"]}
    }


def test_challenge_code_never_publishes(prod_challenge: Plan) -> None:
    assert "CALLGUARD_NOTIFY_TOPIC_ARN" not in _environment(
        prod_challenge, "callguard.handlers.challenge_code.handler"
    )


def test_block_mode_gives_verify_code_the_period_but_no_topic(dev_challenge: Plan) -> None:
    verify = _environment(dev_challenge, VERIFY)

    assert verify["CALLGUARD_REJECT_SUPPRESSION_DAYS"] == "30"
    assert "CALLGUARD_NOTIFY_TOPIC_ARN" not in verify
    assert _sns_statements(dev_challenge) == []
