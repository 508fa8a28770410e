"""The Mermaid diagrams: committed files are current, and the drawing says what the flow does."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from callguard_tools.flows.cli import flows
from callguard_tools.flows.diagram import generate_documents, mermaid, render_demo_flow
from callguard_tools.flows.model import parse_flow
from callguard_tools.flows.shipped_templates import FLOWS_DIR, TEMPLATES

DOCS_DIR = FLOWS_DIR.parent / "docs" / "flows"


def test_committed_diagrams_are_current(tmp_path: Path) -> None:
    """Regenerating into a temporary directory reproduces docs/flows exactly (run `make docs`)."""
    result = CliRunner().invoke(flows, ["diagram", "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    generated = {path.name: path.read_text(encoding="utf-8") for path in tmp_path.iterdir()}
    committed = {path.name: path.read_text(encoding="utf-8") for path in DOCS_DIR.iterdir()}
    assert generated == committed


def test_check_mode_detects_a_stale_file(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(flows, ["diagram", "--output", str(tmp_path)]).exit_code == 0
    assert runner.invoke(flows, ["diagram", "--check", "--output", str(tmp_path)]).exit_code == 0
    stale = tmp_path / "agent_flag.md"
    stale.write_text(stale.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    result = runner.invoke(flows, ["diagram", "--check", "--output", str(tmp_path)])
    assert result.exit_code == 1
    assert "agent_flag.md is not current" in result.output


def test_one_document_per_flow_plus_an_index() -> None:
    documents = generate_documents()
    assert set(documents) == {f"{entry.stem}.md" for entry in TEMPLATES} | {"README.md"}
    for entry in TEMPLATES:
        assert f"({entry.stem}.md)" in documents["README.md"]
        assert "```mermaid\nflowchart TD\n" in documents[f"{entry.stem}.md"]


def test_every_action_and_transition_is_drawn() -> None:
    for entry in TEMPLATES:
        flow = render_demo_flow(entry)
        chart = mermaid(flow)
        node_lines = [line for line in chart.splitlines() if re.match(r"    a\d+[\[\(\{]", line)]
        assert len(node_lines) == len(flow.actions)
        ids = {action.identifier: f"a{index}" for index, action in enumerate(flow.actions)}
        for action in flow.actions:
            assert f"<b>{action.identifier}</b>" in chart
            for target in set(action.targets()):
                pattern = (
                    rf"    {ids[action.identifier]} -(?:->|\.->)(?:\|\"[^\"]*\"\|)? {ids[target]}$"
                )
                assert re.search(pattern, chart, re.MULTILINE), (action.identifier, target)


def test_error_only_arrows_are_dotted_and_shared_targets_merge() -> None:
    entry = next(e for e in TEMPLATES if e.filename.startswith("inbound_denylist"))
    chart = mermaid(render_demo_flow(entry))
    # transfer-to-queue (a8) only has error branches: both dotted, each labelled.
    assert '    a8 -.->|"QueueAtCapacity"| a9' in chart
    assert '    a8 -.->|"NoMatchingError"| a10' in chart
    # route-on-blocked: the no-match path and its NoMatchingCondition error share one arrow.
    assert '    a2 -->|"no match / NoMatchingCondition"| a4' in chart
    assert '    a2 -->|"= true"| a3' in chart


def test_labels_escape_quotes_and_markup() -> None:
    document = {
        "Version": "2019-10-30",
        "StartAction": "say",
        "Actions": [
            {
                "Identifier": "say",
                "Type": "MessageParticipant",
                "Parameters": {"SSML": '<speak>Say "#1"</speak>'},
                "Transitions": {"NextAction": "bye", "Errors": []},
            },
            {
                "Identifier": "bye",
                "Type": "DisconnectParticipant",
                "Parameters": {},
                "Transitions": {},
            },
        ],
    }
    chart = mermaid(parse_flow(json.dumps(document), "x.json"))
    assert "SSML: #lt;speak#gt;Say #quot;#35;1#quot;#lt;/speak#gt;" in chart
    assert '"<speak' not in chart
    assert '    a1(["<b>bye</b><br/>DisconnectParticipant"])' in chart


def test_every_lint_rule_is_documented() -> None:
    from callguard_tools.flows.rules import RULES
    from callguard_tools.flows.rules.templates import TEMPLATE_RULES

    text = (FLOWS_DIR.parent / "docs" / "flow-tools.md").read_text(encoding="utf-8")
    for name in [*RULES, *(rule.name for rule in TEMPLATE_RULES)]:
        assert f"| `{name}` |" in text, name
