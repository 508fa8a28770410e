"""Receivers' extra columns: a read-only mapping whose names every receiver shares."""

from __future__ import annotations

from pathlib import Path

import pytest
from job_builders import write_workbook

from callguard.outbound.assemble import assemble
from callguard.outbound.load import read_raw
from callguard.outbound.model import Columns


def test_columns_behave_as_a_read_only_mapping() -> None:
    positions = Columns.positions_of(("name", "class"))
    columns = Columns(positions, ("Ann", "3B"))
    assert columns == {"name": "Ann", "class": "3B"}
    assert list(columns.items()) == [("name", "Ann"), ("class", "3B")]
    assert columns.get("missing") is None and len(columns) == 2
    with pytest.raises(TypeError):
        columns["name"] = "Bob"  # type: ignore[index]


def test_receivers_of_a_job_share_one_name_table_and_the_raw_rows_are_let_go(
    tmp_path: Path,
) -> None:
    raw, _problems = read_raw(write_workbook(tmp_path / "j.xlsx"))
    assert raw.receivers.rows
    job, _more = assemble(raw)
    assert job is not None and len(job.receivers) > 1
    first, second = (r.columns for r in job.receivers[:2])
    assert isinstance(first, Columns) and isinstance(second, Columns)
    assert first._positions is second._positions
    assert raw.receivers.rows == []  # consumed: a large job is never held twice
