"""What a rule is, what it reports, and the registry the linter runs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from callguard_tools.flows.model import Flow

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """What a rule found: a message, the action it concerns, and an optional severity override."""

    message: str
    action: str | None = None
    severity: Severity | None = None


@dataclass(frozen=True)
class Finding:
    """A problem tied to its rule and file: what the linter prints.

    Every message names the file, the action (when there is one) and the rule,
    so a reader can go straight to the defect and look the rule up.
    """

    rule: str
    severity: Severity
    source: str
    message: str
    action: str | None = None

    def __str__(self) -> str:
        where = f" action {self.action!r}:" if self.action is not None else ""
        return f"{self.source}: {self.severity} [{self.rule}]{where} {self.message}"


CheckFunction = Callable[[Flow], Iterable[Problem]]


@dataclass(frozen=True)
class FlowRule:
    """A registered rule: its name, default severity, one-line summary and check."""

    name: str
    severity: Severity
    summary: str
    check: CheckFunction

    def run(self, flow: Flow) -> list[Finding]:
        """Apply the rule to ``flow`` and attach the rule name and source to each problem."""
        return [
            Finding(
                rule=self.name,
                severity=problem.severity or self.severity,
                source=flow.source,
                message=problem.message,
                action=problem.action,
            )
            for problem in self.check(flow)
        ]


#: Rule name -> rule, in registration (and reporting) order.
RULES: dict[str, FlowRule] = {}


def flow_rule(name: str, severity: Severity = "error") -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function as the rule ``name``; its docstring's first line is the summary."""

    def register(check: CheckFunction) -> CheckFunction:
        if name in RULES:
            raise ValueError(f"flow rule {name!r} is registered twice")
        summary = (check.__doc__ or name).strip().splitlines()[0]
        RULES[name] = FlowRule(name, severity, summary, check)
        return check

    return register
