"""Benchmark: bulk import with ``callguard denylist import`` against one PutItem per number.

Both run in one go against the same local ``moto_server`` (loopback, fake
credentials), on identical data, into two fresh tables:

- **import**: the installed ``callguard`` command in its own process, timed from
  process start to exit (default ``--workers``), so interpreter start-up, the STS identity call, the
  ``BatchGetItem`` pass for "already listed" and the parallel conditional
  ``PutItem`` requests (one per number, so that a concurrent flag is never
  overwritten) are all inside the figure;
- **import --batched**: the same command with ``--batched``: each slice is
  read, then its unlisted numbers go 25 per ``BatchWriteItem`` request
  (unconditional; see the command's help for the race this accepts);
- **baseline**: an in-process loop doing one ``PutItem`` per number with a plain
  boto3 client, the way a quick script would do it.

Both tables are counted afterwards, so a fast but incomplete import cannot pass.
Besides wall-clock time, the CPU seconds of each side (the client process and
``moto_server``, from ``getrusage`` and ``/proc``) are printed: on a machine busy
with other work they are a steadier comparison than wall-clock time.
``moto_server`` is not DynamoDB: absolute times say little about AWS. Its CPU
cost per request, not network latency, bounds both sides here, so the ratio
says little about the gain from parallel requests against DynamoDB, where a
request's time is mostly the round trip. Set
``CALLGUARD_BENCH_IMPORT_COUNT`` for a shorter run while developing.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import boto3

from callguard.store import Entry, create_table
from callguard_tools.demo.local_aws import DEMO_REGION, MotoServer, aws_environment, moto_server

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: Numbers imported by each contender.
DEFAULT_COUNT: Final = 20_000
#: The ratio the import should reach over the PutItem loop.
TARGET_RATIO: Final = 10.0
IMPORT_TABLE: Final = "bench-bulk-import"
BATCHED_TABLE: Final = "bench-bulk-import-batched"
BASELINE_TABLE: Final = "bench-putitem-loop"


@dataclass(frozen=True)
class Run:
    """One contender's cost: wall-clock seconds and CPU seconds on each side."""

    wall: float
    client_cpu: float
    server_cpu: float

    @property
    def cpu(self) -> float:
        """CPU seconds spent by the client and by moto_server together."""
        return self.client_cpu + self.server_cpu


@dataclass(frozen=True)
class BulkImportFigures:
    """Both contenders' costs and the item counts they left behind."""

    count: int
    bulk: Run
    batched: Run
    baseline: Run
    import_items: int
    batched_items: int
    baseline_items: int

    @property
    def ratio(self) -> float:
        """How many times faster (wall clock) the import was than the PutItem loop."""
        return self.baseline.wall / self.bulk.wall

    @property
    def batched_ratio(self) -> float:
        """How many times faster (wall clock) ``import --batched`` was than the loop."""
        return self.baseline.wall / self.batched.wall

    @property
    def cpu_ratio(self) -> float:
        """The same comparison in CPU seconds, which other load on the machine disturbs less."""
        return self.baseline.cpu / self.bulk.cpu


def synthetic_numbers(count: int) -> list[str]:
    """Return ``count`` distinct, well-formed E.164 numbers (never real subscribers' lists)."""
    return [f"+1202{2_000_000 + index:07d}" for index in range(count)]


def _write_csv(path: Path, numbers: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("number,reason\n")
        handle.writelines(f"{number},bench\n" for number in numbers)


def _callguard() -> str:
    beside_python = Path(sys.executable).with_name("callguard")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("callguard")
    if found is None:
        raise RuntimeError("the callguard console script is not installed (run 'make venv')")
    return found


def _count(client: DynamoDBClient, table: str) -> int:
    total = 0
    request: dict[str, object] = {"TableName": table, "Select": "COUNT"}
    while True:
        page = client.scan(**request)  # type: ignore[arg-type]
        total += page["Count"]
        if "LastEvaluatedKey" not in page:
            return total
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid``; 0.0 without /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _time_import(
    server: MotoServer, csv_path: Path, env: dict[str, str], table: str, *options: str
) -> Run:
    command = [_callguard(), "--endpoint-url", server.endpoint_url, "--table", table]
    server_before = _process_cpu(server.process.pid)
    children_before = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN))
    started = time.perf_counter()
    result = subprocess.run(  # fixed argv: our own console script
        [*command, "denylist", "import", *options, str(csv_path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"callguard denylist import failed: {result.stderr.strip()}")
    return Run(
        wall=wall,
        client_cpu=_cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - children_before,
        server_cpu=_process_cpu(server.process.pid) - server_before,
    )


def _time_put_loop(server: MotoServer, client: DynamoDBClient, numbers: list[str]) -> Run:
    server_before = _process_cpu(server.process.pid)
    self_before = _cpu(resource.getrusage(resource.RUSAGE_SELF))
    started = time.perf_counter()
    for number in numbers:
        entry = Entry.new(number, reason="bench", source="import")
        client.put_item(TableName=BASELINE_TABLE, Item=entry.to_item())
    return Run(
        wall=time.perf_counter() - started,
        client_cpu=_cpu(resource.getrusage(resource.RUSAGE_SELF)) - self_before,
        server_cpu=_process_cpu(server.process.pid) - server_before,
    )


def measure(count: int = DEFAULT_COUNT) -> BulkImportFigures:
    """Start a moto_server, run both contenders on ``count`` numbers, and return the figures."""
    numbers = synthetic_numbers(count)
    with moto_server() as server, tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, **aws_environment(server.endpoint_url)}
        client = boto3.client(
            "dynamodb",
            endpoint_url=server.endpoint_url,
            region_name=DEMO_REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        create_table(client, IMPORT_TABLE)
        create_table(client, BATCHED_TABLE)
        create_table(client, BASELINE_TABLE)
        csv_path = Path(scratch) / "numbers.csv"
        _write_csv(csv_path, numbers)
        bulk = _time_import(server, csv_path, env, IMPORT_TABLE)
        batched = _time_import(server, csv_path, env, BATCHED_TABLE, "--batched")
        baseline = _time_put_loop(server, client, numbers)
        return BulkImportFigures(
            count=count,
            bulk=bulk,
            batched=batched,
            baseline=baseline,
            import_items=_count(client, IMPORT_TABLE),
            batched_items=_count(client, BATCHED_TABLE),
            baseline_items=_count(client, BASELINE_TABLE),
        )


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def run() -> None:
    """Measure and print the bulk-import comparison (called by ``make bench``)."""
    count = int(os.environ.get("CALLGUARD_BENCH_IMPORT_COUNT", DEFAULT_COUNT))
    print(
        f"bulk import: {count:,} numbers into a local moto_server (loopback); "
        f"load average before: {_load()}",
        flush=True,
    )
    figures = measure(count)
    for label, run_ in (
        ("denylist import", figures.bulk),
        ("denylist import --batched", figures.batched),
        ("PutItem loop (one by one)", figures.baseline),
    ):
        print(
            f"  {label:<27} {run_.wall:8.2f} s wall ({figures.count / run_.wall:,.0f} numbers/s); "
            f"CPU {run_.client_cpu:.2f} s client + {run_.server_cpu:.2f} s moto_server"
        )
    for label, ratio in (("import", figures.ratio), ("import --batched", figures.batched_ratio)):
        verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
        print(
            f"  {label}: {ratio:.1f}x the loop, wall clock "
            f"({verdict} the {TARGET_RATIO:.0f}x target)"
        )
    print(
        f"  import {figures.cpu_ratio:.1f}x the loop in CPU; items stored: import "
        f"{figures.import_items:,}, --batched {figures.batched_items:,}, "
        f"loop {figures.baseline_items:,}"
    )
    print(f"  load average after: {_load()} (other work on this machine slows both sides)")
    if {figures.import_items, figures.batched_items, figures.baseline_items} != {count}:
        raise SystemExit("bulk import bench: a table is missing items; the figures are void")


if __name__ == "__main__":
    run()
