"""The job report: one row per receiver in xlsx, CSV and JSON, summary, formula injection."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from types import MappingProxyType

from openpyxl import load_workbook

from callguard.outbound.model import Job, JobConfig, Question, QuestionType, Receiver
from callguard.outbound.report import (
    NO_RESULT,
    build_report,
    neutralise,
    report_json,
    unknown_receivers,
    write_csv,
    write_json,
    write_xlsx,
)
from callguard.outbound.results import Attempt, CallStatus, ReceiverResult

T = dt.datetime(2026, 12, 7, 10, 15, tzinfo=dt.UTC)


def make_job() -> Job:
    questions = (
        Question(1, "Hello {{ name }}", QuestionType.MESSAGE),
        Question(2, "Will you come?", QuestionType.YES_NO),
        Question(3, "How many?", QuestionType.NUMBER),
    )
    receivers = (
        Receiver("s1", "+442079460001", MappingProxyType({"name": "Ann", "class": "=1+2"})),
        Receiver("s2", "+442079460002", MappingProxyType({"name": "@Bob", "class": ""})),
        Receiver("s3", "+442079460003", MappingProxyType({"name": "Cy\x07", "class": "-x"})),
    )
    return Job("job-1", JobConfig(), questions, receivers, columns=("name", "class"))


def results() -> dict[str, ReceiverResult]:
    done = Attempt(1, CallStatus.COMPLETED, T, T, "c-1", answers=MappingProxyType({2: "yes", 3: 4}))
    blocked = Attempt(1, CallStatus.DO_NOT_CALL, source="agent")
    return {
        "s1": ReceiverResult("job-1", "s1", (done,)),
        "s2": ReceiverResult("job-1", "s2", (blocked,)),
    }


def test_rows_columns_and_missing_results() -> None:
    report = build_report(make_job(), results())
    assert report.headers == [
        "receiver_id",
        "name",
        "class",
        "phone_number",
        "status",
        "error",
        "attempts",
        "call_time",
        "contact_id",
        "Q2 (Yes/No)",
        "Q3 (Number)",
    ]
    first, second, third = (report.values(row) for row in report.rows)
    assert first == ["s1", "Ann", "=1+2", "+442079460001", "completed", "", 1,
                     "2026-12-07T10:15:00Z", "c-1", "yes", 4]  # fmt: skip
    assert second[4:6] == ["do_not_call", "on the deny list (source: agent)"]
    assert third[4:6] == [NO_RESULT, "no result recorded"]
    summary = report.summary
    assert summary.total == 3
    assert summary.counts["completed"] == 1 and summary.counts[NO_RESULT] == 1
    assert summary.counts["busy"] == 0
    assert round(summary.completion_rate, 3) == 0.333


def test_neutralise() -> None:
    for text in ("=HYPERLINK(1)", "+1", "-1", "@SUM", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise("Ann") == "Ann"


def test_csv_neutralises_formulas_but_not_the_number() -> None:
    out = io.StringIO()
    assert write_csv(build_report(make_job(), results()), out) == 3
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[1][:4] == ["s1", "Ann", "'=1+2", "+442079460001"]
    assert rows[2][1] == "'@Bob"
    assert rows[3][2] == "'-x"


def test_xlsx_has_report_and_summary_sheets(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "report.xlsx"
    with path.open("wb") as handle:
        write_xlsx(build_report(make_job(), results()), handle)
    book = load_workbook(path)
    assert book.sheetnames == ["Report", "Summary"]
    rows = list(book["Report"].iter_rows(values_only=True))
    assert rows[1][:4] == ("s1", "Ann", "'=1+2", "+442079460001")
    assert rows[1][9:] == ("yes", 4)
    assert book["Report"]["C2"].data_type == "s"  # text, never a formula
    assert rows[3][1] == "Cy\\x07"  # a control character is shown, not dropped
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["completed"] == 1 and summary["total"] == 3
    assert summary[NO_RESULT] == 1
    assert round(summary["completion_rate"], 3) == 0.333


def test_json_keeps_values_as_they_are() -> None:
    out = io.StringIO()
    write_json(build_report(make_job(), results()), out)
    data = json.loads(out.getvalue())
    assert data == report_json(build_report(make_job(), results()))
    first = data["receivers"][0]
    assert first["columns"] == {"name": "Ann", "class": "=1+2"}
    assert first["answers"] == {"Q2 (Yes/No)": "yes", "Q3 (Number)": 4}
    assert data["receivers"][2]["answers"] == {"Q2 (Yes/No)": None, "Q3 (Number)": None}
    assert data["summary"]["total"] == 3


def test_results_for_receivers_not_in_the_job_are_named() -> None:
    extra = dict(results())
    extra["ghost"] = ReceiverResult("job-1", "ghost", (Attempt(1, CallStatus.BUSY),))
    assert unknown_receivers(make_job(), extra) == ["ghost"]
