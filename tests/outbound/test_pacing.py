"""The token bucket and the concurrency cap, on a fake clock (no test waits in real time)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callguard.outbound.pacing import ConcurrencyCap, TokenBucket


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_bucket_starts_full_then_paces() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=2.0, burst=3, clock=clock)
    assert [bucket.try_acquire() for _ in range(4)] == [True, True, True, False]
    assert bucket.wait_time() == pytest.approx(0.5)
    clock.sleep(0.49)
    assert not bucket.try_acquire()
    clock.sleep(0.02)
    assert bucket.try_acquire()


def test_bucket_never_holds_more_than_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=10.0, burst=2, clock=clock)
    clock.sleep(3600)
    assert [bucket.try_acquire() for _ in range(3)] == [True, True, False]


def test_clock_going_backwards_mints_nothing() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=1.0, burst=1, clock=clock)
    assert bucket.try_acquire()
    clock.now -= 100
    assert not bucket.try_acquire()
    clock.now += 100.5  # back to 0.5 s after the take: still no whole token
    assert not bucket.try_acquire()


def test_acquire_sleeps_until_a_token_and_honours_timeout() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=1.0, burst=1, clock=clock)
    assert bucket.acquire(sleep=clock.sleep)
    start = clock.now
    assert bucket.acquire(sleep=clock.sleep)
    assert clock.now - start == pytest.approx(1.0, abs=0.01)
    assert not bucket.acquire(timeout=0.5, sleep=clock.sleep)


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (math.inf, 1), (math.nan, 1), (1, 0)])
def test_bucket_rejects_bad_settings(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match="token bucket"):
        TokenBucket(rate=rate, burst=burst)


@settings(max_examples=200, deadline=None)
@given(
    rate=st.floats(min_value=0.1, max_value=50),
    burst=st.integers(min_value=1, max_value=10),
    steps=st.lists(st.floats(min_value=0, max_value=2), min_size=1, max_size=200),
)
def test_never_more_than_rate_times_t_plus_burst(
    rate: float, burst: int, steps: list[float]
) -> None:
    """Over every window [a, b] of the run, grants <= rate * (b - a) + burst.

    For grants g_i .. g_j (sorted) that is (j - i + 1) <= rate * (g_j - g_i) + burst,
    i.e. (j - rate * g_j) - (i - rate * g_i) + 1 <= burst: checked for every pair at
    once with a running minimum.
    """
    clock = FakeClock(0.0)
    bucket = TokenBucket(rate=rate, burst=burst, clock=clock)
    grants: list[float] = []
    for step in steps:
        clock.sleep(step)
        while bucket.try_acquire():
            grants.append(clock.now)
    lowest = math.inf
    for index, moment in enumerate(grants):
        value = index - rate * moment
        lowest = min(lowest, value)
        assert value - lowest + 1 <= burst + 1e-6


@settings(max_examples=100, deadline=None)
@given(
    limit=st.integers(min_value=1, max_value=5),
    ops=st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=8)), max_size=60),
)
def test_cap_never_exceeds_limit(limit: int, ops: list[tuple[bool, int]]) -> None:
    cap = ConcurrencyCap(limit)
    model: set[str] = set()
    for enter, key_number in ops:
        key = f"call-{key_number}"
        if enter:
            taken = cap.try_enter(key)
            assert taken == (key in model or len(model) < limit)
            if taken:
                model.add(key)
        else:
            assert cap.leave(key) == (key in model)
            model.discard(key)
        assert cap.active == len(model) <= limit


def test_cap_rejects_bad_limit() -> None:
    with pytest.raises(ValueError, match="concurrency limit"):
        ConcurrencyCap(0)
