"""A burst of attempts through the real dialer and the fake Connect's quotas.

Fifty attempts arrive at once; the fake refuses more than 2 requests per second
and more than 10 calls in progress. Every attempt must end up placed exactly once,
no message may be lost, every wait resolved, and the fake's observed rates must
never exceed its limits.
"""

from __future__ import annotations

import pytest
from outbound_dialer_helpers import Rig, dialer_rig

from callguard_tools.outbound_sim.fake_connect import Outcome as Behaviour
from callguard_tools.outbound_sim.fake_connect import Script
from callguard_tools.outbound_sim.sim_queue import drain

ATTEMPTS = 50
RATE_LIMIT = 2
CONCURRENT_LIMIT = 10


def _numbers() -> list[str]:
    return [f"+44207946{i:04d}" for i in range(ATTEMPTS)]


def _scripts() -> dict[str, Script]:
    behaviours = [Behaviour.ANSWER, Behaviour.HANG_UP, Behaviour.NO_ANSWER, Behaviour.BUSY]
    return {
        number: Script(
            outcome=behaviours[i % len(behaviours)], answers=("yes", "42", "B"), hang_up_at=2
        )
        for i, number in enumerate(_numbers())
    }


def _max_in_window(times: list[float], window: float) -> int:
    best = 0
    for i, start in enumerate(times):
        best = max(best, sum(1 for t in times[i:] if t < start + window))
    return best


def _run(rig: Rig) -> None:
    for i, number in enumerate(_numbers()):
        rig.queue.send(rig.message(f"r-{i:02d}", number))
    drain(
        rig.queue,
        lambda event, left: rig.dialer.handle(event, left).response(),
        connect=rig.connect,
    )


def _check(rig: Rig) -> None:
    placed = rig.connect.placed_tokens()
    assert len(placed) == ATTEMPTS  # every attempt placed ...
    assert len(set(placed)) == ATTEMPTS  # ... exactly once
    assert rig.queue.pending == 0  # no message lost or stuck
    assert not rig.sfn.waiting  # every wait resolved (flow or DISCONNECTED event)
    times = [r.at for r in rig.connect.requests if r.result != "throttled"]
    assert _max_in_window(times, 1.0) <= RATE_LIMIT
    assert rig.connect.peak_active <= CONCURRENT_LIMIT
    statuses = [rig.output(token)["status"] for token in rig.sfn.results]
    assert statuses.count("completed") == statuses.count("partial") == 13
    assert statuses.count("no_answer") == statuses.count("busy") == 12
    partial = [rig.output(t) for t in rig.sfn.results if rig.output(t)["status"] == "partial"]
    assert all(p["answers"] == {"1": "yes"} for p in partial)  # answers so far kept


def test_leases_keep_calls_within_the_quota_before_connect_refuses() -> None:
    """With concurrent-call leases, the dialer never asks Connect beyond its call quota."""
    with dialer_rig(
        scripts=_scripts(),
        rate=1.0,
        burst=1,
        rate_limit=RATE_LIMIT,
        concurrent_limit=CONCURRENT_LIMIT,
        slot_limit=CONCURRENT_LIMIT,
    ) as rig:
        _run(rig)
        _check(rig)
        assert [r for r in rig.connect.requests if r.result == "limited"] == []
        assert rig.slots is not None
        assert rig.slots.in_use(rig.connect.instance_id) == 0  # every lease given back
        assert sum(r.slots_released for r in rig.event_reports) == ATTEMPTS


@pytest.mark.parametrize(("rate", "burst"), [(1.0, 1), (5.0, 5)])
def test_burst_every_attempt_placed_once_within_quotas(rate: float, burst: int) -> None:
    """At the default 1 call/s nothing is throttled; at 5/s the fake throttles and we recover."""
    with dialer_rig(
        scripts=_scripts(),
        rate=rate,
        burst=burst,
        rate_limit=RATE_LIMIT,
        concurrent_limit=CONCURRENT_LIMIT,
    ) as rig:
        _run(rig)
        _check(rig)
        throttled = [r for r in rig.connect.requests if r.result == "throttled"]
        if rate <= RATE_LIMIT:
            assert throttled == []
        else:
            assert throttled  # the limit was really hit, and every call still placed once
