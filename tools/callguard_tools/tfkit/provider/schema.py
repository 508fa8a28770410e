"""Load the generated compact schema and turn it into plugin-protocol messages.

Compact form (written by :mod:`callguard_tools.tfkit.schemagen`)::

    {"attributes": {"name": [<cty type>, "r"|"o"|"c"|"oc"]},
     "blocks": {"ttl": {"nesting": "list"|"set"|"single", "min_items": 1, "max_items": 1,
                        "block": {...}}}}

A nested attribute (hashicorp/awscc declares every nested object so) has, in place of
the cty type, ``{"nesting": "single"|"list"|"set"|"map", "attributes": {...}}``; it is
served as the protocol's ``nested_type``, so Terraform wants ``name = { ... }`` or
``name = [{ ... }]`` for it, never a block.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from tf.gen import tfplugin_pb2 as pb

SCHEMA_DIR = Path(__file__).resolve().parent.parent
#: The providers the stand-in serves, each from ``<name>_schema.json``.
PROVIDERS = ("aws", "awscc")

Block = dict[str, Any]

_NESTING = {
    "single": pb.Schema.NestedBlock.NestingMode.SINGLE,
    "list": pb.Schema.NestedBlock.NestingMode.LIST,
    "set": pb.Schema.NestedBlock.NestingMode.SET,
}


_OBJECT_NESTING = {
    "single": pb.Schema.Object.NestingMode.SINGLE,
    "list": pb.Schema.Object.NestingMode.LIST,
    "set": pb.Schema.Object.NestingMode.SET,
    "map": pb.Schema.Object.NestingMode.MAP,
}


@cache
def document(provider: str = "aws") -> dict[str, Any]:
    """Return the generated schema document of ``provider`` (loaded once per process)."""
    if provider not in PROVIDERS:
        raise ValueError(f"no stand-in schema for provider {provider!r} (known: {PROVIDERS})")
    path = SCHEMA_DIR / f"{provider}_schema.json"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def is_nested(spec: Any) -> bool:
    """Return True when an attribute's type spec is a nested attribute, not a cty type."""
    return isinstance(spec, dict)


def cty_of(spec: Any) -> Any:
    """Return the cty type of an attribute spec (a nested attribute's implied object type)."""
    if not is_nested(spec):
        return spec
    element = ["object", {name: cty_of(t) for name, (t, _) in spec["attributes"].items()}]
    return element if spec["nesting"] == "single" else [spec["nesting"], element]


def _attribute_to_pb(name: str, spec: Any, flags: str) -> pb.Schema.Attribute:
    common = {
        "name": name,
        "required": "r" in flags,
        "optional": "o" in flags,
        "computed": "c" in flags,
    }
    if is_nested(spec):
        return pb.Schema.Attribute(
            nested_type=pb.Schema.Object(
                nesting=_OBJECT_NESTING[spec["nesting"]],
                attributes=[
                    _attribute_to_pb(inner, t, f)
                    for inner, (t, f) in sorted(spec["attributes"].items())
                ],
            ),
            **common,
        )
    return pb.Schema.Attribute(type=json.dumps(spec).encode(), **common)


def attributes(block: Block) -> dict[str, list[Any]]:
    """Return ``name -> [cty type, flags]`` of a compact block."""
    found: dict[str, list[Any]] = block.get("attributes", {})
    return found


def blocks(block: Block) -> dict[str, dict[str, Any]]:
    """Return ``name -> nested block spec`` of a compact block."""
    found: dict[str, dict[str, Any]] = block.get("blocks", {})
    return found


def block_to_pb(block: Block) -> pb.Schema.Block:
    """Convert a compact block to a protocol ``Schema.Block``."""
    return pb.Schema.Block(
        attributes=[
            _attribute_to_pb(name, spec, flags)
            for name, (spec, flags) in sorted(attributes(block).items())
        ],
        block_types=[
            pb.Schema.NestedBlock(
                type_name=name,
                nesting=_NESTING[spec["nesting"]],
                min_items=spec.get("min_items", 0),
                max_items=spec.get("max_items", 0),
                block=block_to_pb(spec["block"]),
            )
            for name, spec in sorted(blocks(block).items())
        ],
    )


def schema_to_pb(block: Block) -> pb.Schema:
    """Convert a compact block to a protocol ``Schema`` (version 0)."""
    return pb.Schema(version=0, block=block_to_pb(block))
