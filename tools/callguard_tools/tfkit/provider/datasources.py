"""Deterministic answers for the data sources the project reads.

Every answer is derived from the data source's arguments and the provider
configuration (region, account), never from a clock or randomness, so a plan is the
same on every machine. A data source without a rule here gets generic values of the
right type for its computed attributes (see :func:`~.applied_values.synthesize`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from callguard_tools.tfkit.provider import policy_document
from callguard_tools.tfkit.provider.applied_values import synthesize
from callguard_tools.tfkit.provider.schema import Block, attributes, cty_of
from callguard_tools.tfkit.provider.values import EPOCH_ISO, Context, digest, seeded_uuid

Values = dict[str, Any]

_REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)",
    "us-west-2": "US West (Oregon)",
    "eu-west-2": "Europe (London)",
    "eu-central-1": "Europe (Frankfurt)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ca-central-1": "Canada (Central)",
    "af-south-1": "Africa (Cape Town)",
}


def _caller_identity(config: Values, ctx: Context) -> Values:
    return {
        "account_id": ctx.account,
        "arn": f"arn:{ctx.partition}:iam::{ctx.account}:user/callguard-offline",
        "user_id": "AIDA" + digest(ctx.account)[:17].upper(),
        "id": ctx.account,
    }


def _region(config: Values, ctx: Context) -> Values:
    region = config.get("region") or config.get("name") or ctx.region
    return {
        "region": region,
        "name": region,
        "id": region,
        "description": _REGION_NAMES.get(region, region),
        "endpoint": f"ec2.{region}.amazonaws.com",
    }


def _partition(config: Values, ctx: Context) -> Values:
    suffix = "amazonaws.com.cn" if ctx.partition == "aws-cn" else "amazonaws.com"
    reverse = "cn.com.amazonaws" if ctx.partition == "aws-cn" else "com.amazonaws"
    return {
        "partition": ctx.partition,
        "id": ctx.partition,
        "dns_suffix": suffix,
        "reverse_dns_prefix": reverse,
    }


def _connect_instance(config: Values, ctx: Context) -> Values:
    alias = config.get("instance_alias")
    instance_id = config.get("instance_id") or seeded_uuid(digest(alias or ""), "instance_id")
    alias = alias or f"callguard-{instance_id[:8]}"
    return {
        "instance_id": instance_id,
        "instance_alias": alias,
        "id": instance_id,
        "arn": ctx.arn("connect", f"instance/{instance_id}"),
        "created_time": EPOCH_ISO,
        "identity_management_type": "CONNECT_MANAGED",
        "status": "ACTIVE",
        "service_role": f"arn:{ctx.partition}:iam::{ctx.account}:role/aws-service-role/"
        "connect.amazonaws.com/AWSServiceRoleForAmazonConnect_" + digest(instance_id)[:20],
        "inbound_calls_enabled": True,
        "outbound_calls_enabled": True,
        "contact_flow_logs_enabled": True,
        "contact_lens_enabled": True,
        "auto_resolve_best_voices_enabled": True,
        "early_media_enabled": True,
        "multi_party_conference_enabled": False,
        "tags": {},
    }


def _connect_queue(config: Values, ctx: Context) -> Values:
    instance_id = config["instance_id"]
    name = config.get("name")
    queue_id = config.get("queue_id") or seeded_uuid(digest(instance_id, name or ""), "queue_id")
    return {
        "queue_id": queue_id,
        "name": name or f"queue-{queue_id[:8]}",
        "id": f"{instance_id}:{queue_id}",
        "arn": ctx.arn("connect", f"instance/{instance_id}/queue/{queue_id}"),
        "description": "",
        "hours_of_operation_id": seeded_uuid(digest(instance_id), "hours_of_operation_id"),
        "max_contacts": 0,
        "status": "ENABLED",
        "outbound_caller_config": [],
        "tags": {},
    }


def _policy_document(config: Values, ctx: Context) -> Values:
    rendered, minified = policy_document.render(config)
    return {"json": rendered, "minified_json": minified, "id": digest(rendered)[:10]}


RULES: dict[str, Callable[[Values, Context], Values]] = {
    "aws_caller_identity": _caller_identity,
    "aws_region": _region,
    "aws_partition": _partition,
    "aws_connect_instance": _connect_instance,
    "aws_connect_queue": _connect_queue,
    "aws_iam_policy_document": _policy_document,
}


def read(type_name: str, block: Block, config: Values, ctx: Context) -> Values:
    """Return the data source's state: its configuration with computed values filled in.

    Arguments the configuration sets are kept as given (Terraform requires that);
    only null computed attributes receive values.
    """
    rule = RULES.get(type_name)
    answers = rule(config, ctx) if rule else {}
    seed = digest(type_name, repr(sorted((k, repr(v)) for k, v in config.items())))
    state = dict(config)
    for name, (cty, flags) in attributes(block).items():
        if state.get(name) is not None or "c" not in flags:
            continue
        answer = answers.get(name)
        if answer is None and name == "region":
            answer = ctx.region
        state[name] = answer if answer is not None else synthesize(name, cty_of(cty), seed)
    return state
