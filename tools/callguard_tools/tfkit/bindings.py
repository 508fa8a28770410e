"""Read one Terraform type's schema out of a CDK-for-Terraform binding (``lib/<type>/index.js``).

The CDKTF AWS bindings are generated from the real provider's schema, and the generated
JavaScript keeps what Terraform's configuration checks look at:

* every attribute getter is preceded by ``// name - computed: X, optional: Y, required: Z``;
* ``synthesizeHclAttributes()`` (top level) and ``<struct>ToHclTerraform()`` (nested)
  list the configurable names with ``isBlock``, ``type`` (``simple``, ``list``, ``set``,
  ``map``, ``struct``) and ``storageClassType`` (``string``, ``stringList``, a class, ...);
* a nested block that the provider limits to one item is an ``...OutputReference``
  (``max_items = 1``); ``type: "struct"`` is a single-nested block (``timeouts``).

Computed-only attributes are not configurable, so their type comes from the getter
(``getStringAttribute``, ``Fn.tolist(getListAttribute(...))`` for a set, a ``...List``
class for a list of objects, and so on).

Providers built on the plugin framework (hashicorp/awscc) declare nested objects as
*nested attributes* (``tags = [{ key = "k", value = "v" }]``), not blocks, yet their
bindings mark them ``isBlock: true`` like blocks: the JavaScript, the ``.d.ts`` and the
jsii assembly describe both the same way. ``Reader(..., nested_attributes=True)`` reads
every nested object as a nested attribute (``{"nesting": ..., "attributes": {...}}`` in
place of a cty type), with the nesting of the binding: ``struct`` single, ``list``,
``set``, ``map``.

What the bindings do not carry - enum and regex validation, ``ConflictsWith`` /
``ExactlyOneOf``, sensitivity, list ``max_items`` other than 1, provider-level item
limits - cannot be in the generated schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: A cty type in Terraform's JSON notation: "string", ["list", "string"], ["object", {...}].
CtyType = Any


class BindingError(ValueError):
    """The binding source did not have the shape this reader understands."""


_FLAGS = re.compile(
    r"^ {4}// (\w+) - computed: (true|false), optional: (true|false), required: (true|false)$",
    re.MULTILINE,
)
_ENTRY = re.compile(
    r"^( +)(\w+): \{\n\1 {4}value: (.*?),\n\1 {4}isBlock: (true|false),\n"
    r"\1 {4}type: \"(\w+)\",\n\1 {4}storageClassType: \"(\w+)\",\n\1\}",
    re.MULTILINE,
)
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)
_CLASS = re.compile(r"^class (\w+) extends cdktn\.(\w+) \{$", re.MULTILINE)
_FUNC = re.compile(r"^function (\w+)ToHclTerraform\(struct\) \{$", re.MULTILINE)
_TOP_LEVEL = re.compile(r"^(?:class|function|exports\.)", re.MULTILINE)
_RETURN = re.compile(r"return (.+?);\n")
_GETTERS = {
    "getStringAttribute": "string",
    "getNumberAttribute": "number",
    "getBooleanAttribute": "bool",
    "getListAttribute": ["list", "string"],
    "getNumberListAttribute": ["list", "number"],
    "getStringMapAttribute": ["map", "string"],
    "getNumberMapAttribute": ["map", "number"],
    "getBooleanMapAttribute": ["map", "bool"],
}
_PRIMITIVE_STORAGE = {
    ("simple", "string"): "string",
    ("simple", "number"): "number",
    ("simple", "boolean"): "bool",
    ("list", "stringList"): ["list", "string"],
    ("list", "numberList"): ["list", "number"],
    ("list", "booleanList"): ["list", "bool"],
    ("set", "stringList"): ["set", "string"],
    ("set", "numberList"): ["set", "number"],
    ("set", "booleanList"): ["set", "bool"],
    ("map", "stringMap"): ["map", "string"],
    ("map", "numberMap"): ["map", "number"],
    ("map", "booleanMap"): ["map", "bool"],
}


@dataclass
class Entry:
    """One name in a ``synthesizeHclAttributes``/``ToHclTerraform`` table."""

    value: str
    is_block: bool
    kind: str
    storage: str


@dataclass
class Source:
    """The parts of one binding file the reader needs, split once."""

    text: str
    classes: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (base, body)
    functions: dict[str, str] = field(default_factory=dict)  # struct fn prefix -> body

    @classmethod
    def parse(cls, text: str) -> Source:
        """Split ``text`` into top-level classes and ``*ToHclTerraform`` functions."""
        # One binding may span several files (large resources put their structs in
        # ``index-structs/*.js``); each ends with a source-map comment, dropped here.
        text = _SOURCE_MAP.sub("", text)
        source = cls(text)
        starts = [m.start() for m in _TOP_LEVEL.finditer(text)] + [len(text)]

        def body_from(pos: int) -> str:
            end = next(s for s in starts if s > pos)
            return text[pos:end]

        for match in _CLASS.finditer(text):
            source.classes[match.group(1)] = (match.group(2), body_from(match.start()))
        for match in _FUNC.finditer(text):
            source.functions[match.group(1)] = body_from(match.start())
        return source


def _entries(body: str) -> dict[str, Entry]:
    return {
        m.group(2): Entry(m.group(3), m.group(4) == "true", m.group(5), m.group(6))
        for m in _ENTRY.finditer(body)
    }


def _flags(body: str) -> dict[str, tuple[str, str]]:
    """Return name -> (flags, getter segment) for every commented getter in a class body."""
    matches = list(_FLAGS.finditer(body))
    found: dict[str, tuple[str, str]] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
        computed, optional, required = (match.group(i) == "true" for i in (2, 3, 4))
        flags = ("r" if required else "") + ("o" if optional else "") + ("c" if computed else "")
        found[match.group(1)] = (flags, body[match.end() : end])
    return found


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


class Reader:
    """Builds the compact schema of the main class (resource, data source or provider)."""

    def __init__(self, text: str, where: str, *, nested_attributes: bool = False) -> None:
        self.source = Source.parse(text)
        self.where = where
        #: Serve nested objects as nested attributes, not blocks (see the module docstring).
        self.nested_attributes = nested_attributes

    def fail(self, message: str) -> BindingError:
        """Return an error that names the binding file."""
        return BindingError(f"{self.where}: {message}")

    def main_class(self) -> tuple[str, str]:
        """Return (class name, body) of the resource, data source or provider class."""
        for name, (base, body) in self.source.classes.items():
            if base in ("TerraformResource", "TerraformDataSource", "TerraformProvider"):
                return name, body
        raise self.fail("no TerraformResource/TerraformDataSource/TerraformProvider class")

    def type_name(self) -> str:
        """Return the Terraform type name the main class declares."""
        _, body = self.main_class()
        match = re.search(r'static tfResourceType = "(\w+)";', body)
        if not match:
            raise self.fail("no tfResourceType")
        return match.group(1)

    def schema(self) -> dict[str, Any]:
        """Return ``{"attributes": {...}, "blocks": {...}}`` of the main class."""
        name, body = self.main_class()
        match = re.search(r"synthesizeHclAttributes\(\) \{(.*?)\n {4}\}\n", body, re.DOTALL)
        if not match:
            raise self.fail(f"{name} has no synthesizeHclAttributes()")
        entries = _entries(match.group(1))
        is_provider = self.source.classes[name][0] == "TerraformProvider"
        if is_provider:
            entries.pop("alias", None)  # a meta-argument, not part of the provider schema
        return self._block(name, body, entries, provider=is_provider)

    def _block(
        self, owner: str, body: str, entries: dict[str, Entry], *, provider: bool = False
    ) -> dict[str, Any]:
        flags = _flags(body)
        if provider:
            flags.pop("alias", None)  # a meta-argument, like in synthesizeHclAttributes
        attributes: dict[str, Any] = {}
        blocks: dict[str, Any] = {}
        for attr, (flag, segment) in sorted(flags.items()):
            entry = entries.get(attr)
            if entry is not None and self.nested_attributes and self._is_nested(entry):
                attributes[attr] = [self._nested_attribute(owner, attr, entry), flag]
            elif entry is not None and entry.is_block:
                blocks[attr] = self._nested_block(owner, attr, flag, entry)
            elif entry is not None:
                attributes[attr] = [self._entry_type(attr, entry), flag]
            else:
                attributes[attr] = [self._getter_type(owner, attr, segment), flag]
        missing = sorted(set(entries) - set(flags))
        if missing:
            raise self.fail(f"{owner}: configurable names without flags: {missing}")
        result: dict[str, Any] = {"attributes": attributes}
        if blocks:
            result["blocks"] = blocks
        return result

    def _entry_type(self, attr: str, entry: Entry) -> CtyType:
        primitive = _PRIMITIVE_STORAGE.get((entry.kind, entry.storage))
        if primitive is not None:
            return primitive
        struct = self._struct_of(entry.value)
        if struct is None:
            raise self.fail(f"{attr}: unsupported attribute {entry.kind}/{entry.storage}")
        element = self._object_type(struct)
        return element if entry.kind == "struct" else [entry.kind, element]

    def _nested_block(self, owner: str, attr: str, flag: str, entry: Entry) -> dict[str, Any]:
        struct = self._struct_of(entry.value)
        if struct is None:
            raise self.fail(f"{owner}.{attr}: cannot find the nested block's struct function")
        single = not entry.value.startswith("cdktn.listMapperHcl(")
        if entry.kind == "struct":
            nesting, max_items = "single", 0
        elif entry.kind in ("list", "set"):
            nesting, max_items = entry.kind, (1 if single else 0)
        else:
            raise self.fail(f"{owner}.{attr}: unsupported block kind {entry.kind!r}")
        block = self._struct_block(struct)
        nested: dict[str, Any] = {"nesting": nesting, "block": block}
        if "r" in flag and nesting != "single":
            nested["min_items"] = 1
        if max_items:
            nested["max_items"] = max_items
        return nested

    def _is_nested(self, entry: Entry) -> bool:
        if entry.is_block:
            return True
        return entry.kind != "simple" and self._struct_of(entry.value) is not None

    def _nested_attribute(self, owner: str, attr: str, entry: Entry) -> dict[str, Any]:
        """Return ``{"nesting": ..., "attributes": {...}}`` for a nested-attribute object."""
        struct = self._struct_of(entry.value)
        if struct is None:
            raise self.fail(f"{owner}.{attr}: cannot find the nested attribute's struct function")
        nesting = {"struct": "single", "list": "list", "set": "set", "map": "map"}.get(entry.kind)
        if nesting is None:
            raise self.fail(f"{owner}.{attr}: unsupported nested attribute kind {entry.kind!r}")
        block = self._struct_block(struct)
        if block.get("blocks"):
            raise self.fail(f"{owner}.{attr}: a nested attribute cannot hold blocks")
        return {"nesting": nesting, "attributes": block["attributes"]}

    def _struct_of(self, value: str) -> str | None:
        match = re.search(r"\b(\w+)ToHclTerraform\b", value.replace("cdktn.", ""))
        if match and match.group(1) in self.source.functions:
            return match.group(1)
        return None

    def _struct_block(self, struct: str) -> dict[str, Any]:
        class_name = struct[:1].upper() + struct[1:] + "OutputReference"
        entries = _entries(self.source.functions[struct])
        if class_name in self.source.classes:
            return self._block(class_name, self.source.classes[class_name][1], entries)
        if self.source.classes[self.main_class()[0]][0] != "TerraformProvider":
            raise self.fail(f"no class {class_name}")
        # Provider blocks have no output classes: every provider argument is optional.
        attributes = {
            name: [
                self._nested_attribute("provider", name, e)
                if self.nested_attributes and self._is_nested(e)
                else self._entry_type(name, e),
                "o",
            ]
            for name, e in entries.items()
        }
        return {"attributes": dict(sorted(attributes.items()))}

    def _object_type(self, struct: str) -> CtyType:
        block = self._struct_block(struct)
        if block.get("blocks"):
            raise self.fail(f"{struct}: nested attribute objects with blocks are not supported")
        return ["object", {name: spec[0] for name, spec in block["attributes"].items()}]

    def _getter_type(self, owner: str, attr: str, segment: str) -> CtyType:
        match = _RETURN.search(segment)
        if not match:
            raise self.fail(f"{owner}.{attr}: no getter")
        expr = match.group(1)
        as_set = expr.startswith("cdktn.Fn.tolist(")
        for getter, cty in _GETTERS.items():
            if f"this.{getter}(" in expr:
                if as_set and isinstance(cty, list) and cty[0] == "list":
                    return ["set", cty[1]]
                return cty
        field_match = re.fullmatch(r"this\.(_\w+)", expr)
        if field_match:
            return self._computed_complex(owner, attr, field_match.group(1))
        raise self.fail(f"{owner}.{attr}: unsupported getter {expr!r}")

    def _computed_complex(self, owner: str, attr: str, field_name: str) -> CtyType:
        body = self.source.classes[owner][1]
        match = re.search(
            rf"{field_name} = new (\w+)\(this, \"{attr}\"(?:, (true|false))?\);", body
        )
        if not match:
            raise self.fail(f"{owner}.{attr}: cannot resolve {field_name}")
        cls, wraps_set = match.group(1), match.group(2) == "true"
        for suffix, kind in (("OutputReference", "list"), ("List", "list"), ("Map", "map")):
            if cls.endswith(suffix):
                struct = _lower_first(cls[: -len(suffix)])
                element_class = struct[:1].upper() + struct[1:] + "OutputReference"
                if element_class not in self.source.classes:
                    raise self.fail(f"{owner}.{attr}: no class {element_class}")
                element = self._computed_object(element_class)
                if suffix == "OutputReference":
                    return ["list", element]
                return ["set" if wraps_set else kind, element]
        raise self.fail(f"{owner}.{attr}: unsupported computed class {cls}")

    def _computed_object(self, class_name: str) -> CtyType:
        body = self.source.classes[class_name][1]
        members = {
            attr: self._getter_type(class_name, attr, segment)
            for attr, (_, segment) in sorted(_flags(body).items())
        }
        return ["object", members]
