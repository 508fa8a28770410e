"""The state machine definition the tests execute is byte-identical to templatefile()'s."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_state_machine import VARIABLES

from callguard_tools.outbound_sim import state_machine
from callguard_tools.tfkit.launcher import run


@pytest.mark.slow
def test_render_equals_terraform_templatefile(tmp_path: Path) -> None:
    (tmp_path / "vars.json").write_text(json.dumps(VARIABLES), encoding="utf-8")
    template = json.dumps(str(state_machine.TEMPLATE))
    (tmp_path / "main.tf").write_text(
        'output "definition" {\n'
        f'  value = templatefile({template}, jsondecode(file("vars.json")))\n'
        "}\n",
        encoding="utf-8",
    )
    applied = run(["apply", "-auto-approve", "-input=false", "-no-color"], cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr + applied.stdout
    shown = run(["output", "-raw", "-no-color", "definition"], cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert state_machine.render(VARIABLES) == shown.stdout
