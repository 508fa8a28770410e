"""Smoke test of the runtime benchmark: it runs end to end and reports every section.

Only the shape is checked (a benchmark's figures are never asserted in tests).
"""

from __future__ import annotations

import io

from callguard_tools.bench import runtime


def test_percentile_is_nearest_rank() -> None:
    samples = [float(i) for i in range(1, 101)]
    assert runtime.percentile(samples, 0.5) == 50.0
    assert runtime.percentile(samples, 0.99) == 99.0
    assert runtime.percentile([3.0], 0.99) == 3.0


def test_bench_runs_and_reports_every_section() -> None:
    figures = runtime.measure(warm_calls=20, cold_rounds=1)
    assert len(figures.warm_ours) == len(figures.warm_baseline) == len(figures.overhead) == 20
    assert len(figures.steady_overhead) == len(figures.anonymous) == len(figures.isolated) == 20
    assert all(o < w for o, w in zip(figures.overhead, figures.warm_ours, strict=True))
    assert figures.cold_ours.in_process_s > 0 and figures.cold_baseline.process_s > 0
    assert 0 < figures.zip_baseline < figures.zip_ours
    out = io.StringIO()
    runtime.report(figures, out)
    text = out.getvalue()
    for marker in ("(a) cold start", "(b) warm latency", "(c) our own overhead", "(d) zip sizes"):
        assert marker in text
    assert "our code alone" in text
