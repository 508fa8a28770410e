"""Terraform's view of values: type families, number formatting and ``jsonencode``.

Terraform's ``jsonencode`` is Go's ``encoding/json``: compact, object keys
sorted, and HTML-safe, so ``<``, ``>``, ``&``, U+2028 and U+2029 become
``\\u003c``-style escapes. Flows rendered by Terraform contain exactly those
bytes, so ours must too.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "bool"),  # before numbers: bool is a subclass of int
    ((int, float, Decimal), "number"),
    (str, "string"),
    ((list, tuple), "list"),
    (Mapping, "map"),
)


def kind_of(value: Any) -> str:
    """Return Terraform's type family of a Python value (bool, number, string, ...)."""
    if value is None:
        return "null"
    for types, name in _KINDS:
        if isinstance(value, types):
            return name
    return type(value).__name__


def format_number(value: int | float | Decimal) -> str:
    """Format a number as Terraform does: no exponent, no trailing zeros, integers bare."""
    if isinstance(value, int):
        return str(value)
    number = Decimal(repr(value)) if isinstance(value, float) else value
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _go_json_string(text: str) -> str:
    """Encode a string as Go's encoding/json does (HTML-safe), which is what Terraform emits."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20 or char in "<>&" or code in (0x2028, 0x2029):
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")  # a lone surrogate is invalid UTF-8; Go substitutes U+FFFD
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def jsonencode(value: Any) -> str:
    """Terraform's ``jsonencode``: compact, object keys sorted, Go string escaping."""
    kind = kind_of(value)
    if kind == "null":
        return "null"
    if kind == "bool":
        return "true" if value else "false"
    if kind == "number":
        return format_number(value)
    if kind == "string":
        return _go_json_string(value)
    if kind == "list":
        return "[" + ",".join(jsonencode(item) for item in value) + "]"
    if kind == "map":
        items = sorted(value.items())
        return "{" + ",".join(f"{_go_json_string(str(k))}:{jsonencode(v)}" for k, v in items) + "}"
    raise TypeError(f"cannot encode a {kind} value")
