"""Intake: uploads and job messages, invalid jobs refused, one execution per upload."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from pipeline_helpers import Problem, job_bytes, make_job, number, stand_in_loader

from callguard.outbound import model
from callguard.outbound.handlers import intake
from callguard_tools.outbound_sim.fake_connect import Script
from callguard_tools.outbound_sim.pipeline import offline_pipeline
from callguard_tools.outbound_sim.pipeline_config import JOBS_BUCKET, WORK_BUCKET


def test_invalid_upload_writes_errors_next_to_it_and_starts_nothing() -> None:
    body = json.dumps({"invalid": ["receivers!B7", "questions!A2"]}).encode()
    with stand_in_loader(), offline_pipeline() as pipeline:
        outcome = pipeline.upload("uploads/bad.xlsx", body)
        (job_id,) = outcome["jobs"]
        errors = json.loads(
            pipeline.s3.get_object(Bucket=JOBS_BUCKET, Key="uploads/bad.xlsx.errors.json")[
                "Body"
            ].read()
        )
        executions = pipeline.sfn.list_executions(stateMachineArn=pipeline.state_machine_arn)
        (note,) = pipeline.notifications_received()
    assert outcome["jobs"][job_id] == "invalid"
    assert [e["location"] for e in errors["errors"]] == ["receivers!B7", "questions!A2"]
    assert errors["valid"] is False
    assert executions["executions"] == []
    assert note == {
        "job_id": job_id,
        "valid": False,
        "errors": 2,
        "details": f"s3://{JOBS_BUCKET}/uploads/bad.xlsx.errors.json",
    }


def test_errors_file_does_not_trigger_intake_again() -> None:
    with stand_in_loader(), offline_pipeline():
        event = {
            "Records": [
                {
                    "eventSource": "aws:s3",
                    "s3": {
                        "bucket": {"name": JOBS_BUCKET},
                        "object": {"key": "uploads/bad.xlsx.errors.json", "eTag": "x"},
                    },
                }
            ]
        }
        assert intake.handler(event, None) == {"jobs": {}}


def test_job_message_starts_a_job_once_and_stores_the_normalised_job() -> None:
    job = make_job([("a", number(1)), ("b", number(2))])
    message = {
        "Records": [{"eventSource": "aws:sqs", "messageId": "m1", "body": job_bytes(job).decode()}]
    }
    with stand_in_loader(), offline_pipeline() as pipeline:
        first = intake.handler(message, None)
        (job_id,) = first["jobs"]
        stored = json.loads(
            pipeline.s3.get_object(Bucket=WORK_BUCKET, Key=f"jobs/{job_id}/job.json")["Body"].read()
        )
        receivers = (
            pipeline.s3.get_object(Bucket=WORK_BUCKET, Key=f"jobs/{job_id}/receivers.jsonl")["Body"]
            .read()
            .decode()
            .splitlines()
        )
        execution = pipeline.sfn.describe_execution(executionArn=pipeline.execution_arn(job_id))
        assert pipeline.run_until_done(job_id)["status"] == "SUCCEEDED"
    assert first["jobs"][job_id] == "started"
    assert [json.loads(line)["id"] for line in receivers] == ["a", "b"]
    assert "receivers" not in stored
    assert stored["id"] == job_id
    assert json.loads(execution["input"]) == {
        "job_id": job_id,
        "job_key": f"jobs/{job_id}/job.json",
        "round": 0,
    }


def test_job_id_depends_on_the_upload_only() -> None:
    one = intake.job_id_for("upload", "bucket", "k.xlsx", "etag-1")
    assert one == intake.job_id_for("upload", "bucket", "k.xlsx", "etag-1")
    assert one != intake.job_id_for("upload", "bucket", "k.xlsx", "etag-2")
    assert one != intake.job_id_for("upload", "bucket", "k.xls", "xetag-1")
    assert len(one) <= 80
    assert all(c.isalnum() or c in "-_" for c in one)


def test_default_loader_reads_the_upload_as_a_file_and_gives_it_the_upload_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, object] = {}
    job = make_job([("a", number(1))])

    def load_job(path: Path) -> tuple[object, list[object]]:
        seen["name"] = path.name
        seen["body"] = path.read_bytes()
        if path.name == "bad.xlsx":
            return None, [Problem("bad.xlsx", "not a zip", "file_not_zip")]
        return job, [Problem("receivers!C1", "unused column", "unused", is_error=False)]

    monkeypatch.setitem(sys.modules, "callguard.outbound.load", SimpleNamespace(load_job=load_job))
    loaded = intake._default_loader(b"workbook bytes", "uploads/ok.xlsx", "job-1")
    assert isinstance(loaded, model.Job)
    assert (loaded.id, loaded.receivers) == ("job-1", job.receivers)
    assert seen == {"name": "ok.xlsx", "body": b"workbook bytes"}
    refused = intake._default_loader(b"x", "bad.xlsx", "job-2")
    assert [p.to_dict()["code"] for p in refused] == ["file_not_zip"]


def _json_job(receivers: list[dict[str, str]]) -> bytes:
    return json.dumps(
        {
            "schema_version": 1,
            "id": "open-day",
            "configuration": {
                "greeting": "Hello {{ name }}",
                "window_start": "00:00",
                "window_end": "23:59",
                "weekdays": "Mon,Tue,Wed,Thu,Fri,Sat,Sun",
                "max_attempts": "1",
            },
            "questions": [{"template": "Will {{ name }} come?", "type": "Yes/No"}],
            "receivers": receivers,
        }
    ).encode()


def test_real_readers_a_json_job_is_called_and_reported() -> None:
    body = _json_job(
        [
            {"id": "s1", "phone_number": number(1), "name": "Chan"},
            {"id": "s2", "phone_number": number(2), "name": "Wong"},
        ]
    )
    answered = Script(answers=("yes",), ring_seconds=2, seconds_per_question=3)
    with offline_pipeline(default_script=answered) as pipeline:
        (job_id,) = pipeline.upload("uploads/open-day.json", body)["jobs"]
        status = pipeline.run_until_done(job_id)
        report = pipeline.report(job_id)
    assert status["status"] == "SUCCEEDED"
    assert [(r["receiver_id"], r["status"], r["answers"]) for r in report["results"]] == [
        ("s1", "completed", {"1": "yes"}),
        ("s2", "completed", {"1": "yes"}),
    ]
    assert report["results"][0]["columns"] == {"name": "Chan"}


def test_real_readers_an_invalid_job_is_refused_with_located_errors() -> None:
    body = _json_job([{"id": "s1", "phone_number": "12", "name": "Chan"}])
    with offline_pipeline() as pipeline:
        outcome = pipeline.upload("uploads/broken.json", body)
        errors = json.loads(
            pipeline.s3.get_object(Bucket=JOBS_BUCKET, Key="uploads/broken.json.errors.json")[
                "Body"
            ].read()
        )
        executions = pipeline.sfn.list_executions(stateMachineArn=pipeline.state_machine_arn)
    assert list(outcome["jobs"].values()) == ["invalid"]
    assert executions["executions"] == []
    assert any(e["location"].startswith("$.receivers[0]") for e in errors["errors"]), errors
