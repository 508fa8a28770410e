"""What each environment root would create, read from its offline plan.

Both roots are planned with their committed terraform.tfvars (two Connect
instances each). The assertions are on ``terraform show -json``: the values that
would be sent to AWS.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from plan_helpers import (  # noqa: F401 - fixtures are used by name
    ENVIRONMENTS,
    INSTANCE_PREFIX,
    as_list,
    deployed_plans,
    deployed_roots,
    instance_arn,
    instance_keys,
    of_type,
    only,
    planned_resources,
    policy_documents,
    root_plans,
    root_variable,
    stand_in_zip,
    wildcard_allowed,
)

from callguard import config

Plan = dict[str, Any]

#: Resources every Connect instance gets, with how many of each.
PER_INSTANCE = Counter(
    {
        "aws_connect_lambda_function_association": 2,
        "aws_lambda_permission": 2,
        "aws_connect_contact_flow_module": 1,
        # inbound deny-list + agent-flag (a static-list flow only when numbers are set)
        "aws_connect_contact_flow": 2,
        "aws_connect_quick_connect": 1,
    }
)

HANDLERS = {
    "callguard.handlers.check_number.handler",
    "callguard.handlers.flag_number.handler",
    "callguard.handlers.audit.handler",
}


@pytest.fixture(params=ENVIRONMENTS)
def plan(request: pytest.FixtureRequest, root_plans: dict[str, Plan]) -> Plan:  # noqa: F811
    """The root's plan without the outbound engine (tests/terraform/test_outbound_plan.py)."""
    return root_plans[request.param]


@pytest.fixture(params=ENVIRONMENTS)
def deployed(request: pytest.FixtureRequest, deployed_plans: dict[str, Plan]) -> Plan:  # noqa: F811
    """The root's plan after an apply: ARNs and ids the provider computes are known."""
    return deployed_plans[request.param]


#: Where the audit trail's resources live (its function is not invoked by Connect).
AUDIT_PREFIX = "module.callguard.module.audit_trail."


def _environment_key(plan: Plan) -> dict[str, Any]:
    """The environment's encryption key (the audit trail adds an HMAC key of its own)."""
    [key] = [
        k for k in of_type(plan, "aws_kms_key") if k["values"]["key_usage"] == "ENCRYPT_DECRYPT"
    ]
    return key


def _connect_functions(plan: Plan) -> list[dict[str, Any]]:
    """The functions Amazon Connect invokes (every function but the audit trail's)."""
    return [
        f for f in of_type(plan, "aws_lambda_function") if not f["address"].startswith(AUDIT_PREFIX)
    ]


def _instance_resources(plan: Plan, key: str) -> list[dict[str, Any]]:
    prefix = INSTANCE_PREFIX.format(key=key)
    return [r for r in planned_resources(plan) if r["address"].startswith(prefix)]


# ------------------------------------------------------------------ counts


def test_example_tfvars_wire_two_instances(plan: Plan) -> None:
    assert len(instance_keys(plan)) == 2


def test_every_instance_gets_its_own_flows_permissions_and_quick_connect(plan: Plan) -> None:
    connect = root_variable(plan, "connect_instances")
    for key in instance_keys(plan):
        counts = Counter(r["type"] for r in _instance_resources(plan, key))
        expected = PER_INSTANCE.copy()
        if connect[key].get("static_blocked_numbers"):
            expected["aws_connect_contact_flow"] += 1
        if connect[key].get("phone_number_ids"):
            expected["aws_connect_phone_number_contact_flow_association"] = len(
                connect[key]["phone_number_ids"]
            )
        assert counts == expected, key


def test_table_key_and_functions_exist_once(plan: Plan) -> None:
    everything = planned_resources(plan)
    shared = [r for r in everything if ".module.instances[" not in r["address"]]
    counts = Counter(r["type"] for r in shared)
    assert counts["aws_dynamodb_table"] == 1
    # the environment's key, and the audit trail's HMAC key for number hashes
    assert counts["aws_kms_key"] == 2
    # check, flag and the audit function, each with its role and log group,
    # plus the audit events' own log group
    assert counts["aws_lambda_function"] == 3
    assert counts["aws_iam_role"] == 3
    assert counts["aws_cloudwatch_log_group"] == 4
    assert {f["values"]["handler"] for f in of_type(plan, "aws_lambda_function")} == HANDLERS
    # nothing per instance creates a table, function or key
    per_instance = {r["type"] for r in everything if ".module.instances[" in r["address"]}
    assert not per_instance & {"aws_dynamodb_table", "aws_lambda_function", "aws_kms_key"}


# ------------------------------------------------------------------ table


def test_table_settings(plan: Plan) -> None:
    table = only(plan, "aws_dynamodb_table")["values"]
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["hash_key"] == "phone_number"
    assert table["deletion_protection_enabled"] is True
    assert table["stream_enabled"] is True
    assert table["stream_view_type"] == "NEW_AND_OLD_IMAGES"
    assert table["point_in_time_recovery"] == [{"enabled": True, "recovery_period_in_days": 35}]
    assert table["ttl"] == [{"attribute_name": "expires_at", "enabled": True}]
    [sse] = table["server_side_encryption"]
    assert sse["enabled"] is True
    assert {(a["name"], a["type"]) for a in table["attribute"]} == {
        ("phone_number", "S"),
        ("status", "S"),
        ("created_at", "S"),
    }
    [gsi] = table["global_secondary_index"]
    assert gsi["name"] == "status-created_at-index"
    assert gsi["projection_type"] == "ALL"
    assert [(k["attribute_name"], k["key_type"]) for k in gsi["key_schema"]] == [
        ("status", "HASH"),
        ("created_at", "RANGE"),
    ]


def test_table_is_encrypted_with_the_environment_key(plan: Plan) -> None:
    """The key is created in the same plan, so its ARN is unknown: check the wiring."""
    table_change = next(c for c in plan["resource_changes"] if c["type"] == "aws_dynamodb_table")
    unknown = table_change["change"]["after_unknown"]["server_side_encryption"]
    assert unknown == [{"kms_key_arn": True}]
    config_sse = _config_expression(plan, "module.callguard.module.table", "aws_dynamodb_table")
    assert "var.kms_key_arn" in json.dumps(config_sse)


def test_table_functions_and_logs_use_the_one_key_once_deployed(deployed: Plan) -> None:
    key_arn = _environment_key(deployed)["values"]["arn"]
    [sse] = only(deployed, "aws_dynamodb_table")["values"]["server_side_encryption"]
    assert sse == {"enabled": True, "kms_key_arn": key_arn}
    for function in of_type(deployed, "aws_lambda_function"):
        assert function["values"]["kms_key_arn"] == key_arn
    for group in of_type(deployed, "aws_cloudwatch_log_group"):
        assert group["values"]["kms_key_id"] == key_arn


def _config_expression(plan: Plan, module_path: str, resource_type: str) -> dict[str, Any]:
    """Return the configuration of the one ``resource_type`` in ``module_path``."""
    module: dict[str, Any] = plan["configuration"]["root_module"]
    for part in module_path.split(".")[1::2]:
        module = module["module_calls"][part]["module"]
    [resource] = [r for r in module["resources"] if r["type"] == resource_type]
    return dict(resource["expressions"])


# ------------------------------------------------------------------ IAM


def test_no_policy_uses_a_wildcard_except_where_aws_requires_it(deployed: Plan) -> None:
    checked = 0
    for address, resource_type, document in policy_documents(deployed):
        for statement in document["Statement"]:
            sid = statement.get("Sid", "")
            assert "NotAction" not in statement and "NotResource" not in statement, address
            for field in ("Action", "Resource"):
                for value in as_list(statement.get(field, [])):
                    if "*" in value:
                        assert wildcard_allowed(resource_type, sid, field), (
                            f"{address}: statement {sid!r} has {field} {value!r}"
                        )
                    checked += 1
    assert checked > 20


def test_every_policy_is_known_before_apply_once_deployed(deployed: Plan) -> None:
    documents = list(policy_documents(deployed))
    types = Counter(resource_type for _, resource_type, _ in documents)
    assert types == Counter({"aws_iam_role_policy": 3, "aws_iam_role": 3, "aws_kms_key": 2})


def _role_policies(plan: Plan) -> dict[str, dict[str, Any]]:
    """Return function name -> parsed inline policy (Connect's functions; the audit
    function's role is checked in test_observability_plan.py)."""
    return {
        p["values"]["name"].removesuffix("-permissions"): json.loads(p["values"]["policy"])
        for p in of_type(plan, "aws_iam_role_policy")
        if not p["address"].startswith(AUDIT_PREFIX)
    }


def test_function_policies_name_the_table_key_and_own_log_group(deployed: Plan) -> None:
    table_arn = only(deployed, "aws_dynamodb_table")["values"]["arn"]
    key_arn = _environment_key(deployed)["values"]["arn"]
    groups = {
        g["values"]["name"]: g["values"]["arn"]
        for g in of_type(deployed, "aws_cloudwatch_log_group")
    }
    function_arns = {
        f["values"]["function_name"]: f["values"]["arn"]
        for f in of_type(deployed, "aws_lambda_function")
    }
    for function, document in _role_policies(deployed).items():
        by_sid = {s["Sid"]: s for s in document["Statement"]}
        own_group = groups[f"/aws/lambda/{function}"]
        assert by_sid["WriteOwnLogGroup"]["Resource"] == [f"{own_group}:log-stream:*"]
        [dynamodb] = [s for s in document["Statement"] if s["Sid"].endswith("DenyListEntries")]
        assert dynamodb["Resource"] == [table_arn]
        kms = by_sid["UseTableKeyThroughDynamoDB"]
        assert kms["Resource"] == [key_arn]
        assert kms["Condition"] == {
            "StringEquals": {
                "kms:ViaService": [
                    f"dynamodb.{root_variable(deployed, 'aws_region')}.amazonaws.com"
                ]
            }
        }
        assert by_sid["DecryptOwnEnvironment"] == {
            "Sid": "DecryptOwnEnvironment",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [key_arn],
            # Lambda's encryption context for environment variables: this function only.
            "Condition": {
                "StringEquals": {
                    "kms:EncryptionContext:aws:lambda:FunctionArn": function_arns[function]
                }
            },
        }


def test_flag_function_may_only_write_through_the_store_operations(deployed: Plan) -> None:
    [flag] = [doc for name, doc in _role_policies(deployed).items() if name.endswith("flag-number")]
    actions = {a for s in flag["Statement"] for a in as_list(s["Action"])}
    assert {a for a in actions if a.startswith("dynamodb:")} == {
        "dynamodb:UpdateItem",
        "dynamodb:PutItem",
    }


def test_check_function_may_only_read(deployed: Plan) -> None:
    [check] = [
        doc for name, doc in _role_policies(deployed).items() if name.endswith("check-number")
    ]
    actions = {a for s in check["Statement"] for a in as_list(s["Action"])}
    assert "dynamodb:GetItem" in actions
    assert {a for a in actions if a.startswith("dynamodb:")} == {"dynamodb:GetItem"}
    assert not actions & {"kms:Encrypt", "kms:GenerateDataKey"}


def test_key_policy_lets_logs_use_the_key_only_for_callguard_log_groups(deployed: Plan) -> None:
    key = _environment_key(deployed)["values"]
    policy = json.loads(key["policy"])
    [logs] = [
        s for s in policy["Statement"] if s["Principal"].get("Service", "").startswith("logs.")
    ]
    # the functions' groups (/aws/lambda/<prefix>-*) and the audit trail's (/callguard/<prefix>/*)
    patterns = logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert len(patterns) == 2
    for group in of_type(deployed, "aws_cloudwatch_log_group"):
        assert any(group["values"]["arn"].startswith(p.removesuffix("*")) for p in patterns)
        assert group["values"]["kms_key_id"] == key["arn"]


def test_roles_trust_only_lambda(plan: Plan) -> None:
    for role in of_type(plan, "aws_iam_role"):
        document = json.loads(role["values"]["assume_role_policy"])
        assert [s["Principal"] for s in document["Statement"]] == [
            {"Service": "lambda.amazonaws.com"}
        ]


# ------------------------------------------------------------------ Lambda


def test_functions_fit_the_connect_contract(plan: Plan) -> None:
    for function in _connect_functions(plan):
        values = function["values"]
        assert values["runtime"] == "python3.13"
        assert values["architectures"] == ["arm64"]
        assert 1 <= values["timeout"] <= 8
        assert values["tracing_config"] == [{"mode": "Active"}]
        [logging] = values["logging_config"]
        assert logging["log_format"] == "JSON"
        assert logging["log_group"] == f"/aws/lambda/{values['function_name']}"
        assert values["reserved_concurrent_executions"] >= 1
        env = values["environment"][0]["variables"]
        assert env["CALLGUARD_TABLE"] == only(plan, "aws_dynamodb_table")["values"]["name"]
        assert env["CALLGUARD_FAIL_MODE"] in {"open", "closed"}
        # Terraform sets only variables the runtime reads (a typo here is a dead setting).
        assert set(env) <= set(config.VARIABLES)
        # Each function gets only the settings it reads.
        if values["handler"].endswith("check_number.handler"):
            assert "CALLGUARD_NOTIFY_TOPIC_ARN" not in env
            assert "CALLGUARD_REJECT_SUPPRESSION_DAYS" not in env
            assert env["CALLGUARD_CHECK_TIME_LIMIT_SECONDS"] == "3"
        if values["handler"].endswith("flag_number.handler"):
            assert env["CALLGUARD_FLAG_TIME_LIMIT_SECONDS"] == "5"


def test_lambda_permissions_name_connect_and_each_instance(plan: Plan) -> None:
    permissions = of_type(plan, "aws_lambda_permission")
    account = root_variable(plan, "aws_account_id")
    functions = {f["values"]["function_name"] for f in _connect_functions(plan)}
    granted: set[tuple[str, str]] = set()
    for permission in permissions:
        values = permission["values"]
        assert values["principal"] == "connect.amazonaws.com"
        assert values["action"] == "lambda:InvokeFunction"
        assert values["source_account"] == account
        granted.add((values["function_name"], values["source_arn"]))
    expected = {
        (function, instance_arn(plan, key)) for function in functions for key in instance_keys(plan)
    }
    assert granted == expected
    assert len(permissions) == len(expected)


def test_log_groups_keep_events_at_least_a_year(plan: Plan) -> None:
    groups = of_type(plan, "aws_cloudwatch_log_group")
    assert len(groups) == 4  # three functions' groups and the audit events' group
    for group in groups:
        assert group["values"]["retention_in_days"] >= 365


# ------------------------------------------------------------------ provider and Connect


def test_provider_pins_the_account_and_tags_everything(plan: Plan) -> None:
    aws = plan["configuration"]["provider_config"]["aws"]
    assert aws["expressions"]["allowed_account_ids"]["references"] == ["var.aws_account_id"]
    tags = aws["expressions"]["default_tags"][0]["tags"]
    assert "local.environment" in tags["references"]
    assert only(plan, "aws_dynamodb_table")["values"]["tags_all"]["Environment"] in ENVIRONMENTS


def test_quick_connects_are_queue_type(plan: Plan) -> None:
    for quick_connect in of_type(plan, "aws_connect_quick_connect"):
        [config] = quick_connect["values"]["quick_connect_config"]
        assert config["quick_connect_type"] == "QUEUE"


def test_agent_flag_flows_are_queue_transfer(plan: Plan) -> None:
    by_type = Counter(f["values"]["type"] for f in of_type(plan, "aws_connect_contact_flow"))
    assert by_type["QUEUE_TRANSFER"] == len(instance_keys(plan))
