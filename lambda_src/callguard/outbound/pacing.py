"""Pacing for outbound calls: a token bucket for the call rate and a cap on calls in flight.

Amazon Connect limits ``StartOutboundVoiceContact`` to a few requests per second per
account and Region, and the instance to a number of concurrent active calls. The
dialer spends one bucket token per call it places, so however many messages arrive
at once, calls leave at most at ``rate`` per second after an initial ``burst``.

Both classes are pure (no AWS, no threads of their own) and take an injectable
clock, so their guarantees are checked by property tests rather than by timing:
over any window of ``t`` seconds at most ``rate * t + burst`` tokens are granted.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Final

#: Default calls per second (Connect's default API rate for the call is 2/s: stay below).
DEFAULT_CALLS_PER_SECOND: Final = 1.0
#: Default burst: one call, so the rate holds from the first second.
DEFAULT_BURST: Final = 1


class TokenBucket:
    """Grant at most ``rate`` tokens per second on average and at most ``burst`` at once.

    The bucket starts full. ``clock`` returns seconds from any fixed origin and must
    never go backwards (``time.monotonic`` by default); a clock that does is treated
    as standing still, so a clock jump can never mint tokens.
    """

    def __init__(
        self,
        rate: float = DEFAULT_CALLS_PER_SECOND,
        burst: int = DEFAULT_BURST,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not (math.isfinite(rate) and rate > 0):
            raise ValueError(f"token bucket rate must be a positive number, not {rate!r}")
        if burst < 1:
            raise ValueError(f"token bucket burst must be at least 1, not {burst!r}")
        self.rate = float(rate)
        self.burst = int(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        elapsed = now - self._stamp
        if elapsed > 0:
            self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)
            self._stamp = now

    def try_acquire(self) -> bool:
        """Take one token if one is available now; return whether it was taken."""
        with self._lock:
            self._refill()
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False

    def wait_time(self) -> float:
        """Seconds until a token will be available (0.0 when one is available now)."""
        with self._lock:
            self._refill()
            missing = 1.0 - self._tokens
            return 0.0 if missing <= 0 else missing / self.rate

    def acquire(
        self, *, timeout: float | None = None, sleep: Callable[[float], None] = time.sleep
    ) -> bool:
        """Wait for a token (sleeping with ``sleep``) and take it; ``False`` after ``timeout``.

        The timeout is measured on the bucket's own clock, so a test clock advanced by
        ``sleep`` makes this deterministic.
        """
        deadline = None if timeout is None else self._clock() + timeout
        while True:
            if self.try_acquire():
                return True
            pause = self.wait_time()
            if deadline is not None:
                remaining = deadline - self._clock()
                if remaining < pause:
                    return False
            sleep(max(pause, 1e-3))


class ConcurrencyCap:
    """Count calls in flight and refuse a new one when ``limit`` are already running.

    This is the in-process half of the concurrency budget (it bounds what one dialer
    has outstanding); across processes the state machine's ``MaxConcurrency`` bounds
    the receivers waiting on a call, and Connect's ``LimitExceededException`` is the
    last word, which the dialer treats as "try again later".
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"concurrency limit must be at least 1, not {limit!r}")
        self.limit = limit
        self._active: set[str] = set()
        self._lock = threading.Lock()

    @property
    def active(self) -> int:
        """How many calls hold a slot now."""
        with self._lock:
            return len(self._active)

    def try_enter(self, key: str) -> bool:
        """Take a slot for ``key``; taking it again for the same key is free (idempotent)."""
        with self._lock:
            if key in self._active:
                return True
            if len(self._active) >= self.limit:
                return False
            self._active.add(key)
            return True

    def leave(self, key: str) -> bool:
        """Give back ``key``'s slot; ``False`` when it held none (a repeated release)."""
        with self._lock:
            if key in self._active:
                self._active.remove(key)
                return True
            return False
