"""What Terraform said: diagnostics, check results, and the noise filter.

``validate -json`` gives structured diagnostics; ``get``, ``init`` and ``plan`` only
human text. Both become :class:`Diagnostic` lists so callers (``make validate``, tests
asserting Terraform's own messages) read one shape. The dev-overrides warning, expected
whenever the stand-in is in use, is dropped from everything shown.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from callguard_tools.tfkit import launcher
from callguard_tools.tfkit.paths import repo_root

#: Terraform's warning that dev_overrides are active: expected offline, so not shown.
DEV_OVERRIDES = "Provider development overrides are in effect"

#: Added to "Invalid resource type" errors: the offline schema holds only used types.
SCHEMA_HINT = (
    "If the type exists in hashicorp/aws, the offline schema may just lack it: "
    "run `make schema` and commit tools/callguard_tools/tfkit/aws_schema.json."
)


class TfkitError(RuntimeError):
    """A toolkit operation could not run (missing root, failed init, bad plan output)."""


@dataclass(frozen=True)
class Diagnostic:
    """One Terraform diagnostic, as ``validate -json`` reports it."""

    severity: str
    summary: str
    detail: str = ""
    filename: str = ""
    line: int = 0

    def render(self) -> str:
        """Return ``severity: summary (file:line): detail`` on one paragraph."""
        where = f" ({self.filename}:{self.line})" if self.filename else ""
        detail = f"\n    {self.detail}" if self.detail else ""
        return f"{self.severity}: {self.summary}{where}{detail}"


@dataclass
class CheckResult:
    """The outcome of one check (fmt, or validate of one directory)."""

    target: str
    ok: bool
    diagnostics: list[Diagnostic] = field(default_factory=list)
    output: str = ""
    seconds: float = 0.0

    @property
    def message(self) -> str:
        """Return everything Terraform said, for humans and for assertions."""
        parts = [d.render() for d in self.diagnostics]
        if self.output:
            parts.append(self.output)
        return "\n".join(parts)


@dataclass
class ValidationReport:
    """The outcome of ``make validate``: fmt plus one result per directory."""

    results: list[CheckResult]
    seconds: float

    @property
    def ok(self) -> bool:
        """Return True when every check passed."""
        return all(r.ok for r in self.results)

    @property
    def failures(self) -> list[CheckResult]:
        """Return the failed checks."""
        return [r for r in self.results if not r.ok]


def relative(path: Path) -> str:
    """Return ``path`` relative to the repository when inside it (for reports)."""
    try:
        return str(path.resolve().relative_to(repo_root()))
    except ValueError:
        return str(path)


def strip_noise(text: str) -> str:
    """Drop the dev-overrides warning from human output; keep everything else.

    The warning is a header and three blank-line separated paragraphs (boxed with
    ``╷ │ ╵`` when Terraform draws boxes); its wrapping differs between commands.
    """
    if DEV_OVERRIDES not in text:
        return text.strip()
    kept: list[str] = []
    blanks = -1  # -1: not inside the warning
    for line in text.splitlines():
        bare = line.strip(" ╷│")
        if DEV_OVERRIDES in line:
            blanks = 0
            while kept and kept[-1].strip(" ╷│") == "":
                kept.pop()
            continue
        if blanks >= 0:
            if line.strip() == "╵":
                blanks = -1
            elif not bare:
                blanks += 1
                if blanks == 3:
                    blanks = -1
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def _detail(diagnostic: dict[str, Any]) -> str:
    detail = str(diagnostic.get("detail", ""))
    summary = diagnostic.get("summary", "")
    if summary in ("Invalid resource type", "Invalid data source") and not launcher.real_provider():
        return f"{detail}\n{SCHEMA_HINT}".strip()
    return detail


def parse_validate(stdout: str) -> tuple[bool, list[Diagnostic]]:
    """Return (valid, diagnostics) from ``terraform validate -json`` output."""
    data = json.loads(stdout)
    diagnostics = [
        Diagnostic(
            severity=d.get("severity", "error"),
            summary=d.get("summary", ""),
            detail=_detail(d),
            filename=(d.get("range") or {}).get("filename", ""),
            line=((d.get("range") or {}).get("start") or {}).get("line", 0),
        )
        for d in data.get("diagnostics", [])
        if DEV_OVERRIDES not in d.get("summary", "")
    ]
    return bool(data.get("valid")), diagnostics


def parse_text(text: str) -> list[Diagnostic]:
    """Split Terraform's human output (``-no-color``) into diagnostics.

    ``get``/``init`` have no JSON output, but some configuration errors (a module call
    missing an argument) surface there first.
    """
    diagnostics: list[Diagnostic] = []
    header = re.compile(r"^[│ ]*(Error|Warning): (.+)$")
    current: list[str] = []
    for line in text.splitlines():
        match = header.match(line)
        if match:
            current = []
            diagnostics.append(Diagnostic(match.group(1).lower(), match.group(2).strip()))
            continue
        if diagnostics:
            current.append(line.strip(" │╷╵"))
            last = diagnostics[-1]
            diagnostics[-1] = Diagnostic(last.severity, last.summary, "\n".join(current).strip())
    if not diagnostics and text:
        diagnostics.append(Diagnostic("error", "terraform failed", text))
    return diagnostics
