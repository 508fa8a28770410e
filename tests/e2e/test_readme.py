"""The README shows the demo as it really runs, and the commands it names exist.

``test_demo.py`` holds docs/demo.md to the demo's real output; this holds the
README's shortened transcript to docs/demo.md, so neither can drift on its own.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STEP = re.compile(r"^\[\d+\] .+$", re.MULTILINE)


def _steps(text: str) -> list[str]:
    return STEP.findall(text)


def test_the_readme_lists_every_demo_step_in_order() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    documented = (REPO / "docs" / "demo.md").read_text(encoding="utf-8")

    assert _steps(documented), "docs/demo.md has no transcript"
    assert _steps(readme) == _steps(documented)


def test_the_readme_shows_the_two_commands_first() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```", 2)[1]

    assert "make demo" in first_block
    assert "make test" in first_block


def test_every_make_target_the_readme_names_exists() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.MULTILINE))

    named = set(re.findall(r"make ([a-z][a-z-]+)", readme))
    assert named, "the README names no make target"
    assert named <= targets, f"README names unknown targets: {sorted(named - targets)}"
