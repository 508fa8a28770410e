"""Applied values: every unknown of a plan given a deterministic value of realistic shape.

:func:`apply` fills the attributes :mod:`.derived_attributes` knows how to derive
(ARNs with the configured partition, region and account, ids, ``invoke_arn``),
then :func:`synthesize` gives every other unknown a plausible value of its type,
seeded by the resource's configuration: the same configuration always yields the
same values, so tests can assert them.
"""

from __future__ import annotations

import json
from typing import Any

from callguard_tools.tfkit.provider.derived_attributes import RULES, generic_rules
from callguard_tools.tfkit.provider.schema import Block, attributes, blocks, cty_of
from callguard_tools.tfkit.provider.values import (
    EPOCH_ISO,
    Context,
    Values,
    digest,
    is_unknown,
    seeded_uuid,
    walk_blocks,
)


def _seed(type_name: str, values: Values) -> str:
    """Return a digest of the resource's known scalar configuration (its identity)."""
    known = {
        k: v
        for k, v in sorted(values.items())
        if isinstance(v, str | int | float | bool) and not is_unknown(v)
    }
    return digest(type_name, json.dumps(known, sort_keys=True, default=str))


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
            return seeded_uuid(seed, name)
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


def apply(type_name: str, block: Block, planned: Values, ctx: Context) -> Values:
    """Return the applied state: ``planned`` with every unknown given a realistic value."""
    values = dict(planned)
    seed = _seed(type_name, values)
    top = attributes(block)
    rules = RULES.get(type_name) or generic_rules(type_name)
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
        walk_blocks(current, filled, visit)
        return filled

    return visit(block, values)
