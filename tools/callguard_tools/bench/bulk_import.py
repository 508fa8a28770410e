"""Benchmark: bulk import with ``callguard denylist import`` against one PutItem per number.

Both run in one go against the same local ``moto_server`` (loopback, fake
credentials), on identical data, into two fresh tables:

- **import**: the installed ``callguard`` command in its own process, timed from
  process start to exit, so interpreter start-up, the STS identity call, the
  ``BatchGetItem`` pass for "already listed" and the parallel ``BatchWriteItem``
  requests are all inside the figure;
- **baseline**: an in-process loop doing one ``PutItem`` per number with a plain
  boto3 client, the way a quick script would do it.

Both tables are counted afterwards, so a fast but incomplete import cannot pass.
``moto_server`` is not DynamoDB: absolute times say little about AWS, the ratio
says how much the batching and parallelism save in request overhead. Set
``CALLGUARD_BENCH_IMPORT_COUNT`` for a shorter run while developing.
"""

from __future__ import annotations

import os
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
from callguard_tools.demo.local_aws import DEMO_REGION, aws_environment, moto_server

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: Numbers imported by each contender.
DEFAULT_COUNT: Final = 20_000
#: The ratio the import should reach over the PutItem loop.
TARGET_RATIO: Final = 10.0
IMPORT_TABLE: Final = "bench-bulk-import"
BASELINE_TABLE: Final = "bench-putitem-loop"


@dataclass(frozen=True)
class BulkImportFigures:
    """Measured wall-clock seconds of both contenders and the item counts they left."""

    count: int
    import_seconds: float
    baseline_seconds: float
    import_items: int
    baseline_items: int

    @property
    def ratio(self) -> float:
        """How many times faster the import was than the PutItem loop."""
        return self.baseline_seconds / self.import_seconds


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


def _time_import(endpoint: str, csv_path: Path, env: dict[str, str]) -> float:
    command = [_callguard(), "--endpoint-url", endpoint, "--table", IMPORT_TABLE]
    started = time.perf_counter()
    result = subprocess.run(  # fixed argv: our own console script
        [*command, "denylist", "import", str(csv_path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"callguard denylist import failed: {result.stderr.strip()}")
    return elapsed


def _time_put_loop(client: DynamoDBClient, numbers: list[str]) -> float:
    started = time.perf_counter()
    for number in numbers:
        entry = Entry.new(number, reason="bench", source="import")
        client.put_item(TableName=BASELINE_TABLE, Item=entry.to_item())
    return time.perf_counter() - started


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
        create_table(client, BASELINE_TABLE)
        csv_path = Path(scratch) / "numbers.csv"
        _write_csv(csv_path, numbers)
        import_seconds = _time_import(server.endpoint_url, csv_path, env)
        baseline_seconds = _time_put_loop(client, numbers)
        return BulkImportFigures(
            count=count,
            import_seconds=import_seconds,
            baseline_seconds=baseline_seconds,
            import_items=_count(client, IMPORT_TABLE),
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
    verdict = "meets" if figures.ratio >= TARGET_RATIO else "MISSES"
    print(
        f"  callguard denylist import   {figures.import_seconds:8.2f} s  "
        f"({figures.count / figures.import_seconds:,.0f} numbers/s, whole process)"
    )
    print(
        f"  PutItem loop (one by one)   {figures.baseline_seconds:8.2f} s  "
        f"({figures.count / figures.baseline_seconds:,.0f} numbers/s)"
    )
    print(
        f"  ratio {figures.ratio:.1f}x ({verdict} the {TARGET_RATIO:.0f}x target); items stored: "
        f"import {figures.import_items:,}, loop {figures.baseline_items:,}"
    )
    print(f"  load average after: {_load()} (other work on this machine slows both sides)")
    if figures.import_items != count or figures.baseline_items != count:
        raise SystemExit("bulk import bench: a table is missing items; the figures are void")


if __name__ == "__main__":
    run()
