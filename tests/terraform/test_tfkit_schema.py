"""The committed stand-in schema: complete for the project, and faithful to the provider.

Facts below come from the hashicorp/aws documentation for the pinned version (argument
reference: required arguments, attributes reference: computed values, and the blocks
each resource takes). Every type in the schema must have a fact, so a type added by
``make schema`` arrives with a check that its shape is the provider's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from callguard_tools.tfkit import schemagen
from callguard_tools.tfkit.paths import repo_root
from callguard_tools.tfkit.provider.schema import block_to_pb
from callguard_tools.tfkit.provider.schema import document as schema_document

DOC = schemagen.load_document()


@dataclass(frozen=True)
class Fact:
    """Required arguments, computed-only attributes and blocks (name -> nesting, max)."""

    required: frozenset[str] = frozenset()
    computed: frozenset[str] = frozenset()
    blocks: tuple[tuple[str, str, int], ...] = ()


def fact(required: str = "", computed: str = "", blocks: str = "") -> Fact:
    """Build a fact from space-separated names; blocks as ``name:nesting:max``."""
    parsed = tuple(
        (name, nesting, int(limit))
        for name, nesting, limit in (b.split(":") for b in blocks.split())
    )
    return Fact(frozenset(required.split()), frozenset(computed.split()), parsed)


RESOURCE_FACTS: dict[str, Fact] = {
    "aws_cloudwatch_dashboard": fact("dashboard_name dashboard_body", "dashboard_arn"),
    "aws_cloudwatch_log_group": fact("", "arn"),
    "aws_cloudwatch_log_metric_filter": fact(
        "name pattern log_group_name", "", "metric_transformation:list:1"
    ),
    "aws_cloudwatch_metric_alarm": fact("alarm_name", "arn", "metric_query:set:0"),
    "aws_connect_contact_flow": fact("instance_id name", "contact_flow_id arn"),
    "aws_connect_contact_flow_module": fact("instance_id name", "contact_flow_module_id arn"),
    "aws_connect_lambda_function_association": fact("instance_id function_arn"),
    "aws_connect_phone_number_contact_flow_association": fact(
        "instance_id phone_number_id contact_flow_id"
    ),
    "aws_connect_quick_connect": fact(
        "instance_id name", "quick_connect_id arn", "quick_connect_config:list:1"
    ),
    "aws_dynamodb_table": fact(
        "name",
        "arn stream_arn stream_label",
        "attribute:set:0 global_secondary_index:set:0 local_secondary_index:set:0 "
        "ttl:list:1 point_in_time_recovery:list:1 server_side_encryption:list:1 "
        "replica:set:0 timeouts:single:0",
    ),
    "aws_iam_role": fact("assume_role_policy", "arn unique_id create_date", "inline_policy:set:0"),
    "aws_iam_role_policy": fact("policy role"),
    "aws_kms_alias": fact("target_key_id", "arn target_key_arn"),
    "aws_kms_key": fact("", "arn key_id", "timeouts:single:0"),
    "aws_lambda_event_source_mapping": fact(
        "function_name",
        "uuid function_arn state last_modified",
        "filter_criteria:list:1 destination_config:list:1 scaling_config:list:1",
    ),
    "aws_lambda_function": fact(
        "function_name role",
        "arn invoke_arn qualified_arn qualified_invoke_arn version last_modified",
        "logging_config:list:1 tracing_config:list:1 environment:list:1 "
        "dead_letter_config:list:1 vpc_config:list:1 ephemeral_storage:list:1",
    ),
    "aws_lambda_permission": fact("action function_name principal"),
    "aws_sns_topic": fact("", "arn owner"),
    "aws_sns_topic_policy": fact("arn policy", "owner"),
    "aws_sns_topic_subscription": fact(
        "endpoint protocol topic_arn", "arn owner_id pending_confirmation"
    ),
    "aws_sqs_queue": fact("", "arn url", "timeouts:single:0"),
    "aws_cloudwatch_event_rule": fact("", ""),
    "aws_cloudwatch_event_target": fact("arn rule", ""),
    "aws_s3_bucket": fact("", ""),
    "aws_s3_bucket_lifecycle_configuration": fact("bucket", ""),
    "aws_s3_bucket_notification": fact("bucket", ""),
    "aws_s3_bucket_ownership_controls": fact("bucket", ""),
    "aws_s3_bucket_policy": fact("bucket policy", ""),
    "aws_s3_bucket_public_access_block": fact("bucket", ""),
    "aws_s3_bucket_server_side_encryption_configuration": fact("bucket", ""),
    "aws_s3_bucket_versioning": fact("bucket", ""),
    "aws_sfn_state_machine": fact("definition role_arn", ""),
    "aws_sqs_queue_redrive_allow_policy": fact("queue_url redrive_allow_policy", ""),
}

DATA_SOURCE_FACTS: dict[str, Fact] = {
    "aws_caller_identity": fact("", "account_id arn user_id"),
    "aws_connect_instance": fact("", "arn created_time status service_role"),
    "aws_connect_queue": fact("instance_id", "arn hours_of_operation_id status"),
    "aws_iam_policy_document": fact("", "json minified_json", "statement:list:0"),
    "aws_partition": fact("", "partition dns_suffix reverse_dns_prefix"),
    "aws_region": fact("", "description"),
}


def _check(block: dict[str, Any], expected: Fact) -> None:
    attributes = block["attributes"]
    for name in expected.required:
        assert attributes[name][1] == "r", f"{name} should be required"
    for name in expected.computed:
        assert attributes[name][1] == "c", f"{name} should be computed only"
    for name, nesting, limit in expected.blocks:
        spec = block["blocks"][name]
        assert spec["nesting"] == nesting, f"block {name}"
        assert spec.get("max_items", 0) == limit, f"block {name} max_items"
    # What is not required must not be marked so (missing-argument errors would lie).
    extra = {n for n, (_, flags) in attributes.items() if flags == "r"} - expected.required
    assert not extra, f"unexpectedly required: {sorted(extra)}"


@pytest.mark.parametrize("type_name", sorted(RESOURCE_FACTS))
def test_resource_shape_matches_provider_docs(type_name: str) -> None:
    _check(DOC["resource_schemas"][type_name], RESOURCE_FACTS[type_name])


@pytest.mark.parametrize("type_name", sorted(DATA_SOURCE_FACTS))
def test_data_source_shape_matches_provider_docs(type_name: str) -> None:
    _check(DOC["data_source_schemas"][type_name], DATA_SOURCE_FACTS[type_name])


def test_every_schema_type_has_a_fact() -> None:
    assert set(DOC["resource_schemas"]) == set(RESOURCE_FACTS)
    assert set(DOC["data_source_schemas"]) == set(DATA_SOURCE_FACTS)


def test_every_type_the_project_uses_is_in_the_committed_schema() -> None:
    files = schemagen.tf_files(repo_root())
    assert files, "no .tf files found under modules/ or terraform/"
    resources, data_sources = schemagen.used_types(files)
    assert "aws_dynamodb_table" in resources
    missing = schemagen.missing_types(resources, data_sources, DOC)
    assert missing == [], f"run `make schema`: {missing}"


def test_missing_type_is_reported(tmp_path: Path) -> None:
    module = tmp_path / "modules" / "x"
    module.mkdir(parents=True)
    (module / "main.tf").write_text(
        'resource "aws_dynamodb_table" "t" {}\nresource "aws_appsync_api" "a" {}\n'
        'data "aws_vpc" "v" {}\n',
        encoding="utf-8",
    )
    resources, data_sources = schemagen.used_types(schemagen.tf_files(tmp_path))
    assert schemagen.missing_types(resources, data_sources, DOC) == [
        "resource aws_appsync_api",
        "data aws_vpc",
    ]
    assert schemagen.main(["--root", str(tmp_path), "--check"]) == 1


def test_versions_are_recorded_and_satisfy_every_pin() -> None:
    assert DOC["provider_version"] == "6.66.0"
    assert DOC["bindings"] == f"@cdktn/provider-aws@{schemagen.BINDINGS_VERSION}"
    pins = schemagen.aws_pins(schemagen.tf_files(repo_root()))
    assert pins, "no hashicorp/aws version pin found"
    assert all(schemagen.satisfies(DOC["provider_version"], pin) for pin in pins), pins


@pytest.mark.parametrize(
    ("version", "constraint", "expected"),
    [
        ("6.66.0", "~> 6.66", True),
        ("6.70.1", "~> 6.66", True),
        ("7.0.0", "~> 6.66", False),
        ("6.65.0", "~> 6.66", False),
        ("6.66.0", ">= 6.0, < 7.0", True),
        ("6.66.0", "= 6.66.0", True),
        ("6.66.0", "~> 6.66.1", False),
    ],
)
def test_version_constraints(version: str, constraint: str, expected: bool) -> None:
    assert schemagen.satisfies(version, constraint) is expected


def test_provider_block_has_region_and_default_tags() -> None:
    provider = DOC["provider"]
    assert provider["attributes"]["region"][1] == "o"
    assert provider["blocks"]["default_tags"]["block"]["attributes"]["tags"][0] == [
        "map",
        "string",
    ]
    assert "alias" not in provider["attributes"]  # a meta-argument, not provider schema


def test_protocol_schema_keeps_list_nesting_and_limits() -> None:
    from tf.gen import tfplugin_pb2 as pb

    table = block_to_pb(schema_document()["resource_schemas"]["aws_dynamodb_table"])
    nested = {b.type_name: b for b in table.block_types}
    assert nested["ttl"].nesting == pb.Schema.NestedBlock.NestingMode.LIST
    assert nested["ttl"].max_items == 1
    assert nested["attribute"].nesting == pb.Schema.NestedBlock.NestingMode.SET
    assert nested["timeouts"].nesting == pb.Schema.NestedBlock.NestingMode.SINGLE
    names = {a.name: a for a in table.attributes}
    assert json.loads(names["tags"].type) == ["map", "string"]
    assert names["name"].required and not names["name"].computed
    assert names["arn"].computed and not names["arn"].optional
