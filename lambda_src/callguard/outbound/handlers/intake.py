"""Lambda entry point of intake: an upload or a job message in, one started job out.

Two ways in reach this one function: an S3 ``ObjectCreated`` notification for an
upload to the jobs bucket, and an SQS message on the FIFO job queue (the body is
the job document, as other systems send it). Each is read with the job readers
(:func:`_default_loader`):

* invalid -> the problems are written as JSON next to the upload
  (``<key>.errors.json``; for a message, ``errors/<job id>.json`` in the work
  bucket) and published to the completion topic; nothing is started;
* valid -> the normalised job is written to the work bucket (``jobs/<id>/job.json``
  and its receivers as JSON Lines, see :mod:`callguard.outbound.layout`) and a state machine
  execution is started *named by the job id*, which is derived from the upload
  (bucket, key and version or ETag; a message's content), so the same upload
  delivered twice starts one job: ``ExecutionAlreadyExists`` is success.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import logging
import os
import tempfile
import urllib.parse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final, Protocol

from botocore.exceptions import ClientError

from callguard.logs import log_invocation, set_level
from callguard.outbound import layout, model
from callguard.outbound.handlers import clients, orchestration
from callguard.store.errors import error_code

#: Suffix of the errors file written next to an invalid upload.
ERRORS_SUFFIX: Final = ".errors.json"


class ProblemLike(Protocol):
    """What intake needs of a validation problem."""

    @property
    def is_error(self) -> bool:
        """True when the problem makes the job invalid."""

    def to_dict(self) -> dict[str, str]:
        """``{"location", "code", "message"}``."""


#: Reads an upload: (body, file name, job id) -> the job, or its problems.
Loader = Callable[[bytes, str, str], "model.Job | Sequence[ProblemLike]"]


def _default_loader(body: bytes, name: str, job_id: str) -> model.Job | Sequence[ProblemLike]:
    """Read the upload with the job readers (``callguard.outbound.load.load_job``).

    The readers take a file (its suffix says the format), so the body is written to
    a private temporary directory under the upload's own name first. The job gets
    the id derived from the upload, whatever id the file carries.
    """
    # Looked up by name: the readers are a separate part of the package.
    readers: Any = importlib.import_module("callguard.outbound.load")
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / (Path(name).name or "job.json")
        path.write_bytes(body)
        job, problems = readers.load_job(path)
    if job is None or any(problem.is_error for problem in problems):
        found: Sequence[ProblemLike] = problems
        return found
    loaded: model.Job = dataclasses.replace(job, id=job_id)
    return loaded


#: The loader in use (the job readers; tests may bind another).
LOADER: Loader = _default_loader


def job_id_for(*parts: str) -> str:
    """Derive a job id (and execution name: 80 characters of ``[A-Za-z0-9-_]``) from the upload."""
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()
    return f"job-{digest[:32]}"


def start_job(config: orchestration.OrchestrationSettings, job: model.Job) -> bool:
    """Store the normalised job and start its execution; ``False`` if it was started already."""
    key = orchestration.store_job(config, job)
    try:
        clients.sfn_client().start_execution(
            stateMachineArn=config.state_machine_arn,
            name=job.id,
            input=json.dumps({"job_id": job.id, "job_key": key, "round": 0}),
        )
    except ClientError as error:
        if error_code(error) == "ExecutionAlreadyExists":
            return False
        raise
    return True


def _refuse(
    config: orchestration.OrchestrationSettings,
    job_id: str,
    bucket: str,
    key: str,
    problems: Sequence[ProblemLike],
) -> None:
    errors = [p.to_dict() for p in problems if p.is_error]
    document = {
        "job_id": job_id,
        "valid": False,
        "errors": errors,
        "warnings": [p.to_dict() for p in problems if not p.is_error],
    }
    orchestration.put_json(bucket, key, document)
    orchestration.sns_client().publish(
        TopicArn=config.topic_arn,
        Subject=f"callguard outbound job {job_id} refused"[:100],
        Message=json.dumps(
            {
                "job_id": job_id,
                "valid": False,
                "errors": len(errors),
                "details": f"s3://{bucket}/{key}",
            },
            separators=(",", ":"),
        ),
    )


def take(
    config: orchestration.OrchestrationSettings,
    body: bytes,
    name: str,
    job_id: str,
    errors_at: tuple[str, str],
) -> str:
    """Validate and start one job; return ``started``, ``already_started`` or ``invalid``."""
    loaded = LOADER(body, name, job_id)
    if not isinstance(loaded, model.Job):
        _refuse(config, job_id, errors_at[0], errors_at[1], loaded)
        return "invalid"
    return "started" if start_job(config, loaded) else "already_started"


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Take every upload or job message of the event; answer what became of each."""
    del context
    set_level(os.environ.get("CALLGUARD_LOG_LEVEL", "INFO"))
    config = orchestration.settings()
    outcomes: dict[str, str] = {}
    for record in event.get("Records", []):
        if record.get("eventSource") == "aws:sqs":
            body = str(record.get("body", "")).encode()
            job_id = job_id_for("message", hashlib.sha256(body).hexdigest())
            errors_at = (config.work_bucket, layout.errors_key(job_id))
            name = "message.json"
        else:
            s3 = record["s3"]
            bucket = s3["bucket"]["name"]
            key = urllib.parse.unquote_plus(s3["object"]["key"])
            if key.endswith(ERRORS_SUFFIX):
                continue  # our own errors file
            version = s3["object"].get("versionId") or s3["object"].get("eTag", "")
            job_id = job_id_for("upload", bucket, key, version)
            body = orchestration.s3_client().get_object(Bucket=bucket, Key=key)["Body"].read()
            errors_at = (bucket, key + ERRORS_SUFFIX)
            name = key.rsplit("/", 1)[-1]
        outcomes[job_id] = take(config, body, name, job_id, errors_at)
        log_invocation(
            logging.INFO, {"event": "job_intake", "job_id": job_id, "outcome": outcomes[job_id]}
        )
    return {"jobs": outcomes}
