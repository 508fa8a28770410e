"""Settings and shared pieces of the orchestration functions (intake, plan, record, report, cancel).

Every setting is a ``CALLGUARD_OUTBOUND_*`` environment variable set by Terraform;
all problems are reported at once. Clients come from :mod:`.clients` (one per
container, tight timeouts).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from callguard.outbound import layout, model
from callguard.outbound.contact_cap_store import ContactCapStore
from callguard.outbound.handlers import clients
from callguard.outbound.handlers.clients import OutboundConfigError
from callguard.outbound.job_results import JobResults

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient


@dataclass(frozen=True, slots=True)
class OrchestrationSettings:
    """Names of the job's resources and the pacing the planner assumes."""

    results_table: str
    work_bucket: str
    deny_table: str
    topic_arn: str
    state_machine_arn: str = ""
    reports_bucket: str = ""
    cap_table: str = ""
    calls_per_second: float = 1.0
    source_phone_number: str = ""


_REQUIRED = {
    "results_table": "CALLGUARD_OUTBOUND_RESULTS_TABLE",
    "work_bucket": "CALLGUARD_OUTBOUND_WORK_BUCKET",
    "deny_table": "CALLGUARD_TABLE",
    "topic_arn": "CALLGUARD_OUTBOUND_TOPIC_ARN",
}


@lru_cache(maxsize=4)
def _settings(items: tuple[tuple[str, str], ...]) -> OrchestrationSettings:
    env = dict(items)
    problems = [f"{name} is required" for name in _REQUIRED.values() if not env.get(name)]
    raw_rate = env.get("CALLGUARD_OUTBOUND_CALLS_PER_SECOND", "1") or "1"
    try:
        rate = float(raw_rate)
    except ValueError:
        rate = 0.0
    if not 0 < rate <= 100:
        problems.append(f"CALLGUARD_OUTBOUND_CALLS_PER_SECOND={raw_rate!r} must be within 0..100")
    if problems:
        raise OutboundConfigError("; ".join(problems))
    return OrchestrationSettings(
        **{key: env[name].strip() for key, name in _REQUIRED.items()},
        state_machine_arn=env.get("CALLGUARD_OUTBOUND_STATE_MACHINE_ARN", "").strip(),
        reports_bucket=env.get("CALLGUARD_OUTBOUND_REPORTS_BUCKET", "").strip(),
        cap_table=env.get("CALLGUARD_OUTBOUND_CAP_TABLE", "").strip(),
        calls_per_second=rate,
        source_phone_number=env.get("CALLGUARD_OUTBOUND_SOURCE_PHONE_NUMBER", "").strip(),
    )


def settings(environ: Mapping[str, str] | None = None) -> OrchestrationSettings:
    """Read and validate the orchestration settings (cached per distinct environment)."""
    env = os.environ if environ is None else environ
    return _settings(tuple(sorted((k, v) for k, v in env.items() if k.startswith("CALLGUARD_"))))


def s3_client() -> Any:  # no S3 type stubs in the pinned dev set
    """Return the container's S3 client."""
    return clients._client("s3", clients._config())


def sns_client() -> SNSClient:
    """Return the container's SNS client."""
    return cast("SNSClient", clients._client("sns", clients._config()))


def results(config: OrchestrationSettings) -> JobResults:
    """Return the results table."""
    return JobResults(clients.dynamodb_client(), config.results_table)


job_key = layout.job_key
round_key = layout.round_key


def store_job(config: OrchestrationSettings, job: model.Job) -> str:
    """Write the normalised job as :mod:`callguard.outbound.layout` lays it out; return its key."""
    for key, body in layout.encode_job(job).items():
        content_type = "application/x-ndjson" if key.endswith(".jsonl") else "application/json"
        s3_client().put_object(
            Bucket=config.work_bucket, Key=key, Body=body, ContentType=content_type
        )
    return layout.job_key(job.id)


def load_job(config: OrchestrationSettings, key: str) -> model.Job:
    """Read the normalised job intake wrote (its document at ``key`` and its receivers file)."""
    s3 = s3_client()
    document = json.loads(s3.get_object(Bucket=config.work_bucket, Key=key)["Body"].read())
    receivers_key = layout.receivers_key(str(document["id"]))
    lines = s3.get_object(Bucket=config.work_bucket, Key=receivers_key)["Body"].read()
    return layout.decode_job(document, lines.decode("utf-8"))


def put_json(bucket: str, key: str, document: Any) -> None:
    """Write ``document`` as JSON (encrypted with the bucket's default key)."""
    s3_client().put_object(
        Bucket=bucket,
        Key=key,
        Body=json.dumps(document, separators=(",", ":")).encode(),
        ContentType="application/json",
    )


class CapReservations:
    """The contact cap on the contact-cap table."""

    def __init__(self, table_name: str) -> None:
        self.store = ContactCapStore(clients.dynamodb_client(), table_name)

    def reserve(self, number: str, key: str, max_calls: int, period_seconds: float) -> bool:
        """Count one contact of ``number`` for ``key`` unless over the cap."""
        decision = self.store.try_record(
            number, max_calls=max_calls, period_seconds=period_seconds, attempt_key=key
        )
        return decision.allowed
