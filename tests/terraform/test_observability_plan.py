"""The audit trail, metrics, dashboard and alarms every environment root would create.

Assertions are on ``terraform show -json`` of the committed roots (plus one plan with
SNS topics and challenge metrics set): the dashboard body is the JSON CloudWatch
would receive, the metric filters count what the functions' log lines say, the
alarms watch what the operations guide says, and the audit function's role reaches
only its own table stream, log group, key and queue.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from plan_helpers import (  # noqa: F401 - fixtures are used by name
    ENVIRONMENTS,
    as_list,
    deployed_plans,
    deployed_roots,
    of_type,
    only,
    plan_environment,
    planned_resources,
    root_plans,
    root_variable,
    stand_in_zip,
)

Plan = dict[str, Any]

AUDIT = "module.callguard.module.audit_trail."
MONITORING = "module.callguard.module.monitoring."

#: Metric -> (function whose log group it reads, or "audit_events"/"audit_function").
LOG_METRICS = {
    "CallsChecked": "check-number",
    "CallsBlocked": "check-number",
    "CallsPending": "check-number",
    "CallsAnonymous": "check-number",
    "CheckErrors": "check-number",
    "Flags": "flag-number",
    "FlagErrors": "flag-number",
    "Additions": "audit_events",
    "Removals": "audit_events",
    "Expiries": "audit_events",
    "AuditRecordFailures": "audit_function",
}
ALARMS = {
    "check-errors",
    "check-duration",
    "check-number-errors",
    "check-number-throttles",
    "flag-number-errors",
    "flag-number-throttles",
    "audit-errors",
    "audit-throttles",
    "audit-failures",
    "audit-dead-letters",
    "audit-iterator-age",
    "table-throttling",
}


@pytest.fixture(params=ENVIRONMENTS)
def env(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def plan(env: str, root_plans: dict[str, Plan]) -> Plan:  # noqa: F811
    return root_plans[env]


@pytest.fixture
def deployed(env: str, deployed_plans: dict[str, Plan]) -> Plan:  # noqa: F811
    return deployed_plans[env]


def prefix(plan: Plan) -> str:
    return str(only(plan, "aws_dynamodb_table")["values"]["name"]).removesuffix("-denylist")


def instance_ids(plan: Plan) -> dict[str, str]:
    connect = root_variable(plan, "connect_instances")
    return {key: value["instance_id"] for key, value in connect.items()}


def by_address(plan: Plan, start: str) -> dict[str, dict[str, Any]]:
    return {r["address"]: r for r in planned_resources(plan) if r["address"].startswith(start)}


def dashboard(plan: Plan) -> dict[str, Any]:
    body = only(plan, "aws_cloudwatch_dashboard")["values"]["dashboard_body"]
    assert isinstance(body, str), "the dashboard body must be known at plan time"
    parsed: dict[str, Any] = json.loads(body)
    return parsed


def widget(plan: Plan, title: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        w["properties"]
        for w in dashboard(plan)["widgets"]
        if w.get("properties", {}).get("title") == title
    ]
    assert len(found) == 1, title
    return found[0]


# ------------------------------------------------------------------ metric filters


def test_every_metric_has_a_total_and_a_per_instance_filter(plan: Plan) -> None:
    name = prefix(plan)
    filters = {
        f["values"]["name"]: f["values"] for f in of_type(plan, "aws_cloudwatch_log_metric_filter")
    }
    for metric, source in LOG_METRICS.items():
        total = filters[f"{name}-{metric}"]
        [transform] = total["metric_transformation"]
        assert transform["name"] == metric
        assert transform["namespace"] == f"Callguard/{name}"
        assert transform["dimensions"] is None and transform["default_value"] == "0"
        if source in ("check-number", "flag-number"):
            assert total["log_group_name"] == f"/aws/lambda/{name}-{source}"
        elif source == "audit_events":
            assert total["log_group_name"] == f"/callguard/{name}/audit"
        else:
            assert total["log_group_name"] == f"/aws/lambda/{name}-audit"
        split = filters.get(f"{name}-{metric}-by-instance")
        if metric == "AuditRecordFailures":
            assert split is None  # a batch spans instances
            assert transform["value"] == "$.failed"
            continue
        assert split is not None, metric
        # the same lines, and the dimension's field must be matched by the pattern
        assert split["pattern"] == total["pattern"].removesuffix(" }") + " && ($.instance = *) }"
        [by_instance] = split["metric_transformation"]
        assert by_instance["dimensions"] == {"Instance": "$.instance"}
        assert by_instance["default_value"] is None  # not allowed with dimensions
    # No challenge metrics unless a challenge log group is configured.
    assert not [n for n in filters if "Challenge" in n]


@pytest.mark.parametrize(
    ("metric", "fragments"),
    [
        ("CallsBlocked", ['$.handler = "check_number"', '$.blocked = "true"']),
        ("CheckErrors", ['$.outcome = "error"']),
        ("CallsAnonymous", ['$.outcome = "anonymous"']),
        ("Flags", ['$.handler = "flag_number"', '$.outcome = "flagged"']),
        ("Removals", ['$.kind = "remove"', "$.expired_by_ttl IS FALSE"]),
        ("Expiries", ["$.expired_by_ttl IS TRUE"]),
    ],
)
def test_filter_patterns_read_the_fields_the_functions_write(
    plan: Plan, metric: str, fragments: list[str]
) -> None:
    [found] = [
        f["values"]["pattern"]
        for f in of_type(plan, "aws_cloudwatch_log_metric_filter")
        if f["values"]["name"] == f"{prefix(plan)}-{metric}"
    ]
    assert found.startswith("{") and found.endswith("}")
    for fragment in fragments:
        assert fragment in found


# ------------------------------------------------------------------ dashboard


def test_dashboard_body_is_valid_json_with_every_panel(plan: Plan) -> None:
    body = dashboard(plan)
    assert only(plan, "aws_cloudwatch_dashboard")["values"]["dashboard_name"] == prefix(plan)
    titles = {w["properties"].get("title") for w in body["widgets"] if w["type"] != "text"}
    assert {
        "Calls checked and their outcomes (all instances)",
        "Deny-list changes (all instances)",
        "CallsChecked per instance",
        "CallsBlocked per instance",
        "CheckErrors per instance",
        "Flags per instance",
        "Check duration (ms)",
        "Duration p99 of every function (ms)",
        "Lambda errors and throttles",
        "Audit trail",
        "Alarms",
    } <= titles
    for w in body["widgets"]:
        assert w["type"] in {"text", "metric", "alarm"}
        assert 1 <= w["width"] <= 24 and w["height"] >= 1
        if w["type"] == "metric":
            assert w["properties"]["region"] == root_variable(plan, "aws_region")
            assert w["properties"]["metrics"], w["properties"]["title"]


def test_dashboard_splits_calls_per_instance(plan: Plan) -> None:
    metrics = widget(plan, "CallsBlocked per instance")["metrics"]
    ids = instance_ids(plan)
    assert {(m[3], m[4]["label"]) for m in metrics} == {(i, k) for k, i in ids.items()}
    assert all(m[:3] == [f"Callguard/{prefix(plan)}", "CallsBlocked", "Instance"] for m in metrics)


def test_dashboard_shows_duration_percentiles_errors_and_table_throttles(plan: Plan) -> None:
    name = prefix(plan)
    duration = widget(plan, "Check duration (ms)")
    assert [m[4]["stat"] for m in duration["metrics"]] == ["p50", "p90", "p99", "Maximum"]
    assert {m[3] for m in duration["metrics"]} == {f"{name}-check-number"}
    limits = {a["label"]: a["value"] for a in duration["annotations"]["horizontal"]}
    assert limits["flow timeout"] == 3000 and limits["alarm"] == 2400
    errors = widget(plan, "Lambda errors and throttles")["metrics"]
    assert {(m[1], m[3]) for m in errors} == {
        (metric, f"{name}-{fn}")
        for metric in ("Errors", "Throttles")
        for fn in ("check-number", "flag-number", "audit")
    }
    throttles = widget(plan, f"DynamoDB throttles and errors ({name}-denylist)")["metrics"]
    assert {m[1] for m in throttles} >= {"ReadThrottleEvents", "WriteThrottleEvents"}
    audit = widget(plan, "Audit trail")["metrics"]
    assert {m[1] for m in audit} == {
        "IteratorAge",
        "AuditRecordFailures",
        "ApproximateNumberOfMessagesVisible",
    }


def test_dashboard_alarm_panel_names_every_alarm_by_arn(plan: Plan) -> None:
    arns = widget(plan, "Alarms")["alarms"]
    names = {a["values"]["alarm_name"] for a in of_type(plan, "aws_cloudwatch_metric_alarm")}
    base = (
        f"arn:aws:cloudwatch:{root_variable(plan, 'aws_region')}:"
        f"{root_variable(plan, 'aws_account_id')}:alarm:"
    )
    assert sorted(arns) == sorted(base + n for n in names)


# ------------------------------------------------------------------ alarms


def alarms(plan: Plan) -> dict[str, dict[str, Any]]:
    name = prefix(plan)
    return {
        a["values"]["alarm_name"].removeprefix(f"{name}-"): a["values"]
        for a in of_type(plan, "aws_cloudwatch_metric_alarm")
    }


def test_alarms_cover_errors_throttles_duration_table_and_audit(plan: Plan) -> None:
    found = alarms(plan)
    assert set(found) == ALARMS
    # the committed prod tfvars page an on-call topic; dev's alarms only change state
    topics = root_variable(plan, "monitoring").get("sns_topic_arns") or []
    assert bool(topics) == (prefix(plan) == "callguard-prod")
    for values in found.values():
        assert values["treat_missing_data"] == "notBreaching"
        assert values["actions_enabled"] is True
        assert values["alarm_actions"] == topics == values["ok_actions"]
        assert values["alarm_description"]


def test_check_alarms_watch_what_callers_feel(plan: Plan) -> None:
    found = alarms(plan)
    errors = found["check-errors"]
    assert (errors["namespace"], errors["metric_name"]) == (
        f"Callguard/{prefix(plan)}",
        "CheckErrors",
    )
    assert errors["threshold"] == 1 and errors["statistic"] == "Sum"
    duration = found["check-duration"]
    assert duration["extended_statistic"] == "p99" and duration["statistic"] is None
    # 80 % of the shortest time any instance's flow gives the check (3 s by default)
    shortest = min(
        i.get("check_timeout_seconds", 3) for i in root_variable(plan, "connect_instances").values()
    )
    assert duration["threshold"] == shortest * 1000 * 0.8
    assert duration["dimensions"] == {"FunctionName": f"{prefix(plan)}-check-number"}
    throttles = found["check-number-throttles"]
    assert (throttles["namespace"], throttles["metric_name"]) == ("AWS/Lambda", "Throttles")


def test_table_throttling_alarm_adds_read_and_write_throttles(plan: Plan) -> None:
    table = alarms(plan)["table-throttling"]
    queries = {q["id"]: q for q in table["metric_query"]}
    assert queries["throttled"]["expression"] == "reads + writes"
    assert queries["throttled"]["return_data"] is True
    for query_id, metric in (("reads", "ReadThrottleEvents"), ("writes", "WriteThrottleEvents")):
        [spec] = queries[query_id]["metric"]
        assert spec["metric_name"] == metric
        assert spec["dimensions"] == {"TableName": f"{prefix(plan)}-denylist"}


def test_audit_alarms_watch_the_queue_the_stream_and_the_failures(plan: Plan) -> None:
    found = alarms(plan)
    name = prefix(plan)
    dead = found["audit-dead-letters"]
    assert dead["dimensions"] == {"QueueName": f"{name}-audit-failures"}
    assert dead["metric_name"] == "ApproximateNumberOfMessagesVisible"
    age = found["audit-iterator-age"]
    assert age["dimensions"] == {"FunctionName": f"{name}-audit"}
    assert age["metric_name"] == "IteratorAge" and age["statistic"] == "Maximum"
    assert found["audit-failures"]["metric_name"] == "AuditRecordFailures"


def test_sns_topics_and_challenge_metrics_when_configured(
    tmp_path: Path,
    stand_in_zip: Path,  # noqa: F811
) -> None:
    topic = "arn:aws:sns:eu-west-2:111122223333:callguard-pager"
    plan = plan_environment(
        "dev",
        tmp_path,
        stand_in_zip,
        {
            "monitoring": {
                "sns_topic_arns": [topic],
                "duration_threshold_ratio": 0.5,
                "challenge": {"log_group_name": "/aws/lambda/callguard-dev-verify-code"},
            }
        },
    )
    found = alarms(plan)
    assert all(a["alarm_actions"] == [topic] == a["ok_actions"] for a in found.values())
    assert found["check-duration"]["threshold"] == 1500
    filters = {
        f["values"]["name"]: f["values"] for f in of_type(plan, "aws_cloudwatch_log_metric_filter")
    }
    passes = filters["callguard-dev-ChallengePasses"]
    assert passes["log_group_name"] == "/aws/lambda/callguard-dev-verify-code"
    assert passes["pattern"] == '{ ($.handler = "verify_code") && ($.outcome = "pass") }'
    assert "callguard-dev-ChallengeFailures-by-instance" in filters
    assert "ChallengeFailures per instance" in {
        w["properties"].get("title") for w in dashboard(plan)["widgets"]
    }


# ------------------------------------------------------------------ audit trail


def test_stream_processing_is_bounded_bisected_and_reports_partial_failures(
    deployed: Plan,
) -> None:
    mapping = only(deployed, "aws_lambda_event_source_mapping")["values"]
    table = only(deployed, "aws_dynamodb_table")["values"]
    queue = only(deployed, "aws_sqs_queue")["values"]
    assert mapping["event_source_arn"] == table["stream_arn"]
    assert mapping["function_response_types"] == ["ReportBatchItemFailures"]
    assert mapping["bisect_batch_on_function_error"] is True
    assert 0 <= mapping["maximum_retry_attempts"] <= 10
    assert 60 <= mapping["maximum_record_age_in_seconds"] <= 86400
    assert mapping["starting_position"] == "TRIM_HORIZON"  # miss nothing still in the stream
    [destination] = mapping["destination_config"]
    assert destination["on_failure"][0]["destination_arn"] == queue["arn"]


def test_audit_storage_is_long_lived_encrypted_and_protected(deployed: Plan) -> None:
    groups = {
        g["values"]["name"]: g["values"] for g in of_type(deployed, "aws_cloudwatch_log_group")
    }
    name = prefix(deployed)
    audit = groups[f"/callguard/{name}/audit"]
    env_key = [
        k for k in of_type(deployed, "aws_kms_key") if k["values"]["key_usage"] == "ENCRYPT_DECRYPT"
    ]
    [env_key_arn] = [k["values"]["arn"] for k in env_key]
    assert audit["retention_in_days"] == 3653
    assert audit["kms_key_id"] == env_key_arn
    assert audit["deletion_protection_enabled"] is True and audit["skip_destroy"] is True
    queue = only(deployed, "aws_sqs_queue")["values"]
    assert queue["kms_master_key_id"] == env_key_arn
    assert queue["message_retention_seconds"] == 1209600
    # The environment key lets CloudWatch Logs encrypt the audit group as well.
    [env_key_resource] = env_key
    policy = json.loads(env_key_resource["values"]["policy"])
    [logs] = [
        s for s in policy["Statement"] if s["Sid"] == "AllowCloudWatchLogsForCallguardLogGroups"
    ]
    patterns = logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert any(p.endswith(f":log-group:/callguard/{name}/*") for p in patterns)


def test_numbers_are_hashed_with_a_dedicated_hmac_key(deployed: Plan) -> None:
    [hmac] = [
        k["values"]
        for k in of_type(deployed, "aws_kms_key")
        if k["values"]["key_usage"] != "ENCRYPT_DECRYPT"
    ]
    assert hmac["key_usage"] == "GENERATE_VERIFY_MAC"
    assert hmac["customer_master_key_spec"] == "HMAC_256"
    aliases = {a["values"]["name"] for a in of_type(deployed, "aws_kms_alias")}
    assert f"alias/{prefix(deployed)}-audit-hash" in aliases
    function = [
        f["values"]
        for f in of_type(deployed, "aws_lambda_function")
        if f["values"]["handler"] == "callguard.handlers.audit.handler"
    ]
    [audit_function] = function
    variables = audit_function["environment"][0]["variables"]
    assert variables["CALLGUARD_AUDIT_HASH_KEY"] == hmac["arn"]
    assert variables["CALLGUARD_AUDIT_LOG_GROUP"] == f"/callguard/{prefix(deployed)}/audit"


def test_audit_role_reaches_only_its_stream_log_group_key_and_queue(deployed: Plan) -> None:
    name = prefix(deployed)
    [policy_resource] = [
        r for r in of_type(deployed, "aws_iam_role_policy") if r["address"].startswith(AUDIT)
    ]
    statements = {s["Sid"]: s for s in json.loads(policy_resource["values"]["policy"])["Statement"]}
    table = only(deployed, "aws_dynamodb_table")["values"]
    queue = only(deployed, "aws_sqs_queue")["values"]
    groups = {
        g["values"]["name"]: g["values"]["arn"]
        for g in of_type(deployed, "aws_cloudwatch_log_group")
    }
    [hmac_arn] = [
        k["values"]["arn"]
        for k in of_type(deployed, "aws_kms_key")
        if k["values"]["key_usage"] == "GENERATE_VERIFY_MAC"
    ]
    stream = statements["ReadDenyListStream"]
    assert sorted(as_list(stream["Action"])) == [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    ]
    assert as_list(stream["Resource"]) == [f"{table['arn']}/stream/*"]
    assert as_list(statements["WriteAuditLogGroup"]["Resource"]) == [
        f"{groups[f'/callguard/{name}/audit']}:log-stream:*"
    ]
    assert as_list(statements["WriteOwnLogGroup"]["Resource"]) == [
        f"{groups[f'/aws/lambda/{name}-audit']}:log-stream:*"
    ]
    mac = statements["HashNumbersWithTheAuditKey"]
    assert as_list(mac["Action"]) == ["kms:GenerateMac"]
    assert as_list(mac["Resource"]) == [hmac_arn]
    assert mac["Condition"] == {"StringEquals": {"kms:MacAlgorithm": ["HMAC_SHA_256"]}}
    assert as_list(statements["SendFailedBatchesToQueue"]["Resource"]) == [queue["arn"]]
    via = {
        sid: statements[sid]["Condition"]["StringEquals"]["kms:ViaService"]
        for sid in ("DecryptStreamThroughDynamoDB", "EncryptQueueMessagesThroughSqs")
    }
    region = root_variable(deployed, "aws_region")
    assert via == {
        "DecryptStreamThroughDynamoDB": [f"dynamodb.{region}.amazonaws.com"],
        "EncryptQueueMessagesThroughSqs": [f"sqs.{region}.amazonaws.com"],
    }
    # Nothing reads or writes the table's items: only its stream.
    actions = {a for s in statements.values() for a in as_list(s["Action"])}
    assert {a for a in actions if a.startswith("dynamodb:")} == set(as_list(stream["Action"]))


def test_turning_the_challenge_on_adds_its_metrics_and_alarms(
    tmp_path: Path,
    stand_in_zip: Path,  # noqa: F811
) -> None:
    plan = plan_environment("dev", tmp_path, stand_in_zip, {"challenge": {"enabled": True}})
    filters = {
        f["values"]["name"]: f["values"] for f in of_type(plan, "aws_cloudwatch_log_metric_filter")
    }
    for metric, outcome in (("ChallengePasses", "pass"), ("ChallengeFailures", "fail")):
        for suffix in ("", "-by-instance"):
            found = filters[f"callguard-dev-{metric}{suffix}"]
            assert found["log_group_name"] == "/aws/lambda/callguard-dev-verify-code"
            assert f'$.outcome = "{outcome}"' in found["pattern"]
    names = set(alarms(plan))
    assert {"challenge-code-errors", "verify-code-errors", "verify-code-throttles"} <= names
