"""The schema generator: reading CDKTF binding source and failing loudly.

A miniature binding (same layout as ``@cdktn/provider-aws``'s generated JavaScript)
exercises every shape the reader handles, and a fake package tarball shows the
generator's errors for an unknown type and for a provider pin the bindings miss.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from callguard_tools.tfkit import schemagen
from callguard_tools.tfkit.bindings import BindingError, Reader


def _entry(name: str, value: str, block: bool, kind: str, storage: str, indent: int) -> str:
    pad = " " * indent
    return (
        f"{pad}{name}: {{\n{pad}    value: {value},\n{pad}    isBlock: {str(block).lower()},\n"
        f'{pad}    type: "{kind}",\n{pad}    storageClassType: "{storage}",\n{pad}}},\n'
    )


def _getter(name: str, flags: str, expr: str) -> str:
    """Return a commented getter; ``flags`` is any of r (required), o, c."""
    marks = ", ".join(
        f"{word}: {str(letter in flags).lower()}"
        for word, letter in (("computed", "c"), ("optional", "o"), ("required", "r"))
    )
    return f"    // {name} - {marks}\n    get {name}() {{\n        return {expr};\n    }}\n"


def _attrs(*entries: str) -> str:
    return "    const attrs = {\n" + "".join(entries) + "    };\n"


def fake_binding(type_name: str = "aws_widget") -> str:
    """Return binding source for a resource with every supported shape."""
    rule = (
        "function widgetRuleToHclTerraform(struct) {\n"
        + _attrs(
            _entry(
                "match", "cdktn.stringToHclTerraform(struct.match)", False, "simple", "string", 8
            ),
            _entry("weight", "cdktn.numberToHclTerraform(x)", False, "simple", "number", 8),
        )
        + "}\nclass WidgetRuleOutputReference extends cdktn.ComplexObject {\n"
        + _getter("match", "r", "this.getStringAttribute('match')")
        + _getter("weight", "oc", "this.getNumberAttribute('weight')")
        + "}\n"
    )
    limits = (
        "function widgetLimitsToHclTerraform(struct) {\n"
        + _attrs(_entry("enabled", "cdktn.booleanToHclTerraform(x)", False, "simple", "boolean", 8))
        + "}\nclass WidgetLimitsOutputReference extends cdktn.ComplexObject {\n"
        + _getter("enabled", "o", "this.getBooleanAttribute('enabled')")
        + "}\n"
    )
    endpoint = (
        "class WidgetEndpointOutputReference extends cdktn.ComplexObject {\n"
        + _getter("address", "c", "this.getStringAttribute('address')")
        + _getter("port", "c", "this.getNumberAttribute('port')")
        + "}\nclass WidgetEndpointList extends cdktn.ComplexList {\n}\n"
    )
    synthesize = (
        "    synthesizeHclAttributes() {\n"
        + _attrs(
            _entry("name", "cdktn.stringToHclTerraform(this._name)", False, "simple", "string", 12),
            _entry("labels", "cdktn.listMapperHcl(s, false)(x)", False, "set", "stringList", 12),
            _entry("tags", "cdktn.hashMapperHcl(s)(this._tags)", False, "map", "stringMap", 12),
            _entry(
                "rule",
                "cdktn.listMapperHcl(widgetRuleToHclTerraform, true)(this._rule.internalValue)",
                True,
                "set",
                "WidgetRuleList",
                12,
            ),
            _entry("limits", "widgetLimitsToHclTerraform(x)", True, "list", "WidgetLimitsList", 12),
        )
        + "    }\n"
    )
    resource = (
        "class Widget extends cdktn.TerraformResource {\n"
        f'    static tfResourceType = "{type_name}";\n'
        + _getter("arn", "c", "this.getStringAttribute('arn')")
        + _getter("name", "r", "this.getStringAttribute('name')")
        + _getter("labels", "o", "cdktn.Fn.tolist(this.getListAttribute('labels'))")
        + _getter("tags", "o", "this.getStringMapAttribute('tags')")
        + _getter("zones", "c", "cdktn.Fn.tolist(this.getListAttribute('zones'))")
        + '    _endpoint = new WidgetEndpointList(this, "endpoint", false);\n'
        + _getter("endpoint", "c", "this._endpoint")
        + _getter("rule", "r", "this._rule")
        + _getter("limits", "o", "this._limits")
        + synthesize
        + "}\nexports.Widget = Widget;\n"
    )
    return (
        rule
        + limits
        + endpoint
        + resource
        + "//# sourceMappingURL=data:application/json;base64,e30=\n"
    )


def test_reader_builds_every_shape() -> None:
    reader = Reader(fake_binding(), "lib/widget/index.js")
    assert reader.type_name() == "aws_widget"
    schema = reader.schema()
    assert schema["attributes"] == {
        "arn": ["string", "c"],
        "endpoint": [["list", ["object", {"address": "string", "port": "number"}]], "c"],
        "labels": [["set", "string"], "o"],
        "name": ["string", "r"],
        "tags": [["map", "string"], "o"],
        "zones": [["set", "string"], "c"],
    }
    assert schema["blocks"]["rule"] == {
        "nesting": "set",
        "min_items": 1,
        "block": {"attributes": {"match": ["string", "r"], "weight": ["number", "oc"]}},
    }
    assert schema["blocks"]["limits"] == {
        "nesting": "list",
        "max_items": 1,
        "block": {"attributes": {"enabled": ["bool", "o"]}},
    }


def test_reader_rejects_source_it_does_not_understand() -> None:
    with pytest.raises(BindingError, match="no TerraformResource"):
        Reader("class Foo extends cdktn.ComplexObject {\n}\n", "lib/foo/index.js").schema()
    broken = fake_binding().replace("getNumberAttribute('port')", "getMysteryAttribute('port')")
    with pytest.raises(BindingError, match="unsupported getter"):
        Reader(broken, "lib/widget/index.js").schema()


def _fake_package(tmp_path: Path, provider_version: str) -> Path:
    provider = fake_binding().replace(
        "extends cdktn.TerraformResource", "extends cdktn.TerraformProvider"
    )
    members = {
        "package/package.json": json.dumps(
            {"cdktf": {"provider": {"name": "hashicorp/aws", "version": provider_version}}}
        ),
        "package/lib/provider/index.js": provider,
        "package/lib/widget/index.js": fake_binding(),
    }
    tarball = tmp_path / "bindings.tgz"
    with tarfile.open(tarball, "w:gz") as archive:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return tarball


def test_generate_writes_versions_and_types(tmp_path: Path) -> None:
    tarball = _fake_package(tmp_path, "6.66.0")
    doc = schemagen.generate(["aws_widget"], [], tarball, ["~> 6.66"])
    assert doc["provider_version"] == "6.66.0"
    assert doc["bindings"] == f"@cdktn/provider-aws@{schemagen.BINDINGS_VERSION}"
    assert set(doc["resource_schemas"]) == {"aws_widget"}
    assert json.loads(schemagen.dump(doc)) == doc


def test_generate_fails_loudly_on_an_unknown_type(tmp_path: Path) -> None:
    tarball = _fake_package(tmp_path, "6.66.0")
    with pytest.raises(schemagen.SchemaGenError, match="aws_widgett not found"):
        schemagen.generate(["aws_widget", "aws_widgett"], [], tarball, [])


def test_generate_refuses_bindings_that_miss_the_pin(tmp_path: Path) -> None:
    tarball = _fake_package(tmp_path, "6.25.0")
    with pytest.raises(schemagen.SchemaGenError, match=r"pins hashicorp/aws '~> 6\.66'"):
        schemagen.generate(["aws_widget"], [], tarball, ["~> 6.66"])
