"""The flow linter's rules: each one small, named, documented and testable alone.

A rule is a function that takes a parsed :class:`~callguard_tools.flows.model.Flow`
and yields :class:`Problem` objects; :func:`flow_rule` registers it under its
name with a default severity. The rule modules are imported here so that
importing this package registers every rule, in the order they are reported.
Template rules (placeholders, literal ARNs) work on template source instead and
live in :mod:`.templates`.
"""

from __future__ import annotations

# isort: off
# Registration order is reporting order: the document's shape first, then actions, then limits.
from callguard_tools.flows.rules import structure
from callguard_tools.flows.rules import actions
from callguard_tools.flows.rules import input as stored_input
from callguard_tools.flows.rules import outbound
from callguard_tools.flows.rules import limits

# isort: on
from callguard_tools.flows.rules.registry import RULES, Finding, FlowRule, Problem, Severity

__all__ = [
    "RULES",
    "Finding",
    "FlowRule",
    "Problem",
    "Severity",
    "actions",
    "limits",
    "outbound",
    "stored_input",
    "structure",
]
