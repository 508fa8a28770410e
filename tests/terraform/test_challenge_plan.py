"""The spam challenge in the environment roots: absent by default, complete when enabled.

The committed tfvars leave the challenge off, so the shared root plans show what
"off" means. "On" is the dev root applied with the stand-in provider and the
challenge enabled, then planned again: every id and ARN the provider computes
is known, so the rendered flows can be read as Connect would receive them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from plan_helpers import (  # noqa: F401 - fixtures are used by name
    ENVIRONMENTS,
    INSTANCE_PREFIX,
    Deployed,
    _run,
    _var_args,
    deployed_plans,
    deployed_roots,
    instance_arn,
    instance_keys,
    of_type,
    plan_environment,
    policy_documents,
    root_plans,
    stand_in_zip,
)

from callguard import challenge_failures
from callguard_tools.tfkit import api

Plan = dict[str, Any]

CHALLENGE = {
    "enabled": True,
    "policy": "withheld",
    "code_length": 5,
    "max_attempts": 3,
    "fail_mode": "closed",
    "messages": {"goodbye": "<speak>Goodbye.</speak>"},
}
HANDLERS = {
    "callguard.handlers.challenge_code.handler": "challenge-code",
    "callguard.handlers.verify_code.handler": "verify-code",
}


class _DeployedWith(Deployed):
    challenge: Mapping[str, Any] = CHALLENGE

    def variables(self, changed: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return super().variables({"challenge": self.challenge, **(changed or {})})


def _apply_and_plan(work: Path, zip_path: Path, challenge: Mapping[str, Any]) -> Plan:
    """Apply the dev root with ``challenge`` (stand-in provider), then plan it again."""
    directory = api.offline_root(api.environment_root("dev"), work)
    deployed = _DeployedWith("dev", directory, zip_path)
    deployed.challenge = challenge
    _run(["init", "-input=false", "-no-color"], directory)
    apply = ["apply", "-auto-approve", "-input=false", "-lock=false", "-no-color"]
    _run([*apply, *_var_args(deployed.variables())], directory)
    return deployed.plan()


@pytest.fixture(scope="module")
def enabled(tmp_path_factory: pytest.TempPathFactory, stand_in_zip: Path) -> Plan:  # noqa: F811
    """The dev root applied with the challenge on, planned again (all values known)."""
    return _apply_and_plan(tmp_path_factory.mktemp("challenge-dev"), stand_in_zip, CHALLENGE)


@pytest.fixture(scope="module")
def flagging(tmp_path_factory: pytest.TempPathFactory, stand_in_zip: Path) -> Plan:  # noqa: F811
    """As ``enabled``, with the optional review rule: 3 failures within 12 hours."""
    challenge = {**CHALLENGE, "flag_after": 3, "flag_window_hours": 12}
    return _apply_and_plan(tmp_path_factory.mktemp("challenge-flag"), stand_in_zip, challenge)


def _table(plan: Plan, name: str) -> dict[str, Any]:
    tables = [r["values"] for r in of_type(plan, "aws_dynamodb_table")]
    [table] = [values for values in tables if values["name"] == name]
    assert isinstance(table, dict)
    return table


def _role_policy(plan: Plan, function: str) -> dict[str, Any]:
    for address, resource_type, document in policy_documents(plan):
        if resource_type == "aws_iam_role_policy" and f'functions["{function}"]' in address:
            return document
    raise AssertionError(f"no role policy for {function}")


def _functions(plan: Plan) -> dict[str, dict[str, Any]]:
    return {r["values"]["handler"]: r["values"] for r in of_type(plan, "aws_lambda_function")}


def _instance_resources(plan: Plan, key: str, resource_type: str) -> list[dict[str, Any]]:
    prefix = INSTANCE_PREFIX.format(key=key)
    return [r for r in of_type(plan, resource_type) if r["address"].startswith(prefix)]


def _flow(plan: Plan, key: str, suffix: str) -> dict[str, Any]:
    for resource_type in ("aws_connect_contact_flow", "aws_connect_contact_flow_module"):
        for resource in _instance_resources(plan, key, resource_type):
            if resource["values"]["name"].endswith(suffix):
                document: dict[str, Any] = json.loads(resource["values"]["content"])
                return {"resource": resource["values"], "document": document}
    raise AssertionError(f"no flow named *{suffix} in instance {key}")


def _actions(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {action["Identifier"]: action for action in document["Actions"]}


# ---------------------------------------------------------------- off (committed tfvars)
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_off_by_default(root_plans: dict[str, Plan], env: str) -> None:  # noqa: F811
    plan = root_plans[env]
    assert not set(_functions(plan)) & set(HANDLERS)
    names = [r["values"]["name"] for r in of_type(plan, "aws_connect_contact_flow_module")]
    assert names and not any(name.endswith("spam-challenge") for name in names)
    for key in instance_keys(plan):
        associations = _instance_resources(plan, key, "aws_connect_lambda_function_association")
        assert len(associations) == 2  # check and flag only


# ---------------------------------------------------------------- on
def test_two_functions_with_their_own_settings(enabled: Plan) -> None:
    functions = _functions(enabled)
    for handler, suffix in HANDLERS.items():
        values = functions[handler]
        assert values["function_name"] == f"callguard-dev-{suffix}"
        [environment] = values["environment"]
        assert environment["variables"] == {
            "CALLGUARD_CHALLENGE_LENGTH": "5",
            "CALLGUARD_CHALLENGE_POLICY": "withheld",
            "CALLGUARD_DEFAULT_COUNTRY": "GB",
            "CALLGUARD_LOG_LEVEL": "DEBUG",
        }
        assert values["reserved_concurrent_executions"] == 5
        assert values["kms_key_arn"]


def test_challenge_roles_may_only_log_trace_and_decrypt_their_environment(enabled: Plan) -> None:
    documents = {
        address: document
        for address, resource_type, document in policy_documents(enabled)
        if resource_type == "aws_iam_role_policy"
        and any(f'functions["{name}"]' in address for name in ("challenge_code", "verify_code"))
    }
    assert len(documents) == 2
    for address, document in documents.items():
        actions = sorted(a for s in document["Statement"] for a in s["Action"])
        assert actions == sorted(
            [
                "kms:Decrypt",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "xray:PutTelemetryRecords",
                "xray:PutTraceSegments",
            ]
        ), address
        assert not any(a.startswith("dynamodb:") for a in actions)


def test_every_instance_may_invoke_the_challenge_functions(enabled: Plan) -> None:
    arns = {
        r["values"]["function_name"]: r["values"]["arn"]
        for r in of_type(enabled, "aws_lambda_function")
    }
    for key in instance_keys(enabled):
        associated = {
            r["values"]["function_arn"]
            for r in _instance_resources(enabled, key, "aws_connect_lambda_function_association")
        }
        assert {
            arns["callguard-dev-challenge-code"],
            arns["callguard-dev-verify-code"],
        } <= associated
        permissions = _instance_resources(enabled, key, "aws_lambda_permission")
        challenge = [
            p["values"] for p in permissions if p["values"]["function_name"].endswith("-code")
        ]
        assert len(challenge) == 2
        for permission in challenge:
            assert permission["principal"] == "connect.amazonaws.com"
            assert permission["source_arn"] == instance_arn(enabled, key)


def test_challenge_module_is_rendered_with_the_settings(enabled: Plan) -> None:
    arns = {
        r["values"]["handler"]: r["values"]["arn"] for r in of_type(enabled, "aws_lambda_function")
    }
    for key in instance_keys(enabled):
        module = _flow(enabled, key, "spam-challenge")
        actions = _actions(module["document"])
        invoke = actions["invoke-challenge-function"]["Parameters"]
        assert invoke["LambdaFunctionARN"] == arns["callguard.handlers.challenge_code.handler"]
        verify = actions["verify-answer"]["Parameters"]
        assert verify["LambdaFunctionARN"] == arns["callguard.handlers.verify_code.handler"]
        assert verify["LambdaInvocationAttributes"]["MaxAttempts"] == "3"
        collect = actions["collect-code"]["Parameters"]
        assert collect["InputValidation"]["CustomValidation"]["MaximumLength"] == "5"
        assert actions["apply-fail-mode"]["Transitions"]["NextAction"] == "play-goodbye"  # closed
        assert actions["play-goodbye"]["Parameters"] == {"SSML": "<speak>Goodbye.</speak>"}


def test_inbound_flow_runs_the_challenge_after_the_check(enabled: Plan) -> None:
    for key in instance_keys(enabled):
        module_id = _flow(enabled, key, "spam-challenge")["resource"]["contact_flow_module_id"]
        actions = _actions(_flow(enabled, key, "inbound-denylist")["document"])
        invoke = actions["invoke-challenge-module"]
        assert invoke["Parameters"]["FlowModuleId"] == module_id
        assert invoke["Transitions"]["NextAction"] == "set-working-queue"
        assert actions["route-on-pending"]["Transitions"]["NextAction"] == "invoke-challenge-module"
        assert actions["mark-check-error"]["Transitions"]["NextAction"] == "invoke-challenge-module"


def test_root_output_names_each_instances_challenge_module(enabled: Plan) -> None:
    instances = enabled["planned_values"]["outputs"]["instances"]["value"]
    for key in instance_keys(enabled):
        module_id = _flow(enabled, key, "spam-challenge")["resource"]["contact_flow_module_id"]
        assert instances[key]["challenge_module_id"] == module_id


def _off_inbound(plan: Plan) -> Iterator[dict[str, Any]]:
    for resource in of_type(plan, "aws_connect_contact_flow"):
        if resource["values"]["name"].endswith("inbound-denylist"):
            content = resource["values"].get("content")
            if isinstance(content, str):
                yield json.loads(content)


def test_inbound_flow_without_the_challenge_has_no_trace_of_it(
    deployed_plans: dict[str, Plan],  # noqa: F811
) -> None:
    """The committed roots, once applied: the inbound flow routes straight to the queue."""
    documents = [doc for plan in deployed_plans.values() for doc in _off_inbound(plan)]
    assert len(documents) == 4  # two instances in each of dev and prod
    for document in documents:
        actions = _actions(document)
        assert "invoke-challenge-module" not in actions
        assert actions["route-on-pending"]["Transitions"]["NextAction"] == "set-working-queue"


# ---------------------------------------------------------------- the optional review rule
def test_review_rule_is_off_unless_asked(enabled: Plan) -> None:
    assert not [
        r for r in of_type(enabled, "aws_dynamodb_table") if "challenge" in r["values"]["name"]
    ]
    environment = _functions(enabled)["callguard.handlers.verify_code.handler"]["environment"]
    assert "CALLGUARD_CHALLENGE_FLAG_AFTER" not in environment[0]["variables"]


def test_review_rule_creates_an_encrypted_expiring_counter_table(flagging: Plan) -> None:
    [table] = [
        r["values"]
        for r in of_type(flagging, "aws_dynamodb_table")
        if r["values"]["name"] == "callguard-dev-challenge-failures"
    ]
    assert table["hash_key"] == "phone_number"
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["ttl"] == [{"attribute_name": "expires_at", "enabled": True}]
    assert table["point_in_time_recovery"][0]["enabled"] is True
    assert table["deletion_protection_enabled"] is True
    # The environment's key, the one the deny list uses.
    assert (
        table["server_side_encryption"]
        == _table(flagging, "callguard-dev-denylist")["server_side_encryption"]
    )
    assert table["server_side_encryption"][0]["kms_key_arn"]


def test_review_rule_gives_verify_code_exactly_the_writes_it_needs(flagging: Plan) -> None:
    tables = {
        r["values"]["name"]: r["values"]["arn"] for r in of_type(flagging, "aws_dynamodb_table")
    }
    key_arn = _table(flagging, "callguard-dev-denylist")["server_side_encryption"][0]["kms_key_arn"]
    statements = {s["Sid"]: s for s in _role_policy(flagging, "verify_code")["Statement"]}
    assert statements["CountFailedChallenges"]["Action"] == [
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    ]
    assert statements["CountFailedChallenges"]["Resource"] == [
        tables["callguard-dev-challenge-failures"]
    ]
    assert statements["FlagRepeatFailuresForReview"]["Resource"] == [
        tables["callguard-dev-denylist"]
    ]
    assert statements["UseTableKeyThroughDynamoDB"]["Resource"] == [key_arn]
    assert statements["UseTableKeyThroughDynamoDB"]["Condition"] == {
        "StringEquals": {"kms:ViaService": ["dynamodb.eu-west-2.amazonaws.com"]}
    }
    challenge_code = _role_policy(flagging, "challenge_code")["Statement"]
    assert not [s for s in challenge_code if any(a.startswith("dynamodb:") for a in s["Action"])]
    functions = _functions(flagging)
    variables = functions["callguard.handlers.verify_code.handler"]["environment"][0]["variables"]
    assert variables["CALLGUARD_CHALLENGE_FLAG_AFTER"] == "3"
    assert variables["CALLGUARD_CHALLENGE_FLAG_WINDOW_HOURS"] == "12"
    assert variables["CALLGUARD_TABLE"] == "callguard-dev-denylist"
    assert variables["CALLGUARD_CHALLENGE_COUNTER_TABLE"] == "callguard-dev-challenge-failures"
    code_variables = functions["callguard.handlers.challenge_code.handler"]["environment"][0]
    assert "CALLGUARD_TABLE" not in code_variables["variables"]


def test_counter_table_matches_the_runtime(flagging: Plan) -> None:
    """Key and TTL attribute of the planned table are the ones challenge_failures uses."""
    table = _table(flagging, "callguard-dev-challenge-failures")
    assert table["hash_key"] == challenge_failures.PARTITION_KEY
    assert table["attribute"] == [{"name": challenge_failures.PARTITION_KEY, "type": "S"}]
    assert table["ttl"][0]["attribute_name"] == challenge_failures.TTL_ATTRIBUTE


# ---------------------------------------------------------------- refused values
@pytest.mark.parametrize(
    ("challenge", "message"),
    [
        ({"enabled": True, "policy": "sometimes"}, "challenge.policy must be everyone, withheld"),
        ({"enabled": True, "code_length": 8}, "challenge.code_length must be a whole number"),
        ({"enabled": True, "flag_after": 21}, "challenge.flag_after must be a whole number"),
        ({"enabled": True, "flag_window_hours": 0}, "challenge.flag_window_hours must be"),
        ({"enabled": True, "fail_mode": "shut"}, "challenge.fail_mode must be open, closed"),
    ],
    ids=["policy", "code-length", "flag-after", "window", "fail-mode"],
)
def test_root_refuses_bad_challenge_settings(
    tmp_path: Path,
    stand_in_zip: Path,  # noqa: F811
    challenge: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(api.TfkitError) as failure:
        plan_environment("dev", tmp_path, stand_in_zip, {"challenge": challenge})
    assert message in " ".join(str(failure.value).split())
