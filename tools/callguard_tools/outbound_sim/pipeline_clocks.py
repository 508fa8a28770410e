"""The two clocks of an offline pipeline run: scaled simulated time, and skipped Wait states.

:class:`ScaledClock` is what the dialer's pacing and the fake Connect read:
simulated seconds passing ``scale`` times faster than real ones. :class:`WaitWarp`
is what the plan and record steps read when ``skip_waits`` is set: real time plus
every Wait state of the state machine skipped so far. Both are time-keeping only,
kept apart from the wiring in :mod:`.pipeline`.
"""

from __future__ import annotations

import contextlib
import functools
import time
from types import SimpleNamespace
from typing import Any
from unittest import mock

from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import (
    WaitFunction,
)

from callguard.outbound.handlers import plan, record
from callguard.outbound.planner import Planner
from callguard_tools.outbound_sim.fake_connect import SimClock


class ScaledClock(SimClock):
    """Simulated seconds that pass ``scale`` times faster than real ones.

    :meth:`sync` moves simulated time to match the real time elapsed (the pump does
    it on every turn); :meth:`sleep` sleeps the real fraction and syncs.
    """

    def __init__(self, scale: float) -> None:
        super().__init__(start=time.time())
        self.scale = scale
        self._origin = self.now
        self._real_origin = time.monotonic()

    def sync(self) -> None:
        """Catch up with real time."""
        self.advance_to(self._origin + (time.monotonic() - self._real_origin) * self.scale)

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` simulated seconds pass (really)."""
        time.sleep(max(seconds, 0.0) / self.scale)
        self.sync()


class WaitWarp:
    """Time for the plan and record steps: real time plus every Wait state skipped so far.

    moto computes a Wait state's seconds against real time; the part of it not yet
    skipped is ``wait_seconds - offset``, which moves the offset on instead of sleeping.
    """

    def __init__(self) -> None:
        self.offset = 0.0
        self.skipped = 0

    def __call__(self) -> float:
        """Return the steps' present (epoch seconds)."""
        return time.time() + self.offset

    def install(self) -> contextlib.AbstractContextManager[Any]:
        """Patch moto's Wait states and the steps' clocks (undone on exit)."""
        warp = self

        def wait_interval(function: Any, env: Any, wait_seconds: int) -> None:
            del function, env
            remaining = wait_seconds - warp.offset
            if remaining > 0:
                warp.offset += remaining
                warp.skipped += 1

        stack = contextlib.ExitStack()
        stack.enter_context(mock.patch.object(WaitFunction, "_wait_interval", wait_interval))
        stack.enter_context(mock.patch.object(record, "time", SimpleNamespace(time=warp)))
        stack.enter_context(
            mock.patch.object(plan, "Planner", functools.partial(Planner, clock=warp))
        )
        return stack
