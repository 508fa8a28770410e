"""Module READMEs' input and output tables, generated from ``variables.tf`` and ``outputs.tf``.

The terraform-docs convention: each ``modules/<name>/README.md`` keeps its prose, and
the tables between ``<!-- BEGIN_TF_DOCS -->`` and ``<!-- END_TF_DOCS -->`` are
rewritten from the HCL (python-hcl2), so a description is written once, next to the
variable. ``python -m callguard_tools.tfkit docs`` rewrites them; ``--check`` (and a
test) fails when one is stale.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2

from callguard_tools.tfkit.paths import repo_root

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"

_HEREDOC = re.compile(r"^<<-?([A-Za-z_]+)\n(.*)\n\s*\1$", re.DOTALL)


@dataclass(frozen=True)
class Entry:
    """One row: a variable (with type and default) or an output."""

    name: str
    description: str
    type: str = ""
    default: str | None = None  # None: required (variables) or not applicable (outputs)


def _text(value: Any) -> str:
    """Return an HCL string as plain text: quotes, escapes and heredoc markers removed."""
    text = str(value).strip()
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        text = text[1:-1]
    heredoc = _HEREDOC.match(text)
    if heredoc is not None:
        lines = heredoc.group(2).splitlines()
        indent = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
        text = "\n".join(x[indent:] for x in lines)
    return text.replace('\\"', '"').replace("\\n", "\n")


def _expression(value: Any) -> str:
    """Return a default or type as Terraform would write it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("${") and text.endswith("}"):
            return text[2:-1]
        return text
    return json.dumps(value, separators=(", ", " = ") if isinstance(value, dict) else (", ", ": "))


def _cell(text: str) -> str:
    """Return text fit for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _blocks(path: Path, kind: str) -> list[tuple[str, dict[str, Any]]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as handle:
        document = hcl2.load(handle)
    return [
        (name.strip('"'), body)
        for block in document.get(kind, [])
        for name, body in block.items()
        if isinstance(body, dict)
    ]


def inputs(module: Path) -> list[Entry]:
    """Return the module's variables, in file order."""
    return [
        Entry(
            name,
            _text(body.get("description", "")),
            _expression(body.get("type", "any")),
            _expression(body["default"]) if "default" in body else None,
        )
        for name, body in _blocks(module / "variables.tf", "variable")
    ]


def outputs(module: Path) -> list[Entry]:
    """Return the module's outputs, in file order."""
    return [
        Entry(name, _text(body.get("description", "")))
        for name, body in _blocks(module / "outputs.tf", "output")
    ]


def render(module: Path) -> str:
    """Return the generated block, markers included."""
    lines = [
        BEGIN,
        "<!-- Generated from variables.tf and outputs.tf by"
        " `python -m callguard_tools.tfkit docs`; do not edit. -->",
        "",
        "## Inputs",
        "",
        "| Name | Description | Type | Default |",
        "|---|---|---|---|",
    ]
    for entry in inputs(module):
        default = "required" if entry.default is None else f"`{_cell(entry.default)}`"
        lines.append(
            f"| `{entry.name}` | {_cell(entry.description)} | `{_cell(entry.type)}` | {default} |"
        )
    lines += ["", "## Outputs", "", "| Name | Description |", "|---|---|"]
    lines += [f"| `{e.name}` | {_cell(e.description)} |" for e in outputs(module)]
    lines.append(END)
    return "\n".join(lines)


def updated(readme_text: str, module: Path) -> str:
    """Return the README with its generated block replaced (appended when it has none)."""
    block = render(module)
    start, end = readme_text.find(BEGIN), readme_text.find(END)
    if start >= 0 and end > start:
        return readme_text[:start] + block + readme_text[end + len(END) :]
    return readme_text.rstrip("\n") + "\n\n" + block + "\n"


def modules(root: Path | None = None) -> list[Path]:
    """Return every module directory under ``modules/``."""
    base = (root or repo_root()) / "modules"
    return sorted(d for d in base.iterdir() if any(d.glob("*.tf")))


def stale(root: Path | None = None) -> list[Path]:
    """Return the READMEs whose generated block differs from the HCL."""
    found: list[Path] = []
    for module in modules(root):
        readme = module / "README.md"
        text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
        if updated(text, module) != text:
            found.append(readme)
    return found


def write(root: Path | None = None) -> list[Path]:
    """Rewrite every stale README; return the ones changed."""
    changed = stale(root)
    for readme in changed:
        text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
        readme.write_text(updated(text, readme.parent), encoding="utf-8")
    return changed
