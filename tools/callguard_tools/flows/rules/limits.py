"""Rules about Connect's size limits on a flow."""

from __future__ import annotations

from collections.abc import Iterator

from callguard_tools.flows.model import Flow
from callguard_tools.flows.rules.registry import Problem, flow_rule

#: Connect rejects flows with more actions than this.
MAX_ACTIONS = 250
#: Connect rejects flow content longer than this many characters.
MAX_CONTENT_CHARACTERS = 256_000


@flow_rule("size-limits")
def check_size_limits(flow: Flow) -> Iterator[Problem]:
    """Enforce Connect's limits: at most 250 actions and 256,000 characters of content."""
    if len(flow.actions) > MAX_ACTIONS:
        yield Problem(f"{len(flow.actions)} actions; Connect allows at most {MAX_ACTIONS}")
    if len(flow.content_text) > MAX_CONTENT_CHARACTERS:
        yield Problem(
            f"content is {len(flow.content_text):,} characters; Connect allows at most "
            f"{MAX_CONTENT_CHARACTERS:,}"
        )
