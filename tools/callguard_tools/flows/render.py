"""Fill a flow template exactly as Terraform's ``templatefile()`` does.

The flow tools must see byte-for-byte what Terraform publishes, or the linter,
the simulator and the diagrams would prove a different flow from the one
deployed. Rather than approximate with ``str.format``, this package implements
the subset of the HCL template language our templates use, with Terraform's
semantics (a test compares the output with real Terraform). The parser lives in
:mod:`.template_parser`, the tree in :mod:`.template_ast`, Terraform's value
rules in :mod:`.template_values`; this module evaluates and is the public API.
Supported:

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
from decimal import Decimal
from pathlib import Path
from typing import Any

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
from callguard_tools.flows.template_parser import SUPPORTED_FUNCTIONS, parse_template
from callguard_tools.flows.template_values import format_number, jsonencode, kind_of

#: A string Terraform converts to a number (decimal notation, optional sign and exponent).
_NUMERIC_STRING = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

__all__ = [
    "SUPPORTED_FUNCTIONS",
    "Template",
    "TemplateError",
    "format_number",
    "jsonencode",
    "load_vars_file",
    "parse_template",
    "render_file",
    "render_template",
]


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
        raise self.error(pos, f"a bool is required, got {kind_of(value)}")

    def number(self, value: Any, pos: Pos) -> Decimal:
        kind = kind_of(value)
        number: Decimal | None = None
        if kind == "number":
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        elif kind == "string" and _NUMERIC_STRING.fullmatch(value):
            number = Decimal(value)
        if number is None or not number.is_finite():
            # Terraform numbers are finite decimals; "nan", "inf" or " 5" do not convert.
            raise self.error(pos, f"a number is required, got {kind} {value!r}")
        return number

    def binary(self, expr: Binary, scope: Mapping[str, Any]) -> bool:
        left = self.evaluate(expr.left, scope)
        right = self.evaluate(expr.right, scope)
        if expr.op in ("&&", "||"):
            a, b = self.boolean(left, expr.left.pos), self.boolean(right, expr.right.pos)
            return (a and b) if expr.op == "&&" else (a or b)
        if expr.op in ("==", "!="):
            same = kind_of(left) == kind_of(right) and (
                self.number(left, expr.pos) == self.number(right, expr.pos)
                if kind_of(left) == "number"
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
        kinds = {kind_of(then), kind_of(otherwise)} - {"null"}
        chosen = then if condition else otherwise
        if len(kinds) > 1:
            if kinds <= {"string", "number", "bool"}:
                return self.to_string(chosen, expr.pos)
            raise self.error(
                expr.pos, f"inconsistent conditional result types: {' and '.join(sorted(kinds))}"
            )
        return chosen

    def to_string(self, value: Any, pos: Pos) -> str:
        kind = kind_of(value)
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
        if kind_of(value) in ("string", "list", "map"):
            return len(value)
        raise self.error(call.pos, f"length() needs a string, list or map, got {kind_of(value)}")

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
        kind = kind_of(collection)
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
