"""What an offline pipeline run is built with: its fixed names, its knobs and its faults.

The resource names and ids are those every offline deployment uses (tests read
them to find a job's files and tables); :class:`PipelineSettings` holds the
template variables, quotas and pacing of one run, and :class:`Faults` the faults
to inject into it. Kept apart from :mod:`.pipeline` so a caller can describe a
run without reading how the pipeline is wired.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

REGION: Final = "eu-west-2"
ACCOUNT: Final = "123456789012"
INSTANCE_ID: Final = "11111111-2222-3333-4444-555555555555"
FLOW_ID: Final = "99999999-8888-7777-6666-555555555555"
SOURCE_NUMBER: Final = "+442071838750"

#: Resource names of the offline pipeline.
JOBS_BUCKET: Final = "callguard-outbound-jobs"
WORK_BUCKET: Final = "callguard-outbound-work"
REPORTS_BUCKET: Final = "callguard-outbound-reports"
RESULTS_TABLE: Final = "callguard-outbound-results"
TOKEN_TABLE: Final = "callguard-outbound-tokens"  # noqa: S105 - a table name
DENY_TABLE: Final = "callguard-numbers"
DIAL_QUEUE: Final = "callguard-outbound-dial"
TOPIC: Final = "callguard-outbound-jobs"
STATE_MACHINE: Final = "callguard-outbound-job"


@dataclass
class PipelineSettings:
    """Knobs of one offline run (template variables, quotas, pacing)."""

    max_concurrency: int = 10
    call_timeout_seconds: int = 20
    ring_timeout_seconds: int = 15
    calls_per_second: float = 1.0
    burst: int = 1
    connect_rate_limit: int = 2
    connect_concurrent_limit: int = 10
    time_scale: float = 50.0
    dial_visibility_seconds: int = 2
    lambda_retry_interval_seconds: int = 1
    #: Skip the state machine's Wait states: the plan and record steps then read a
    #: clock moved on by each skipped wait (:class:`~.pipeline_clocks.WaitWarp`), so a
    #: retry delay or a calling window opening costs no real time.
    skip_waits: bool = False


@dataclass
class Faults:
    """Faults to inject."""

    #: Lose the DISCONNECTED event of calls to these numbers (the backstop must end them).
    lose_events_for: frozenset[str] = frozenset()
    #: The first N dialer batches "crash" after placing their calls: nothing is acknowledged.
    crash_batches: int = 0
    #: Resolve every completed call's token a second time (flow retry).
    resolve_twice: bool = False
