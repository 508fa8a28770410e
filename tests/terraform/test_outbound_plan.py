"""The outbound call engine in the plans: off in prod, on in dev with safe settings.

dev's committed tfvars enable the ``outbound`` block on the example instance;
prod's leave it off. The assertions read the plans of the applied roots.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from plan_helpers import (  # noqa: F401 - fixtures are used by name
    Deployed,
    _run,
    _var_args,
    as_list,
    changed_addresses,
    deployed_roots,
    of_type,
    planned_resources,
    policy_documents,
    stand_in_zip,
    whole_deployed_plans,
)

from callguard_tools.flows.render import render_file
from callguard_tools.flows.shipped_templates import DEMO_VALUES, FLOWS_DIR

Plan = dict[str, Any]
OUTBOUND_HANDLERS = Path(__file__).parents[2] / "lambda_src" / "callguard" / "outbound" / "handlers"
PREFIX = "module.outbound[0]."
DEV_INSTANCE = "0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
DEV_FLOW = "2f3e4d5c-6b7a-4c8d-9e0f-1a2b3c4d5e6f"
DEV_NUMBER = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
OUTPUTS = (
    "outbound_uploads_bucket",
    "outbound_work_bucket",
    "outbound_reports_bucket",
    "outbound_results_table",
    "outbound_state_machine_arn",
    "outbound_job_queue_url",
    "outbound_topic_arn",
)


#: As dev's tfvars: no contact_flow_id, so the module builds the bots and the flow.
OUTBOUND_ON = {
    "enabled": True,
    "instance": "support",
    "source_phone_number": "+442079460000",
    "source_phone_number_id": DEV_NUMBER,
    "retention_days": 30,
}
#: The bring-your-own-flow option.
OUTBOUND_OWN_FLOW = {**OUTBOUND_ON, "contact_flow_id": DEV_FLOW}
#: One answer hint of the root's own; the other five keep the module's.
DATE_HINT = "Key in the date as day, month and year, then hash."
OUTBOUND_DATE_HINT = {**OUTBOUND_ON, "answer_hints": {"date": DATE_HINT}}
REGION = "eu-west-2"
ACCOUNT = "111122223333"
QUESTION_TYPES = ("ok", "yes_no", "multiple_choice", "number", "date", "time")


@pytest.fixture(scope="module")
def outbound_plans(
    tmp_path_factory: pytest.TempPathFactory,
    stand_in_zip: Path,  # noqa: F811
    whole_deployed_plans: dict[str, Plan],  # noqa: F811
) -> dict[str, Plan]:
    """prod as committed (off); dev applied with the outbound block on, then planned.

    "dev" builds the call's voice (applied, so the flow's content is known);
    "dev_own_flow" is the same state planned with a contact_flow_id of the user's;
    "dev_date_hint" the same state planned with ``answer_hints = { date = ... }``.
    """
    dev = Deployed.apply("dev", tmp_path_factory.mktemp("outbound-dev"), stand_in_zip)
    on = {"outbound": OUTBOUND_ON}
    _run(
        [
            "apply",
            "-input=false",
            "-lock=false",
            "-auto-approve",
            "-no-color",
            *_var_args(dev.variables(on)),
        ],
        dev.directory,
    )
    return {
        "prod": whole_deployed_plans["prod"],
        "dev": dev.plan(on, with_outbound=True),
        "dev_own_flow": dev.plan({"outbound": OUTBOUND_OWN_FLOW}, with_outbound=True),
        "dev_date_hint": dev.plan({"outbound": OUTBOUND_DATE_HINT}, with_outbound=True),
        "dev_paged": dev.plan(
            {**on, "monitoring": {"sns_topic_arns": [ONCALL]}}, with_outbound=True
        ),
    }


#: The on-call topic a root's ``monitoring.sns_topic_arns`` names in ``dev_paged``.
ONCALL = "arn:aws:sns:eu-west-2:111122223333:contact-center-oncall"


def _outbound(plan: Plan, resource_type: str) -> list[dict[str, Any]]:
    return [r for r in of_type(plan, resource_type) if r["address"].startswith(PREFIX)]


def _call_flow(plan: Plan) -> dict[str, Any]:
    [flow] = _outbound(plan, "aws_connect_contact_flow")
    return flow


def _dial_resources(plan: Plan) -> set[str]:
    statements = [
        s for s in _statements(plan) if "connect:StartOutboundVoiceContact" in as_list(s["Action"])
    ]
    assert len(statements) == 1
    return set(as_list(statements[0]["Resource"]))


def _statements(plan: Plan) -> list[dict[str, Any]]:
    return [
        statement
        for address, _type, document in policy_documents(plan)
        if address.startswith(PREFIX)
        for statement in as_list(document["Statement"])
    ]


def test_prod_has_no_outbound_resources(
    outbound_plans: dict[str, Plan],
) -> None:
    plan = outbound_plans["prod"]
    assert [
        r["address"] for r in planned_resources(plan) if "module.outbound" in r["address"]
    ] == []
    for name in OUTPUTS:
        assert plan["planned_values"]["outputs"][name].get("value") is None, name


def test_dev_outputs_are_set(
    outbound_plans: dict[str, Plan],
) -> None:
    outputs = outbound_plans["dev"]["planned_values"]["outputs"]
    for name in OUTPUTS:
        assert outputs[name]["value"], name
    assert outputs["outbound_job_queue_url"]["value"].endswith(".fifo")


def test_buckets_are_encrypted_versioned_private_tls_only_and_expire(
    outbound_plans: dict[str, Plan],
) -> None:
    plan = outbound_plans["dev"]
    buckets = _outbound(plan, "aws_s3_bucket")
    assert len(buckets) == 3
    encryption = _outbound(plan, "aws_s3_bucket_server_side_encryption_configuration")
    assert len(encryption) == 3
    for e in encryption:
        rule = e["values"]["rule"][0]["apply_server_side_encryption_by_default"][0]
        assert rule["sse_algorithm"] == "aws:kms" and rule["kms_master_key_id"].startswith("arn:")
    versioning = _outbound(plan, "aws_s3_bucket_versioning")
    assert [v["values"]["versioning_configuration"][0]["status"] for v in versioning] == [
        "Enabled"
    ] * 3
    blocks = _outbound(plan, "aws_s3_bucket_public_access_block")
    assert len(blocks) == 3
    for b in blocks:
        v = b["values"]
        assert v["block_public_acls"] and v["block_public_policy"]
        assert v["ignore_public_acls"] and v["restrict_public_buckets"]
    policies = _outbound(plan, "aws_s3_bucket_policy")
    assert len(policies) == 3
    for p in policies:
        [deny] = json.loads(p["values"]["policy"])["Statement"]
        assert deny["Effect"] == "Deny"
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    lifecycles = _outbound(plan, "aws_s3_bucket_lifecycle_configuration")
    assert len(lifecycles) == 3
    for lc in lifecycles:
        assert lc["values"]["rule"][0]["expiration"][0]["days"] == 30


def test_uploads_notify_intake_from_this_bucket_and_account(
    outbound_plans: dict[str, Plan],
) -> None:
    plan = outbound_plans["dev"]
    [notification] = _outbound(plan, "aws_s3_bucket_notification")
    [target] = notification["values"]["lambda_function"]
    assert target["lambda_function_arn"].endswith("-outbound-intake")
    [permission] = [
        p
        for p in _outbound(plan, "aws_lambda_permission")
        if p["values"]["principal"] == "s3.amazonaws.com"
    ]
    [uploads] = [
        b for b in _outbound(plan, "aws_s3_bucket") if 'module.buckets["uploads"]' in b["address"]
    ]
    assert notification["values"]["bucket"] in (
        uploads["values"]["id"],
        uploads["values"]["bucket"],
    )
    assert permission["values"]["source_arn"] == uploads["values"]["arn"]
    assert permission["values"]["source_account"]


def test_queues_are_encrypted_with_dead_letters_and_alarms(
    outbound_plans: dict[str, Plan],
) -> None:
    plan = outbound_plans["dev"]
    queues = {q["values"]["name"]: q["values"] for q in _outbound(plan, "aws_sqs_queue")}
    assert len(queues) == 4
    jobs = next(v for n, v in queues.items() if n.endswith("-outbound-jobs.fifo"))
    calls = next(v for n, v in queues.items() if n.endswith("-outbound-calls"))
    assert jobs["fifo_queue"] is True
    assert not calls.get("fifo_queue"), "the dial queue is standard (docs/outbound-dialer.md)"
    assert calls["visibility_timeout_seconds"] >= 6 * 60
    for name, values in queues.items():
        assert values["kms_master_key_id"].startswith("arn:"), name
    for source in (jobs, calls):
        redrive = json.loads(source["redrive_policy"])
        assert redrive["deadLetterTargetArn"].split(":")[-1] in queues
    alarms = [
        (a["values"].get("dimensions") or {}).get("QueueName")
        for a in _outbound(plan, "aws_cloudwatch_metric_alarm")
    ]
    assert {n for n in queues if "-dlq" in n} <= set(alarms)
    [dialer_mapping] = [
        m
        for m in _outbound(plan, "aws_lambda_event_source_mapping")
        if m["values"]["function_response_types"]
    ]
    assert dialer_mapping["values"]["function_response_types"] == ["ReportBatchItemFailures"]


def test_tables_match_the_stores_with_pitr(
    outbound_plans: dict[str, Plan],
) -> None:
    tables = {
        t["values"]["name"]: t["values"]
        for t in _outbound(outbound_plans["dev"], "aws_dynamodb_table")
    }
    keys = {
        name.rsplit("-outbound-", 1)[1]: (t["hash_key"], t.get("range_key"))
        for name, t in tables.items()
    }
    assert keys == {
        "results": ("job_id", "receiver_id"),
        "task-tokens": ("contact_id", None),
        "contact-cap": ("number", "slot"),
    }
    for name, t in tables.items():
        assert t["point_in_time_recovery"][0]["enabled"] is True, name
        assert t["deletion_protection_enabled"] is True, name
        assert t["server_side_encryption"][0]["kms_key_arn"].startswith("arn:"), name


def test_state_machine_logs_without_data_and_traces(
    outbound_plans: dict[str, Plan],
) -> None:
    [machine] = _outbound(outbound_plans["dev"], "aws_sfn_state_machine")
    values = machine["values"]
    assert values["type"] == "STANDARD"
    logging = values["logging_configuration"][0]
    assert logging["include_execution_data"] is False and logging["level"] in ("ALL", "ERROR")
    assert values["tracing_configuration"][0]["enabled"] is True
    definition = json.loads(values["definition"])
    assert definition["StartAt"]


def test_outbound_calls_are_scoped_to_the_flow_and_number(
    outbound_plans: dict[str, Plan],
) -> None:
    resources = _dial_resources(outbound_plans["dev"])
    flow_id = _call_flow(outbound_plans["dev"])["values"]["contact_flow_id"]
    assert any(r.endswith(f"instance/{DEV_INSTANCE}/contact-flow/{flow_id}") for r in resources)
    assert any(r.endswith(f":phone-number/{DEV_NUMBER}") for r in resources)
    assert any(r.endswith(f"instance/{DEV_INSTANCE}/contact/*") for r in resources)
    assert len(resources) == 3


def test_disconnected_rule_filters_instance_and_flow(
    outbound_plans: dict[str, Plan],
) -> None:
    [rule] = _outbound(outbound_plans["dev"], "aws_cloudwatch_event_rule")
    pattern = json.loads(rule["values"]["event_pattern"])
    assert pattern["source"] == ["aws.connect"]
    assert pattern["detail-type"] == ["Amazon Connect Contact Event"]
    assert pattern["detail"]["eventType"] == ["DISCONNECTED"]
    [instance] = pattern["detail"]["instanceArn"]
    [flow] = pattern["detail"]["contactFlowArn"]
    assert instance.endswith(f"instance/{DEV_INSTANCE}")
    flow_id = _call_flow(outbound_plans["dev"])["values"]["contact_flow_id"]
    assert flow == f"{instance}/contact-flow/{flow_id}"


def test_dialer_paces_with_reserved_concurrency(
    outbound_plans: dict[str, Plan],
) -> None:
    [dialer] = [
        f
        for f in _outbound(outbound_plans["dev"], "aws_lambda_function")
        if f["values"]["handler"].endswith("dialer.handler")
    ]
    assert dialer["values"]["reserved_concurrent_executions"] == 1


def test_in_call_functions_are_associated_with_the_instance(
    outbound_plans: dict[str, Plan],
) -> None:
    associations = _outbound(outbound_plans["dev"], "aws_connect_lambda_function_association")
    names = sorted(a["values"]["function_arn"].rsplit("-outbound-", 1)[1] for a in associations)
    assert names == ["answer-check", "call-step", "finish-call", "opt-out", "record-answer"]
    assert {a["values"]["instance_id"] for a in associations} == {DEV_INSTANCE}


def test_operators_see_failed_calls_waiting_rounds_and_dead_letters(
    outbound_plans: dict[str, Plan],
) -> None:
    """The dashboard and the log metrics cover what the runbook asks an operator to watch."""
    dev = outbound_plans["dev"]
    filters = {
        r["values"]["name"]: r["values"]["pattern"]
        for r in _outbound(dev, "aws_cloudwatch_log_metric_filter")
    }
    assert any('$.status = "failed"' in p for p in filters.values())
    assert any('$.action = "wait"' in p for p in filters.values())
    # A pattern on an event no function logs would count nothing, forever.
    handlers = "".join(path.read_text(encoding="utf-8") for path in OUTBOUND_HANDLERS.glob("*.py"))
    for pattern in filters.values():
        [event] = re.findall(r'\$\.event = "([a-z_]+)"', pattern)
        assert f'"{event}"' in handlers, pattern
    [dashboard] = _outbound(dev, "aws_cloudwatch_dashboard")
    body = json.dumps(json.loads(dashboard["values"]["dashboard_body"]))
    for metric in (
        "FailedCalls",
        "RoundsWaitingForWindow",
        "ApproximateNumberOfMessagesVisible",
        "Throttles",
        "ExecutionsFailed",
        "ExecutionsTimedOut",
    ):
        assert metric in body


def test_dev_builds_a_bot_version_and_alias_per_question_type(
    outbound_plans: dict[str, Plan],
) -> None:
    plan = outbound_plans["dev"]
    for resource_type in ("awscc_lex_bot", "awscc_lex_bot_version", "awscc_lex_bot_alias"):
        keys = sorted(r["index"] for r in _outbound(plan, resource_type))
        assert keys == sorted(QUESTION_TYPES), resource_type
    bots = {r["values"]["name"] for r in _outbound(plan, "awscc_lex_bot")}
    assert bots == {f"callguard-dev-{t.replace('_', '-')}" for t in QUESTION_TYPES}


def test_every_bot_alias_is_associated_with_the_outbound_instance(
    outbound_plans: dict[str, Plan],
) -> None:
    plan = outbound_plans["dev"]
    aliases = {r["values"]["arn"] for r in _outbound(plan, "awscc_lex_bot_alias")}
    associations = _outbound(plan, "awscc_connect_integration_association")
    assert {a["values"]["integration_arn"] for a in associations} == aliases
    assert len(associations) == len(QUESTION_TYPES)
    assert all(
        a["values"]["instance_id"].endswith(f"instance/{DEV_INSTANCE}") for a in associations
    )
    assert {a["values"]["integration_type"] for a in associations} == {"LEX_BOT"}


def test_call_flow_is_what_the_renderer_makes_of_the_planned_arns(
    outbound_plans: dict[str, Plan],
) -> None:
    plan = outbound_plans["dev"]
    functions = {
        f["values"]["function_name"].rsplit("-outbound-", 1)[1]: f["values"]["arn"]
        for f in _outbound(plan, "aws_lambda_function")
    }
    aliases = {r["index"]: r["values"]["arn"] for r in _outbound(plan, "awscc_lex_bot_alias")}
    # The module's defaults: those DEMO_VALUES does not share are set here.
    variables = {
        **DEMO_VALUES["outbound_call.flow.json.tftpl"],
        "call_step_function_arn": functions["call-step"],
        "record_answer_function_arn": functions["record-answer"],
        "finish_function_arn": functions["finish-call"],
        "invocation_timeout_seconds": 8,
        "max_retries": 2,
        "max_repeats": 3,
        "voice": "Amy",
        **{f"{t}_bot_alias_arn": aliases[t] for t in QUESTION_TYPES},
    }
    flow = _call_flow(plan)
    assert flow["values"]["type"] == "CONTACT_FLOW"
    assert flow["values"]["instance_id"] == DEV_INSTANCE
    content = flow["values"]["content"]
    assert content == render_file(FLOWS_DIR / "outbound_call.flow.json.tftpl", variables)

    actions = json.loads(content)["Actions"]
    lex = [a for a in actions if a["Type"] == "ConnectParticipantWithLexBot"]
    assert {a["Parameters"]["LexV2Bot"]["AliasArn"] for a in lex} == set(aliases.values())
    invoked = {
        a["Parameters"]["LambdaFunctionARN"] for a in actions if a["Type"] == "InvokeLambdaFunction"
    }
    assert invoked == {functions[n] for n in ("call-step", "record-answer", "finish-call")}


def test_own_flow_builds_no_bot_and_no_flow(outbound_plans: dict[str, Plan]) -> None:
    plan = outbound_plans["dev_own_flow"]
    assert _outbound(plan, "aws_connect_contact_flow") == []
    for resource_type in (
        "awscc_lex_bot",
        "awscc_lex_bot_alias",
        "awscc_connect_integration_association",
    ):
        assert _outbound(plan, resource_type) == []
    resources = _dial_resources(plan)
    assert any(r.endswith(f"instance/{DEV_INSTANCE}/contact-flow/{DEV_FLOW}") for r in resources)


def _hints(plan: Plan) -> dict[str, str]:
    """The hints the flow hands call_step (LambdaInvocationAttributes of next-step)."""
    actions = json.loads(_call_flow(plan)["values"]["content"])["Actions"]
    [step] = [a for a in actions if a["Identifier"] == "next-step"]
    attributes: dict[str, str] = step["Parameters"]["LambdaInvocationAttributes"]
    return {name: value for name, value in attributes.items() if name.startswith("Hint")}


def test_a_root_answer_hint_replaces_only_its_own_type(
    outbound_plans: dict[str, Plan],
) -> None:
    defaults = _hints(outbound_plans["dev"])
    assert sorted(defaults) == [
        "HintDate",
        "HintMultipleChoice",
        "HintNumber",
        "HintOK",
        "HintTime",
        "HintYesNo",
    ]
    assert all(defaults.values()), defaults
    assert DATE_HINT not in defaults.values()

    assert _hints(outbound_plans["dev_date_hint"]) == {**defaults, "HintDate": DATE_HINT}
    # Only the flow's content changes: no function is redeployed for a hint.
    changed = changed_addresses(outbound_plans["dev_date_hint"])
    assert set(changed) == {_call_flow(outbound_plans["dev"])["address"]}, changed


def test_outbound_alarms_page_the_monitoring_topics(outbound_plans: dict[str, Plan]) -> None:
    """One setting pages on-call for both sides: monitoring.sns_topic_arns."""
    quiet = _outbound(outbound_plans["dev"], "aws_cloudwatch_metric_alarm")
    paged = _outbound(outbound_plans["dev_paged"], "aws_cloudwatch_metric_alarm")
    assert len(paged) == len(quiet) >= 3  # dead letters of both queues, failed calls
    assert all(not a["values"]["alarm_actions"] for a in quiet)
    assert {a["address"]: a["values"]["alarm_actions"] for a in paged} == {
        a["address"]: [ONCALL] for a in paged
    }
