"""Runtime benchmark: the check handler next to a naive baseline, against one moto_server.

What is measured, all in one run against the same local ``moto_server`` and table:

(a) **Cold start.** A fresh interpreter per sample imports the handler from an
    unpacked copy of the deployment zip (as Lambda unpacks it to ``/var/task``,
    with no bytecode cache) and serves its first call. Inside the child, the
    import and the first call are timed with ``perf_counter``; the parent also
    times the whole process (interpreter start-up included, the same for both).
    Ours and the baseline (:mod:`.baseline_handler`) alternate, sample after
    sample, so machine noise hits both alike; the median is reported.
(b) **Warm latency.** In this process, after a warm-up, calls alternate between
    ours and the baseline (2,000 each by default) on the same events, half of
    them for listed numbers; p50 and p99 of each.
(c) **Our own overhead.** During our warm calls the store's client is replaced by
    a proxy that times each ``GetItem`` (botocore serialization, HTTP to moto,
    parsing: the whole DynamoDB round trip). Overhead = handler time minus that
    round trip, per call; p50 and p99 are reported. The proxy's own cost (one
    extra Python call) is inside the round trip, so the figure is, if anything,
    slightly low by well under a microsecond. Measured twice: alternating with
    the baseline (each call starts with caches the other side just used), and in
    a run of our calls back to back. Anonymous callers (no lookup at all) give an
    independent view of the same overhead.
(d) **Zip sizes** of the deployment zip and of the baseline's one-file zip.

The machine may be shared, so the load average is printed with the figures.
Knobs: ``CALLGUARD_BENCH_WARM_CALLS``, ``CALLGUARD_BENCH_COLD_ROUNDS``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import unittest.mock
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import boto3

from callguard import aws
from callguard.store import Entry, create_table
from callguard_tools import build_lambda
from callguard_tools.demo.local_aws import DEMO_REGION, aws_environment, moto_server
from callguard_tools.environ import patched_environ

TABLE: Final = "bench-runtime"
WARM_CALLS: Final = 2_000
WARM_UP_CALLS: Final = 100
COLD_ROUNDS: Final = 10
#: Numbers the bench uses: the first half is listed, the second half is not.
LISTED: Final = [f"+4420794{i:05d}" for i in range(100)]
UNLISTED: Final = [f"+4420795{i:05d}" for i in range(100)]
BASELINE_FILE: Final = Path(__file__).with_name("baseline_handler.py")

#: Child program for one cold start: argv = code dir, module, function, event JSON.
_COLD_CHILD: Final = """
import json, sys, time
started = time.perf_counter()
sys.path.insert(0, sys.argv[1])
module = __import__(sys.argv[2], fromlist=["_"])
imported = time.perf_counter()
answer = getattr(module, sys.argv[3])(json.loads(sys.argv[4]), None)
served = time.perf_counter()
assert module.__file__.startswith(sys.argv[1]), module.__file__
sys.stderr.write(json.dumps({"import": imported - started, "first_call": served - imported,
                             "answer": answer}) + "\\n")
"""


@dataclass(frozen=True)
class ColdStart:
    """Median seconds of one contender's cold starts."""

    import_s: float
    first_call_s: float
    process_s: float

    @property
    def in_process_s(self) -> float:
        """Import plus first call: what the function itself adds to a Lambda cold start."""
        return self.import_s + self.first_call_s


@dataclass(frozen=True)
class Figures:
    """Everything the runtime benchmark measured."""

    cold_ours: ColdStart
    cold_baseline: ColdStart
    warm_ours: list[float]
    warm_baseline: list[float]
    overhead: list[float]
    anonymous: list[float]
    steady_overhead: list[float]
    isolated: list[float]
    zip_ours: int
    zip_baseline: int


def contact_event(number: str) -> dict[str, Any]:
    """Build an Amazon Connect contact-flow event for an inbound call from ``number``."""
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "Attributes": {},
                "Channel": "VOICE",
                "ContactId": "6f1c2a5e-9b1d-4c3e-8a7f-0d2e4b6a8c0e",
                "InitialContactId": "6f1c2a5e-9b1d-4c3e-8a7f-0d2e4b6a8c0e",
                "InitiationMethod": "INBOUND",
                "InstanceARN": "arn:aws:connect:eu-west-2:111122223333:instance/abc",
                "CustomerEndpoint": {"Address": number, "Type": "TELEPHONE_NUMBER"},
                "SystemEndpoint": {"Address": "+441632960000", "Type": "TELEPHONE_NUMBER"},
                "Queue": None,
            },
            "Parameters": {},
        },
    }


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` in 0..1) of ``samples``."""
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[index]


# ---------------------------------------------------------------- set-up
def _seed(endpoint: str) -> None:
    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=DEMO_REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    create_table(client, TABLE)
    from callguard.store import DenyList  # noqa: PLC0415 - only needed here

    result = DenyList(client, TABLE).write_batch(
        Entry.new(number, reason="bench", source="cli") for number in LISTED
    )
    if not result.ok:
        raise RuntimeError(f"seeding the bench table failed: {result.failed[:3]}")


def _unpack(zip_path: Path, destination: Path) -> None:
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(destination)


# ---------------------------------------------------------------- (a) cold start
def _cold_sample(code_dir: Path, module: str, function: str, env: dict[str, str]) -> list[float]:
    event = json.dumps(contact_event(LISTED[0]))
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", _COLD_CHILD, str(code_dir), module, function, event],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        timeout=120,
    )
    process = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"cold start of {module} failed:\n{completed.stderr.strip()}")
    result = json.loads(completed.stderr.strip().splitlines()[-1])
    if result["answer"].get("blocked") != "true":
        raise RuntimeError(f"cold start of {module} gave a wrong answer: {result['answer']}")
    return [result["import"], result["first_call"], process]


def _cold_starts(
    ours_dir: Path, baseline_dir: Path, env: dict[str, str], rounds: int
) -> tuple[ColdStart, ColdStart]:
    contenders = {
        "ours": (ours_dir, "callguard.handlers.check_number", "handler"),
        "baseline": (baseline_dir, "baseline_handler", "lambda_handler"),
    }
    samples: dict[str, list[list[float]]] = {name: [] for name in contenders}
    for spec in contenders.values():  # one discarded round warms the disk cache
        _cold_sample(*spec, env)
    for _ in range(rounds):
        for name, spec in contenders.items():
            samples[name].append(_cold_sample(*spec, env))

    def median(name: str) -> ColdStart:
        columns = list(zip(*samples[name], strict=True))
        return ColdStart(*(statistics.median(column) for column in columns))

    return median("ours"), median("baseline")


# ---------------------------------------------------------------- (b, c) warm
class _TimedClient:
    """Forward to a DynamoDB client, timing each ``get_item`` (the round trip)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.last = 0.0

    def get_item(self, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self._client.get_item(**kwargs)
        finally:
            self.last = time.perf_counter() - started

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


class _CannedClient:
    """Answer each ``get_item`` with the server's first answer for that key, instantly.

    With no I/O between calls, the handler's time is our code alone (event parsing,
    classification, configuration, the lookup's request and answer handling, the
    answer and the log line), free of the cache and scheduler noise that a network
    round trip to an emulator on the same two CPUs adds to every other figure.
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        self._answers: dict[str, Any] = {}

    def get_item(self, **kwargs: Any) -> Any:
        key = repr(sorted(kwargs["Key"].items()))
        if key not in self._answers:
            self._answers[key] = self._client.get_item(**kwargs)
        return self._answers[key]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Send handler output (log lines, the baseline's event dumps) to /dev/null."""
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        yield


def _warm(calls: int) -> tuple[list[float], ...]:
    from callguard.handlers import check_number, common  # noqa: PLC0415 - after env is set
    from callguard_tools.bench import baseline_handler  # noqa: PLC0415 - reads env at import

    ours: Callable[[Any, Any], dict[str, str]] = check_number.handler
    baseline: Callable[[Any, Any], dict[str, str]] = baseline_handler.lambda_handler
    events = [contact_event(n) for pair in zip(LISTED, UNLISTED, strict=True) for n in pair]
    anonymous_event = contact_event("anonymous")
    with _quiet_stdout():
        for index in range(WARM_UP_CALLS):
            ours(events[index % len(events)], None)
            baseline(events[index % len(events)], None)
        timed = _TimedClient(aws.dynamodb_client())
        # The handlers build their store from aws.dynamodb_client(): hand them the proxy.
        patch = unittest.mock.patch.object(aws, "dynamodb_client", lambda: timed)
        patch.start()
        warm_ours: list[float] = []
        warm_baseline: list[float] = []
        overhead: list[float] = []
        anonymous: list[float] = []
        clock = time.perf_counter
        for index in range(calls):
            event = events[index % len(events)]
            started = clock()
            ours(event, None)
            elapsed = clock() - started
            warm_ours.append(elapsed)
            overhead.append(elapsed - timed.last)
            started = clock()
            baseline(event, None)
            warm_baseline.append(clock() - started)
            started = clock()
            ours(anonymous_event, None)
            anonymous.append(clock() - started)
        steady: list[float] = []
        for index in range(calls):
            started = clock()
            ours(events[index % len(events)], None)
            steady.append(clock() - started - timed.last)
        patch.stop()
        canned = _CannedClient(timed)
        canned_patch = unittest.mock.patch.object(aws, "dynamodb_client", lambda: canned)
        canned_patch.start()
        for event in events:  # one real round trip per number, then canned answers
            ours(event, None)
        isolated: list[float] = []
        for index in range(calls):
            started = clock()
            ours(events[index % len(events)], None)
            isolated.append(clock() - started)
        canned_patch.stop()
        restored: object = common.deny_list(os.environ["CALLGUARD_TABLE"]).client
        if restored is timed:
            raise RuntimeError("the store kept the timing proxy after the bench")
    return warm_ours, warm_baseline, overhead, anonymous, steady, isolated


# ---------------------------------------------------------------- (d) sizes
def _baseline_zip_size(directory: Path) -> int:
    target = directory / "baseline.zip"
    build_lambda.write_zip([("baseline_handler.py", BASELINE_FILE)], target)
    return target.stat().st_size


# ---------------------------------------------------------------- run
def measure(warm_calls: int = WARM_CALLS, cold_rounds: int = COLD_ROUNDS) -> Figures:
    """Build the zip (so it matches the source), start moto_server, take every measurement."""
    zip_path = build_lambda.build().path  # cached dependencies: a fraction of a second
    with moto_server() as server, tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        ours_dir, baseline_dir = root / "ours", root / "baseline"
        _unpack(zip_path, ours_dir)
        baseline_dir.mkdir()
        (baseline_dir / BASELINE_FILE.name).write_bytes(BASELINE_FILE.read_bytes())
        _seed(server.endpoint_url)
        settings = {
            **aws_environment(server.endpoint_url),
            "CALLGUARD_TABLE": TABLE,
            "TABLE_NAME": TABLE,
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        child_env = {**os.environ, **settings}
        child_env.pop("PYTHONPATH", None)
        cold_ours, cold_baseline = _cold_starts(ours_dir, baseline_dir, child_env, cold_rounds)
        with patched_environ(settings):
            aws.reset_clients()
            try:
                warm_ours, warm_baseline, overhead, anonymous, steady, isolated = _warm(warm_calls)
            finally:
                aws.reset_clients()
        return Figures(
            cold_ours=cold_ours,
            cold_baseline=cold_baseline,
            warm_ours=warm_ours,
            warm_baseline=warm_baseline,
            overhead=overhead,
            anonymous=anonymous,
            steady_overhead=steady,
            isolated=isolated,
            zip_ours=zip_path.stat().st_size,
            zip_baseline=_baseline_zip_size(root),
        )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:7.1f} µs"


def report(figures: Figures, out: io.TextIOBase | Any = None) -> None:
    """Print the figures as a small table."""
    out = out or sys.stdout
    ours, base = figures.cold_ours, figures.cold_baseline
    calls = len(figures.warm_ours)
    lines = [
        "(a) cold start, median of alternating fresh interpreters "
        "(import from the unpacked zip, no bytecode cache, + first call):",
        f"      {'':24}{'ours':>12}{'baseline':>12}",
        f"      {'import':24}{_ms(ours.import_s):>12}{_ms(base.import_s):>12}",
        f"      {'first call':24}{_ms(ours.first_call_s):>12}{_ms(base.first_call_s):>12}",
        f"      {'import + first call':24}{_ms(ours.in_process_s):>12}"
        f"{_ms(base.in_process_s):>12}   ratio ours/baseline "
        f"{ours.in_process_s / base.in_process_s:.2f}",
        f"      {'whole process':24}{_ms(ours.process_s):>12}{_ms(base.process_s):>12}   "
        f"ratio {ours.process_s / base.process_s:.2f}",
        f"(b) warm latency over {calls:,} alternating calls each (half listed numbers):",
        f"      ours      p50 {_ms(percentile(figures.warm_ours, 0.5))}   "
        f"p99 {_ms(percentile(figures.warm_ours, 0.99))}",
        f"      baseline  p50 {_ms(percentile(figures.warm_baseline, 0.5))}   "
        f"p99 {_ms(percentile(figures.warm_baseline, 0.99))}",
        "(c) our own overhead per call (handler time minus the timed GetItem round trip; "
        "target under 100 µs):",
        f"      alternating with the baseline  p50 {_us(percentile(figures.overhead, 0.5))}   "
        f"p99 {_us(percentile(figures.overhead, 0.99))}",
        f"      {len(figures.steady_overhead):,} calls back to back    "
        f"p50 {_us(percentile(figures.steady_overhead, 0.5))}   "
        f"p99 {_us(percentile(figures.steady_overhead, 0.99))}",
        f"      anonymous caller, no lookup at all: p50 {_us(percentile(figures.anonymous, 0.5))}"
        f"   p99 {_us(percentile(figures.anonymous, 0.99))}",
        f"      our code alone, {len(figures.isolated):,} calls with a canned GetItem answer "
        f"(no I/O between calls): p50 {_us(percentile(figures.isolated, 0.5))}   "
        f"p99 {_us(percentile(figures.isolated, 0.99))}",
        f"(d) zip sizes: ours {figures.zip_ours:,} bytes "
        f"({figures.zip_ours / 1024:.0f} KiB of the 1024 KiB budget, phonenumberslite included); "
        f"baseline {figures.zip_baseline:,} bytes",
    ]
    print("\n".join(lines), file=out, flush=True)


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def run() -> Figures:
    """Measure and print the runtime benchmark (called by ``make bench``)."""
    warm_calls = int(os.environ.get("CALLGUARD_BENCH_WARM_CALLS", WARM_CALLS))
    cold_rounds = int(os.environ.get("CALLGUARD_BENCH_COLD_ROUNDS", COLD_ROUNDS))
    print(
        f"runtime: check handler vs a naive baseline, local moto_server (loopback), "
        f"Python {sys.version.split()[0]}; load average before: {_load()}",
        flush=True,
    )
    figures = measure(warm_calls, cold_rounds)
    report(figures)
    print(
        f"  load average after: {_load()} (a shared machine makes every figure noisy)",
        flush=True,
    )
    return figures


if __name__ == "__main__":
    run()
