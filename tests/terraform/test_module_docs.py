"""Module READMEs' input and output tables are generated from the HCL and never stale."""

from __future__ import annotations

import shutil
from pathlib import Path

from callguard_tools.tfkit import __main__ as tfkit_cli
from callguard_tools.tfkit import module_docs
from callguard_tools.tfkit.paths import repo_root

REPO = repo_root()


def test_every_module_readme_is_current() -> None:
    stale = [str(p.relative_to(REPO)) for p in module_docs.stale()]
    assert stale == [], f"run `python -m callguard_tools.tfkit docs`: {stale}"
    assert tfkit_cli.main(["docs", "--check"]) == 0


def test_tables_list_every_variable_and_output_with_type_and_default() -> None:
    block = module_docs.render(REPO / "modules" / "connect_flow")
    assert block.startswith(module_docs.BEGIN) and block.endswith(module_docs.END)
    assert "| `type` | Flow type, or FLOW_MODULE" in block
    assert '| `string` | `"CONTACT_FLOW"` |' in block
    assert "| `instance_id` |" in block and "| required |" in block
    assert "| `id` | Id of the flow" in block


def test_a_changed_description_makes_the_readme_stale(tmp_path: Path) -> None:
    tree = tmp_path / "repo"
    shutil.copytree(REPO / "modules" / "quick_connect", tree / "modules" / "quick_connect")
    assert module_docs.stale(tree) == []
    variables = tree / "modules" / "quick_connect" / "variables.tf"
    text = variables.read_text(encoding="utf-8")
    variables.write_text(text.replace("Tags for the quick connect.", "Tags."), encoding="utf-8")

    assert module_docs.stale(tree) == [tree / "modules" / "quick_connect" / "README.md"]
    module_docs.write(tree)
    readme = (tree / "modules" / "quick_connect" / "README.md").read_text(encoding="utf-8")
    assert "| `tags` | Tags. | `map(string)` | `{}` |" in readme
    assert readme.startswith("# quick_connect")
    assert module_docs.stale(tree) == []
