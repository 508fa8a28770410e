"""Smoke test of the fault benchmark: every fault and handler is run and reported.

Only the shape and the answers are checked (a benchmark's times are never asserted).
"""

from __future__ import annotations

import io

import pytest

from callguard import aws
from callguard_tools.bench import faults
from callguard_tools.bench.fault_endpoints import MODES


def test_fault_bench_reports_every_fault_and_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    # Short limits keep the run quick; the answers are the same as with the defaults.
    monkeypatch.setenv("CALLGUARD_CHECK_TIME_LIMIT_SECONDS", "1")
    monkeypatch.setenv("CALLGUARD_FLAG_TIME_LIMIT_SECONDS", "1")
    monkeypatch.setenv("CALLGUARD_FAIL_MODE", "closed")
    figures = faults.measure(calls=2)
    assert [(f.fault, f.handler) for f in figures] == [
        (mode, handler) for mode in MODES for handler in ("check_number", "flag_number")
    ]
    for f in figures:
        assert len(f.seconds) == 2 and f.limit_seconds == 1
        expected = "blocked=true status=error" if f.handler == "check_number" else "result=error"
        assert dict(f.answers) == {expected: 2}
        # Every call reached the endpoint; a retry may or may not fit the short limit.
        assert 2 <= f.requests <= 2 * aws.MAX_ATTEMPTS
    out = io.StringIO()
    faults.report(figures, out)
    lines = out.getvalue().splitlines()
    assert lines[0].split()[:6] == ["fault", "handler", "calls", "worst", "median", "limit"]
    rows = [line.split() for line in lines[1:] if line.strip()]
    assert [(row[0], row[1], row[2]) for row in rows] == [
        (f.fault, f.handler, "2") for f in figures
    ]
    assert all(row[5] == "1.0s" for row in rows)
    assert "blocked=true status=error x2" in lines[1]
