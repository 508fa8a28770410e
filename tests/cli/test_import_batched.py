"""``denylist import --batched``: BatchWriteItem speed, and exactly the race it documents.

The default import writes each number conditionally. ``--batched`` reads each
slice and then writes its unlisted numbers 25 per unconditional request; these
tests pin both halves of what its help promises: flags that land before a
slice's read are kept, and only one landing inside that last round trip is
replaced.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from callguard.store import DenyList, Entry
from callguard.store.batch import BatchResult
from callguard_tools.admin import importer
from callguard_tools.cli import main

FILE = "number,reason\n+12125550100,carrier\n+12125550101,carrier\n+12125550102,carrier\n"
RACED = "+12125550101"


def run(table: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--table", table, *args])


def agent_flag(deny_list: DenyList) -> None:
    deny_list.flag(RACED, reason="threatened the agent", source="agent", contact_id="c-9")


def test_batched_import_writes_every_new_number_and_reruns_change_nothing(
    table_name: str, deny_list: DenyList, tmp_path: Path
) -> None:
    path = tmp_path / "carrier.csv"
    path.write_text(FILE)

    first = run(table_name, "denylist", "import", "--batched", str(path))
    again = run(table_name, "denylist", "import", "--batched", str(path))

    assert first.exit_code == 0, first.stderr
    assert first.stdout.strip() == "read 3, imported 3, already listed 0, rejected 0"
    assert again.stdout.strip() == "read 3, imported 0, already listed 3, rejected 0"
    entries = [deny_list.get(n) for n in ("+12125550100", RACED, "+12125550102")]
    assert [(e.source, e.reason) for e in entries if e is not None] == [("import", "carrier")] * 3


def test_a_flag_before_the_slice_is_read_is_kept(
    table_name: str, deny_list: DenyList, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = importer.new_rows
    reads = 0

    def read(
        store: DenyList, rows: list[importer.ImportRow]
    ) -> tuple[list[importer.ImportRow], int]:
        nonlocal reads
        reads += 1
        agent_flag(deny_list)  # the agent flags while the import is under way
        return original(store, rows)  # ... and the slice's read sees it

    monkeypatch.setattr(importer, "new_rows", read)
    path = tmp_path / "carrier.csv"
    path.write_text(FILE)

    result = run(table_name, "denylist", "import", "--batched", str(path))

    assert reads == 1  # one read per slice, none over the whole file first
    assert result.stdout.strip() == "read 3, imported 2, already listed 1, rejected 0"
    raced = deny_list.get(RACED)
    assert raced is not None
    assert (raced.source, raced.reason) == ("agent", "threatened the agent")


def test_a_flag_inside_the_last_round_trip_is_replaced_as_documented(
    table_name: str, deny_list: DenyList, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = DenyList.write_batch

    def flag_then_write(self: DenyList, entries: Iterable[Entry], **kwargs: int) -> BatchResult:
        agent_flag(deny_list)
        return original(self, entries, **kwargs)

    monkeypatch.setattr(DenyList, "write_batch", flag_then_write)
    path = tmp_path / "carrier.csv"
    path.write_text(FILE)

    result = run(table_name, "denylist", "import", "--batched", str(path))

    assert result.stdout.strip() == "read 3, imported 3, already listed 0, rejected 0"
    raced = deny_list.get(RACED)
    assert raced is not None
    assert raced.status == "blocked"  # still listed: the caller stays blocked
    assert (raced.source, raced.reason) == ("import", "carrier")  # the agent's entry is gone
