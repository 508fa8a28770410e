"""What an offline pipeline run measures: its :class:`RunStats`, and the state-transition count.

The counts come from where moto records history events (:class:`TransitionCounter`),
since moto keeps a Distributed Map's child executions out of the API; the pipeline
fills :class:`RunStats` from them once a job's execution ends.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager


@dataclass
class RunStats:
    """What the run measured."""

    wall_seconds: float = 0.0
    parent_transitions: int = 0
    child_transitions: int = 0
    dialer_batches: int = 0
    crashed_batches: int = 0
    second_resolves: int = 0
    handler_errors: list[str] = field(default_factory=list)


class TransitionCounter:
    """Counts ``*StateEntered`` history events of every event manager (parent and children).

    moto keeps a Distributed Map's child executions out of the API (no
    ``DescribeMapRun``/child ``GetExecutionHistory``), so their events are counted
    where moto records them.
    """

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._original = EventManager.add_event

    def install(self) -> contextlib.AbstractContextManager[Any]:
        """Patch moto's event manager to count as it records (undone on exit)."""
        counter = self
        original = self._original

        def add_event(
            manager: EventManager, context: Any, event_type: Any, *a: Any, **k: Any
        ) -> int:
            name = str(getattr(event_type, "value", event_type))
            if name.endswith("StateEntered"):
                with counter._lock:
                    counter.counts[name] += 1
            return original(manager, context, event_type, *a, **k)

        return mock.patch.object(EventManager, "add_event", add_event)

    @property
    def total(self) -> int:
        """Return the states entered so far, parent and children together."""
        return sum(self.counts.values())
