"""The committed awscc stand-in schema: complete for the project, faithful to the provider.

Facts below come from the hashicorp/awscc 1.106.0 documentation of each resource (its
Schema section: "Required", "Optional", "Read-Only", and the nested objects it lists
as "Attributes", "Attributes List" or "Attributes Set"). awscc is generated from the
CloudFormation registry on the plugin framework and declares no blocks at all, so
every nested object must be a nested attribute here, with the documented nesting.
Every awscc type in the schema must have a fact.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from callguard_tools.tfkit import awscc_schemagen, schemagen
from callguard_tools.tfkit.paths import repo_root
from callguard_tools.tfkit.provider.schema import block_to_pb, cty_of, document, schema_to_pb

DOC = schemagen.load_document(awscc_schemagen.SCHEMA_PATH)


@dataclass(frozen=True)
class Fact:
    """Required and read-only top-level attributes, and nested attributes with nesting."""

    required: frozenset[str]
    computed: frozenset[str]
    nested: dict[str, str]


def fact(required: str, computed: str, nested: str) -> Fact:
    """Build a fact; nested attributes as ``name:single|list|set``."""
    pairs = dict(item.split(":") for item in nested.split())
    return Fact(frozenset(required.split()), frozenset(computed.split()), pairs)


RESOURCE_FACTS: dict[str, Fact] = {
    "awscc_connect_integration_association": fact(
        "instance_id integration_arn integration_type",
        "id integration_association_id",
        "tags:list",
    ),
    "awscc_lex_bot": fact(
        "data_privacy idle_session_ttl_in_seconds name role_arn",
        "arn bot_id id",
        "data_privacy:single bot_locales:set bot_tags:set bot_file_s3_location:single "
        "test_bot_alias_settings:single test_bot_alias_tags:set",
    ),
    "awscc_lex_bot_alias": fact(
        "bot_alias_name bot_id",
        "arn bot_alias_id bot_alias_status id",
        "bot_alias_locale_settings:set bot_alias_tags:set conversation_log_settings:single "
        "sentiment_analysis_settings:single",
    ),
    "awscc_lex_bot_version": fact(
        "bot_id bot_version_locale_specification",
        "bot_version id",
        "bot_version_locale_specification:list",
    ),
}

#: Nested attributes the module sets, deeper down (path, nesting), from the same docs.
DEEP_FACTS = [
    ("awscc_lex_bot", "bot_locales.intents", "set"),
    ("awscc_lex_bot", "bot_locales.intents.sample_utterances", "list"),
    ("awscc_lex_bot", "bot_locales.intents.slots", "set"),
    ("awscc_lex_bot", "bot_locales.intents.slot_priorities", "list"),
    ("awscc_lex_bot", "bot_locales.intents.slots.value_elicitation_setting", "single"),
    ("awscc_lex_bot", "bot_locales.slot_types", "set"),
    ("awscc_lex_bot", "bot_locales.slot_types.slot_type_values", "list"),
    ("awscc_lex_bot", "bot_locales.slot_types.slot_type_values.synonyms", "list"),
    ("awscc_lex_bot", "bot_locales.voice_settings", "single"),
    ("awscc_lex_bot_alias", "bot_alias_locale_settings.bot_alias_locale_setting", "single"),
    (
        "awscc_lex_bot_version",
        "bot_version_locale_specification.bot_version_locale_details",
        "single",
    ),
]


def _walk(specs: dict[str, Any], found: list[tuple[str, Any]], prefix: str = "") -> None:
    for name, (spec, _) in specs.items():
        found.append((prefix + name, spec))
        if isinstance(spec, dict):
            _walk(spec["attributes"], found, f"{prefix}{name}.")


def _nested_at(type_name: str, path: str) -> dict[str, Any]:
    specs = DOC["resource_schemas"][type_name]["attributes"]
    *parents, last = path.split(".")
    for part in parents:
        specs = specs[part][0]["attributes"]
    spec: dict[str, Any] = specs[last][0]
    return spec


@pytest.mark.parametrize("type_name", sorted(RESOURCE_FACTS))
def test_resource_shape_matches_provider_docs(type_name: str) -> None:
    expected = RESOURCE_FACTS[type_name]
    attributes = DOC["resource_schemas"][type_name]["attributes"]
    required = {n for n, (_, flags) in attributes.items() if flags == "r"}
    assert required == expected.required
    for name in expected.computed:
        assert attributes[name][1] == "c", f"{name} should be read-only"
    for name, nesting in expected.nested.items():
        spec = attributes[name][0]
        assert isinstance(spec, dict), f"{name} must be a nested attribute, not a cty type"
        assert spec["nesting"] == nesting, name
    assert "blocks" not in DOC["resource_schemas"][type_name]


@pytest.mark.parametrize(("type_name", "path", "nesting"), DEEP_FACTS)
def test_deep_nested_attributes_keep_their_nesting(type_name: str, path: str, nesting: str) -> None:
    assert _nested_at(type_name, path)["nesting"] == nesting


def test_every_schema_type_has_a_fact() -> None:
    assert set(DOC["resource_schemas"]) == set(RESOURCE_FACTS)
    assert DOC["data_source_schemas"] == {}


def test_every_awscc_type_the_project_uses_is_in_the_committed_schema() -> None:
    files = schemagen.tf_files(repo_root())
    resources, data_sources = schemagen.used_types(files, "awscc")
    assert "awscc_lex_bot" in resources
    assert not any(t.startswith("awscc_") for t in schemagen.used_types(files)[0])
    assert schemagen.missing_types(resources, data_sources, DOC) == []


def test_check_reports_a_missing_awscc_type(tmp_path: Path) -> None:
    module = tmp_path / "modules" / "x"
    module.mkdir(parents=True)
    (module / "main.tf").write_text('resource "awscc_lex_bot_locale" "l" {}\n', encoding="utf-8")
    assert schemagen.main(["--root", str(tmp_path), "--check"]) == 1


def test_versions_are_recorded_and_satisfy_every_pin() -> None:
    assert DOC["provider_version"] == "1.106.0"
    assert DOC["provider_source"] == "registry.terraform.io/hashicorp/awscc"
    assert DOC["bindings"].startswith(f"cdktn-provider-awscc=={awscc_schemagen.BINDINGS_VERSION}")
    pins = schemagen.provider_pins(schemagen.tf_files(repo_root()), "awscc")
    assert pins, "no hashicorp/awscc version pin found"
    assert all(schemagen.satisfies(DOC["provider_version"], pin) for pin in pins), pins


def test_provider_configuration_has_region_and_nested_assume_role() -> None:
    provider = DOC["provider"]["attributes"]
    assert provider["region"] == ["string", "o"]
    assert provider["assume_role"][0]["nesting"] == "single"
    assert provider["assume_role"][0]["attributes"]["role_arn"][0] == "string"
    assert "alias" not in provider


def test_nested_attributes_are_served_as_nested_types_never_blocks() -> None:
    from tf.gen import tfplugin_pb2 as pb

    bot = block_to_pb(document("awscc")["resource_schemas"]["awscc_lex_bot"])
    assert list(bot.block_types) == []
    served = {a.name: a for a in bot.attributes}
    privacy = served["data_privacy"]
    assert privacy.required and not privacy.type
    assert privacy.nested_type.nesting == pb.Schema.Object.NestingMode.SINGLE
    assert [a.name for a in privacy.nested_type.attributes] == ["child_directed"]
    locales = served["bot_locales"]
    assert locales.nested_type.nesting == pb.Schema.Object.NestingMode.SET
    assert locales.optional and locales.computed
    assert json.loads(served["name"].type) == "string"
    # The whole schema converts (every nesting the generator wrote is servable).
    for block in DOC["resource_schemas"].values():
        schema_to_pb(block)


def test_implied_type_of_a_nested_attribute_is_its_object_type() -> None:
    spec = DOC["resource_schemas"]["awscc_lex_bot_version"]["attributes"][
        "bot_version_locale_specification"
    ][0]
    assert cty_of(spec) == [
        "list",
        [
            "object",
            {
                "bot_version_locale_details": ["object", {"source_bot_version": "string"}],
                "locale_id": "string",
            },
        ],
    ]


def test_no_nested_attribute_is_empty() -> None:
    for type_name, block in DOC["resource_schemas"].items():
        found: list[tuple[str, Any]] = []
        _walk(block["attributes"], found)
        for path, spec in found:
            if isinstance(spec, dict):
                assert spec["attributes"], f"{type_name}.{path} has no attributes"
