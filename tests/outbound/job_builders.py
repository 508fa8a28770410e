"""Build job files for the tests: workbooks with openpyxl, CSV bundles, JSON (no binaries)."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl

CONFIG: list[list[Any]] = [
    ["Key", "Value"],
    ["greeting", "Hello {{ username }}, this is Example School."],
    ["ending", "Thank you, goodbye."],
    ["phone_prefix", "+852"],
]
QUESTIONS: list[list[Any]] = [
    ["question_template", "question_type"],
    ["Will you attend on {{ date }}?", "Yes/No"],
    ["Press 1 when ready.", "OK"],
]
RECEIVERS: list[list[Any]] = [
    ["id", "phone_number", "username", "date"],
    ["1", "91234567", "Chan Tai Man", "Friday"],
    ["2", "+85261234567", "Lee & Sons <Ltd>", "Monday"],
]


def write_workbook(
    path: Path,
    config: Sequence[Sequence[Any]] = CONFIG,
    questions: Sequence[Sequence[Any]] = QUESTIONS,
    receivers: Sequence[Sequence[Any]] = RECEIVERS,
    names: tuple[str, str, str] = ("Configures", "Questions", "Receivers"),
) -> Path:
    """Write a three-sheet workbook; returns ``path``."""
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for name, rows in zip(names, (config, questions, receivers), strict=True):
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


def write_csv_bundle(
    directory: Path,
    config: Sequence[Sequence[Any]] = CONFIG,
    questions: Sequence[Sequence[Any]] = QUESTIONS,
    receivers: Sequence[Sequence[Any]] = RECEIVERS,
) -> Path:
    """Write configuration.csv, questions.csv and receivers.csv into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in (
        ("configuration", config),
        ("questions", questions),
        ("receivers", receivers),
    ):
        with (directory / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
    return directory


def job_json(
    config: Sequence[Sequence[Any]] = CONFIG,
    questions: Sequence[Sequence[Any]] = QUESTIONS,
    receivers: Sequence[Sequence[Any]] = RECEIVERS,
    job_id: str | None = None,
) -> dict[str, Any]:
    """The versioned JSON job for the same rows."""
    data: dict[str, Any] = {"schema_version": 1}
    if job_id is not None:
        data["id"] = job_id
    data["configuration"] = {k: v for k, v in config[1:]}
    data["questions"] = [{"template": t, "type": k} for t, k in questions[1:]]
    header = list(receivers[0])
    data["receivers"] = [dict(zip(header, row, strict=True)) for row in receivers[1:]]
    return data


def callouts_json(
    task_id: str,
    config: Sequence[Sequence[Any]] = CONFIG,
    questions: Sequence[Sequence[Any]] = QUESTIONS,
    receivers: Sequence[Sequence[Any]] = RECEIVERS,
) -> dict[str, Any]:
    """The original Callouts message for the same rows."""
    data: dict[str, Any] = {"task_id": task_id, **{k: v for k, v in config[1:]}}
    data["questions"] = [{"question_template": t, "question_type": k} for t, k in questions[1:]]
    header = list(receivers[0])
    data["receivers"] = [dict(zip(header, row, strict=True)) for row in receivers[1:]]
    return data


def write_json(path: Path, data: object) -> Path:
    """Write ``data`` as JSON at ``path``."""
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
