"""``callguard outbound report``: files, exit codes and problems, offline."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path
from types import MappingProxyType

from click.testing import CliRunner
from openpyxl import load_workbook

from callguard.outbound.model import Job, JobConfig, Question, QuestionType, Receiver, to_dict
from callguard.outbound.results import Attempt, CallStatus, ReceiverResult, write_jsonl
from callguard_tools.outbound.report_command import report_command


def write_inputs(tmp_path: Path, *, complete: bool = True) -> tuple[Path, Path]:
    job = Job(
        "job-7",
        JobConfig(),
        (Question(1, "Coming?", QuestionType.YES_NO),),
        (
            Receiver("a", "+442079460001", MappingProxyType({"name": "Ann"})),
            Receiver("b", "+442079460002", MappingProxyType({"name": "Bo"})),
        ),
        columns=("name",),
    )
    job_file = tmp_path / "job.json"
    job_file.write_text(json.dumps(to_dict(job)))
    results = [
        ReceiverResult(
            "job-7", "a", (Attempt(1, CallStatus.COMPLETED, answers=MappingProxyType({1: "no"})),)
        )
    ]
    if complete:
        results.append(ReceiverResult("job-7", "b", (Attempt(1, CallStatus.BUSY),)))
    out = io.StringIO()
    write_jsonl(results, out)
    results_file = tmp_path / "results.jsonl"
    results_file.write_text(out.getvalue())
    return job_file, results_file


def run(*args: str | Path, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(report_command, [str(a) for a in args], input=stdin)
    return result.exit_code, result.output


def test_xlsx_report_is_private_and_complete(tmp_path: Path) -> None:
    job_file, results_file = write_inputs(tmp_path)
    output = tmp_path / "report.xlsx"
    code, text = run(results_file, "--job", job_file, "--format", "xlsx", "--output", output)
    assert code == 0, text
    assert "wrote 2 receiver(s)" in text and "completion rate 50.0%" in text
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    rows = list(load_workbook(output)["Report"].iter_rows(values_only=True))
    assert [r[0] for r in rows] == ["receiver_id", "a", "b"]
    assert rows[1][-1] == "no"


def test_csv_from_stdin_and_missing_results_exit_1(tmp_path: Path) -> None:
    job_file, results_file = write_inputs(tmp_path, complete=False)
    output = tmp_path / "report.csv"
    code, text = run(
        "-", "--job", job_file, "--format", "csv", "--output", output,
        stdin=results_file.read_text(),
    )  # fmt: skip
    assert code == 1 and "1 receiver(s) have no result yet" in text
    rows = list(csv.DictReader(output.open()))
    assert [r["status"] for r in rows] == ["completed", "no_result"]


def test_bad_inputs_exit_2_and_write_nothing(tmp_path: Path) -> None:
    job_file, results_file = write_inputs(tmp_path)
    lines = results_file.read_text().splitlines()
    ghost = lines[0].replace('"receiver_id":"a"', '"receiver_id":"ghost"')
    other = lines[0].replace('"job-7"', '"job-8"')
    results_file.write_text("\n".join([*lines, "oops", ghost, other]) + "\n")
    output = tmp_path / "report.json"
    code, text = run(results_file, "--job", job_file, "--format", "json", "--output", output)
    assert code == 2
    assert "results.jsonl line 3: not JSON" in text
    assert "receiver 'ghost' has results but is not in job 'job-7'" in text
    assert "job(s) 'job-8'" in text
    assert not output.exists()

    # Not a normalised job: read as a user's job file, whose errors are named.
    code, text = run(results_file, "--job", results_file, "--output", output)
    assert code == 2 and "is not a valid job" in text and "outbound validate" in text
    (tmp_path / "old.json").write_text('{"schema_version": 0, "source": "json"}')
    code, text = run(results_file, "--job", tmp_path / "old.json", "--output", output)
    assert code == 2 and "is not a normalised job" in text
    code, text = run(tmp_path / "absent.jsonl", "--job", job_file, "--output", output)
    assert code == 2 and "cannot read" in text
    code, text = run(results_file, "--job", job_file, "--output", tmp_path / "no" / "r.csv")
    assert code == 2 and "does not exist" in text


def test_json_report(tmp_path: Path) -> None:
    job_file, results_file = write_inputs(tmp_path)
    output = tmp_path / "report.json"
    code, _ = run(results_file, "--job", job_file, "--format", "json", "--output", output)
    assert code == 0
    data = json.loads(output.read_text())
    assert data["summary"]["counts"]["busy"] == 1
    assert data["receivers"][0]["phone_number"] == "+442079460001"


def test_help_has_an_example() -> None:
    code, text = run("--help")
    assert code == 0 and "callguard outbound report results.jsonl" in text
