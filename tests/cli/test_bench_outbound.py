"""The outbound benchmark's machinery on a tiny workbook (its figures are not checked)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from callguard_tools.bench import outbound


def test_workbook_has_the_callouts_sheets_and_numeric_phone_cells(tmp_path: Path) -> None:
    path = tmp_path / "job.xlsx"
    outbound.build_workbook(path, receivers=25)
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["configuration", "questions", "receivers"]
    questions = list(book["questions"].iter_rows(values_only=True))
    assert len(questions) == 7
    receivers = list(book["receivers"].iter_rows(values_only=True))
    assert receivers[0] == ("id", "phone_number", "username", "class")
    assert len(receivers) == 26 and isinstance(receivers[1][1], int)
    book.close()


def test_anchor_child_renders_every_message(tmp_path: Path) -> None:
    path = tmp_path / "job.xlsx"
    outbound.build_workbook(path, receivers=10)
    sample = outbound._run(outbound.ANCHOR_CHILD, str(path))
    assert sample.count == 10 * 8  # greeting, six questions, ending
    assert sample.seconds > 0 and sample.peak_kib > 0


def test_a_child_peak_is_its_own_not_the_parent_s(tmp_path: Path) -> None:
    ballast = bytearray(300 * 1024 * 1024)  # the parent's peak: far above any empty child's
    ballast[::4096] = b"x" * len(ballast[::4096])  # touch every page so it is resident
    sample = outbound._run(outbound.EMPTY_CHILD)
    assert sample.peak_kib < 100 * 1024
    del ballast
