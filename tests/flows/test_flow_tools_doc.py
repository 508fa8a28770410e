"""docs/flow-tools.md shows what the commands really print about the shipped flows."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from callguard_tools.cli import main
from callguard_tools.flows.shipped_templates import TEMPLATES

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "flow-tools.md"
NUMBER_WORDS = {3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def test_the_documented_lint_of_flows_is_what_lint_prints() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = re.search(r"^\$ callguard flows lint flows/\n(.+)$", text, re.MULTILINE)
    assert documented is not None, (
        "docs/flow-tools.md no longer shows `callguard flows lint flows/`"
    )
    result = CliRunner().invoke(main, ["flows", "lint", str(REPO / "flows")])
    assert result.exit_code == 0, result.output
    assert documented.group(1) == result.output.strip().splitlines()[-1]


def test_the_documented_number_of_shipped_templates_is_right() -> None:
    text = DOC.read_text(encoding="utf-8")
    counted = re.findall(r"the (\w+)\s+shipped templates", text)
    assert counted, "docs/flow-tools.md no longer says how many templates ship"
    assert set(counted) == {NUMBER_WORDS[len(TEMPLATES)]}
