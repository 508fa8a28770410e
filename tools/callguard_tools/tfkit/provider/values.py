"""Planned and applied values: what the stand-in says a resource will look like.

* **Plan** behaves like the real provider: every computed attribute the configuration
  leaves unset is *unknown* (``(known after apply)``), except the few the real provider
  knows at plan time (``region``, ``tags_all``): :mod:`.planned_values`.
* **Apply** replaces every unknown with a deterministic value of realistic shape: ARNs
  with the configured partition, region and account, UUID-shaped ids, ``invoke_arn`` and
  so on (:mod:`.applied_values`, with the per-type rules of :mod:`.derived_attributes`).
  The same configuration always yields the same values, so tests can assert them.

This module holds what both sides (and the data sources) share: the provider's
:class:`Context`, the unknown marker, the walk over nested blocks, and the digests
deterministic values are made from.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tf.types import Unknown

from callguard_tools.tfkit.provider.schema import Block, blocks

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


def walk_blocks(block: Block, values: Values, visit: Callable[[Block, Values], Values]) -> None:
    """Replace each configured nested block of ``values`` by what ``visit`` makes of it."""
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


def digest(*parts: str) -> str:
    """Return the SHA-256 hex digest of ``parts``, joined by a unit separator."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def seeded_uuid(seed: str, name: str) -> str:
    """Return a UUID-shaped id, the same for the same ``seed`` and attribute ``name``."""
    return str(uuid.UUID(hex=digest(seed, name)[:32], version=4))
