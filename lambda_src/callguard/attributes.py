"""DynamoDB attribute values in the low-level form, and the text and time rules for them.

Shared by the store (which writes and reads items) and the audit events (which
read the images a table's stream delivers): both see ``{"S": ...}`` and
``{"N": ...}`` maps that anyone with console access may have edited by hand, so
every reader here tolerates a missing or mistyped attribute. Nothing here
knows what a deny-list entry is.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any


def iso_utc(epoch: float) -> str:
    """Format epoch seconds as the store's sortable timestamp (``2026-11-21T05:42:51Z``)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def clean_text(value: object, limit: int) -> str:
    """Coerce free text to a single printable line of at most ``limit`` characters."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = "".join(ch if ch.isprintable() else " " for ch in text[: limit * 2]).strip()
    return text[:limit]


def string_attribute(item: Mapping[str, Any], name: str) -> str:
    """Read an attribute as text: a string, or a number's digits ("" when absent)."""
    value = item.get(name)
    if isinstance(value, Mapping):
        text = value.get("S")
        if isinstance(text, str):
            return text
        number = value.get("N")
        if isinstance(number, str):
            return number
    return ""


def string_set_attribute(item: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """Read a string set, sorted (empty when absent or not a string set)."""
    value = item.get(name)
    if isinstance(value, Mapping):
        members = value.get("SS")
        if isinstance(members, list | tuple):
            return tuple(sorted(str(m) for m in members if isinstance(m, str)))
    return ()


def number_attribute(item: Mapping[str, Any], name: str) -> int | None:
    """Read a numeric attribute as an int; ``None`` when absent or not a finite number."""
    value = item.get(name)
    if isinstance(value, Mapping):
        raw = value.get("N", value.get("S"))
        if isinstance(raw, str):
            try:
                return int(float(raw))
            except (ValueError, OverflowError):  # not a number, NaN or infinite
                return None
    return None
