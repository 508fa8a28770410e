"""Parse flow templates (the HCL template subset our flows use) into a syntax tree.

Strip markers follow HCL exactly: HCL's scanner splits literal text after each
newline, and a ``~`` trims whitespace only within the adjacent piece, so it
never removes more than up to (and including) the nearest newline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from callguard_tools.flows.template_ast import (
    Binary,
    Call,
    Conditional,
    Const,
    Expr,
    ForNode,
    IfNode,
    Interpolation,
    Literal,
    Node,
    Pos,
    Template,
    TemplateError,
    Unary,
    Var,
)

SUPPORTED_FUNCTIONS = ("jsonencode", "length", "startswith", "tostring")

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_OPERATORS = ("==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "?", ":", "(", ")", ",")
_STRING_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


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


def parse_template(text: str, source: str = "<template>") -> Template:
    """Parse template text; raises :class:`TemplateError` on anything unsupported."""
    items = _scan(text, source)
    _apply_strip_markers(items)
    return Template(source, tuple(_build_tree(items, source)))
