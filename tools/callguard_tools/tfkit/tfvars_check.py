"""Refuse unknown and duplicate keys in an environment's ``terraform.tfvars`` before a plan.

Terraform drops an attribute it does not know inside an object variable
(``code_lenght = 5`` under ``challenge`` plans cleanly and keeps the default) and
keeps only the last of two equal keys in a map (the first instance's resources vanish
from the plan). This check reads the variable types from the root's ``variables.tf``
(python-hcl2 gives each ``type`` as normalised text, parsed here into a schema, so the
known keys are never a second hand-kept list) and walks the tfvars with a small
tokenizer, because hcl2 reports neither line numbers nor duplicate keys. Each problem
names file, line and key::

    terraform/environments/dev/terraform.tfvars:14: unknown key "code_lenght" in challenge
    (known: code_length, enabled, ...)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import hcl2

from callguard_tools.tfkit.results import TfkitError, relative

# ------------------------------------------------------------------ types


@dataclass(frozen=True)
class VarType:
    """A Terraform type constraint reduced to what key checking needs.

    ``kind`` is ``object`` (``attributes`` holds each attribute's type), ``map``,
    ``list``/``set``/``tuple`` (``element`` is the element type; ``tuple`` keeps
    ``elements``), or ``leaf`` for primitives and ``any``.
    """

    kind: str
    attributes: dict[str, VarType] = field(default_factory=dict)
    element: VarType | None = None
    elements: tuple[VarType, ...] = ()


LEAF = VarType("leaf")

_TYPE_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_-]*|\"(?:[^\"\\]|\\.)*\"|.)", re.DOTALL)


class _TypeParser:
    """Recursive-descent parser of hcl2's text of a type, e.g. ``map(object({a = string}))``."""

    def __init__(self, text: str) -> None:
        self.tokens = [m.group(1) for m in _TYPE_TOKEN.finditer(text) if m.group(1).strip()]
        self.pos = 0

    def peek(self) -> str:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if expected is not None and token != expected:
            raise TfkitError(f"cannot read type {' '.join(self.tokens)!r}: expected {expected!r}")
        self.pos += 1
        return token

    def skip_expression(self) -> None:
        """Skip a default value inside ``optional(type, default)``."""
        depth = 0
        while self.peek():
            lexeme = self.peek()
            if lexeme in "([{":
                depth += 1
            elif lexeme in ")]}":
                if depth == 0:
                    return
                depth -= 1
            self.pos += 1

    def parse(self) -> VarType:
        name = self.take()
        if name in ("string", "number", "bool", "any"):
            return LEAF
        self.take("(")
        if name == "optional":
            inner = self.parse()
            if self.peek() == ",":
                self.take(",")
                self.skip_expression()
            self.take(")")
            return inner
        if name == "object":
            self.take("{")
            attributes: dict[str, VarType] = {}
            while self.peek() != "}":
                key = self.take().strip('"')
                self.take("=")
                attributes[key] = self.parse()
                if self.peek() == ",":
                    self.take(",")
            self.take("}")
            self.take(")")
            return VarType("object", attributes=attributes)
        if name == "tuple":
            self.take("[")
            elements: list[VarType] = []
            while self.peek() != "]":
                elements.append(self.parse())
                if self.peek() == ",":
                    self.take(",")
            self.take("]")
            self.take(")")
            return VarType("tuple", elements=tuple(elements))
        if name in ("map", "list", "set"):
            element = self.parse()
            self.take(")")
            return VarType(name, element=element)
        raise TfkitError(f"cannot read type {' '.join(self.tokens)!r}: unknown {name!r}")


def parse_type(text: str) -> VarType:
    """Parse hcl2's text of a type constraint (``${...}`` wrapper optional)."""
    text = text.strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    return _TypeParser(text).parse()


def root_variables(root_dir: Path) -> dict[str, VarType]:
    """Return every variable a root declares, with its parsed type (untyped = ``any``)."""
    found: dict[str, VarType] = {}
    for tf_file in sorted(root_dir.glob("*.tf")):
        with tf_file.open(encoding="utf-8") as handle:
            document = hcl2.load(handle)
        for block in document.get("variable", []):
            for raw_name, body in block.items():
                name = raw_name.strip('"')
                type_text = body.get("type")
                found[name] = parse_type(type_text) if isinstance(type_text, str) else LEAF
    return found


# ------------------------------------------------------------------ tfvars tokens


@dataclass(frozen=True)
class Token:
    """One lexical token of a tfvars file: its kind, text and 1-based line."""

    kind: str  # name, string, number, punct, newline, other
    text: str
    line: int


_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_]*)\n")


def tokenize(text: str) -> Iterator[Token]:
    """Yield the tokens of HCL native syntax that key checking needs, with line numbers.

    Comments (``#``, ``//``, ``/* */``) are dropped; strings (with ``${...}``
    templates) and heredocs become one token each; newlines are kept because they end
    an attribute inside an object.
    """
    pos, line, size = 0, 1, len(text)
    while pos < size:
        char = text[pos]
        if char == "\n":
            yield Token("newline", "\n", line)
            line += 1
            pos += 1
        elif char in " \t\r":
            pos += 1
        elif char == "#" or text.startswith("//", pos):
            end = text.find("\n", pos)
            pos = size if end < 0 else end
        elif text.startswith("/*", pos):
            end = text.find("*/", pos + 2)
            if end < 0:
                raise TfkitError(f"line {line}: unterminated /* comment")
            line += text.count("\n", pos, end)
            pos = end + 2
        elif char == '"':
            start_line, end = line, _string_end(text, pos, line)
            line += text.count("\n", pos, end)
            yield Token("string", text[pos:end], start_line)
            pos = end
        elif (heredoc := _HEREDOC.match(text, pos)) is not None:
            marker = re.compile(rf"^\s*{re.escape(heredoc.group(1))}\s*$", re.MULTILINE)
            closing = marker.search(text, heredoc.end())
            if closing is None:
                raise TfkitError(f"line {line}: heredoc {heredoc.group(1)} is never closed")
            yield Token("string", text[pos : closing.end()], line)
            line += text.count("\n", pos, closing.end())
            pos = closing.end()
        elif char.isalpha() or char == "_":
            match = re.compile(r"[A-Za-z0-9_-]+").match(text, pos)
            assert match is not None
            yield Token("name", match.group(0), line)
            pos = match.end()
        elif char.isdigit():
            match = re.compile(r"[0-9.eE+-]+").match(text, pos)
            assert match is not None
            yield Token("number", match.group(0), line)
            pos = match.end()
        else:
            yield Token("punct" if char in "{}[]()=,:" else "other", char, line)
            pos += 1


def _string_end(text: str, start: int, line: int) -> int:
    """Return the index after the closing quote of the string starting at ``start``."""
    pos, depth = start + 1, 0
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        if text.startswith("${", pos) or text.startswith("%{", pos):
            depth += 1
            pos += 2
            continue
        if char == '"' and depth:
            pos = _string_end(text, pos, line)  # a string inside a template
            continue
        if char == "{" and depth:
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif char == '"' and not depth:
            return pos + 1
        elif char == "\n" and not depth:
            break
        pos += 1
    raise TfkitError(f"line {line}: unterminated string")


# ------------------------------------------------------------------ walking values


@dataclass(frozen=True)
class Problem:
    """One unknown or duplicate key: where it is and what is wrong."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{relative(self.path)}:{self.line}: {self.message}"


class _Walker:
    """Walks tfvars tokens against the root's variable types, collecting problems."""

    def __init__(self, path: Path, tokens: list[Token], variables: dict[str, VarType]) -> None:
        self.path = path
        self.tokens = tokens
        self.variables = variables
        self.pos = 0
        self.problems: list[Problem] = []

    def peek(self, skip_newlines: bool = True) -> Token | None:
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            if token.kind == "newline" and skip_newlines:
                self.pos += 1
                continue
            return token
        return None

    def next(self) -> Token:
        token = self.peek()
        if token is None:
            raise TfkitError(f"{relative(self.path)}: unexpected end of file")
        self.pos += 1
        return token

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def body(self) -> None:
        """Walk the file's ``name = value`` lines."""
        seen: dict[str, int] = {}
        while (token := self.peek()) is not None:
            self.next()
            if token.kind not in ("name", "string"):
                raise TfkitError(f"{relative(self.path)}:{token.line}: expected a variable name")
            name = token.text.strip('"')
            equals = self.next()
            if equals.text not in ("=", ":"):
                raise TfkitError(f"{relative(self.path)}:{equals.line}: expected = after {name}")
            if name in seen:
                self.problem(
                    token.line, f'duplicate variable "{name}" (first at line {seen[name]})'
                )
            seen.setdefault(name, token.line)
            var_type = self.variables.get(name)
            if var_type is None:
                known = ", ".join(sorted(self.variables))
                self.problem(token.line, f'unknown variable "{name}" (known: {known})')
            self.value(var_type or LEAF, name)

    def value(self, var_type: VarType, where: str) -> None:
        token = self.peek()
        if token is None:
            raise TfkitError(f"{relative(self.path)}: value of {where} is missing")
        if token.text == "{":
            self.next()
            self.object(var_type, where)
        elif token.text == "[":
            self.next()
            self.sequence(var_type, where)
        else:
            self.expression()

    def expression(self) -> None:
        """Skip a scalar expression: up to a newline, comma or closing bracket at depth 0."""
        depth = 0
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            if depth == 0 and (token.kind == "newline" or token.text in (",", "}", "]")):
                return
            if token.text in "([{":
                depth += 1
            elif token.text in ")]}":
                depth -= 1
            self.pos += 1

    def object(self, var_type: VarType, where: str) -> None:
        seen: dict[str, int] = {}
        while True:
            token = self.next()
            if token.text == "}":
                return
            if token.text == ",":
                continue
            key = token.text.strip('"')
            separator = self.next()
            if separator.text not in ("=", ":"):
                raise TfkitError(
                    f"{relative(self.path)}:{separator.line}: expected = after {key} in {where}"
                )
            if key in seen:
                self.problem(
                    token.line, f'duplicate key "{key}" in {where} (first at line {seen[key]})'
                )
            seen.setdefault(key, token.line)
            child: VarType = LEAF
            child_where = f"{where}.{key}"
            if var_type.kind == "object":
                if key in var_type.attributes:
                    child = var_type.attributes[key]
                else:
                    known = ", ".join(sorted(var_type.attributes))
                    self.problem(token.line, f'unknown key "{key}" in {where} (known: {known})')
            elif var_type.kind == "map":
                child = var_type.element or LEAF
                child_where = f'{where}["{key}"]'
            self.value(child, child_where)

    def sequence(self, var_type: VarType, where: str) -> None:
        index = 0
        while True:
            token = self.peek()
            if token is None:
                raise TfkitError(f"{relative(self.path)}: list {where} is never closed")
            if token.text == "]":
                self.next()
                return
            if token.text == ",":
                self.next()
                continue
            if var_type.kind == "tuple":
                element = var_type.elements[index] if index < len(var_type.elements) else LEAF
            else:
                element = var_type.element or LEAF
            self.value(element, f"{where}[{index}]")
            index += 1


def check_file(tfvars: Path, variables: dict[str, VarType]) -> list[Problem]:
    """Return every unknown or duplicate key in ``tfvars`` for a root with ``variables``."""
    tokens = list(tokenize(tfvars.read_text(encoding="utf-8")))
    walker = _Walker(tfvars, tokens, variables)
    walker.body()
    return walker.problems


def check_root(root_dir: Path) -> list[Problem]:
    """Check every ``*.tfvars`` file of one root against its ``variables.tf`` types."""
    variables = root_variables(root_dir)
    problems: list[Problem] = []
    for tfvars in sorted(root_dir.glob("*.tfvars")):
        problems.extend(check_file(tfvars, variables))
    return problems
