"""One job, four ways in (workbook, CSV bundle, versioned JSON, Callouts message): one model."""

from __future__ import annotations

import dataclasses
import json
import zipfile
from pathlib import Path

import jsonschema
from job_builders import callouts_json, job_json, write_csv_bundle, write_json, write_workbook

from callguard.outbound import model
from callguard.outbound.json_reader import SCHEMA_FILE
from callguard.outbound.load import load_job


def _comparable(job: model.Job | None) -> dict[str, object]:
    assert job is not None
    data = model.to_dict(dataclasses.replace(job, source="any", id="same"))
    return data


def test_workbook_csv_json_and_callouts_give_the_same_model(tmp_path: Path) -> None:
    jobs = []
    for path in (
        write_workbook(tmp_path / "job.xlsx"),
        write_csv_bundle(tmp_path / "bundle"),
        write_json(tmp_path / "job.json", job_json()),
        write_json(tmp_path / "callouts.json", callouts_json("job")),
    ):
        job, problems = load_job(path)
        assert not [p for p in problems if p.is_error], problems
        jobs.append(job)
    first = _comparable(jobs[0])
    for other in jobs[1:]:
        assert _comparable(other) == first
    assert [j.source for j in jobs if j] == ["xlsx", "csv", "json", "callouts"]
    assert jobs[0] is not None and jobs[0].receivers[0].phone == "+85291234567"


def test_a_zipped_csv_bundle_reads_like_the_directory(tmp_path: Path) -> None:
    bundle = write_csv_bundle(tmp_path / "bundle")
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for name in ("configuration.csv", "questions.csv", "receivers.csv"):
            out.write(bundle / name, name)
    from_dir, _ = load_job(bundle)
    from_zip, problems = load_job(archive)
    assert not [p for p in problems if p.is_error]
    assert _comparable(from_zip) == _comparable(from_dir)


def test_the_normalised_form_round_trips(tmp_path: Path) -> None:
    job, _ = load_job(write_workbook(tmp_path / "job.xlsx"))
    assert job is not None
    again = model.from_dict(json.loads(json.dumps(model.to_dict(job))))
    assert model.to_dict(again) == model.to_dict(job)


def test_the_shipped_schema_accepts_the_json_job_and_rejects_a_wrong_one() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(job_json(job_id="x"), schema)
    bad = job_json()
    bad["receivers"][0] = {"phone_number": "+85291234567"}  # no id
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(bad))
    assert errors


def test_sheet_names_match_case_insensitively(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "j.xlsx", names=("CONFIGURATION", "questions", "ReCeIvErS"))
    job, problems = load_job(path)
    assert job is not None and not [p for p in problems if p.is_error]
