"""The Terraform table and the runtime store agree on keys, index and TTL.

``callguard.store.schema`` defines the table the functions read and write (and the
one tests and the demo create); ``modules/denylist_table`` defines the one AWS gets.
Both sides are compared here twice: on the planned table of each environment (what
Terraform would send) and on the module's HCL (so a copy-and-paste of the module
cannot drift either).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2
import pytest
from plan_helpers import (  # noqa: F401 - fixtures are used by name
    ENVIRONMENTS,
    only,
    root_plans,
    stand_in_zip,
)

from callguard.store import schema
from callguard_tools.tfkit.paths import repo_root

MODULE_MAIN = repo_root() / "modules" / "denylist_table" / "main.tf"

Plan = dict[str, Any]


def _store_attributes() -> set[tuple[str, str]]:
    return {
        (a["AttributeName"], a["AttributeType"])
        for a in schema.TABLE_DEFINITION["AttributeDefinitions"]
    }


def _store_index() -> dict[str, Any]:
    [index] = schema.TABLE_DEFINITION["GlobalSecondaryIndexes"]
    return dict(index)


@pytest.fixture(params=ENVIRONMENTS)
def table(request: pytest.FixtureRequest, root_plans: dict[str, Plan]) -> dict[str, Any]:  # noqa: F811
    values: dict[str, Any] = only(root_plans[request.param], "aws_dynamodb_table")["values"]
    return values


def test_partition_key(table: dict[str, Any]) -> None:
    [key] = schema.TABLE_DEFINITION["KeySchema"]
    assert key == {"AttributeName": schema.PARTITION_KEY, "KeyType": "HASH"}
    assert table["hash_key"] == schema.PARTITION_KEY
    assert table.get("range_key") in (None, "")


def test_attribute_definitions(table: dict[str, Any]) -> None:
    assert {(a["name"], a["type"]) for a in table["attribute"]} == _store_attributes()


def test_review_index(table: dict[str, Any]) -> None:
    store = _store_index()
    [gsi] = table["global_secondary_index"]
    assert gsi["name"] == store["IndexName"] == schema.STATUS_INDEX
    assert [(k["attribute_name"], k["key_type"]) for k in gsi["key_schema"]] == [
        (k["AttributeName"], k["KeyType"]) for k in store["KeySchema"]
    ]
    assert gsi["projection_type"] == store["Projection"]["ProjectionType"]


def test_billing_stream_and_ttl(table: dict[str, Any]) -> None:
    definition = schema.TABLE_DEFINITION
    assert table["billing_mode"] == definition["BillingMode"]
    assert table["stream_enabled"] is definition["StreamSpecification"]["StreamEnabled"]
    assert table["stream_view_type"] == definition["StreamSpecification"]["StreamViewType"]
    assert table["ttl"] == [{"attribute_name": schema.TTL_ATTRIBUTE, "enabled": True}]


# ------------------------------------------------------------------ the module's own HCL


def _unquote(value: Any) -> Any:
    """python-hcl2 keeps the quotes of string literals: strip them."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _module_locals(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        parsed = hcl2.load(handle)
    merged: dict[str, Any] = {}
    for block in parsed["locals"]:
        merged.update(block)
    return merged


def test_module_constants_match_the_store() -> None:
    constants = _module_locals(MODULE_MAIN)
    assert _unquote(constants["hash_key"]) == schema.PARTITION_KEY
    assert _unquote(constants["ttl_attribute"]) == schema.TTL_ATTRIBUTE
    index = {k: _unquote(v) for k, v in constants["review_index"].items()}
    assert index == {
        "name": schema.STATUS_INDEX,
        "hash_key": schema.STATUS_INDEX_HASH_KEY,
        "range_key": schema.STATUS_INDEX_RANGE_KEY,
    }
