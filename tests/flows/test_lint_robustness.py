"""The linter reports on any input and never crashes: malformed flows give findings, not tracebacks.

Examples are derandomized (the same on every run) and have no deadline: a test must not
fail because a shared machine is slow.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callguard_tools.flows.lint import lint_text
from callguard_tools.flows.render import render_file
from callguard_tools.flows.shipped_templates import DEMO_VALUES, TEMPLATES

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)

OUR_FLOWS = [
    json.loads(render_file(entry.path, DEMO_VALUES[entry.filename])) for entry in TEMPLATES
]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON document."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*prefix, index)))
    return found


def _replace(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(document))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copy


@settings(
    max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None, derandomize=True
)
@given(data=st.data())
def test_any_corruption_of_our_flows_is_reported_not_raised(data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(OUR_FLOWS) - 1))
    document = OUR_FLOWS[index]
    path = data.draw(st.sampled_from(_paths(document)))
    corrupted = _replace(document, path, data.draw(JSON))
    findings = lint_text(json.dumps(corrupted), "corrupted.json", TEMPLATES[index].flow_type)
    for finding in findings:
        assert finding.severity in ("error", "warning")
        assert finding.message
    if corrupted != document:
        # A corrupted flow may still be valid; but whatever is reported must name a rule.
        assert all(finding.rule for finding in findings)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(value=JSON)
def test_arbitrary_json_never_crashes_the_linter(value: Any) -> None:
    findings = lint_text(json.dumps(value), "random.json")
    if not isinstance(value, dict):
        assert [finding.rule for finding in findings] == ["json"]
    else:
        assert all(finding.rule for finding in findings)
