"""Receivers' numbers: E.164, prefixes, float artefacts, lost zeros, duplicates, time zones."""

from __future__ import annotations

from pathlib import Path

import pytest
from job_builders import CONFIG, RECEIVERS, write_csv_bundle, write_workbook

from callguard.outbound.load import load_job
from callguard.outbound.phones import normalise
from callguard.outbound.tables import Cell, cell_text


@pytest.mark.parametrize(
    ("value", "text"),
    [(85291234567.0, "85291234567"), (12345678.0, "12345678"), (8.5291234567e10, "85291234567")],
)
def test_numeric_cells_have_no_float_artefacts(value: float, text: str) -> None:
    assert cell_text(value) == (text, True)


@pytest.mark.parametrize("text", ["8.5291234567E10", "85291234567.0", "91234567.0"])
def test_csv_exports_of_number_cells_become_digits(text: str) -> None:
    assert normalise(Cell(text, "receivers!B2"), "HK") == ("+85291234567", None)


def test_a_number_cell_that_already_has_the_country_code_is_kept() -> None:
    assert normalise(Cell("85291234567", "r!B2", numeric=True), "HK")[0] == "+85291234567"


def test_a_lost_leading_zero_is_an_error_naming_the_cell_never_a_guess() -> None:
    # Rome 06 1234 5678 typed into a number cell: the 0 is part of the Italian number.
    phone, problem = normalise(Cell("612345678", "receivers!B7", numeric=True), "IT")
    assert phone is None and problem is not None
    assert (problem.location, problem.code) == ("receivers!B7", "lost_leading_zero")
    assert "612345678" not in problem.message  # masked
    # The same digits typed as text keep their meaning as written.
    assert normalise(Cell("0612345678", "receivers!B7"), "IT")[0] == "+390612345678"


def test_national_numbers_need_a_prefix_or_country(tmp_path: Path) -> None:
    config = [row for row in CONFIG if row[0] != "phone_prefix"]
    job, problems = load_job(write_workbook(tmp_path / "j.xlsx", config=config))
    assert {(p.location, p.code) for p in problems if p.is_error} == {
        ("Receivers!B2", "invalid_phone")
    }
    config = [*config, ["default_country", "hk"]]
    job, problems = load_job(write_workbook(tmp_path / "k.xlsx", config=config))
    assert job is not None and job.receivers[0].phone == "+85291234567"


def test_duplicate_ids_are_errors_and_duplicate_numbers_warnings(tmp_path: Path) -> None:
    rows = [*RECEIVERS, ["1", "+85251234567", "a", "b"], ["3", "91234567", "c", "d"]]
    _job, problems = load_job(write_csv_bundle(tmp_path / "b", receivers=rows))
    found = {(p.code, p.location, p.severity) for p in problems}
    assert ("duplicate_id", "receivers!A4", "error") in found
    assert ("duplicate_phone", "receivers!B5", "warning") in found


def test_a_timezone_column_is_validated_and_kept(tmp_path: Path) -> None:
    rows = [
        [*RECEIVERS[0], "timezone"],
        [*RECEIVERS[1], "Asia/Hong_Kong"],
        [*RECEIVERS[2], "Mars/Olympus"],
        ["3", "51234567", "x", "y", ""],
    ]
    job, problems = load_job(write_workbook(tmp_path / "t.xlsx", receivers=rows))
    assert [(p.code, p.location) for p in problems if p.is_error] == [
        ("invalid_timezone", "Receivers!E3")
    ]
    assert job is not None
    assert [r.timezone for r in job.receivers] == ["Asia/Hong_Kong", None]
    assert "timezone" not in job.columns
