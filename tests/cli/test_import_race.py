"""``denylist import`` next to live flags: a number flagged mid-import keeps the agent's entry.

The import first asks the table which numbers are listed, then writes the
rest. The hook below flags one of "the rest" right after that read, the moment
an agent's quick connect could land, so the interleaving is the same every run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from callguard.store import DenyList
from callguard_tools.admin import importer
from callguard_tools.admin.csvfile import ImportRow
from callguard_tools.cli import main

RACED = "+12125550101"


@pytest.fixture
def flag_after_read(monkeypatch: pytest.MonkeyPatch, deny_list: DenyList) -> Callable[[], int]:
    """Make the import's "what is new" read be followed by an agent's flag of :data:`RACED`."""
    calls = 0
    original = importer.new_rows

    def read_then_flag(store: DenyList, rows: Sequence[ImportRow]) -> tuple[list[ImportRow], int]:
        nonlocal calls
        calls += 1
        fresh, already = original(store, rows)
        deny_list.flag(
            RACED,
            reason="threatened the agent",
            source="agent",
            flagged_by="agent-7",
            contact_id="c-9",
        )
        return fresh, already

    monkeypatch.setattr(importer, "new_rows", read_then_flag)
    return lambda: calls


def run(table: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--table", table, *args])


def test_a_flag_during_the_import_keeps_its_reason_source_and_count(
    table_name: str, deny_list: DenyList, flag_after_read: Callable[[], int], tmp_path: Path
) -> None:
    path = tmp_path / "carrier.csv"
    path.write_text(
        "number,reason\n+12125550100,carrier\n+12125550101,carrier\n+12125550102,carrier\n"
    )

    result = run(table_name, "denylist", "import", str(path))

    assert flag_after_read() == 1
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "read 3, imported 2, already listed 1, rejected 0"
    assert "1 number(s) were listed while importing; left as they are" in result.stderr
    raced = deny_list.get(RACED)
    assert raced is not None
    assert (raced.reason, raced.source, raced.flagged_by, raced.contact_id, raced.flag_count) == (
        "threatened the agent",
        "agent",
        "agent-7",
        "c-9",
        1,
    )
    others = [deny_list.get(n) for n in ("+12125550100", "+12125550102")]
    assert [(e.source, e.reason) for e in others if e is not None] == [
        ("import", "carrier"),
        ("import", "carrier"),
    ]


def test_a_rerun_after_the_race_changes_nothing(
    table_name: str, deny_list: DenyList, flag_after_read: Callable[[], int], tmp_path: Path
) -> None:
    path = tmp_path / "carrier.csv"
    path.write_text("number\n+12125550101\n")
    run(table_name, "denylist", "import", str(path))
    before = deny_list.get(RACED)

    again = run(table_name, "denylist", "import", str(path))

    assert again.stdout.strip() == "read 1, imported 0, already listed 1, rejected 0"
    after = deny_list.get(RACED)
    assert after is not None and before is not None
    # The hook flagged again from the same contact: counted once, nothing overwritten.
    assert (after.reason, after.source, after.flag_count) == (before.reason, "agent", 1)
