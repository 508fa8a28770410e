"""Every problem code the engine can report is explained in docs/outbound-jobs.md."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "lambda_src" / "callguard" / "outbound"


def _codes() -> set[str]:
    codes: set[str] = set()
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            position = {"error": 1, "warning": 1, "RenderError": 0}.get(node.func.id)
            if position is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                codes.add(argument.value)
    return codes


def test_every_problem_code_is_documented() -> None:
    codes = _codes()
    assert {"formula_cell", "lost_leading_zero", "undefined_variable", "file_zip_bomb"} <= codes
    guide = (REPO / "docs" / "outbound-jobs.md").read_text(encoding="utf-8")
    missing = sorted(code for code in codes if f"`{code}`" not in guide)
    assert not missing, f"document these codes in docs/outbound-jobs.md: {missing}"
