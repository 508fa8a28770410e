"""Benchmark: a 2,000-receiver job through the offline outbound pipeline.

Runs the real rendered state machine on moto's interpreter, the real plan, record
and report handlers, the real dialer and contact-event handler, against the fake
Connect with its default quotas (2 requests per second, 10 concurrent calls). The
job is started as intake starts one (normalised job to S3, execution named by the
job id). Every receiver answers two questions (ring 3 s, 4 s per question), as in
a job Callouts could run.

Printed:

* wall time (real seconds) and simulated seconds (the dialer and the fake Connect
  run on a clock ``time_scale`` times faster than real time; see
  :mod:`callguard_tools.outbound_sim.pipeline_clocks`);
* calls per second achieved (placed calls over the simulated span) against the
  configured rate, and the most calls Connect saw in any one simulated second
  against its limit;
* peak concurrent calls against the cap;
* state transitions (states entered) per receiver: the parent's from
  GetExecutionHistory, the children's from moto's per-child event lists (moto
  keeps Distributed Map children out of the API);
* the anchor: Callouts' design enters, per receiver, "Get Callout task" (Lambda),
  "Callout with Amazon Connect" (SQS with task token, waiting) and "Save call
  result" (to DynamoDB), three states, plus "Call Timeout" when the wait times
  out; its fixed states ("Get Call Result", the SNS message) are per job.

Targets: rate and concurrency never above their limits, transitions per receiver
no more than Callouts', zero receivers lost or called twice. Set
``CALLGUARD_BENCH_OUTBOUND_RECEIVERS`` for a shorter run.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass
from typing import Final

from callguard.outbound import model
from callguard.outbound.handlers import intake, orchestration
from callguard_tools.outbound_sim.fake_connect import Script
from callguard_tools.outbound_sim.pipeline import offline_pipeline
from callguard_tools.outbound_sim.pipeline_config import PipelineSettings

DEFAULT_RECEIVERS: Final = 2_000
#: States Callouts' design enters per receiver (see the module docstring).
CALLOUTS_STATES_PER_RECEIVER: Final = 3
CALLS_PER_SECOND: Final = 1.0
CONNECT_RATE_LIMIT: Final = 2
CONCURRENCY: Final = 10


@dataclass(frozen=True)
class Figures:
    """What one run measured."""

    receivers: int
    wall_seconds: float
    simulated_seconds: float
    calls_placed: int
    calls_per_second: float
    max_requests_in_a_second: int
    peak_concurrency: int
    parent_transitions: int
    child_transitions: int
    called_twice: int
    lost: int

    @property
    def transitions_per_receiver(self) -> float:
        """States entered per receiver, the job's own states shared out."""
        return (self.parent_transitions + self.child_transitions) / self.receivers


def _job(count: int) -> model.Job:
    window = model.CallingWindow(
        start=dt.time(0), end=dt.time(23, 59, 59), weekdays=frozenset(range(7))
    )
    return model.Job(
        id=intake.job_id_for("bench", str(count)),
        config=model.JobConfig(window=window, retry=model.RetryPolicy(max_attempts=1)),
        questions=tuple(
            model.Question(n, f"Question {n}?", model.QuestionType.YES_NO) for n in (1, 2)
        ),
        receivers=tuple(
            model.Receiver(id=f"r{i:05d}", phone=f"+447700{i:06d}") for i in range(count)
        ),
    )


def measure(count: int, *, time_scale: float = 12.0, timeout: float = 3_600.0) -> Figures:
    """Run a ``count``-receiver job through the offline pipeline and measure it."""
    settings = PipelineSettings(
        max_concurrency=CONCURRENCY,
        calls_per_second=CALLS_PER_SECOND,
        connect_rate_limit=CONNECT_RATE_LIMIT,
        connect_concurrent_limit=CONCURRENCY,
        time_scale=time_scale,
        call_timeout_seconds=300,
    )
    answered = Script(answers=("yes", "no"), ring_seconds=3, seconds_per_question=4)
    job = _job(count)
    with offline_pipeline(settings, default_script=answered) as pipeline:
        started_sim = pipeline.clock()
        intake.start_job(orchestration.settings(), job)
        status = pipeline.run_until_done(job.id, timeout=timeout)
        if status["status"] != "SUCCEEDED":
            raise RuntimeError(f"the bench job ended {status['status']}")
        rows = pipeline.report(job.id)["results"]
        simulated = pipeline.clock() - started_sim
        requests = [r for r in pipeline.connect.requests if r.result != "throttled"]
        placed = [r for r in requests if r.result == "placed"]
        peak = pipeline.connect.peak_active
        stats = pipeline.stats
    times = sorted(r.at for r in requests)
    busiest, low = 0, 0
    for high, moment in enumerate(times):
        while times[low] <= moment - 1.0:
            low += 1
        busiest = max(busiest, high - low + 1)
    span = (placed[-1].at - placed[0].at) if len(placed) > 1 else 0.0
    per_number = Counter(r.number for r in placed)
    return Figures(
        receivers=count,
        wall_seconds=stats.wall_seconds,
        simulated_seconds=simulated,
        calls_placed=len(placed),
        calls_per_second=(len(placed) - 1) / span if span else 0.0,
        max_requests_in_a_second=busiest,
        peak_concurrency=peak,
        parent_transitions=stats.parent_transitions,
        child_transitions=stats.child_transitions,
        called_twice=sum(1 for n in per_number.values() if n > 1),
        lost=sum(1 for row in rows if row["status"] != "completed"),
    )


def run() -> None:
    """Print the figures and whether each target holds."""
    count = int(os.environ.get("CALLGUARD_BENCH_OUTBOUND_RECEIVERS", DEFAULT_RECEIVERS))
    print(f"Outbound pipeline: {count} receivers, offline (moto + fake Connect)", flush=True)
    figures = measure(count)
    per_receiver = figures.transitions_per_receiver
    checks = {
        "rate within the limit": figures.max_requests_in_a_second <= CONNECT_RATE_LIMIT
        and figures.calls_per_second <= CALLS_PER_SECOND * 1.01,
        "concurrency within the cap": figures.peak_concurrency <= CONCURRENCY,
        "transitions no more than Callouts'": per_receiver <= CALLOUTS_STATES_PER_RECEIVER,
        "nobody lost or called twice": figures.lost == 0
        and figures.called_twice == 0
        and figures.calls_placed == count,
    }
    print(f"  wall time              {figures.wall_seconds:8.1f} s real")
    print(f"  simulated time         {figures.simulated_seconds:8.1f} s")
    print(
        f"  calls per second       {figures.calls_per_second:8.3f} "
        f"(configured {CALLS_PER_SECOND}, Connect limit {CONNECT_RATE_LIMIT})"
    )
    print(f"  busiest second         {figures.max_requests_in_a_second:8d} requests")
    print(f"  peak concurrent calls  {figures.peak_concurrency:8d} (cap {CONCURRENCY})")
    print(
        f"  transitions/receiver   {per_receiver:8.3f} "
        f"(children {figures.child_transitions}, job {figures.parent_transitions}; "
        f"Callouts: {CALLOUTS_STATES_PER_RECEIVER} + its per-job states)"
    )
    print(f"  placed {figures.calls_placed}, lost {figures.lost}, twice {figures.called_twice}")
    for name, ok in checks.items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")


if __name__ == "__main__":
    run()
