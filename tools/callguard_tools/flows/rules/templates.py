"""Rules about template source: every placeholder is bound, and no ARN is written literally.

These run on the ``.tftpl`` text before rendering, because once rendered a
hard-coded ARN and a passed-in one look the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from callguard_tools.flows.render import Template
from callguard_tools.flows.rules.registry import Problem

_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:[a-z0-9-]*:")
_IDENTIFIER = re.compile(r'"Identifier"\s*:\s*"([^"]*)"')


@dataclass(frozen=True)
class TemplateRule:
    """A rule over template source: name, summary and check."""

    name: str
    summary: str
    check: Callable[[str, Template, Mapping[str, Any]], Iterator[Problem]]


def _action_near(text: str, offset: int) -> str | None:
    """Return the identifier of the action whose text contains ``offset`` (nearest above)."""
    found = None
    for match in _IDENTIFIER.finditer(text, 0, offset):
        found = match.group(1)
    return found


def check_placeholders(
    text: str, template: Template, variables: Mapping[str, Any]
) -> Iterator[Problem]:
    """Require every ${name} the template reads to be bound; warn about unused variables."""
    references = template.references()
    for name, pos in sorted(references.items(), key=lambda item: (item[1].line, item[1].column)):
        if name not in variables:
            offset = _offset(text, pos.line, pos.column)
            yield Problem(
                f"placeholder {name!r} (line {pos.line}, column {pos.column}) is not bound",
                _action_near(text, offset),
            )
    for name in sorted(set(variables) - set(references)):
        yield Problem(
            f"variable {name!r} is bound but the template never uses it", severity="warning"
        )


def check_literal_arns(
    text: str, template: Template, variables: Mapping[str, Any]
) -> Iterator[Problem]:
    """Forbid literal ARNs: every ARN is a variable, so one template serves every account."""
    del template, variables  # the raw text is what matters here
    for match in _ARN.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        yield Problem(
            f"literal ARN {match.group()}... on line {line}; pass it in as a template variable",
            _action_near(text, match.start()),
        )


def _offset(text: str, line: int, column: int) -> int:
    """Character offset of a 1-based line and column."""
    lines = text.splitlines(keepends=True)
    return sum(len(each) for each in lines[: line - 1]) + column - 1


TEMPLATE_RULES: tuple[TemplateRule, ...] = (
    TemplateRule(
        "placeholders-bound",
        "Require every ${name} to be bound; warn about unused variables.",
        check_placeholders,
    ),
    TemplateRule(
        "no-literal-arns",
        "Forbid literal ARNs in templates: pass every ARN in as a variable.",
        check_literal_arns,
    ),
)
