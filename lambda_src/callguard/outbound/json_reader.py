"""Read a job from JSON: the versioned job format, or the original Callouts message as-is.

The versioned format (``schema_version: 1``; JSON Schema in ``job.schema.json`` beside
this module)::

    {"schema_version": 1, "id": "reminders",
     "configuration": {"greeting": "Hello {{ name }}", "phone_prefix": "+852"},
     "questions": [{"template": "Can you come?", "type": "Yes/No"}],
     "receivers": [{"id": "1", "phone_number": "+85291234567", "name": "Chan"}]}

The Callouts message has the configuration at the top level (``task_id``,
``greeting``, ``ending``, ``phone_prefix``) and questions as ``question_template`` /
``question_type``. Both become the same cells as a workbook, located by JSON path
(``$.receivers[3].phone_number``), and go through the same assembler.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from callguard.outbound.limits import Limits
from callguard.outbound.model import SCHEMA_VERSION
from callguard.outbound.problems import Problem, UnreadableJobError, error
from callguard.outbound.tables import Cell, RawJob, Table, cell_text, checked

SCHEMA_FILE: Final = Path(__file__).with_name("job.schema.json")
_CALLOUTS_CONFIG: Final = ("task_id", "greeting", "ending", "phone_prefix")


def read_json(path: Path, limits: Limits) -> tuple[RawJob, list[Problem]]:
    """Read a JSON job file (either format)."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise UnreadableJobError(
            error(path.name, "file_too_large", f"the file is {size:,} bytes, over the limit")
        )
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise UnreadableJobError(
            error(path.name, "file_json", f"the file is not valid JSON ({exc})")
        ) from None
    return parse_json(data, path.stem, limits)


def parse_json(data: object, default_id: str, limits: Limits) -> tuple[RawJob, list[Problem]]:
    """Turn decoded JSON into cells; the format is told by ``schema_version``."""
    if not isinstance(data, dict):
        raise UnreadableJobError(
            error("$", "file_json", "a job is a JSON object, with receivers and questions")
        )
    problems: list[Problem] = []
    if "schema_version" in data:
        if data["schema_version"] != SCHEMA_VERSION:
            raise UnreadableJobError(
                error(
                    "$.schema_version",
                    "file_json",
                    f"schema_version {data['schema_version']!r} is not supported; use "
                    f"{SCHEMA_VERSION}",
                )
            )
        raw = RawJob(source="json", default_id=default_id)
        _unknown(
            data, {"schema_version", "id", "configuration", "questions", "receivers"}, "$", problems
        )
        if "id" in data:
            raw.config.append(
                (Cell("job_id", "$.id"), _value(data["id"], "$.id", limits, problems))
            )
        config = data.get("configuration", {})
        if not isinstance(config, dict):
            problems.append(error("$.configuration", "json_type", "configuration is an object"))
            config = {}
        for key, value in config.items():
            where = f"$.configuration.{key}"
            raw.config.append((Cell(str(key), where), _value(value, where, limits, problems)))
        names = ("template", "type")
    else:
        raw = RawJob(source="callouts", default_id=default_id)
        for key in _CALLOUTS_CONFIG:
            if key in data:
                where = f"$.{key}"
                raw.config.append((Cell(key, where), _value(data[key], where, limits, problems)))
        names = ("question_template", "question_type")
    raw.questions = _objects(data.get("questions", []), "questions", names, limits, problems)
    if "receivers" not in data:
        problems.append(error("$", "json_missing", "the job has no receivers list"))
    raw.receivers = _objects(
        data.get("receivers", []), "receivers", ("id", "phone_number"), limits, problems
    )
    return raw, problems


def _unknown(data: dict[str, Any], known: set[str], where: str, problems: list[Problem]) -> None:
    for key in data:
        if key not in known:
            problems.append(
                error(f"{where}.{key}", "json_unknown", f"unknown key {key!r}; remove it")
            )


def _value(value: object, where: str, limits: Limits, problems: list[Problem]) -> Cell:
    if isinstance(value, dict | list):
        problems.append(
            error(where, "json_type", "must be text or a number, not an object or a list")
        )
        return Cell("", where)
    text, numeric = cell_text(value)
    return checked(Cell(text, where, numeric), limits, problems)


def _objects(
    items: object,
    name: str,
    required: tuple[str, ...],
    limits: Limits,
    problems: list[Problem],
) -> Table:
    """Read a list of flat objects as a table: header = keys in order of first appearance."""
    table = Table(name=name, location=f"$.{name}")
    if not isinstance(items, list):
        problems.append(error(f"$.{name}", "json_type", f"{name} must be a list"))
        return table
    if len(items) > limits.max_rows:
        problems.append(
            error(f"$.{name}", "too_many_rows", f"more than {limits.max_rows:,} {name}; split it")
        )
        items = items[: limits.max_rows]
    keys: list[str] = list(required)
    for item in items:
        if isinstance(item, dict):
            for key in item:
                if str(key) not in keys and len(keys) < limits.max_columns:
                    keys.append(str(key))
    table.header = [Cell(k, f"$.{name}[0].{k}") for k in keys]
    for index, item in enumerate(items):
        where = f"$.{name}[{index}]"
        if not isinstance(item, dict):
            problems.append(error(where, "json_type", "each item must be an object"))
            continue
        table.rows.append(
            [
                _value(item.get(key), f"{where}.{key}", limits, problems)
                if key in item
                else Cell("", f"{where}.{key}")
                for key in keys
            ]
        )
    return table
