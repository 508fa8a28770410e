"""Where an outbound job lives in the work bucket: one definition for its writer and readers.

Intake writes a valid job as two objects under ``jobs/<id>/``: ``job.json`` (the
normalised job without its receivers) and ``receivers.jsonl`` (one receiver per line,
written first, so a job document is never visible without its receivers). The plan and
report steps and the in-call functions read both through :func:`decode_job`. The
planner writes each round's Map items as a JSON array under ``rounds/`` (the
Distributed Map reads arrays; moto's interpreter refuses JSON Lines item readers).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from callguard.outbound import model


def job_key(job_id: str) -> str:
    """Return the key of the normalised job document (everything but the receivers)."""
    return f"jobs/{job_id}/job.json"


def receivers_key(job_id: str) -> str:
    """Return the key of the job's receivers, one JSON object a line."""
    return f"jobs/{job_id}/receivers.jsonl"


def round_key(job_id: str, round_number: int) -> str:
    """Return the key of a round's Map items (a JSON array)."""
    return f"jobs/{job_id}/rounds/{round_number:04d}.json"


def report_key(job_id: str, name: str) -> str:
    """Return the key of one of the job's report files (``report.xlsx``, ``results.json``...)."""
    return f"reports/{job_id}/{name}"


def errors_key(job_id: str) -> str:
    """Return the key of the problems of a refused job message."""
    return f"errors/{job_id}.json"


def encode_job(job: model.Job) -> dict[str, bytes]:
    """Return the objects to store for ``job`` by key, receivers file first."""
    document = model.to_dict(job)
    receivers = document.pop("receivers")
    lines = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in receivers)
    return {
        receivers_key(job.id): lines.encode(),
        job_key(job.id): json.dumps(document, separators=(",", ":")).encode(),
    }


def decode_job(document: Mapping[str, Any], receivers_jsonl: str) -> model.Job:
    """Rebuild the job from its stored document and receivers file.

    A line that is not a JSON object raises ``ValueError`` naming its line number:
    a receiver is never dropped silently.
    """
    receivers: list[dict[str, Any]] = []
    for number, line in enumerate(receivers_jsonl.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"receivers file line {number}: {error.msg}") from error
        if not isinstance(item, dict):
            raise ValueError(f"receivers file line {number}: not a JSON object")
        receivers.append(item)
    return model.from_dict({**document, "receivers": receivers})
