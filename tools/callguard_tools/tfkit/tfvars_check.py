"""Refuse unknown and duplicated keys in an environment's ``terraform.tfvars`` before plan.

Terraform converts a tfvars object to the variable's object type by *dropping*
attributes the type does not declare, and an object constructor that names a key
twice keeps the last value. So ``code_lenght = 5`` under ``challenge`` plans cleanly
and keeps the default, and a second ``support = {...}`` in ``connect_instances``
silently replaces the first instance (its resources vanish from the plan). Neither
is what the person who wrote the file meant, so callguard makes both an error,
naming the file, the line and the key.

The known keys come from the root's own ``variables.tf`` (read with python-hcl2,
which prints each ``type`` as its normalised expression), never from a second list
kept by hand. The tfvars file itself is read by the small tokenizer below, because
python-hcl2 returns a dictionary: it loses line numbers and merges duplicate keys,
the very things this check must see.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

__all__ = [
    "KeyProblem",
    "TfvarsSyntaxError",
    "check_file",
    "check_root",
    "parse_type",
]


# ------------------------------------------------------------------ types
@dataclass(frozen=True, slots=True)
class TypeNode:
    """A Terraform type constraint, reduced to what key checking needs.

    ``kind`` is ``object`` (``attributes`` names the declared keys), ``map``,
    ``list`` (also ``set`` and ``tuple``, whose ``element`` is checked for each item)
    or ``scalar`` (``string``, ``number``, ``bool``, ``any``: nothing to check inside).
    """

    kind: str
    attributes: dict[str, TypeNode] = field(default_factory=dict)
    element: TypeNode | None = None


SCALAR: Final = TypeNode("scalar")
_TYPE_TOKEN_RE: Final = re.compile(
    r'\s*(?:(?P<name>[A-Za-z_][A-Za-z0-9_-]*)|(?P<punct>[(){}\[\],=])|(?P<string>"(?:[^"\\]|\\.)*")'
    r"|(?P<other>[^\s(){}\[\],=\"]+))"
)


class _TypeParser:
    """Recursive descent over the normalised type string python-hcl2 prints."""

    def __init__(self, text: str) -> None:
        self._tokens = [m.group().strip() for m in _TYPE_TOKEN_RE.finditer(text)]
        self._pos = 0

    def _peek(self) -> str:
        return self._tokens[self._pos] if self._pos < len(self._tokens) else ""

    def _take(self, expected: str | None = None) -> str:
        token = self._peek()
        if expected is not None and token != expected:
            raise ValueError(f"expected {expected!r} at {token!r} in type expression")
        self._pos += 1
        return token

    def _skip_expression(self) -> None:
        """Skip one default value (any expression) up to the ``,`` or ``)`` that ends it."""
        depth = 0
        while self._peek():
            text = self._peek()
            if text in "([{":
                depth += 1
            elif text in ")]}":
                if depth == 0:
                    return
                depth -= 1
            elif text == "," and depth == 0:
                return
            self._pos += 1

    def parse(self) -> TypeNode:
        name = self._take()
        if name in {"string", "number", "bool", "any"}:
            return SCALAR
        if name == "optional":
            self._take("(")
            inner = self.parse()
            if self._peek() == ",":
                self._take(",")
                self._skip_expression()
            self._take(")")
            return inner
        if name in {"list", "set", "map"}:
            self._take("(")
            element = self.parse()
            self._take(")")
            return TypeNode("map" if name == "map" else "list", element=element)
        if name == "tuple":
            self._take("(")
            self._take("[")
            elements: list[TypeNode] = []
            while self._peek() != "]":
                elements.append(self.parse())
                if self._peek() == ",":
                    self._take(",")
            self._take("]")
            self._take(")")
            # Tuples are rare in our variables; check every item against the first type.
            return TypeNode("list", element=elements[0] if elements else SCALAR)
        if name == "object":
            self._take("(")
            self._take("{")
            attributes: dict[str, TypeNode] = {}
            while self._peek() != "}":
                key = self._take().strip('"')
                self._take("=")
                attributes[key] = self.parse()
                if self._peek() == ",":
                    self._take(",")
            self._take("}")
            self._take(")")
            return TypeNode("object", attributes=attributes)
        raise ValueError(f"unknown type {name!r}")


def parse_type(text: str) -> TypeNode:
    """Parse a type as python-hcl2 prints it (``${map(object({...}))}`` or ``string``)."""
    expression = text.strip()
    if expression.startswith("${") and expression.endswith("}"):
        expression = expression[2:-1]
    return _TypeParser(expression).parse()


def root_variable_types(root: Path) -> dict[str, TypeNode]:
    """Every variable the root declares, with its type (``any`` when it declares none)."""
    import hcl2  # noqa: PLC0415 - tooling dependency, only for this check

    types: dict[str, TypeNode] = {}
    for path in sorted(root.glob("*.tf")):
        with path.open(encoding="utf-8") as handle:
            document = hcl2.load(handle)
        for block in document.get("variable", []):
            for raw_name, body in block.items():
                name = raw_name.strip('"')
                type_text = body.get("type")
                types[name] = parse_type(type_text) if isinstance(type_text, str) else SCALAR
    return types


# ------------------------------------------------------------------ tfvars
class TfvarsSyntaxError(ValueError):
    """The tfvars file is not HCL this check can read; Terraform would refuse it too."""


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # name, string, number, punct, heredoc, newline
    text: str
    line: int


_TFVARS_TOKEN_RE: Final = re.compile(
    r"(?P<newline>\n)|(?P<space>[ \t\r]+)|(?P<comment>#[^\n]*|//[^\n]*|/\*.*?\*/)"
    r"|(?P<heredoc><<-?(?P<marker>[A-Za-z_][A-Za-z0-9_]*)\n.*?\n[ \t]*(?P=marker)(?=\n|$))"
    r'|(?P<string>"(?:[^"\\\n]|\\.)*")|(?P<number>-?[0-9][0-9.eE+-]*)'
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*)|(?P<punct>[{}\[\](),=:.?*/%<>!&|+-])",
    re.DOTALL,
)


def _tokenize(text: str) -> Iterator[_Token]:
    line, pos = 1, 0
    while pos < len(text):
        match = _TFVARS_TOKEN_RE.match(text, pos)
        if match is None:
            raise TfvarsSyntaxError(f"line {line}: unexpected character {text[pos]!r}")
        kind = match.lastgroup if match.lastgroup != "marker" else "heredoc"
        if match.group("heredoc") is not None:
            kind = "heredoc"
        chunk = match.group()
        if kind not in {"space", "comment"}:
            yield _Token(kind or "punct", chunk, line)
        line += chunk.count("\n")
        pos = match.end()


@dataclass(frozen=True, slots=True)
class _Entry:
    key: str
    line: int
    value: _Value


@dataclass(frozen=True, slots=True)
class _Value:
    """A parsed value: an object (``entries``), a list (``items``) or anything else."""

    kind: str  # object, list, other
    line: int
    entries: tuple[_Entry, ...] = ()
    items: tuple[_Value, ...] = ()


class _ValueParser:
    def __init__(self, tokens: Sequence[_Token]) -> None:
        self._tokens = [t for t in tokens]
        self._pos = 0

    def _peek(self, skip_newlines: bool = True) -> _Token | None:
        while (
            skip_newlines
            and self._pos < len(self._tokens)
            and self._tokens[self._pos].kind == "newline"
        ):
            self._pos += 1
        return self._tokens[self._pos] if self._pos < len(self._tokens) else None

    def _next(self) -> _Token:
        token = self._peek()
        if token is None:
            raise TfvarsSyntaxError("unexpected end of file")
        self._pos += 1
        return token

    def body(self) -> tuple[_Entry, ...]:
        """Read the whole file: ``name = value`` attributes until the end."""
        entries: list[_Entry] = []
        while (token := self._peek()) is not None:
            entries.append(self._entry(token))
        return tuple(entries)

    def _entry(self, token: _Token) -> _Entry:
        key_token = self._next()
        if key_token.kind not in {"name", "string"}:
            raise TfvarsSyntaxError(
                f"line {key_token.line}: expected a key, found {key_token.text!r}"
            )
        separator = self._next()
        if separator.text not in {"=", ":"}:
            raise TfvarsSyntaxError(f"line {separator.line}: expected '=' after {key_token.text}")
        value = self._value()
        key = key_token.text[1:-1] if key_token.kind == "string" else key_token.text
        return _Entry(key, token.line, value)

    def _value(self) -> _Value:
        token = self._next()
        if token.text == "{":
            entries: list[_Entry] = []
            while (inner := self._peek()) is not None and inner.text != "}":
                if inner.text == ",":
                    self._next()
                    continue
                entries.append(self._entry(inner))
            self._expect("}", token)
            return _Value("object", token.line, entries=tuple(entries))
        if token.text == "[":
            items: list[_Value] = []
            while (inner := self._peek()) is not None and inner.text != "]":
                if inner.text == ",":
                    self._next()
                    continue
                items.append(self._value())
            self._expect("]", token)
            return _Value("list", token.line, items=tuple(items))
        # A scalar, or an expression (a function call, arithmetic): consume to the end of it.
        depth = 0
        if token.text in "([":
            depth = 1
        while depth > 0 or self._continues():
            nxt = self._next()
            if nxt.text in "([{":
                depth += 1
            elif nxt.text in ")]}":
                depth -= 1
        return _Value("other", token.line)

    def _continues(self) -> bool:
        """Tell whether the scalar just read goes on (``a.b``, ``f(x)``, ``1 + 2``) on its line."""
        token = self._peek(skip_newlines=False)
        return (
            token is not None and token.kind == "punct" and token.text not in {"}", "]", ",", "="}
        )

    def _expect(self, text: str, opener: _Token) -> None:
        token = self._peek()
        if token is None or token.text != text:
            raise TfvarsSyntaxError(f"line {opener.line}: {opener.text!r} is never closed")
        self._next()


# ------------------------------------------------------------------ checking
@dataclass(frozen=True, slots=True)
class KeyProblem:
    """One unknown or duplicated key, with where it is."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def _check_value(
    value: _Value, type_node: TypeNode, where: str, path: Path
) -> Iterator[KeyProblem]:
    if type_node.kind == "object" and value.kind == "object":
        seen: dict[str, int] = {}
        for entry in value.entries:
            if entry.key in seen:
                yield KeyProblem(
                    path,
                    entry.line,
                    f"duplicate key {entry.key!r} in {where} (first at line {seen[entry.key]}); "
                    "Terraform would keep only the last one",
                )
                continue
            seen[entry.key] = entry.line
            attribute = type_node.attributes.get(entry.key)
            if attribute is None:
                known = ", ".join(sorted(type_node.attributes))
                yield KeyProblem(
                    path,
                    entry.line,
                    f"unknown key {entry.key!r} in {where}; Terraform would ignore it "
                    f"(known keys: {known})",
                )
                continue
            yield from _check_value(entry.value, attribute, f"{where}.{entry.key}", path)
    elif type_node.kind == "map" and value.kind == "object" and type_node.element is not None:
        seen = {}
        for entry in value.entries:
            if entry.key in seen:
                yield KeyProblem(
                    path,
                    entry.line,
                    f"duplicate key {entry.key!r} in {where} (first at line {seen[entry.key]}); "
                    "the second would silently replace the first",
                )
                continue
            seen[entry.key] = entry.line
            yield from _check_value(entry.value, type_node.element, f'{where}["{entry.key}"]', path)
    elif type_node.kind == "list" and value.kind == "list" and type_node.element is not None:
        for index, item in enumerate(value.items):
            yield from _check_value(item, type_node.element, f"{where}[{index}]", path)


def check_file(tfvars: Path, variables: dict[str, TypeNode]) -> list[KeyProblem]:
    """Every unknown or duplicated key in ``tfvars``, checked against ``variables``' types."""
    text = tfvars.read_text(encoding="utf-8")
    try:
        entries = _ValueParser(list(_tokenize(text))).body()
    except TfvarsSyntaxError as exc:
        return [KeyProblem(tfvars, 0, f"cannot be read: {exc}")]
    problems: list[KeyProblem] = []
    seen: dict[str, int] = {}
    for entry in entries:
        if entry.key in seen:
            problems.append(
                KeyProblem(
                    tfvars,
                    entry.line,
                    f"variable {entry.key!r} is set twice (first at line {seen[entry.key]})",
                )
            )
            continue
        seen[entry.key] = entry.line
        type_node = variables.get(entry.key)
        if type_node is None:
            known = ", ".join(sorted(variables))
            problems.append(
                KeyProblem(
                    tfvars, entry.line, f"unknown variable {entry.key!r} (declared: {known})"
                )
            )
            continue
        problems.extend(_check_value(entry.value, type_node, entry.key, tfvars))
    return problems


def check_root(root: Path) -> list[KeyProblem]:
    """Check every ``*.tfvars`` file of an environment root against its variables."""
    variables = root_variable_types(root)
    problems: list[KeyProblem] = []
    for tfvars in sorted(root.glob("*.tfvars")):
        problems.extend(check_file(tfvars, variables))
    return problems
