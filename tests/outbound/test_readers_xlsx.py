"""The workbook reader refuses hostile and broken files before they cost memory."""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

import openpyxl
import pytest
from job_builders import CONFIG, QUESTIONS, RECEIVERS, write_workbook

from callguard.outbound.limits import DEFAULT_LIMITS
from callguard.outbound.load import is_unreadable, load_job


def _codes(path: Path, **limits: int) -> dict[str, str]:
    _job, problems = load_job(path, dataclasses.replace(DEFAULT_LIMITS, **limits))
    return {p.code: p.location for p in problems}


def test_not_a_zip_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "job.xlsx"
    path.write_text("id,phone\n1,2\n")
    job, problems = load_job(path)
    assert job is None and is_unreadable(problems)
    assert problems[0].code == "file_not_zip"


def test_a_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    assert _codes(path, max_uncompressed_bytes=10 * 1024 * 1024) == {"file_zip_bomb": "bomb.xlsx"}
    assert "file_zip_bomb" in _codes(path)  # the compression ratio alone gives it away


def test_too_many_members_is_refused(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "job.xlsx")
    assert "file_zip_bomb" in _codes(path, max_zip_members=3)


def test_a_macro_enabled_workbook_is_refused(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "job.xlsx")
    path = tmp_path / "macro.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for info in old.infolist():
            new.writestr(info, old.read(info))
        new.writestr("xl/vbaProject.bin", b"VBA")
    assert _codes(path) == {"file_macro": "macro.xlsx"}


def test_xml_entities_are_refused(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "job.xlsx")
    path = tmp_path / "entities.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(
                    b"<worksheet",
                    b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><worksheet',
                    1,
                )
            new.writestr(info, data)
    job, problems = load_job(path)
    assert job is None and problems[0].code == "file_xml"


def test_a_formula_cell_is_refused_naming_the_cell_and_not_evaluated(tmp_path: Path) -> None:
    receivers = [*RECEIVERS, ["3", "=1+1", "x", "y"]]
    codes = _codes(write_workbook(tmp_path / "f.xlsx", receivers=receivers))
    assert codes["formula_cell"] == "Receivers!B4"


def test_merged_and_hidden_cells_rows_columns_and_sheets_are_refused(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "h.xlsx", receivers=[*RECEIVERS, ["3", "+85291234568", "a", "b"]]
    )
    workbook = openpyxl.load_workbook(path)
    receivers = workbook["Receivers"]
    receivers.merge_cells("C2:D2")
    receivers.row_dimensions[3].hidden = True
    receivers.column_dimensions["D"].hidden = True
    workbook["Questions"].sheet_state = "hidden"
    workbook.save(path)
    codes = _codes(path)
    assert codes["merged_cells"] == "Receivers!C2:D2"
    assert codes["hidden_row"] == "Receivers!3:3"
    assert codes["hidden_column"] == "Receivers!D"
    assert codes["hidden_sheet"] == "Questions"


def test_too_many_rows_and_an_oversized_cell_are_errors(tmp_path: Path) -> None:
    rows = [*RECEIVERS] + [[str(i), f"+8529{i:07d}", "n", "d"] for i in range(10, 40)]
    codes = _codes(write_workbook(tmp_path / "r.xlsx", receivers=rows), max_rows=20)
    assert codes["too_many_rows"] == "Receivers!A22"
    big = [*RECEIVERS, ["3", "+85291234568", "x" * 1_000_001, "d"]]
    assert _codes(write_workbook(tmp_path / "c.xlsx", receivers=big))["cell_too_long"] == (
        "Receivers!C4"
    )


def test_a_missing_sheet_says_which(tmp_path: Path) -> None:
    path = tmp_path / "two.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "questions"  # type: ignore[union-attr]
    workbook.create_sheet("receivers")
    workbook.save(path)
    job, problems = load_job(path)
    assert job is None and problems[0].code == "file_missing_sheet"
    assert "configuration" in problems[0].message


def test_blank_cells_keep_the_receiver_and_extra_columns_are_kept(tmp_path: Path) -> None:
    rows = [RECEIVERS[0], ["1", "+85291234567", None, "Friday"], [None, None, None, None]]
    questions = [QUESTIONS[0], ["Hello {{ date }}", "OK"]]
    config = [row for row in CONFIG if row[0] != "greeting"]
    job, problems = load_job(
        write_workbook(tmp_path / "b.xlsx", config=config, questions=questions, receivers=rows)
    )
    assert job is not None and [p.code for p in problems if p.is_error] == []
    assert len(job.receivers) == 1
    assert dict(job.receivers[0].columns) == {"username": "", "date": "Friday"}
    assert job.columns == ("username", "date")


@pytest.mark.parametrize("kind", ["yes-no", "YES / NO", "yesno", "Yes/No"])
def test_question_type_spellings(tmp_path: Path, kind: str) -> None:
    questions = [QUESTIONS[0], ["Come on {{ date }}?", kind]]
    job, _ = load_job(write_workbook(tmp_path / "q.xlsx", questions=questions))
    assert job is not None and job.questions[0].type.value == "Yes/No"


def test_a_macro_content_type_alone_is_refused(tmp_path: Path) -> None:
    source = write_workbook(tmp_path / "job.xlsx")
    path = tmp_path / "job.xlsm"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
            new.writestr(info, data)
    assert _codes(path) == {"file_macro": "job.xlsm"}


def test_a_huge_csv_cell_is_an_error_naming_its_row(tmp_path: Path) -> None:
    from job_builders import write_csv_bundle

    rows = [*RECEIVERS, ["3", "+85291234568", "x" * 1_000_000, "d"]]
    _job, problems = load_job(write_csv_bundle(tmp_path / "b", receivers=rows))
    assert ("cell_too_long", "receivers!A4") in {(p.code, p.location) for p in problems}
