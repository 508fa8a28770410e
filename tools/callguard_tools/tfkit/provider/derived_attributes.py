"""Computed attributes derived from others, per resource type: an ARN from a name, and so on.

:data:`RULES` lists, for each resource type the stand-in knows, the computed
attributes whose realistic value depends on the configuration or on attributes
filled before them (``arn`` from ``name``, ``invoke_arn`` from ``arn``);
:func:`generic_rules` gives any other type an ``arn`` and ``id`` of the usual
shape. :func:`~.applied_values.apply` evaluates them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from callguard_tools.tfkit.provider.values import Context, Values, digest, seeded_uuid


def _connect_arn(ctx: Context, values: Values, kind: str, id_attr: str) -> str:
    return ctx.arn("connect", f"instance/{values['instance_id']}/{kind}/{values[id_attr]}")


Rule = Callable[[Values, Context, str], Any]

#: Per type, computed attributes whose realistic value depends on others. Evaluated in
#: order, each seeing the values filled before it.
RULES: dict[str, list[tuple[str, Rule]]] = {
    "aws_dynamodb_table": [
        ("arn", lambda v, c, s: c.arn("dynamodb", f"table/{v['name']}")),
        ("id", lambda v, c, s: v["name"]),
        (
            "stream_label",
            lambda v, c, s: "2026-01-01T00:00:00.000" if v.get("stream_enabled") else "",
        ),
        (
            "stream_arn",
            lambda v, c, s: (
                f"{v['arn']}/stream/{v['stream_label']}" if v.get("stream_enabled") else ""
            ),
        ),
        ("hash_key", lambda v, c, s: ""),
    ],
    "aws_kms_key": [
        ("key_id", lambda v, c, s: seeded_uuid(s, "key_id")),
        ("arn", lambda v, c, s: c.arn("kms", f"key/{v['key_id']}")),
        ("id", lambda v, c, s: v["key_id"]),
    ],
    "aws_kms_alias": [
        ("name", lambda v, c, s: f"{v.get('name_prefix') or 'alias/'}{s[:26]}"),
        ("arn", lambda v, c, s: c.arn("kms", v["name"])),
        ("target_key_arn", lambda v, c, s: c.arn("kms", f"key/{v['target_key_id']}")),
        ("id", lambda v, c, s: v["name"]),
    ],
    "aws_cloudwatch_log_group": [
        ("name", lambda v, c, s: f"{v.get('name_prefix') or 'terraform-'}{s[:26]}"),
        ("arn", lambda v, c, s: c.arn("logs", f"log-group:{v['name']}")),
        ("id", lambda v, c, s: v["name"]),
    ],
    "aws_cloudwatch_log_metric_filter": [("id", lambda v, c, s: v["name"])],
    "aws_cloudwatch_metric_alarm": [
        ("arn", lambda v, c, s: c.arn("cloudwatch", f"alarm:{v['alarm_name']}")),
        ("id", lambda v, c, s: v["alarm_name"]),
    ],
    "aws_cloudwatch_dashboard": [
        (
            "dashboard_arn",
            lambda v, c, s: c.arn("cloudwatch", f"dashboard/{v['dashboard_name']}", regional=False),
        ),
        ("id", lambda v, c, s: v["dashboard_name"]),
    ],
    "aws_lambda_function": [
        ("arn", lambda v, c, s: c.arn("lambda", f"function:{v['function_name']}")),
        ("id", lambda v, c, s: v["function_name"]),
        ("version", lambda v, c, s: "1" if v.get("publish") else "$LATEST"),
        ("qualified_arn", lambda v, c, s: f"{v['arn']}:{v['version']}"),
        ("invoke_arn", lambda v, c, s: _invoke_arn(c, v["arn"])),
        ("qualified_invoke_arn", lambda v, c, s: _invoke_arn(c, v["qualified_arn"])),
        ("response_streaming_invoke_arn", lambda v, c, s: _invoke_arn(c, v["arn"], streaming=True)),
        ("code_sha256", lambda v, c, s: v.get("source_code_hash") or s[:44]),
        ("source_code_hash", lambda v, c, s: v.get("code_sha256") or s[:44]),
        ("architectures", lambda v, c, s: ["x86_64"]),
    ],
    "aws_lambda_permission": [
        ("statement_id", lambda v, c, s: f"{v.get('statement_id_prefix') or 'terraform-'}{s[:26]}"),
        ("id", lambda v, c, s: v["statement_id"]),
    ],
    "aws_lambda_event_source_mapping": [
        ("uuid", lambda v, c, s: seeded_uuid(s, "uuid")),
        ("arn", lambda v, c, s: c.arn("lambda", f"event-source-mapping:{v['uuid']}")),
        ("function_arn", lambda v, c, s: _function_arn(c, v["function_name"])),
        ("id", lambda v, c, s: v["uuid"]),
    ],
    "aws_iam_role": [
        ("name", lambda v, c, s: f"{v.get('name_prefix') or 'terraform-'}{s[:26]}"),
        (
            "arn",
            lambda v, c, s: (
                f"arn:{c.partition}:iam::{c.account}:role{v.get('path') or '/'}{v['name']}"
            ),
        ),
        ("unique_id", lambda v, c, s: "AROA" + s[:17].upper()),
        ("id", lambda v, c, s: v["name"]),
    ],
    "aws_iam_role_policy": [
        ("name", lambda v, c, s: f"{v.get('name_prefix') or 'terraform-'}{s[:26]}"),
        ("id", lambda v, c, s: f"{v['role']}:{v['name']}"),
    ],
    "aws_connect_contact_flow": [
        ("contact_flow_id", lambda v, c, s: seeded_uuid(s, "contact_flow_id")),
        ("arn", lambda v, c, s: _connect_arn(c, v, "contact-flow", "contact_flow_id")),
        ("id", lambda v, c, s: f"{v['instance_id']}:{v['contact_flow_id']}"),
        ("content", lambda v, c, s: ""),
    ],
    "aws_connect_contact_flow_module": [
        ("contact_flow_module_id", lambda v, c, s: seeded_uuid(s, "contact_flow_module_id")),
        ("arn", lambda v, c, s: _connect_arn(c, v, "flow-module", "contact_flow_module_id")),
        ("id", lambda v, c, s: f"{v['instance_id']}:{v['contact_flow_module_id']}"),
        ("content", lambda v, c, s: ""),
    ],
    "aws_connect_quick_connect": [
        ("quick_connect_id", lambda v, c, s: seeded_uuid(s, "quick_connect_id")),
        ("arn", lambda v, c, s: _connect_arn(c, v, "transfer-destination", "quick_connect_id")),
        ("id", lambda v, c, s: f"{v['instance_id']}:{v['quick_connect_id']}"),
    ],
    "aws_connect_lambda_function_association": [
        ("id", lambda v, c, s: f"{v['instance_id']},{v['function_arn']}"),
    ],
    "aws_sqs_queue": [
        ("name", lambda v, c, s: f"{v.get('name_prefix') or 'terraform-'}{s[:26]}"),
        ("arn", lambda v, c, s: c.arn("sqs", v["name"])),
        ("url", lambda v, c, s: f"https://sqs.{c.region}.amazonaws.com/{c.account}/{v['name']}"),
        ("id", lambda v, c, s: v["url"]),
    ],
    "aws_sns_topic": [
        ("name", lambda v, c, s: f"{v.get('name_prefix') or 'terraform-'}{s[:26]}"),
        ("arn", lambda v, c, s: c.arn("sns", v["name"])),
        ("owner", lambda v, c, s: c.account),
        ("id", lambda v, c, s: v["arn"]),
    ],
    "aws_sns_topic_subscription": [
        ("arn", lambda v, c, s: f"{v['topic_arn']}:{seeded_uuid(s, 'subscription')}"),
        ("owner_id", lambda v, c, s: c.account),
        (
            "pending_confirmation",
            lambda v, c, s: v.get("protocol") in ("email", "email-json", "http", "https"),
        ),
        ("id", lambda v, c, s: v["arn"]),
    ],
    # hashicorp/awscc (Cloud Control): ``id`` is the resource's primary identifier.
    "awscc_lex_bot": [
        ("bot_id", lambda v, c, s: _lex_id(s, "bot_id")),
        ("arn", lambda v, c, s: c.arn("lex", f"bot/{v['bot_id']}")),
        ("id", lambda v, c, s: v["bot_id"]),
    ],
    "awscc_lex_bot_version": [
        ("bot_version", lambda v, c, s: "1"),
        ("id", lambda v, c, s: f"{v['bot_id']}|{v['bot_version']}"),
    ],
    "awscc_lex_bot_alias": [
        ("bot_alias_id", lambda v, c, s: _lex_id(s, "bot_alias_id")),
        ("arn", lambda v, c, s: c.arn("lex", f"bot-alias/{v['bot_id']}/{v['bot_alias_id']}")),
        ("bot_alias_status", lambda v, c, s: "Available"),
        ("id", lambda v, c, s: f"{v['bot_alias_id']}|{v['bot_id']}"),
    ],
    "awscc_connect_integration_association": [
        (
            "integration_association_id",
            lambda v, c, s: seeded_uuid(s, "integration_association_id"),
        ),
        (
            "id",
            lambda v, c, s: f"{v['instance_id']}|{v['integration_type']}|{v['integration_arn']}",
        ),
    ],
}


def _lex_id(seed: str, name: str) -> str:
    """Return a Lex-shaped identifier: ten upper-case letters and digits."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    number = int(digest(seed, name), 16)
    return "".join(alphabet[(number >> (6 * i)) % 36] for i in range(10))


def _invoke_arn(ctx: Context, function_arn: str, *, streaming: bool = False) -> str:
    api = "2021-11-15/functions" if streaming else "2015-03-31/functions"
    suffix = "response-streaming-invocations" if streaming else "invocations"
    return f"arn:{ctx.partition}:apigateway:{ctx.region}:lambda:path/{api}/{function_arn}/{suffix}"


def _function_arn(ctx: Context, name_or_arn: str) -> str:
    if name_or_arn.startswith("arn:"):
        return name_or_arn
    return ctx.arn("lambda", f"function:{name_or_arn}")


def generic_rules(type_name: str) -> list[tuple[str, Rule]]:
    """Return an ``arn`` and ``id`` rule for a type :data:`RULES` does not list."""
    service = type_name.split("_")[1]
    kind = "-".join(type_name.split("_")[2:]) or service

    def key(v: Values, s: str) -> str:
        name = v.get("name")
        return name if isinstance(name, str) and name else s[:16]

    return [
        ("arn", lambda v, c, s: c.arn(service, f"{kind}/{key(v, s)}")),
        ("id", lambda v, c, s: key(v, s)),
    ]
