"""Render ``data "aws_iam_policy_document"`` the way the real provider does.

Modules that build policies with the data source get real JSON offline, so plan
assertions and checkov's IAM checks see the actual actions and resources. Shape follows
the provider: statement keys in IAM order, a one-element set collapses to a string, sets
sort, ``json`` is indented by two spaces and ``minified_json`` is compact. Source
documents come first; statements of this document and then of the override documents
replace statements with the same ``Sid``.
"""

from __future__ import annotations

import json
from typing import Any

Values = dict[str, Any]


def _collapse(items: list[str] | None, *, sort: bool = True) -> Any:
    values = sorted(items or []) if sort else list(items or [])
    return values[0] if len(values) == 1 else values


def _principals(entries: list[Values] | None) -> Any:
    merged: dict[str, list[str]] = {}
    for entry in entries or []:
        merged.setdefault(entry["type"], []).extend(entry.get("identifiers") or [])
    if list(merged) == ["*"] and merged["*"] == ["*"]:
        return "*"
    return {kind: _collapse(ids) for kind, ids in sorted(merged.items())}


def _statement(raw: Values) -> Values:
    out: Values = {}
    if raw.get("sid"):
        out["Sid"] = raw["sid"]
    out["Effect"] = raw.get("effect") or "Allow"
    for key, name in (
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ):
        if raw.get(key):
            out[name] = _collapse(raw[key])
    for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        if raw.get(key):
            out[name] = _principals(raw[key])
    if raw.get("condition"):
        condition: dict[str, dict[str, Any]] = {}
        for entry in raw["condition"]:
            condition.setdefault(entry["test"], {})[entry["variable"]] = _collapse(
                entry.get("values"), sort=False
            )
        out["Condition"] = condition
    return out


def _merge(statements: list[Values], extra: list[Values]) -> list[Values]:
    by_sid = {s.get("Sid"): i for i, s in enumerate(statements) if s.get("Sid")}
    merged = list(statements)
    for statement in extra:
        sid = statement.get("Sid")
        if sid and sid in by_sid:
            merged[by_sid[sid]] = statement
        else:
            merged.append(statement)
    return merged


def render(config: Values) -> tuple[str, str]:
    """Return ``(json, minified_json)`` for the data source's configuration."""
    statements: list[Values] = []
    for source in config.get("source_policy_documents") or []:
        statements = _merge(statements, json.loads(source).get("Statement", []))
    statements = _merge(statements, [_statement(s) for s in config.get("statement") or []])
    for override in config.get("override_policy_documents") or []:
        statements = _merge(statements, json.loads(override).get("Statement", []))
    document: Values = {"Version": config.get("version") or "2012-10-17"}
    if config.get("policy_id"):
        document["Id"] = config["policy_id"]
    document["Statement"] = statements
    return json.dumps(document, indent=2), json.dumps(document, separators=(",", ":"))
