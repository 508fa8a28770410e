"""Fill a flow template exactly as Terraform's ``templatefile()`` does.

The flow tools must see byte-for-byte what Terraform publishes, or the linter,
the simulator and the diagrams would prove a different flow from the one
deployed. Rather than approximate with ``str.format``, this module implements
the subset of the HCL template language our templates use, with Terraform's
semantics (a test compares the output with real Terraform):

* ``${expr}`` interpolation, ``%{ if }``/``%{ else }``/``%{ endif }`` and
  ``%{ for [k,] v in expr }``/``%{ endfor }`` directives, ``$${`` and ``%%{``
  escapes, and ``~`` strip markers (which, as in HCL, trim whitespace only up
  to the nearest newline on that side);
* literals (strings, numbers, ``true``/``false``/``null``), variables, ``!``,
  ``== != < > <= >=``, ``&& ||``, ``cond ? a : b`` and parentheses;
* the functions ``jsonencode`` (with Go's HTML-safe escaping of ``<``, ``>``,
  ``&``, U+2028 and U+2029), ``tostring``, ``startswith`` and ``length``.

Anything else (attribute access, indexing, arithmetic, object literals, other
functions, interpolation inside string literals) is rejected with a
:class:`TemplateError` naming the line and column, never rendered differently.
As in Terraform, every variable a template references must be bound, even in a
branch that is not taken.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeAlias

#: Functions the renderer implements; anything else is rejected.
SUPPORTED_FUNCTIONS = ("jsonencode", "length", "startswith", "tostring")

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_OPERATORS = ("==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "?", ":", "(", ")", ",")
_STRING_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class TemplateError(ValueError):
    """The template cannot be rendered; the message names the source, line and column."""

    def __init__(self, source: str, line: int, column: int, message: str):
        self.source = source
        self.line = line
        self.column = column
        self.detail = message
        super().__init__(f"{source}:{line}:{column}: {message}")


# --------------------------------------------------------------------------- expressions


@dataclass(frozen=True)
class Pos:
    """A position in the template (1-based), for error messages."""

    line: int
    column: int


@dataclass(frozen=True)
class Const:
    """A literal value."""

    value: Any
    pos: Pos


@dataclass(frozen=True)
class Var:
    """A reference to a template variable or a ``for`` loop variable."""

    name: str
    pos: Pos


@dataclass(frozen=True)
class Call:
    """A function call."""

    name: str
    args: tuple[Expr, ...]
    pos: Pos


@dataclass(frozen=True)
class Unary:
    """``!operand``."""

    op: str
    operand: Expr
    pos: Pos


@dataclass(frozen=True)
class Binary:
    """A comparison or logical operator."""

    op: str
    left: Expr
    right: Expr
    pos: Pos


@dataclass(frozen=True)
class Conditional:
    """``condition ? then : otherwise``."""

    condition: Expr
    then: Expr
    otherwise: Expr
    pos: Pos


Expr: TypeAlias = Const | Var | Call | Unary | Binary | Conditional


# --------------------------------------------------------------------------- template nodes


@dataclass
class Literal:
    """Literal template text."""

    text: str


@dataclass
class Interpolation:
    """``${ expr }``."""

    expr: Expr


@dataclass
class IfNode:
    """``%{ if }`` ... ``%{ else }`` ... ``%{ endif }``."""

    condition: Expr
    then: list[Node] = field(default_factory=list)
    otherwise: list[Node] = field(default_factory=list)


@dataclass
class ForNode:
    """``%{ for key, value in collection }`` ... ``%{ endfor }``."""

    key_name: str | None
    value_name: str
    collection: Expr
    pos: Pos
    body: list[Node] = field(default_factory=list)


Node: TypeAlias = Literal | Interpolation | IfNode | ForNode


@dataclass
class _Tag:
    """A ``${...}`` or ``%{...}`` sequence before the tree is built."""

    kind: str  # "interp", "if", "else", "endif", "for", "endfor"
    pos: Pos
    strip_before: bool
    strip_after: bool
    expr: Expr | None = None
    key_name: str | None = None
    value_name: str | None = None


# --------------------------------------------------------------------------- lexing


@dataclass(frozen=True)
class _Token:
    kind: str  # "ident", "number", "string", "op", "strip", "end"
    value: str
    pos: Pos


class _Scanner:
    """Walks the template text, tracking line and column for messages."""

    def __init__(self, text: str, source: str):
        self.text = text
        self.source = source
        self.index = 0
        self.line = 1
        self.column = 1

    def pos(self) -> Pos:
        return Pos(self.line, self.column)

    def error(self, message: str, pos: Pos | None = None) -> TemplateError:
        where = pos or self.pos()
        return TemplateError(self.source, where.line, where.column, message)

    def advance(self, count: int = 1) -> str:
        chunk = self.text[self.index : self.index + count]
        for char in chunk:
            if char == "\n":
                self.line += 1
                self.column = 1
            else:
                self.column += 1
        self.index += count
        return chunk

    def peek(self, count: int = 1) -> str:
        return self.text[self.index : self.index + count]

    def at_end(self) -> bool:
        return self.index >= len(self.text)

    def next_token(self) -> _Token:
        """Read one expression token inside ``${ }`` or ``%{ }``."""
        while not self.at_end() and self.peek().isspace():
            self.advance()
        pos = self.pos()
        if self.at_end():
            raise self.error("the template ends inside an unclosed ${ or %{ sequence")
        char = self.peek()
        if char == "}":
            self.advance()
            return _Token("end", "}", pos)
        if char == "~" and self._only_space_then_brace():
            self.advance()
            return _Token("strip", "~", pos)
        if char == '"':
            return _Token("string", self._string(), pos)
        rest = self.text[self.index :]
        match = _IDENT.match(rest)
        if match:
            self.advance(match.end())
            return _Token("ident", match.group(), pos)
        match = _NUMBER.match(rest)
        if match:
            self.advance(match.end())
            return _Token("number", match.group(), pos)
        for op in _OPERATORS:
            if rest.startswith(op):
                self.advance(len(op))
                return _Token("op", op, pos)
        raise self.error(
            f"unsupported syntax {char!r}: this renderer implements only variables, literals, "
            "function calls, comparisons, && || ! and ? : (see callguard_tools.flows.render)",
            pos,
        )

    def _only_space_then_brace(self) -> bool:
        rest = self.text[self.index + 1 :]
        return rest.lstrip().startswith("}")

    def _string(self) -> str:
        start = self.pos()
        self.advance()  # opening quote
        out: list[str] = []
        while True:
            if self.at_end() or self.peek() == "\n":
                raise self.error("unterminated string literal", start)
            char = self.peek()
            if char == '"':
                self.advance()
                return "".join(out)
            if char == "\\":
                escape = self.peek(2)[1:]
                if escape in _STRING_ESCAPES:
                    self.advance(2)
                    out.append(_STRING_ESCAPES[escape])
                    continue
                if escape in ("u", "U"):
                    width = 4 if escape == "u" else 8
                    digits = self.text[self.index + 2 : self.index + 2 + width]
                    if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                        self.advance(2 + width)
                        out.append(chr(int(digits, 16)))
                        continue
                raise self.error(f"invalid escape sequence \\{escape} in a string literal")
            if self.peek(2) in ("${", "%{"):
                raise self.error(
                    "template sequences inside string literals are not supported; "
                    "interpolate outside the string instead"
                )
            out.append(self.advance())


class _ExprParser:
    """Recursive-descent parser over the tokens of one ``${ }`` or ``%{ }`` sequence."""

    def __init__(self, scanner: _Scanner):
        self.scanner = scanner
        self.token = scanner.next_token()

    def take(self) -> _Token:
        token = self.token
        self.token = self.scanner.next_token()
        return token

    def expect_op(self, op: str) -> _Token:
        if self.token.kind != "op" or self.token.value != op:
            raise self.scanner.error(f"expected {op!r}, found {self.token.value!r}", self.token.pos)
        return self.take()

    def is_op(self, *ops: str) -> bool:
        return self.token.kind == "op" and self.token.value in ops

    def expression(self) -> Expr:
        condition = self.or_expr()
        if self.is_op("?"):
            pos = self.take().pos
            then = self.expression()
            self.expect_op(":")
            otherwise = self.expression()
            return Conditional(condition, then, otherwise, pos)
        return condition

    def or_expr(self) -> Expr:
        left = self.and_expr()
        while self.is_op("||"):
            pos = self.take().pos
            left = Binary("||", left, self.and_expr(), pos)
        return left

    def and_expr(self) -> Expr:
        left = self.equality()
        while self.is_op("&&"):
            pos = self.take().pos
            left = Binary("&&", left, self.equality(), pos)
        return left

    def equality(self) -> Expr:
        left = self.relation()
        while self.is_op("==", "!="):
            token = self.take()
            left = Binary(token.value, left, self.relation(), token.pos)
        return left

    def relation(self) -> Expr:
        left = self.unary()
        while self.is_op("<", ">", "<=", ">="):
            token = self.take()
            left = Binary(token.value, left, self.unary(), token.pos)
        return left

    def unary(self) -> Expr:
        if self.is_op("!"):
            pos = self.take().pos
            return Unary("!", self.unary(), pos)
        return self.primary()

    def primary(self) -> Expr:
        token = self.take()
        if token.kind == "number":
            number: int | float = (
                float(token.value) if any(c in token.value for c in ".eE") else int(token.value)
            )
            return Const(number, token.pos)
        if token.kind == "string":
            return Const(token.value, token.pos)
        if token.kind == "op" and token.value == "(":
            inner = self.expression()
            self.expect_op(")")
            return inner
        if token.kind == "ident":
            keywords = {"true": True, "false": False, "null": None}
            if token.value in keywords:
                return Const(keywords[token.value], token.pos)
            if self.is_op("("):
                return self.call(token)
            return Var(token.value, token.pos)
        raise self.scanner.error(f"expected an expression, found {token.value!r}", token.pos)

    def call(self, name: _Token) -> Call:
        if name.value not in SUPPORTED_FUNCTIONS:
            raise self.scanner.error(
                f"function {name.value}() is not supported by this renderer "
                f"(supported: {', '.join(SUPPORTED_FUNCTIONS)})",
                name.pos,
            )
        self.expect_op("(")
        args: list[Expr] = []
        if not self.is_op(")"):
            args.append(self.expression())
            while self.is_op(","):
                self.take()
                args.append(self.expression())
        self.expect_op(")")
        return Call(name.value, tuple(args), name.pos)


def _scan(text: str, source: str) -> list[Literal | _Tag]:
    """Split the template into literal text and tags, applying ``$${`` / ``%%{`` escapes."""
    scanner = _Scanner(text, source)
    items: list[Literal | _Tag] = []
    buffer: list[str] = []
    while not scanner.at_end():
        two = scanner.peek(2)
        if scanner.peek(3) in ("$${", "%%{"):
            buffer.append(scanner.advance(3)[1:])
            continue
        if two in ("${", "%{"):
            if buffer:
                items.append(Literal("".join(buffer)))
                buffer = []
            items.append(_tag(scanner))
            continue
        buffer.append(scanner.advance())
    if buffer:
        items.append(Literal("".join(buffer)))
    return items


def _tag(scanner: _Scanner) -> _Tag:
    """Read one ``${ ... }`` or ``%{ ... }`` sequence."""
    pos = scanner.pos()
    opener = scanner.advance(2)
    strip_before = scanner.peek() == "~"
    if strip_before:
        scanner.advance()
    parser = _ExprParser(scanner)
    if opener == "${":
        tag = _Tag("interp", pos, strip_before, False, expr=parser.expression())
    else:
        keyword = parser.take()
        if keyword.kind != "ident" or keyword.value not in ("if", "else", "endif", "for", "endfor"):
            raise scanner.error(
                f"unsupported template directive {keyword.value!r} (expected if, else, endif, "
                "for or endfor)",
                keyword.pos,
            )
        tag = _Tag(keyword.value, pos, strip_before, False)
        if keyword.value == "if":
            tag.expr = parser.expression()
        elif keyword.value == "for":
            first = parser.take()
            if first.kind != "ident":
                raise scanner.error("expected a loop variable name after 'for'", first.pos)
            tag.value_name = first.value
            if parser.is_op(","):
                parser.take()
                second = parser.take()
                if second.kind != "ident":
                    raise scanner.error("expected a second loop variable name", second.pos)
                tag.key_name, tag.value_name = first.value, second.value
            keyword_in = parser.take()
            if keyword_in.kind != "ident" or keyword_in.value != "in":
                raise scanner.error("expected 'in' in the for directive", keyword_in.pos)
            tag.expr = parser.expression()
    if parser.token.kind == "strip":
        tag.strip_after = True
        parser.take()
    if parser.token.kind != "end":
        raise scanner.error(f"expected '}}', found {parser.token.value!r}", parser.token.pos)
    return tag


def _segments(text: str) -> list[str]:
    """Split literal text after each newline, as HCL's scanner tokenizes template literals."""
    return re.findall(r"[^\n]*\n|[^\n]+", text) or [""]


def _apply_strip_markers(items: list[Literal | _Tag]) -> None:
    """Trim whitespace next to ``~`` markers, only up to the nearest newline, as HCL does."""
    for index, item in enumerate(items):
        if not isinstance(item, _Tag):
            continue
        if item.strip_before and index > 0 and isinstance(items[index - 1], Literal):
            before = items[index - 1]
            assert isinstance(before, Literal)
            parts = _segments(before.text)
            parts[-1] = parts[-1].rstrip()
            before.text = "".join(parts)
        if item.strip_after and index + 1 < len(items) and isinstance(items[index + 1], Literal):
            after = items[index + 1]
            assert isinstance(after, Literal)
            parts = _segments(after.text)
            parts[0] = parts[0].lstrip()
            after.text = "".join(parts)


def _build_tree(items: list[Literal | _Tag], source: str) -> list[Node]:
    """Nest the flat item list into if/for blocks, checking that every block is closed."""
    root: list[Node] = []
    stack: list[tuple[_Tag, IfNode | ForNode, list[Node]]] = []
    current = root
    for item in items:
        if isinstance(item, Literal):
            current.append(item)
            continue
        if item.kind == "interp":
            assert item.expr is not None
            current.append(Interpolation(item.expr))
        elif item.kind == "if":
            assert item.expr is not None
            node_if = IfNode(item.expr)
            current.append(node_if)
            stack.append((item, node_if, current))
            current = node_if.then
        elif item.kind == "for":
            assert item.expr is not None and item.value_name is not None
            node_for = ForNode(item.key_name, item.value_name, item.expr, item.pos)
            current.append(node_for)
            stack.append((item, node_for, current))
            current = node_for.body
        elif item.kind == "else":
            if (
                not stack
                or not isinstance(stack[-1][1], IfNode)
                or current is stack[-1][1].otherwise
            ):
                raise TemplateError(
                    source, item.pos.line, item.pos.column, "%{ else } without %{ if }"
                )
            current = stack[-1][1].otherwise
        else:  # endif / endfor
            wanted = IfNode if item.kind == "endif" else ForNode
            if not stack or not isinstance(stack[-1][1], wanted):
                raise TemplateError(
                    source,
                    item.pos.line,
                    item.pos.column,
                    f"%{{ {item.kind} }} without its opening",
                )
            current = stack.pop()[2]
    if stack:
        opener = stack[-1][0]
        raise TemplateError(
            source, opener.pos.line, opener.pos.column, f"%{{ {opener.kind} }} is never closed"
        )
    return root


@dataclass(frozen=True)
class Template:
    """A parsed template: its source name and node tree."""

    source: str
    nodes: tuple[Node, ...]

    def references(self) -> dict[str, Pos]:
        """Return the free variables the template reads, with their first position."""
        found: dict[str, Pos] = {}
        _collect_nodes(self.nodes, frozenset(), found)
        return found


def parse_template(text: str, source: str = "<template>") -> Template:
    """Parse template text; raises :class:`TemplateError` on anything unsupported."""
    items = _scan(text, source)
    _apply_strip_markers(items)
    return Template(source, tuple(_build_tree(items, source)))


def _collect_nodes(nodes: Sequence[Node], bound: frozenset[str], found: dict[str, Pos]) -> None:
    for node in nodes:
        if isinstance(node, Interpolation):
            _collect_expr(node.expr, bound, found)
        elif isinstance(node, IfNode):
            _collect_expr(node.condition, bound, found)
            _collect_nodes(node.then, bound, found)
            _collect_nodes(node.otherwise, bound, found)
        elif isinstance(node, ForNode):
            _collect_expr(node.collection, bound, found)
            inner = bound | {node.value_name} | ({node.key_name} if node.key_name else set())
            _collect_nodes(node.body, frozenset(inner), found)


def _collect_expr(expr: Expr, bound: frozenset[str], found: dict[str, Pos]) -> None:
    if isinstance(expr, Var):
        if expr.name not in bound:
            found.setdefault(expr.name, expr.pos)
    elif isinstance(expr, Call):
        for arg in expr.args:
            _collect_expr(arg, bound, found)
    elif isinstance(expr, Unary):
        _collect_expr(expr.operand, bound, found)
    elif isinstance(expr, Binary):
        _collect_expr(expr.left, bound, found)
        _collect_expr(expr.right, bound, found)
    elif isinstance(expr, Conditional):
        for part in (expr.condition, expr.then, expr.otherwise):
            _collect_expr(part, bound, found)


# --------------------------------------------------------------------------- values


_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "bool"),  # before numbers: bool is a subclass of int
    ((int, float, Decimal), "number"),
    (str, "string"),
    ((list, tuple), "list"),
    (Mapping, "map"),
)


def _kind(value: Any) -> str:
    """Terraform's type family of a Python value."""
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
    kind = _kind(value)
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


class _Evaluator:
    """Evaluates expressions and nodes against bound variables, with positioned errors."""

    def __init__(self, source: str):
        self.source = source
        self.functions: dict[str, Callable[[Call, list[Any]], Any]] = {
            "jsonencode": self._fn_jsonencode,
            "tostring": self._fn_tostring,
            "startswith": self._fn_startswith,
            "length": self._fn_length,
        }

    def error(self, pos: Pos, message: str) -> TemplateError:
        return TemplateError(self.source, pos.line, pos.column, message)

    # -- expressions
    def evaluate(self, expr: Expr, scope: Mapping[str, Any]) -> Any:
        if isinstance(expr, Const):
            return expr.value
        if isinstance(expr, Var):
            return scope[expr.name]
        if isinstance(expr, Call):
            args = [self.evaluate(arg, scope) for arg in expr.args]
            return self.functions[expr.name](expr, args)
        if isinstance(expr, Unary):
            return not self.boolean(self.evaluate(expr.operand, scope), expr.pos)
        if isinstance(expr, Binary):
            return self.binary(expr, scope)
        return self.conditional(expr, scope)

    def boolean(self, value: Any, pos: Pos) -> bool:
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return bool(value == "true")
        raise self.error(pos, f"a bool is required, got {_kind(value)}")

    def number(self, value: Any, pos: Pos) -> Decimal:
        kind = _kind(value)
        if kind == "number":
            return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if kind == "string":
            try:
                return Decimal(value)
            except ArithmeticError:
                pass
        raise self.error(pos, f"a number is required, got {kind} {value!r}")

    def binary(self, expr: Binary, scope: Mapping[str, Any]) -> bool:
        left = self.evaluate(expr.left, scope)
        right = self.evaluate(expr.right, scope)
        if expr.op in ("&&", "||"):
            a, b = self.boolean(left, expr.left.pos), self.boolean(right, expr.right.pos)
            return (a and b) if expr.op == "&&" else (a or b)
        if expr.op in ("==", "!="):
            same = _kind(left) == _kind(right) and (
                self.number(left, expr.pos) == self.number(right, expr.pos)
                if _kind(left) == "number"
                else left == right
            )
            return same if expr.op == "==" else not same
        a_num, b_num = self.number(left, expr.left.pos), self.number(right, expr.right.pos)
        comparisons: dict[str, Callable[[Decimal, Decimal], bool]] = {
            "<": lambda a, b: a < b,
            ">": lambda a, b: a > b,
            "<=": lambda a, b: a <= b,
            ">=": lambda a, b: a >= b,
        }
        return comparisons[expr.op](a_num, b_num)

    def conditional(self, expr: Conditional, scope: Mapping[str, Any]) -> Any:
        condition = self.boolean(self.evaluate(expr.condition, scope), expr.condition.pos)
        then = self.evaluate(expr.then, scope)
        otherwise = self.evaluate(expr.otherwise, scope)
        kinds = {_kind(then), _kind(otherwise)} - {"null"}
        chosen = then if condition else otherwise
        if len(kinds) > 1:
            if kinds <= {"string", "number", "bool"}:
                return self.to_string(chosen, expr.pos)
            raise self.error(
                expr.pos, f"inconsistent conditional result types: {' and '.join(sorted(kinds))}"
            )
        return chosen

    def to_string(self, value: Any, pos: Pos) -> str:
        kind = _kind(value)
        if kind == "string":
            return str(value)
        if kind == "bool":
            return "true" if value else "false"
        if kind == "number":
            return format_number(value)
        if kind == "null":
            raise self.error(pos, "the expression result is null; a string is required")
        raise self.error(
            pos, f"cannot include a {kind} value in a string template; a string is required"
        )

    # -- functions
    def _arity(self, call: Call, args: list[Any], count: int) -> None:
        if len(args) != count:
            raise self.error(call.pos, f"{call.name}() takes {count} argument(s), got {len(args)}")

    def _fn_jsonencode(self, call: Call, args: list[Any]) -> str:
        self._arity(call, args, 1)
        return jsonencode(args[0])

    def _fn_tostring(self, call: Call, args: list[Any]) -> str | None:
        self._arity(call, args, 1)
        return None if args[0] is None else self.to_string(args[0], call.pos)

    def _fn_startswith(self, call: Call, args: list[Any]) -> bool:
        self._arity(call, args, 2)
        text, prefix = (self.to_string(arg, call.pos) for arg in args)
        return text.startswith(prefix)

    def _fn_length(self, call: Call, args: list[Any]) -> int:
        self._arity(call, args, 1)
        value = args[0]
        if _kind(value) in ("string", "list", "map"):
            return len(value)
        raise self.error(call.pos, f"length() needs a string, list or map, got {_kind(value)}")

    # -- nodes
    def render(self, nodes: Sequence[Node], scope: Mapping[str, Any], out: list[str]) -> None:
        for node in nodes:
            if isinstance(node, Literal):
                out.append(node.text)
            elif isinstance(node, Interpolation):
                out.append(self.to_string(self.evaluate(node.expr, scope), node.expr.pos))
            elif isinstance(node, IfNode):
                branch = self.boolean(self.evaluate(node.condition, scope), node.condition.pos)
                self.render(node.then if branch else node.otherwise, scope, out)
            else:
                for key, value in self.iterate(node, scope):
                    inner = dict(scope)
                    inner[node.value_name] = value
                    if node.key_name:
                        inner[node.key_name] = key
                    self.render(node.body, inner, out)

    def iterate(self, node: ForNode, scope: Mapping[str, Any]) -> Iterator[tuple[Any, Any]]:
        collection = self.evaluate(node.collection, scope)
        kind = _kind(collection)
        if kind == "list":
            yield from enumerate(collection)
        elif kind == "map":
            yield from sorted(collection.items())
        else:
            raise self.error(node.pos, f"a for directive needs a list or map, got {kind}")


def render_template(text: str, variables: Mapping[str, Any], source: str = "<template>") -> str:
    """Render template ``text`` with ``variables`` exactly as ``templatefile()`` would.

    Raises:
        TemplateError: unsupported syntax, an unbound variable (anywhere in the
            template, as Terraform checks), or a type error during evaluation.

    """
    template = parse_template(text, source)
    missing = {name: pos for name, pos in template.references().items() if name not in variables}
    if missing:
        name, pos = min(missing.items(), key=lambda item: (item[1].line, item[1].column))
        raise TemplateError(
            source,
            pos.line,
            pos.column,
            f"vars map does not contain key {name!r} (unbound: {', '.join(sorted(missing))})",
        )
    out: list[str] = []
    _Evaluator(source).render(template.nodes, variables, out)
    return "".join(out)


def render_file(path: Path, variables: Mapping[str, Any]) -> str:
    """Render the template file at ``path`` (see :func:`render_template`)."""
    return render_template(path.read_text(encoding="utf-8"), variables, str(path))


def load_vars_file(path: Path) -> dict[str, Any]:
    """Read template variables from a JSON object file (the shape ``-var-file`` JSON uses)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: template variables must be a JSON object of name -> value")
    return data
