"""The syntax tree of a flow template, and the error every template problem raises.

Shared by the parser (:mod:`.template_parser`) and the evaluator (:mod:`.render`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias


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
