"""A hard time budget per invocation: answer before the contact flow stops waiting.

Per-attempt timeouts and an attempt count bound a *well-behaved* failure, not
a hostile one: an endpoint that trickles its answer a byte at a time resets
the read timeout with every byte, and retries add up. The flow, meanwhile,
gives up at its own time limit and applies its fail mode while the function
runs on, holding reserved concurrency, and may even store a flag the agent was
told had failed.

So each handler derives a :class:`Deadline` from the flow's time limit (a
setting, since one function serves every instance) and the Lambda context's
remaining time, and runs its AWS calls inside :func:`enforced`:

- no attempt starts after the deadline: a ``before-send`` hook on the runtime
  clients (:func:`check_before_send`) raises :class:`DeadlineExceeded`, so
  botocore's retries stop there;
- a read, a connect or a retry pause that is still blocked at the deadline is
  interrupted: in the main thread (where Lambda runs the handler) a real-time
  interval timer raises :class:`DeadlineExceeded` in it, and again every
  :data:`REPEAT_SECONDS` until the block ends, so a wrapped or retried error
  cannot outlive the deadline by more than one repeat.

The timer never raises into a garbage collector callback (another library's, run
between any two lines): Python would report the exception as unraisable and drop
it, so the block would not stop. An interrupt that falls in a collection waits for
the next repeat instead.

The handler's own error path then answers (the fail mode's answer, for the
check). Outside the main thread (a simulator running handlers in threads)
only the ``before-send`` check applies.
"""

from __future__ import annotations

import contextlib
import gc
import signal
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass
from types import FrameType
from typing import Final

#: Seconds kept back from the flow's time limit: Amazon Connect's invocation
#: and the answer's way back also take time.
FLOW_MARGIN_SECONDS: Final = 0.3
#: Seconds kept back from the Lambda context's remaining time: to log and return.
CONTEXT_MARGIN_SECONDS: Final = 0.1
#: After the deadline, how often the timer interrupts again until the block ends.
REPEAT_SECONDS: Final = 0.05


class DeadlineExceeded(Exception):  # noqa: N818 - named for what happened, like TimeoutError
    """The invocation's time budget ran out before its work finished."""


@dataclass(frozen=True, slots=True)
class Deadline:
    """A moment on the :func:`time.perf_counter` clock by which the handler must answer."""

    at: float

    def remaining(self) -> float:
        """Seconds left (negative once passed)."""
        return self.at - time.perf_counter()

    def expired(self) -> bool:
        """Tell whether the deadline has passed."""
        return self.remaining() <= 0


def for_invocation(started: float, limit_seconds: float, context: object) -> Deadline:
    """Return the deadline of an invocation that began at ``started`` (``perf_counter``).

    The earlier of the flow's ``limit_seconds`` (less :data:`FLOW_MARGIN_SECONDS`)
    and the Lambda context's remaining time (less :data:`CONTEXT_MARGIN_SECONDS`);
    a context without ``get_remaining_time_in_millis`` (tests, simulators) has
    no say.
    """
    budget = limit_seconds - FLOW_MARGIN_SECONDS
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        with contextlib.suppress(Exception):  # a broken context must not break the answer
            left = float(remaining()) / 1000 - (time.perf_counter() - started)
            budget = min(budget, left - CONTEXT_MARGIN_SECONDS)
    return Deadline(started + max(budget, 0.0))


_active: ContextVar[Deadline | None] = ContextVar("callguard_deadline", default=None)


def check_before_send(**_kwargs: object) -> None:
    """Botocore ``before-send`` hook: refuse to start an attempt after the active deadline."""
    deadline = _active.get()
    if deadline is not None and deadline.expired():
        raise DeadlineExceeded("no time left for another attempt")


class enforced:  # noqa: N801 - used as a context manager, like contextlib's
    """Run a ``with`` block under ``deadline``; raise :class:`DeadlineExceeded` when it passes.

    Raises at once when the deadline has already passed. Any interval timer
    and ``SIGALRM`` handler in place before (a test runner's) are restored
    afterwards, the timer with the time it had left. A class rather than a
    generator: it runs on every check, and this is the cheaper form.
    """

    __slots__ = (
        "_armed",
        "_began",
        "_collecting",
        "_deadline",
        "_old_delay",
        "_old_interval",
        "_previous",
        "_token",
    )

    def __init__(self, deadline: Deadline) -> None:
        self._deadline = deadline
        self._armed = False
        self._collecting = False

    def __enter__(self) -> None:
        if self._deadline.expired():
            raise DeadlineExceeded("the time budget was spent before the call")
        self._token = _active.set(self._deadline)
        if threading.current_thread() is not threading.main_thread():
            return  # signals reach the main thread only: the before-send check remains
        self._previous = signal.signal(signal.SIGALRM, self._interrupt)
        # First and last of the collector's callbacks, so every other one runs in between.
        gc.callbacks.insert(0, self._collection_starts)
        gc.callbacks.append(self._collection_stops)
        self._armed = True
        self._began = time.perf_counter()
        self._old_delay, self._old_interval = signal.setitimer(
            signal.ITIMER_REAL, max(self._deadline.remaining(), 0.001), REPEAT_SECONDS
        )

    def __exit__(self, *_exc: object) -> None:
        _active.reset(self._token)
        if not self._armed:
            return
        self._armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self._previous)
        gc.callbacks.remove(self._collection_starts)
        gc.callbacks.remove(self._collection_stops)
        if self._old_delay > 0:  # give the earlier timer back what it had left
            left = self._old_delay - (time.perf_counter() - self._began)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), self._old_interval)

    def _collection_starts(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._collecting = True

    def _collection_stops(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "stop":
            self._collecting = False

    def _interrupt(self, _signum: int, _frame: FrameType | None) -> None:
        if self._armed and not self._collecting:  # in a collection: the next repeat raises
            raise DeadlineExceeded("the time budget ran out during the call")
