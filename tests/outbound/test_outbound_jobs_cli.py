"""``callguard outbound submit|status|cancel|download|list`` against in-process moto."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner, Result
from moto import mock_aws

from callguard.outbound import layout
from callguard.outbound.handlers.intake import job_id_for
from callguard.outbound.job_results import JobResults
from callguard_tools.cli import main
from callguard_tools.outbound.sample import write_sample
from callguard_tools.outbound_sim.tables import create_results_table, create_token_table

UPLOADS, WORK, REPORTS = "cg-uploads", "cg-work", "cg-reports"
RESULTS, TOKENS = "cg-results", "cg-tokens"
JOB = "job-0123456789abcdef0123456789abcdef"
PASS_MACHINE = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Buckets, tables and a state machine with one execution named after ``JOB``."""
    with mock_aws():
        s3 = boto3.client("s3")
        for bucket in (UPLOADS, WORK, REPORTS):
            s3.create_bucket(
                Bucket=bucket,
                CreateBucketConfiguration={"LocationConstraint": s3.meta.region_name},
            )
        s3.put_bucket_versioning(Bucket=UPLOADS, VersioningConfiguration={"Status": "Enabled"})
        dynamodb = boto3.client("dynamodb")
        create_results_table(dynamodb, RESULTS)
        create_token_table(dynamodb, TOKENS)
        sfn = boto3.client("stepfunctions")
        machine = sfn.create_state_machine(
            name="cg-jobs",
            definition=PASS_MACHINE,
            roleArn="arn:aws:iam::123456789012:role/cg-jobs",
        )["stateMachineArn"]
        sfn.start_execution(stateMachineArn=machine, name=JOB, input="{}")
        env = {
            "CALLGUARD_OUTBOUND_UPLOADS_BUCKET": UPLOADS,
            "CALLGUARD_OUTBOUND_WORK_BUCKET": WORK,
            "CALLGUARD_OUTBOUND_REPORTS_BUCKET": REPORTS,
            "CALLGUARD_OUTBOUND_RESULTS_TABLE": RESULTS,
            "CALLGUARD_OUTBOUND_TOKEN_TABLE": TOKENS,
            "CALLGUARD_OUTBOUND_STATE_MACHINE_ARN": machine,
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield {"s3": s3, "dynamodb": dynamodb, "sfn": sfn, "machine": machine}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["outbound", *args])


def test_submit_uploads_a_valid_job_and_prints_the_id_intake_will_use(
    aws: dict[str, Any], tmp_path: Path
) -> None:
    job_file = tmp_path / "reminders.xlsx"
    write_sample(job_file)
    result = run("submit", str(job_file))
    assert result.exit_code == 0, result.output
    listed = aws["s3"].list_object_versions(Bucket=UPLOADS, Prefix="uploads/")["Versions"]
    assert [v["Key"] for v in listed] == ["uploads/reminders.xlsx"]
    expected = job_id_for("upload", UPLOADS, "uploads/reminders.xlsx", listed[0]["VersionId"])
    assert result.output.strip().splitlines()[-1] == expected


def test_submit_refuses_an_invalid_job_and_uploads_nothing(
    aws: dict[str, Any], tmp_path: Path
) -> None:
    job_file = tmp_path / "broken.json"
    job_file.write_text(json.dumps({"task_id": "t", "questions": [], "receivers": []}))
    result = run("submit", str(job_file))
    assert result.exit_code == 1
    assert "nothing was uploaded" in result.output
    assert "Contents" not in aws["s3"].list_objects_v2(Bucket=UPLOADS)


def test_a_missing_setting_names_option_variable_and_output(
    aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CALLGUARD_OUTBOUND_UPLOADS_BUCKET")
    job_file = tmp_path / "reminders.xlsx"
    write_sample(job_file)
    result = run("submit", str(job_file))
    assert result.exit_code == 2
    names = ("--uploads-bucket", "CALLGUARD_OUTBOUND_UPLOADS_BUCKET", "outbound_uploads_bucket")
    assert all(name in result.output for name in names)


def _results(aws: dict[str, Any]) -> JobResults:
    return JobResults(aws["dynamodb"], RESULTS)


def test_status_counts_done_in_progress_and_waiting_without_numbers(aws: dict[str, Any]) -> None:
    lines = [json.dumps({"id": f"r{i}", "phone": f"+4420794600{i:02d}"}) for i in range(4)]
    aws["s3"].put_object(Bucket=WORK, Key=layout.receivers_key(JOB), Body="\n".join(lines))
    results = _results(aws)
    results.issue(JOB, "r0", 1)
    results.finish(JOB, "r1", "do_not_call")
    results.finish(JOB, "r2", "failed", error="DestinationNotAllowedException")
    result = run("status", JOB, "--format", "json")
    assert result.exit_code == 0, result.output
    progress = json.loads(result.output)
    assert progress["receivers"] == 4
    assert progress["done"] == 2
    assert progress["failed"] == 1
    assert progress["in_progress"] == 1
    assert progress["waiting"] == 1
    assert progress["statuses"] == {"do_not_call": 1, "failed": 1}
    text = run("status", JOB)
    assert "2/4 done" in text.output
    assert "+44" not in text.output


def test_status_of_an_unknown_job_is_one_line_and_exit_1(aws: dict[str, Any]) -> None:
    result = run("status", "job-nosuch")
    assert result.exit_code == 1
    assert "no job job-nosuch" in result.output
    assert "Traceback" not in result.output


def test_cancel_marks_the_job_for_the_planner_and_the_dialer(aws: dict[str, Any]) -> None:
    result = run("cancel", JOB)
    assert result.exit_code == 0, result.output
    assert "0 waiting call(s)" in result.output
    assert _results(aws).is_cancelled(JOB)
    assert run("cancel", JOB).exit_code == 0  # twice is harmless


def test_download_waits_for_the_report_then_writes_it_privately(
    aws: dict[str, Any], tmp_path: Path
) -> None:
    output = tmp_path / "report.csv"
    early = run("download", JOB, "--format", "csv", "--output", str(output))
    assert early.exit_code == 1
    assert "no csv report yet" in early.output
    assert not output.exists()
    body = b"receiver_id,status\r\nr1,completed\r\n"
    aws["s3"].put_object(Bucket=REPORTS, Key=layout.report_key(JOB, "report.csv"), Body=body)
    done = run("download", JOB, "--format", "csv", "--output", str(output))
    assert done.exit_code == 0, done.output
    assert output.read_bytes() == body
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    again = run("download", JOB, "--format", "csv", "--output", str(output))
    assert again.exit_code == 2
    assert "--force" in again.output
    forced = run("download", JOB, "--format", "csv", "--output", str(output), "--force")
    assert forced.exit_code == 0


def test_list_shows_recent_jobs(aws: dict[str, Any]) -> None:
    result = run("list")
    assert result.exit_code == 0, result.output
    assert JOB in result.output


def test_a_bad_endpoint_is_one_line_and_exit_2(aws: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["--endpoint-url", "http://[::1", "outbound", "list"])
    assert result.exit_code == 2
    assert "--endpoint-url" in result.output
    assert "Traceback" not in result.output
