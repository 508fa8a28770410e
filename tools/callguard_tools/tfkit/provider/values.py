"""Planned and applied values: what the stand-in says a resource will look like.

* **Plan** behaves like the real provider: every computed attribute the configuration
  leaves unset is *unknown* (``(known after apply)``), except the few the real provider
  knows at plan time (``region``, ``tags_all``).
* **Apply** replaces every unknown with a deterministic value of realistic shape: ARNs
  with the configured partition, region and account, UUID-shaped ids, ``invoke_arn`` and
  so on. The same configuration always yields the same values, so tests can assert them.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tf.types import Unknown

from callguard_tools.tfkit.provider.schema import Block, attributes, blocks, cty_of, is_nested

Values = dict[str, Any]

#: A fixed, plausible timestamp: deterministic output beats a wall clock here.
EPOCH_ISO = "2026-01-01T00:00:00Z"


@dataclass(frozen=True)
class Context:
    """What the provider configuration fixes: where resources live and default tags."""

    region: str = "us-east-1"
    account: str = "123456789012"
    default_tags: dict[str, str] = field(default_factory=dict)

    @property
    def partition(self) -> str:
        """Return the AWS partition of the region."""
        if self.region.startswith("cn-"):
            return "aws-cn"
        if self.region.startswith("us-gov-"):
            return "aws-us-gov"
        return "aws"

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        """Return ``arn:<partition>:<service>:<region>:<account>:<resource>``."""
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account}:{resource}"


def is_unknown(value: Any) -> bool:
    """Return True for the plugin protocol's unknown marker."""
    return value is Unknown


def _walk_blocks(block: Block, values: Values, visit: Callable[[Block, Values], Values]) -> None:
    for name, spec in blocks(block).items():
        current = values.get(name)
        if current is None or is_unknown(current):
            continue
        if spec["nesting"] == "single":
            values[name] = visit(spec["block"], current)
        else:
            values[name] = [
                item if is_unknown(item) else visit(spec["block"], item) for item in current
            ]


def _merged_tags(values: Values, ctx: Context) -> Any:
    tags = values.get("tags")
    if is_unknown(tags) or (isinstance(tags, dict) and any(map(is_unknown, tags.values()))):
        return Unknown
    return {**ctx.default_tags, **(tags or {})}


def _plan_object(specs: dict[str, list[Any]], item: Values) -> Values:
    """Plan one object: unset computed attributes unknown, nested attributes recursed."""
    planned = dict(item)
    for name, (spec, flags) in specs.items():
        value = planned.get(name)
        if value is None:
            if "c" in flags:
                planned[name] = Unknown
        elif is_nested(spec) and not is_unknown(value):
            planned[name] = _plan_nested(spec, value)
    return planned


def _plan_nested(spec: dict[str, Any], value: Any) -> Any:
    """Plan a configured nested attribute (single object, list, set or map of objects)."""
    inner = spec["attributes"]

    def one(item: Any) -> Any:
        return item if item is None or is_unknown(item) else _plan_object(inner, item)

    if spec["nesting"] == "single":
        return one(value)
    if spec["nesting"] == "map":
        return {key: one(item) for key, item in value.items()}
    return [one(item) for item in value]


def plan_create(block: Block, proposed: Values, ctx: Context) -> Values:
    """Return the planned state of a new resource: unset computed attributes unknown."""

    def visit(current: Block, item: Values) -> Values:
        planned = _plan_object(attributes(current), item)
        _walk_blocks(current, planned, visit)
        return planned

    planned = visit(block, proposed)
    top = attributes(block)
    if "region" in top and is_unknown(planned.get("region")):
        planned["region"] = ctx.region
    if "tags_all" in top and "tags" in top:
        planned["tags_all"] = _merged_tags(planned, ctx)
    return planned


def _merge_object(specs: dict[str, list[Any]], proposed: Values, prior: Values) -> Values:
    """Return ``proposed`` with unset computed values taken from ``prior`` (nested too)."""
    merged = dict(proposed)
    for name, (spec, flags) in specs.items():
        value, before = proposed.get(name), prior.get(name)
        if value is None and "c" in flags:
            merged[name] = before
        elif is_nested(spec) and value is not None and before is not None:
            merged[name] = _merge_nested(spec, value, before)
    return merged


def _merge_nested(spec: dict[str, Any], value: Any, before: Any) -> Any:
    """Merge a nested attribute's proposal with its prior state.

    Terraform cannot pair the objects of a set whose computed attributes the provider
    filled in, so its proposal has them null: an object of the proposal takes the prior
    object it matches on everything configured, and stays as proposed otherwise.
    """
    inner = spec["attributes"]
    if is_unknown(value) or is_unknown(before):
        return value
    if spec["nesting"] == "single":
        return _merge_object(inner, value, before)
    if spec["nesting"] == "map":
        return {
            key: _merge_object(inner, item, before[key]) if key in before else item
            for key, item in value.items()
        }
    if spec["nesting"] == "list":
        return [
            _merge_object(inner, item, before[index]) if index < len(before) else item
            for index, item in enumerate(value)
        ]
    merged = []
    for item in value:
        match = next((old for old in before if _merge_object(inner, item, old) == old), None)
        merged.append(item if match is None else match)
    return merged


def plan_update(
    block: Block, proposed: Values, ctx: Context, prior: Values | None = None
) -> Values:
    """Return the planned state of an update: Terraform's proposal, tags recomputed.

    With ``prior``, nested attributes keep the computed values the prior state has
    (see :func:`_merge_nested`); what is new in them plans like a create.
    """
    planned = dict(proposed)
    top = attributes(block)
    if prior is not None and any(is_nested(spec) for spec, _ in top.values()):
        planned = _plan_object(top, _merge_object(top, planned, prior))
    if "tags_all" in top and "tags" in top:
        planned["tags_all"] = _merged_tags(planned, ctx)
    return planned


# ------------------------------------------------------------------ apply


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _uuid(seed: str, name: str) -> str:
    return str(uuid.UUID(hex=_digest(seed, name)[:32], version=4))


def _seed(type_name: str, values: Values) -> str:
    """Return a digest of the resource's known scalar configuration (its identity)."""
    known = {
        k: v
        for k, v in sorted(values.items())
        if isinstance(v, str | int | float | bool) and not is_unknown(v)
    }
    return _digest(type_name, json.dumps(known, sort_keys=True, default=str))


_NUMBER_HINTS = {
    "max_session_duration": 3600,
    "memory_size": 128,
    "timeout": 3,
    "deletion_window_in_days": 30,
    "recovery_period_in_days": 35,
    "visibility_timeout_seconds": 30,
    "message_retention_seconds": 345600,
    "max_message_size": 262144,
    "kms_data_key_reuse_period_seconds": 300,
    "batch_size": 100,
    "maximum_retry_attempts": -1,
    "maximum_record_age_in_seconds": -1,
    "parallelization_factor": 1,
    "source_code_size": 1024,
    "confirmation_timeout_in_minutes": 1,
    "rotation_period_in_days": 365,
    "size": 512,
}
_BOOL_HINTS = {
    "is_enabled": True,
    "enabled": True,
    "sqs_managed_sse_enabled": True,
    "confirmation_was_authenticated": True,
    "inbound_calls_enabled": True,
    "outbound_calls_enabled": True,
    "contact_flow_logs_enabled": True,
}
_STRING_HINTS = {
    "create_date": EPOCH_ISO,
    "created_time": EPOCH_ISO,
    "last_modified": "2026-01-01T00:00:00.000+0000",
    "state": "Enabled",
    "status": "ACTIVE",
    "key_usage": "ENCRYPT_DECRYPT",
    "customer_master_key_spec": "SYMMETRIC_DEFAULT",
    "package_type": "Zip",
    "version": "$LATEST",
    "signature_version": "1",
    "log_group_class": "STANDARD",
    "billing_mode": "PROVISIONED",
    "stream_view_type": "",
    "content_hash": "",
    "last_processing_result": "No records processed",
    "state_transition_reason": "USER_INITIATED",
    "treat_missing_data": "missing",
    "mode": "PassThrough",
    "type": "",
}


def synthesize(name: str, cty: Any, seed: str) -> Any:  # noqa: PLR0911 - one return per type
    """Return a deterministic value of type ``cty`` for a computed attribute called ``name``."""
    if cty == "string":
        if name in _STRING_HINTS:
            return _STRING_HINTS[name]
        if name.endswith("_id") or name == "uuid":
            return _uuid(seed, name)
        return f"{name.replace('_', '-')}-{seed[:8]}"
    if cty == "number":
        return _NUMBER_HINTS.get(name, 0)
    if cty == "bool":
        return _BOOL_HINTS.get(name, False)
    if isinstance(cty, list) and cty[0] in ("list", "set"):
        return []
    if isinstance(cty, list) and cty[0] == "map":
        return {}
    if isinstance(cty, list) and cty[0] == "object":
        return {k: synthesize(k, t, seed) for k, t in cty[1].items()}
    return None


def fill_value(name: str, cty: Any, value: Any, seed: str) -> Any:
    """Replace unknowns anywhere inside ``value`` (of type ``cty``) with synthesized values."""
    if is_unknown(value):
        return synthesize(name, cty, seed)
    if value is None or not isinstance(cty, list):
        return value
    kind = cty[0]
    if kind in ("list", "set"):
        return [fill_value(name, cty[1], item, seed) for item in value]
    if kind == "map":
        return {k: fill_value(k, cty[1], v, seed) for k, v in value.items()}
    if kind == "object":
        return {k: fill_value(k, t, value.get(k), seed) for k, t in cty[1].items()}
    return value


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
        ("key_id", lambda v, c, s: _uuid(s, "key_id")),
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
        ("uuid", lambda v, c, s: _uuid(s, "uuid")),
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
        ("contact_flow_id", lambda v, c, s: _uuid(s, "contact_flow_id")),
        ("arn", lambda v, c, s: _connect_arn(c, v, "contact-flow", "contact_flow_id")),
        ("id", lambda v, c, s: f"{v['instance_id']}:{v['contact_flow_id']}"),
        ("content", lambda v, c, s: ""),
    ],
    "aws_connect_contact_flow_module": [
        ("contact_flow_module_id", lambda v, c, s: _uuid(s, "contact_flow_module_id")),
        ("arn", lambda v, c, s: _connect_arn(c, v, "flow-module", "contact_flow_module_id")),
        ("id", lambda v, c, s: f"{v['instance_id']}:{v['contact_flow_module_id']}"),
        ("content", lambda v, c, s: ""),
    ],
    "aws_connect_quick_connect": [
        ("quick_connect_id", lambda v, c, s: _uuid(s, "quick_connect_id")),
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
        ("arn", lambda v, c, s: f"{v['topic_arn']}:{_uuid(s, 'subscription')}"),
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
        ("integration_association_id", lambda v, c, s: _uuid(s, "integration_association_id")),
        (
            "id",
            lambda v, c, s: f"{v['instance_id']}|{v['integration_type']}|{v['integration_arn']}",
        ),
    ],
}


def _lex_id(seed: str, name: str) -> str:
    """Return a Lex-shaped identifier: ten upper-case letters and digits."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    number = int(_digest(seed, name), 16)
    return "".join(alphabet[(number >> (6 * i)) % 36] for i in range(10))


def _invoke_arn(ctx: Context, function_arn: str, *, streaming: bool = False) -> str:
    api = "2021-11-15/functions" if streaming else "2015-03-31/functions"
    suffix = "response-streaming-invocations" if streaming else "invocations"
    return f"arn:{ctx.partition}:apigateway:{ctx.region}:lambda:path/{api}/{function_arn}/{suffix}"


def _function_arn(ctx: Context, name_or_arn: str) -> str:
    if name_or_arn.startswith("arn:"):
        return name_or_arn
    return ctx.arn("lambda", f"function:{name_or_arn}")


def _generic_rules(type_name: str) -> list[tuple[str, Rule]]:
    service = type_name.split("_")[1]
    kind = "-".join(type_name.split("_")[2:]) or service

    def key(v: Values, s: str) -> str:
        name = v.get("name")
        return name if isinstance(name, str) and name else s[:16]

    return [
        ("arn", lambda v, c, s: c.arn(service, f"{kind}/{key(v, s)}")),
        ("id", lambda v, c, s: key(v, s)),
    ]


def apply(type_name: str, block: Block, planned: Values, ctx: Context) -> Values:
    """Return the applied state: ``planned`` with every unknown given a realistic value."""
    values = dict(planned)
    seed = _seed(type_name, values)
    top = attributes(block)
    rules = RULES.get(type_name) or _generic_rules(type_name)
    for name, rule in rules:
        if name in top and is_unknown(values.get(name)):
            try:
                values[name] = rule(values, ctx, seed)
            except (KeyError, TypeError):  # an input the rule needs is unset: stay generic
                values[name] = synthesize(name, cty_of(top[name][0]), seed)
    if "tags_all" in top and is_unknown(values.get("tags_all")):
        values["tags_all"] = {**ctx.default_tags, **(values.get("tags") or {})}
    if "region" in top and is_unknown(values.get("region")):
        values["region"] = ctx.region

    def visit(current: Block, item: Values) -> Values:
        filled = {
            name: fill_value(name, cty_of(spec), item.get(name), seed)
            for name, (spec, _) in attributes(current).items()
        }
        for name in blocks(current):
            filled[name] = item.get(name)
        _walk_blocks(current, filled, visit)
        return filled

    return visit(block, values)
