"""Load the generated compact schema and turn it into plugin-protocol messages.

Compact form (written by :mod:`callguard_tools.tfkit.schemagen`)::

    {"attributes": {"name": [<cty type>, "r"|"o"|"c"|"oc"]},
     "blocks": {"ttl": {"nesting": "list"|"set"|"single", "min_items": 1, "max_items": 1,
                        "block": {...}}}}
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from tf.gen import tfplugin_pb2 as pb

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "aws_schema.json"

Block = dict[str, Any]

_NESTING = {
    "single": pb.Schema.NestedBlock.NestingMode.SINGLE,
    "list": pb.Schema.NestedBlock.NestingMode.LIST,
    "set": pb.Schema.NestedBlock.NestingMode.SET,
}


@cache
def document() -> dict[str, Any]:
    """Return the generated schema document (loaded once per process)."""
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


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
            pb.Schema.Attribute(
                name=name,
                type=json.dumps(cty).encode(),
                required="r" in flags,
                optional="o" in flags,
                computed="c" in flags,
            )
            for name, (cty, flags) in sorted(attributes(block).items())
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
