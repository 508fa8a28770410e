"""Generating the awscc schema: nested attributes, split binding files, the wheel, errors.

A miniature binding in the bindings' layout and a fake wheel (a zip holding a jsii
package tarball, as ``cdktn-provider-awscc`` does) exercise the generator without the
100 MB download.
"""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from test_tfkit_schemagen import _attrs, _entry, _getter, fake_binding

from callguard_tools.tfkit import awscc_schemagen, schemagen
from callguard_tools.tfkit.bindings import Reader


def test_nested_attribute_mode_reads_every_nested_object_as_an_attribute() -> None:
    schema = Reader(fake_binding(), "lib/widget/index.js", nested_attributes=True).schema()
    assert "blocks" not in schema
    assert schema["attributes"]["rule"] == [
        {
            "nesting": "set",
            "attributes": {"match": ["string", "r"], "weight": ["number", "oc"]},
        },
        "r",
    ]
    assert schema["attributes"]["limits"][0] == {
        "nesting": "list",
        "attributes": {"enabled": ["bool", "o"]},
    }
    # Scalars and computed-only values read as in block mode.
    assert schema["attributes"]["name"] == ["string", "r"]
    assert schema["attributes"]["zones"] == [["set", "string"], "c"]


def _structs_file() -> str:
    """A struct that lives in ``index-structs/structs0.js``, as large awscc types do."""
    return (
        "function widgetPrivacyToHclTerraform(struct) {\n"
        + _attrs(_entry("child", "cdktn.booleanToHclTerraform(x)", False, "simple", "boolean", 8))
        + "}\nclass WidgetPrivacyOutputReference extends cdktn.ComplexObject {\n"
        + _getter("child", "r", "this.getBooleanAttribute('child')")
        + "}\n//# sourceMappingURL=data:application/json;base64,e30=\n"
    )


def _split_binding() -> str:
    """The main file of a split binding: it refers to a struct of the structs file."""
    synthesize = (
        "    synthesizeHclAttributes() {\n"
        + _attrs(
            _entry("name", "cdktn.stringToHclTerraform(this._name)", False, "simple", "string", 12),
            _entry(
                "privacy",
                "(0, index_1.widgetPrivacyToHclTerraform)(this._privacy.internalValue)",
                True,
                "struct",
                "WidgetPrivacy",
                12,
            ),
        )
        + "    }\n"
    )
    return (
        "class Widget extends cdktn.TerraformResource {\n"
        '    static tfResourceType = "awscc_widget_thing";\n'
        + _getter("id", "c", "this.getStringAttribute('id')")
        + _getter("name", "r", "this.getStringAttribute('name')")
        + _getter("privacy", "r", "this._privacy")
        + synthesize
        + "}\nexports.Widget = Widget;\n"
        + "//# sourceMappingURL=data:application/json;base64,e30=\n"
    )


def _package(provider_version: str) -> dict[str, str]:
    provider = fake_binding().replace(
        "extends cdktn.TerraformResource", "extends cdktn.TerraformProvider"
    )
    return {
        "package/package.json": json.dumps(
            {"cdktf": {"provider": {"name": "hashicorp/awscc", "version": provider_version}}}
        ),
        "package/lib/provider/index.js": provider,
        "package/lib/widget-thing/index.js": _split_binding(),
        "package/lib/widget-thing/index-structs/structs0.js": _structs_file(),
        "package/lib/other-thing/index.js": "not read",
        "package/.jsii": "{}",
    }


def _tarball(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_split_binding_files_are_joined_and_read_from_the_wheel(tmp_path: Path) -> None:
    wheel = tmp_path / "bindings.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(awscc_schemagen._JSII_MEMBER, _tarball(_package("1.106.0")))
    dirs = awscc_schemagen.wanted_dirs(["awscc_widget_thing"], [])
    texts = awscc_schemagen.read_wheel(wheel, dirs)
    assert set(texts) == {
        "package/package.json",
        "package/lib/provider/index.js",
        "package/lib/widget-thing/index.js",
        "package/lib/widget-thing/index-structs/structs0.js",
    }
    doc = awscc_schemagen.generate(["awscc_widget_thing"], [], texts, [">= 1.106.0"])
    assert doc["provider_version"] == "1.106.0"
    assert doc["resource_schemas"]["awscc_widget_thing"]["attributes"] == {
        "id": ["string", "c"],
        "name": ["string", "r"],
        "privacy": [{"nesting": "single", "attributes": {"child": ["bool", "r"]}}, "r"],
    }
    assert json.loads(schemagen.dump(doc)) == doc


def test_unknown_type_and_missed_pin_fail_loudly() -> None:
    package = _package("1.106.0")
    with pytest.raises(schemagen.SchemaGenError, match="awscc_widget_thingy not found"):
        awscc_schemagen.generate(["awscc_widget_thingy"], [], package, [])
    with pytest.raises(schemagen.SchemaGenError, match=r"pins hashicorp/awscc '~> 1\.200'"):
        awscc_schemagen.generate(["awscc_widget_thing"], [], package, ["~> 1.200"])


def test_a_wheel_that_is_not_the_pinned_one_is_deleted(tmp_path: Path) -> None:
    wheel = tmp_path / awscc_schemagen._WHEEL
    wheel.write_bytes(b"not the wheel")
    with pytest.raises(schemagen.SchemaGenError, match="sha256"):
        awscc_schemagen.fetch_wheel(tmp_path)
    assert not wheel.exists()


def test_pins_and_types_are_read_per_provider(tmp_path: Path) -> None:
    versions = tmp_path / "versions.tf"
    versions.write_text(
        "terraform {\n  required_providers {\n"
        '    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 6.66"\n    }\n'
        '    awscc = {\n      source  = "hashicorp/awscc"\n      version = ">= 1.106.0"\n    }\n'
        "  }\n}\n"
        'resource "awscc_lex_bot" "b" {}\nresource "aws_iam_role" "r" {}\n',
        encoding="utf-8",
    )
    assert schemagen.provider_pins([versions], "awscc") == {">= 1.106.0"}
    assert schemagen.aws_pins([versions]) == {"~> 6.66"}
    assert schemagen.used_types([versions], "awscc") == ({"awscc_lex_bot"}, set())
    assert schemagen.used_types([versions]) == ({"aws_iam_role"}, set())
