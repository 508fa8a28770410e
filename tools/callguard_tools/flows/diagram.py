"""Mermaid diagrams of the flows, for review on GitHub (which renders Mermaid in Markdown).

A flow's JSON is hard to review and Connect's designer needs an account, so
``make docs`` draws every shipped flow into ``docs/flows/``: one node per
action, solid arrows for the normal path and conditions, dotted arrows for
error branches. A test regenerates the files and compares them with the
committed ones, so the pictures can never drift from the flows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from callguard_tools.flows.model import Action, Flow, parse_flow
from callguard_tools.flows.render import render_file
from callguard_tools.flows.shipped_templates import DEMO_VALUES, TEMPLATES, FlowTemplate

_MAX_DETAIL = 60
_SHAPES = {
    "Compare": ('{"', '"}'),
    "InvokeLambdaFunction": ('[["', '"]]'),
    "InvokeFlowModule": ('[["', '"]]'),
}
_TERMINAL_SHAPE = ('(["', '"])')
_TERMINAL_TYPES = frozenset({"DisconnectParticipant", "EndFlowModuleExecution", "EndFlowExecution"})


def _escape(text: str) -> str:
    """Make text safe inside a quoted Mermaid label (entity codes, as Mermaid documents)."""
    return (
        text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    )


def _shorten(text: str) -> str:
    """Keep labels readable: long values are cut with an ellipsis."""
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


def _tail(arn: str) -> str:
    """Return the readable end of an ARN or id (``function:name`` -> ``name``)."""
    return arn.replace(":", "/").rsplit("/", 1)[-1]


def _prompt(params: Mapping[str, Any]) -> list[str]:
    for key in ("Text", "SSML", "PromptId"):
        if key in params:
            return [f"{key}: {_shorten(str(params[key]))}"]
    return []


def _attributes(params: Mapping[str, Any]) -> list[str]:
    attributes = params.get("Attributes")
    if not isinstance(attributes, Mapping):
        return []
    empty = '""'
    return [_shorten(f"{name} = {value or empty}") for name, value in attributes.items()]


_DETAILS: dict[str, Callable[[Mapping[str, Any]], list[str]]] = {
    "InvokeLambdaFunction": lambda p: [
        f"function {_tail(str(p.get('LambdaFunctionARN', '')))}",
        f"timeout {p.get('InvocationTimeLimitSeconds', '?')} s",
    ],
    "InvokeFlowModule": lambda p: [f"module {_tail(str(p.get('FlowModuleId', '')))}"],
    "UpdateContactTargetQueue": lambda p: [f"queue {_tail(str(p.get('QueueId', '')))}"],
    "Compare": lambda p: [f"check {p.get('ComparisonValue', '')}"],
    "MessageParticipant": _prompt,
    "GetParticipantInput": _prompt,
    "UpdateContactAttributes": _attributes,
    "UpdateFlowLoggingBehavior": lambda p: [f"logging {p.get('FlowLoggingBehavior', '')}"],
}


def _detail(action: Action) -> list[str]:
    """Return one or two short lines saying what the action does."""
    describe = _DETAILS.get(action.type)
    return describe(action.parameters) if describe is not None else []


def _node(node_id: str, action: Action) -> str:
    opening, closing = _SHAPES.get(action.type, ('["', '"]'))
    if action.type in _TERMINAL_TYPES:
        opening, closing = _TERMINAL_SHAPE
    lines = [f"<b>{_escape(action.identifier)}</b>", _escape(action.type)]
    lines.extend(_escape(line) for line in _detail(action))
    return f"    {node_id}{opening}{'<br/>'.join(lines)}{closing}"


def _condition_label(operator: str, operands: tuple[Any, ...]) -> str:
    shown = ", ".join(str(operand) for operand in operands)
    symbol = {"Equals": "="}.get(operator, operator)
    return _escape(_shorten(f"{symbol} {shown}"))


def _edges(ids: Mapping[str, str], action: Action) -> list[str]:
    """Draw the action's transitions, one arrow per target.

    Branches that share a target are merged into one arrow listing every label,
    so a block whose error and success both lead on does not draw two arrows;
    the arrow is solid when any normal branch takes it, dotted for errors only.
    """
    groups: dict[str, tuple[list[str], bool]] = {}

    def add(target: str, label: str, normal: bool) -> None:
        if target not in ids:
            return
        labels, solid = groups.setdefault(target, ([], False))
        if label:
            labels.append(label)
        groups[target] = (labels, solid or normal)

    for condition in action.conditions:
        add(condition.next_action, _condition_label(condition.operator, condition.operands), True)
    if action.next_action is not None:
        add(action.next_action, "no match" if action.conditions else "ok", True)
    for error in action.errors:
        add(error.next_action, _escape(error.error_type), False)
    source = ids[action.identifier]
    edges = []
    for target, (labels, solid) in groups.items():
        arrow = "-->" if solid else "-.->"
        label = f'|"{" / ".join(labels)}"|' if labels and labels != ["ok"] else ""
        edges.append(f"    {source} {arrow}{label} {ids[target]}")
    return edges


def mermaid(flow: Flow) -> str:
    """Return a Mermaid ``flowchart`` of ``flow`` (deterministic: document order)."""
    ids = {action.identifier: f"a{index}" for index, action in enumerate(flow.actions)}
    lines = ["flowchart TD", '    start(("Start"))']
    lines.extend(_node(ids[action.identifier], action) for action in flow.actions)
    start = flow.start_action
    if isinstance(start, str) and start in ids:
        lines.append(f"    start --> {ids[start]}")
    for action in flow.actions:
        lines.extend(_edges(ids, action))
    return "\n".join(lines) + "\n"


def render_demo_flow(entry: FlowTemplate) -> Flow:
    """Render one of our templates with its demo values and parse it."""
    text = render_file(entry.path, DEMO_VALUES[entry.filename])
    return parse_flow(text, f"flows/{entry.filename}", entry.flow_type)


def _document(entry: FlowTemplate, flow: Flow) -> str:
    values = DEMO_VALUES[entry.filename]
    shown = ", ".join(f"`{name}` = `{_value_text(values[name])}`" for name in entry.variables)
    return (
        f"# {entry.title}\n\n"
        f"Template [`flows/{entry.filename}`](../../flows/{entry.filename}) · "
        f"Connect type `{entry.flow_type}` · {len(flow.actions)} actions\n\n"
        f"{entry.summary}\n\n"
        "Generated by `make docs` (`callguard flows diagram`) from the template rendered with "
        "the demo values below; do not edit by hand. Solid arrows are the normal path and "
        "conditions, dotted arrows are error branches.\n\n"
        f"Demo values: {shown}.\n\n"
        "```mermaid\n"
        f"{mermaid(flow)}"
        "```\n"
    )


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _index(entries: list[tuple[FlowTemplate, Flow]]) -> str:
    rows = "\n".join(
        f"| [{entry.title}]({entry.stem}.md) | `{entry.flow_type}` | {len(flow.actions)} "
        f"| {entry.summary} |"
        for entry, flow in entries
    )
    return (
        "# Flow diagrams\n\n"
        "Generated by `make docs` from the templates in [`flows/`](../../flows/); "
        "`make test` fails when they are not current.\n\n"
        "| Flow | Type | Actions | What it does |\n|---|---|---|---|\n"
        f"{rows}\n"
    )


def generate_documents() -> dict[str, str]:
    """Return file name -> Markdown for every shipped flow, plus ``README.md`` as an index."""
    entries = [(entry, render_demo_flow(entry)) for entry in TEMPLATES]
    documents = {f"{entry.stem}.md": _document(entry, flow) for entry, flow in entries}
    documents["README.md"] = _index(entries)
    return documents
