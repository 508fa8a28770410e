"""The two-step review in the plans: the supervisors' topic, its encryption, and who may publish.

prod's committed tfvars run in review mode with one e-mail subscriber; dev's run
in block mode. The assertions read the plans of the applied roots (every ARN
known), as the operator's next ``make plan`` would show them.
"""

from __future__ import annotations

import json
from typing import Any

from plan_helpers import (  # noqa: F401 - fixtures are used by name
    Deployed,
    as_list,
    deployed_plans,
    deployed_roots,
    of_type,
    only,
    planned_resources,
    policy_documents,
    stand_in_zip,
)

Plan = dict[str, Any]
FLAG_POLICY = 'module.callguard.module.functions["flag_number"].aws_iam_role_policy.this'
TOPIC = "module.callguard.module.review_notifications[0].aws_sns_topic.this"
ENVIRONMENT_KEY = "module.callguard.module.kms_key[0].aws_kms_key.this"


def _resource(plan: Plan, address: str) -> dict[str, Any]:
    [found] = [r for r in planned_resources(plan) if r["address"] == address]
    return found


def _statements(plan: Plan, address: str) -> list[dict[str, Any]]:
    document = json.loads(_resource(plan, address)["values"]["policy"])
    statements: list[dict[str, Any]] = document["Statement"]
    return statements


def _flag_environment(plan: Plan) -> dict[str, str]:
    [flag] = [
        f
        for f in of_type(plan, "aws_lambda_function")
        if f["values"]["handler"].endswith("flag_number.handler")
    ]
    variables: dict[str, str] = flag["values"]["environment"][0]["variables"]
    return variables


def _environment_key(plan: Plan) -> str:
    """The environment's customer managed key (the audit trail has a key of its own)."""
    arn: str = _resource(plan, ENVIRONMENT_KEY)["values"]["arn"]
    return arn


def _topic_arn(plan: Plan) -> str:
    env = _flag_environment(plan)
    return env["CALLGUARD_NOTIFY_TOPIC_ARN"]


# ---------------------------------------------------------------- the topic (prod, review mode)
def test_review_mode_creates_one_topic_named_for_the_environment(
    deployed_plans: dict[str, Plan],  # noqa: F811
) -> None:
    topic = only(deployed_plans["prod"], "aws_sns_topic")
    assert topic["address"] == TOPIC
    assert topic["values"]["name"] == "callguard-prod-review"
    assert (
        _topic_arn(deployed_plans["prod"])
        == "arn:aws:sns:eu-west-2:444455556666:callguard-prod-review"
    )


def test_the_topic_is_encrypted_with_the_environment_key(
    deployed_plans: dict[str, Plan],  # noqa: F811
) -> None:
    plan = deployed_plans["prod"]
    key = _environment_key(plan)
    assert isinstance(key, str) and key.startswith("arn:aws:kms:eu-west-2:444455556666:key/")
    assert only(plan, "aws_sns_topic")["values"]["kms_master_key_id"] == key


def test_the_topic_refuses_requests_without_tls(deployed_plans: dict[str, Plan]) -> None:  # noqa: F811
    plan = deployed_plans["prod"]
    policy = json.loads(only(plan, "aws_sns_topic_policy")["values"]["policy"])
    arn = _topic_arn(plan)
    deny = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert deny == [
        {
            "Sid": "DenyRequestsWithoutTls",
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["sns:Publish", "sns:Subscribe"],
            "Resource": arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]
    allow = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in allow] == [{"AWS": "arn:aws:iam::444455556666:root"}]
    assert [s["Condition"] for s in allow] == [
        {"StringEquals": {"aws:PrincipalAccount": "444455556666"}}
    ]


def test_supervisors_are_subscribed_by_email(deployed_plans: dict[str, Plan]) -> None:  # noqa: F811
    [subscription] = of_type(deployed_plans["prod"], "aws_sns_topic_subscription")
    values = subscription["values"]
    assert (values["protocol"], values["endpoint"]) == (
        "email",
        "contact-center-supervisors@example.com",
    )
    assert values["topic_arn"] == _topic_arn(deployed_plans["prod"])


# ---------------------------------------------------------------- who may publish
def test_only_the_flag_function_may_publish_and_only_to_that_topic(
    deployed_plans: dict[str, Plan],  # noqa: F811
) -> None:
    plan = deployed_plans["prod"]
    arn = _topic_arn(plan)
    publishers = []
    for address, _, document in policy_documents(plan):
        for statement in document["Statement"]:
            actions = as_list(statement.get("Action", []))
            if any(str(a).lower().startswith("sns:") for a in actions):
                publishers.append(
                    (address, statement["Sid"], actions, as_list(statement["Resource"]))
                )
    assert publishers == [(FLAG_POLICY, "PublishReviewNotifications", ["sns:Publish"], [arn])]


def test_the_flag_function_uses_the_key_for_sns_only_through_sns(
    deployed_plans: dict[str, Plan],  # noqa: F811
) -> None:
    plan = deployed_plans["prod"]
    key = _environment_key(plan)
    [statement] = [
        s
        for s in _statements(plan, FLAG_POLICY)
        if s["Sid"] == "UseKeyForReviewNotificationsThroughSNS"
    ]
    assert statement["Action"] == ["kms:GenerateDataKey", "kms:Decrypt"]
    assert statement["Resource"] == [key]
    assert statement["Condition"] == {
        "StringEquals": {"kms:ViaService": ["sns.eu-west-2.amazonaws.com"]}
    }


def test_the_flag_function_is_told_the_topic_and_the_suppression_period(
    deployed_plans: dict[str, Plan],  # noqa: F811
) -> None:
    env = _flag_environment(deployed_plans["prod"])
    assert env["CALLGUARD_FLAG_MODE"] == "review"
    assert env["CALLGUARD_REJECT_SUPPRESSION_DAYS"] == "30"
    assert env["CALLGUARD_NOTIFY_TOPIC_ARN"].endswith(":callguard-prod-review")


# ---------------------------------------------------------------- block mode and switches
def test_block_mode_has_no_topic_and_no_publish_grant(
    deployed_plans: dict[str, Plan],  # noqa: F811
) -> None:
    plan = deployed_plans["dev"]
    assert of_type(plan, "aws_sns_topic") == []
    assert "CALLGUARD_NOTIFY_TOPIC_ARN" not in _flag_environment(plan)
    sids = {s["Sid"] for s in _statements(plan, FLAG_POLICY)}
    assert not sids & {"PublishReviewNotifications", "UseKeyForReviewNotificationsThroughSNS"}


def test_switching_dev_to_review_adds_exactly_the_review_resources(
    deployed_roots: dict[str, Deployed],  # noqa: F811
) -> None:
    dev = deployed_roots["dev"]
    settings = {"default_country": "GB", "flag_mode": "review", "log_level": "DEBUG"}
    review = {
        "reject_suppression_days": 7,
        "email_subscriptions": ["a@example.com", "b@example.com"],
    }
    plan = dev.plan({"settings": settings, "review": review})
    created = sorted(
        c["address"] for c in plan["resource_changes"] if c["change"]["actions"] == ["create"]
    )
    prefix = "module.callguard.module.review_notifications[0]."
    assert created == [
        f"{prefix}aws_sns_topic.this",
        f"{prefix}aws_sns_topic_policy.this",
        f'{prefix}aws_sns_topic_subscription.email["a@example.com"]',
        f'{prefix}aws_sns_topic_subscription.email["b@example.com"]',
    ]
    env = _flag_environment(plan)
    assert env["CALLGUARD_REJECT_SUPPRESSION_DAYS"] == "7"
    assert (
        env["CALLGUARD_NOTIFY_TOPIC_ARN"]
        == "arn:aws:sns:eu-west-2:111122223333:callguard-dev-review"
    )
