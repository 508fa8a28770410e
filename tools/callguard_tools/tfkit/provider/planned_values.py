"""Planned values: what a plan says a resource will look like, as the real provider says it.

Every computed attribute the configuration leaves unset is *unknown*
(``(known after apply)``), nested attributes and blocks included, except the few
the real provider knows at plan time (``region``, ``tags_all``). An update keeps
the computed values its prior state has where Terraform's proposal cannot.
"""

from __future__ import annotations

from typing import Any

from tf.types import Unknown

from callguard_tools.tfkit.provider.schema import Block, attributes, is_nested
from callguard_tools.tfkit.provider.values import Context, Values, is_unknown, walk_blocks


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
        walk_blocks(current, planned, visit)
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
