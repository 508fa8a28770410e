"""Record every change to the deny list: one audit event per DynamoDB stream record.

The Lambda entry point of the three audit modules (:mod:`callguard.audit` builds
events, :mod:`callguard.audit_log` writes them).

Invoked by the table's stream (event source mapping with ``ReportBatchItemFailures``,
bisect on error, bounded retries and an SQS on-failure destination). For each record,
in stream order, it builds the event (:mod:`callguard.audit`), hashes the number with
the KMS HMAC key (:mod:`callguard.keyed_hash`) and stores the events in the audit log
group (:mod:`callguard.audit_log`).

When something fails it answers with the first record that is not stored; Lambda
checkpoints before it and retries from it, so a record is never skipped. A retry may
store an event a second time; every event carries the stream's ``event_id``, and
readers (``callguard denylist history``) drop repeats.

Environment: ``CALLGUARD_AUDIT_LOG_GROUP`` (the audit log group's name),
``CALLGUARD_AUDIT_HASH_KEY`` (the HMAC key's ARN or alias), ``CALLGUARD_LOG_LEVEL``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, cast

import botocore.session
from botocore.config import Config

from callguard import settings
from callguard.audit import Hasher, build_event
from callguard.audit_log import AuditLog, AuditWriteError, encode
from callguard.keyed_hash import NumberHasher
from callguard.logs import log_invocation, set_level

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_logs import CloudWatchLogsClient

LOG_GROUP_VARIABLE: Final = "CALLGUARD_AUDIT_LOG_GROUP"
HASH_KEY_VARIABLE: Final = "CALLGUARD_AUDIT_HASH_KEY"

#: A stream consumer has no caller waiting, so its calls may take longer than the
#: check's, but a hung endpoint must still end well inside the function's timeout.
CLIENT_CONFIG: Final = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "total_max_attempts": 3},
)


class AuditConfigError(ValueError):
    """A required audit variable is missing (every missing one is named)."""


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """Where events go and which key hashes numbers."""

    log_group: str
    hash_key: str
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuditSettings:
        """Read the settings; raise :class:`AuditConfigError` naming every missing one."""
        reader = settings.Reader(environ)
        group = reader.raw(LOG_GROUP_VARIABLE)
        key = reader.raw(HASH_KEY_VARIABLE)
        missing = [
            name
            for name, value in ((LOG_GROUP_VARIABLE, group), (HASH_KEY_VARIABLE, key))
            if not value
        ]
        if missing:
            raise AuditConfigError("audit function misconfigured: set " + ", ".join(missing))
        level = reader.log_level()
        reader.check(AuditConfigError, "audit configuration")
        return cls(group, key, level)


@dataclass
class _Writer:
    settings: AuditSettings
    hasher: NumberHasher
    log: AuditLog


_lock = threading.Lock()
_writer: _Writer | None = None


def _writer_for(settings: AuditSettings) -> _Writer:
    """Return this container's clients and log stream (rebuilt if the settings change)."""
    global _writer  # noqa: PLW0603 - one writer (and log stream) per container
    with _lock:
        if _writer is None or _writer.settings != settings:
            session = botocore.session.get_session()
            kms = cast("KMSClient", session.create_client("kms", config=CLIENT_CONFIG))
            logs = cast("CloudWatchLogsClient", session.create_client("logs", config=CLIENT_CONFIG))
            _writer = _Writer(
                settings, NumberHasher(kms, settings.hash_key), AuditLog(logs, settings.log_group)
            )
        return _writer


def reset() -> None:
    """Forget the cached clients (tests switch endpoints between cases)."""
    global _writer  # noqa: PLW0603
    with _lock:
        _writer = None


def handler(event: object, context: object) -> dict[str, list[dict[str, str]]]:
    """Lambda entry point for the stream: returns the records to retry (at most one)."""
    started = time.perf_counter()
    records = _records(event)
    fields: dict[str, object] = {"handler": "audit", "records": len(records)}
    level = logging.INFO
    try:
        settings = AuditSettings.from_env()
        set_level(settings.log_level)
        writer = _writer_for(settings)
        failed_at = store_events(records, writer.hasher, writer.log, fields)
    except Exception as error:  # nothing stored: retry the whole batch
        fields["error"] = type(error).__name__
        failed_at = 0
    if failed_at is not None and records:
        level = logging.ERROR
    failed = 0 if failed_at is None else len(records) - failed_at
    fields.update(
        written=len(records) - failed,
        failed=failed,
        duration_ms=round((time.perf_counter() - started) * 1000, 3),
    )
    with contextlib.suppress(Exception):
        log_invocation(level, fields)
    if failed_at is None or not records:
        return {"batchItemFailures": []}
    return {"batchItemFailures": [{"itemIdentifier": _sequence_number(records[failed_at])}]}


def store_events(
    records: Sequence[Mapping[str, Any]],
    hasher: Hasher,
    log: AuditLog,
    fields: dict[str, object],
) -> int | None:
    """Store the events of ``records`` in order; return the index of the first one not stored.

    ``None`` means every record is stored. Shared with ``callguard denylist
    audit-replay``, which records batches the function gave up on the same way.
    ``fields`` receives the error type of a failure (for the summary line).
    """
    messages: list[str] = []
    failed_at: int | None = None
    for index, record in enumerate(records):
        try:
            messages.append(encode(build_event(record, hasher)))
        except Exception as error:  # KMS failed for this record: stop here, keep order
            fields["error"] = type(error).__name__
            failed_at = index
            break
    try:
        log.write(messages)
    except AuditWriteError as error:
        fields["error"] = f"{type(error).__name__}: {error}"
        return error.written
    return failed_at


def _records(event: object) -> list[Mapping[str, Any]]:
    raw = event.get("Records") if isinstance(event, Mapping) else None
    if not isinstance(raw, list):
        return []
    return [r if isinstance(r, Mapping) else {} for r in raw]


def _sequence_number(record: Mapping[str, Any]) -> str:
    stream = record.get("dynamodb")
    value = stream.get("SequenceNumber") if isinstance(stream, Mapping) else None
    return value if isinstance(value, str) else ""
