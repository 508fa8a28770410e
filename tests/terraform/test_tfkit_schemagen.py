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


def _flag(name: str, computed: bool, optional: bool, required: bool, body: str) -> str:
    flags = f"computed: {str(computed).lower()}, optional: {str(optional).lower()}, "
    return f"    // {name} - {flags}required: {str(required).lower()}\n{body}"


def fake_binding(type_name: str = "aws_widget") -> str:
    """Return binding source for a resource with every supported shape."""
    return (
        "function widgetRuleToHclTerraform(struct) {\n    const attrs = {\n"
        + _entry("match", "cdktn.stringToHclTerraform(struct.match)", False, "simple", "string", 8)
        + _entry(
            "weight", "cdktn.numberToHclTerraform(struct.weight)", False, "simple", "number", 8
        )
        + "    };\n}\n"
        "class WidgetRuleOutputReference extends cdktn.ComplexObject {\n"
        + _flag(
            "match",
            False,
            False,
            True,
            "    get match() {\n        return this.getStringAttribute('match');\n    }\n",
        )
        + _flag(
            "weight",
            True,
            True,
            False,
            "    get weight() {\n        return this.getNumberAttribute('weight');\n    }\n",
        )
        + "}\n"
        "function widgetLimitsToHclTerraform(struct) {\n    const attrs = {\n"
        + _entry(
            "enabled", "cdktn.booleanToHclTerraform(struct.enabled)", False, "simple", "boolean", 8
        )
        + "    };\n}\n"
        "class WidgetLimitsOutputReference extends cdktn.ComplexObject {\n"
        + _flag(
            "enabled",
            False,
            True,
            False,
            "    get enabled() {\n        return this.getBooleanAttribute('enabled');\n    }\n",
        )
        + "}\n"
        "class WidgetEndpointOutputReference extends cdktn.ComplexObject {\n"
        + _flag(
            "address",
            True,
            False,
            False,
            "    get address() {\n        return this.getStringAttribute('address');\n    }\n",
        )
        + _flag(
            "port",
            True,
            False,
            False,
            "    get port() {\n        return this.getNumberAttribute('port');\n    }\n",
        )
        + "}\n"
        "class WidgetEndpointList extends cdktn.ComplexList {\n}\n"
        "class Widget extends cdktn.TerraformResource {\n"
        f'    static tfResourceType = "{type_name}";\n'
        + _flag(
            "arn",
            True,
            False,
            False,
            "    get arn() {\n        return this.getStringAttribute('arn');\n    }\n",
        )
        + _flag(
            "name",
            False,
            False,
            True,
            "    get name() {\n        return this.getStringAttribute('name');\n    }\n",
        )
        + _flag(
            "labels",
            False,
            True,
            False,
            "    get labels() {\n        return cdktn.Fn.tolist(this.getListAttribute('labels'));\n    }\n",
        )
        + _flag(
            "tags",
            False,
            True,
            False,
            "    get tags() {\n        return this.getStringMapAttribute('tags');\n    }\n",
        )
        + _flag(
            "zones",
            True,
            False,
            False,
            "    get zones() {\n        return cdktn.Fn.tolist(this.getListAttribute('zones'));\n    }\n",
        )
        + '    _endpoint = new WidgetEndpointList(this, "endpoint", false);\n'
        + _flag(
            "endpoint",
            True,
            False,
            False,
            "    get endpoint() {\n        return this._endpoint;\n    }\n",
        )
        + _flag("rule", False, False, True, "    get rule() {\n        return this._rule;\n    }\n")
        + _flag(
            "limits",
            False,
            True,
            False,
            "    get limits() {\n        return this._limits;\n    }\n",
        )
        + "    synthesizeHclAttributes() {\n        const attrs = {\n"
        + _entry("name", "cdktn.stringToHclTerraform(this._name)", False, "simple", "string", 12)
        + _entry(
            "labels",
            "cdktn.listMapperHcl(cdktn.stringToHclTerraform, false)(this._labels)",
            False,
            "set",
            "stringList",
            12,
        )
        + _entry(
            "tags",
            "cdktn.hashMapperHcl(cdktn.stringToHclTerraform)(this._tags)",
            False,
            "map",
            "stringMap",
            12,
        )
        + _entry(
            "rule",
            "cdktn.listMapperHcl(widgetRuleToHclTerraform, true)(this._rule.internalValue)",
            True,
            "set",
            "WidgetRuleList",
            12,
        )
        + _entry(
            "limits",
            "widgetLimitsToHclTerraform(this._limits.internalValue)",
            True,
            "list",
            "WidgetLimitsList",
            12,
        )
        + "        };\n    }\n}\n"
        "exports.Widget = Widget;\n"
        "//# sourceMappingURL=data:application/json;base64,e30=\n"
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
    with pytest.raises(schemagen.SchemaGenError, match="pins hashicorp/aws '~> 6.66'"):
        schemagen.generate(["aws_widget"], [], tarball, ["~> 6.66"])
