"""Fault benchmark: how long the handlers take to answer when DynamoDB misbehaves.

For each fault of :mod:`.fault_endpoints` (throttling with ``Retry-After: 5``,
a hang, a byte-by-byte trickle), the real ``check_number`` and ``flag_number``
handlers are invoked N times against DynamoDB at that endpoint, with the
deployed deadline settings (``CALLGUARD_CHECK_TIME_LIMIT_SECONDS``,
``CALLGUARD_FLAG_TIME_LIMIT_SECONDS``, their defaults unless set) and a Lambda
context that has the function's largest allowed timeout (8 s) left, so the
flow's limit is what binds. Each call's wall time is measured around the
handler; the report gives the worst and the median next to the flow's limit,
and the answers given (the fail mode's for the check, ``error`` for the flag).

The worst observed time is the figure that matters: the flow stops waiting at
its limit, so every answer must be back before it. Runs in the main thread,
as Lambda does, so the deadline's timer can interrupt a blocked read.
Knob: ``CALLGUARD_BENCH_FAULT_CALLS`` (default 20).
"""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from callguard import aws, config
from callguard_tools.bench.fault_endpoints import MODES, FaultMode, serving
from callguard_tools.bench.runtime import contact_event
from callguard_tools.demo.local_aws import aws_environment
from callguard_tools.environ import patched_environ

CALLS: Final = 20
#: The largest timeout a Connect-invoked function may have (modules/lambda_function).
LAMBDA_TIMEOUT_MS: Final = 8_000
NUMBER: Final = "+442079460958"

Handler = Callable[[object, object], dict[str, str]]


class LambdaContext:
    """The part of the Lambda context the deadline reads, counting down from creation."""

    def __init__(self, timeout_ms: int) -> None:
        self._ends = time.perf_counter() + timeout_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds until the function's timeout, as Lambda reports them."""
        return int((self._ends - time.perf_counter()) * 1000)


@dataclass(frozen=True)
class FaultFigures:
    """One handler's calls under one fault."""

    fault: FaultMode
    handler: str
    limit_seconds: float
    seconds: list[float]
    answers: Counter[str]
    requests: int

    @property
    def worst(self) -> float:
        """The slowest answer observed."""
        return max(self.seconds)

    @property
    def median(self) -> float:
        """The median answer time."""
        return statistics.median(self.seconds)


def _answer_text(answer: dict[str, str]) -> str:
    if "blocked" in answer:
        return f"blocked={answer['blocked']} status={answer['status']}"
    return f"result={answer['result']}"


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Send the handlers' log lines to /dev/null."""
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        yield


def _calls(fault: FaultMode, name: str, handler: Handler, limit: float, calls: int) -> FaultFigures:
    seconds: list[float] = []
    answers: Counter[str] = Counter()
    requests = 0
    with serving(fault) as server:
        environment = {
            **aws_environment(server.url),
            "AWS_ENDPOINT_URL_DYNAMODB": server.url,
            "CALLGUARD_TABLE": "bench-faults",
        }
        with patched_environ(environment), _quiet_stdout():
            aws.reset_clients()  # a client built before points elsewhere
            aws.dynamodb_client()  # as the handler module's import does in Lambda's init phase
            for _ in range(calls):
                context = LambdaContext(LAMBDA_TIMEOUT_MS)
                started = time.perf_counter()
                answer = handler(contact_event(NUMBER), context)
                seconds.append(time.perf_counter() - started)
                answers[_answer_text(answer)] += 1
            requests = server.requests
        aws.reset_clients()
    return FaultFigures(fault, name, limit, seconds, answers, requests)


def measure(calls: int = CALLS, faults: Sequence[FaultMode] = MODES) -> list[FaultFigures]:
    """Invoke both handlers ``calls`` times under each fault; return what was seen."""
    from callguard.handlers import check_number, flag_number  # noqa: PLC0415 - after env is set

    settings = config.load({**os.environ, "CALLGUARD_TABLE": "bench-faults"})
    handlers: list[tuple[str, Handler, float]] = [
        ("check_number", check_number.handler, settings.check_time_limit_seconds),
        ("flag_number", flag_number.handler, settings.flag_time_limit_seconds),
    ]
    return [
        _calls(fault, name, handler, limit, calls)
        for fault in faults
        for name, handler, limit in handlers
    ]


def report(figures: Sequence[FaultFigures], out: io.TextIOBase | Any = None) -> None:
    """Print one line per (fault, handler): worst and median against the flow's limit."""
    out = out or sys.stdout
    print(
        f"  {'fault':<9} {'handler':<13} {'calls':>5} {'worst':>8} {'median':>8} "
        f"{'limit':>6}  {'in time':<7}  requests  answers",
        file=out,
    )
    for f in figures:
        in_time = "yes" if f.worst < f.limit_seconds else "NO"
        answers = ", ".join(f"{text} x{count}" for text, count in sorted(f.answers.items()))
        print(
            f"  {f.fault:<9} {f.handler:<13} {len(f.seconds):>5} {f.worst:>7.3f}s "
            f"{f.median:>7.3f}s {f.limit_seconds:>5.1f}s  {in_time:<7}  {f.requests:>8}  "
            f"{answers}",
            file=out,
        )
    print(file=out, flush=True)


def run() -> list[FaultFigures]:
    """Measure and print the fault benchmark (called by ``make bench``)."""
    calls = int(os.environ.get("CALLGUARD_BENCH_FAULT_CALLS", CALLS))
    print(
        f"faults: handler answer time with DynamoDB throttling (Retry-After: 5), hanging "
        f"or trickling; {calls} calls each, wall time per call, local endpoints",
        flush=True,
    )
    figures = measure(calls)
    report(figures)
    return figures


if __name__ == "__main__":
    run()
