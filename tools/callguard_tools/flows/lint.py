"""Lint flow documents and flow templates against the flow-language rules.

Publishing is the only check Amazon Connect offers, and it happens during
``terraform apply``, against a live instance. This linter catches the same
classes of mistake (and a few Connect would accept but that route callers
badly, like an unwired error branch) on any machine, without an account, in well
under a second (measured figures are in docs/flow-tools.md).

Input may be a bare flow document, a ``{Name, Type, Content}`` wrapper, or one
of our ``.tftpl`` templates. A template is first checked as source
(placeholders bound, no literal ARNs), then rendered with the given variables,
or with the catalogue's demo values for our own templates, and linted as a flow.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from callguard_tools.flows.model import Flow, FlowParseError, parse_flow
from callguard_tools.flows.render import TemplateError, parse_template, render_template
from callguard_tools.flows.rules import RULES, Finding
from callguard_tools.flows.rules.templates import TEMPLATE_RULES
from callguard_tools.flows.shipped_templates import DEMO_VALUES, template

#: File name endings the linter picks up when given a directory.
FLOW_SUFFIXES = (".json", ".tftpl")


def lint_flow(flow: Flow, rules: Iterable[str] | None = None) -> list[Finding]:
    """Run the flow rules (all, or only those named) on a parsed flow."""
    selected = RULES.values() if rules is None else [RULES[name] for name in rules]
    findings: list[Finding] = []
    for rule in selected:
        findings.extend(rule.run(flow))
    return findings


def lint_text(text: str, source: str, flow_type: str | None = None) -> list[Finding]:
    """Parse and lint a flow document or wrapper given as text."""
    try:
        flow = parse_flow(text, source, flow_type)
    except FlowParseError as exc:
        return [Finding("json", "error", source, exc.detail + _position(exc.line, exc.column))]
    return lint_flow(flow)


def _position(line: int | None, column: int | None) -> str:
    return f" (line {line}, column {column})" if line is not None else ""


def lint_template(
    text: str,
    source: str,
    variables: Mapping[str, Any],
    flow_type: str | None = None,
) -> list[Finding]:
    """Check template source, then render it with ``variables`` and lint the result as a flow."""
    try:
        parsed = parse_template(text, source)
    except TemplateError as exc:
        return [
            Finding(
                "template-syntax", "error", source, f"{exc.detail}{_position(exc.line, exc.column)}"
            )
        ]
    findings: list[Finding] = []
    for rule in TEMPLATE_RULES:
        for problem in rule.check(text, parsed, variables):
            severity = problem.severity or "error"
            findings.append(Finding(rule.name, severity, source, problem.message, problem.action))
    if any(f.rule == "placeholders-bound" and f.severity == "error" for f in findings):
        return findings  # rendering would only repeat the unbound-variable error
    try:
        rendered = render_template(text, variables, source)
    except TemplateError as exc:
        findings.append(
            Finding(
                "template-syntax", "error", source, f"{exc.detail}{_position(exc.line, exc.column)}"
            )
        )
        return findings
    findings.extend(lint_text(rendered, source, flow_type))
    return findings


def lint_path(
    path: Path,
    variables: Mapping[str, Any] | None = None,
    flow_type: str | None = None,
) -> list[Finding]:
    """Lint one file: a template (``.tftpl``) or a flow document / wrapper (anything else).

    For a template, ``variables`` defaults to the demo values when the file is
    one of ours (matched by file name); an unknown template with no variables
    reports each placeholder as unbound. The flow type defaults to the
    catalogue's for our templates.
    """
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Finding("read", "error", source, f"cannot read the file: {exc}")]
    if path.name.endswith(".tftpl"):
        entry = template(path.name)
        if flow_type is None and entry is not None:
            flow_type = entry.flow_type
        if variables is None:
            variables = DEMO_VALUES.get(path.name, {})
        return lint_template(text, source, variables, flow_type)
    return lint_text(text, source, flow_type)


def template_variables(path: Path) -> frozenset[str]:
    """Return the variables a template reads: the catalogue's for ours, else its source's.

    A template that cannot be read or parsed reads nothing (linting it reports why).
    """
    entry = template(path.name)
    if entry is not None:
        return frozenset(entry.variables)
    try:
        return frozenset(parse_template(path.read_text(encoding="utf-8"), str(path)).references())
    except (OSError, UnicodeDecodeError, TemplateError):
        return frozenset()


def expand_paths(paths: Sequence[Path]) -> Iterator[Path]:
    """Yield the files to lint: files as given, directories as their flow files, sorted."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.name.endswith(FLOW_SUFFIXES)
            )
        else:
            yield path


def has_errors(findings: Iterable[Finding]) -> bool:
    """Return True when any finding is an error (the linter then exits 1)."""
    return any(finding.severity == "error" for finding in findings)
