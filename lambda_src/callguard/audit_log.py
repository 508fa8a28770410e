"""Write audit events to their own CloudWatch Logs log group with ``PutLogEvents``.

Of the three audit modules this one *writes*: :mod:`callguard.audit` builds
the events and :mod:`callguard.handlers.audit` is the Lambda entry point.

Why not print them to the function's own log like every other line: a printed
line is shipped by Lambda after the invocation has already succeeded, so a lost
line could never be retried. ``PutLogEvents`` answers only once CloudWatch Logs
has accepted the events, so the audit function reports a stream record as done
only when its event is stored; otherwise Lambda retries it. The dedicated group
also holds nothing but audit events, with its own (long) retention.

Each Lambda container writes to one log stream of its own, created on first use.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Final

from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_logs.type_defs import InputLogEventTypeDef

#: PutLogEvents limits: 10,000 events and 1,048,576 bytes per call, where each
#: event counts its UTF-8 size plus 26 bytes. Kept well inside both.
MAX_EVENTS_PER_CALL: Final = 1000
MAX_BYTES_PER_CALL: Final = 900_000
EVENT_OVERHEAD_BYTES: Final = 26

_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str)


class AuditWriteError(Exception):
    """Writing stopped after ``written`` events; the rest must be retried."""

    def __init__(self, written: int, message: str) -> None:
        super().__init__(message)
        self.written = written


def encode(event: object) -> str:
    """Return ``event`` as one compact JSON line."""
    return _ENCODER.encode(event)


class AuditLog:
    """Appends JSON events to one log stream of the audit log group."""

    def __init__(self, client: CloudWatchLogsClient, group: str, stream: str | None = None) -> None:
        self.client = client
        self.group = group
        self.stream = stream or time.strftime("%Y/%m/%d/", time.gmtime()) + uuid.uuid4().hex
        self._stream_ready = False

    def write(self, messages: Sequence[str]) -> None:
        """Store ``messages`` in order; raise :class:`AuditWriteError` if any is not stored."""
        written = 0
        for chunk in _chunks(messages):
            try:
                self._put(chunk)
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                raise AuditWriteError(written, f"PutLogEvents failed: {code}") from error
            except BotoCoreError as error:  # unreachable endpoint, timeout
                raise AuditWriteError(
                    written, f"PutLogEvents failed: {type(error).__name__}"
                ) from error
            written += len(chunk)

    def _put(self, chunk: Sequence[str]) -> None:
        self._ensure_stream()
        now = int(time.time() * 1000)
        events: list[InputLogEventTypeDef] = [{"timestamp": now, "message": m} for m in chunk]
        try:
            response = self.client.put_log_events(
                logGroupName=self.group, logStreamName=self.stream, logEvents=events
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise
            self._stream_ready = False  # the stream was deleted under us: recreate once
            self._ensure_stream()
            response = self.client.put_log_events(
                logGroupName=self.group, logStreamName=self.stream, logEvents=events
            )
        rejected = response.get("rejectedLogEventsInfo")
        if rejected:
            raise ClientError(
                {"Error": {"Code": "RejectedLogEvents", "Message": str(rejected)}},
                "PutLogEvents",
            )

    def _ensure_stream(self) -> None:
        if self._stream_ready:
            return
        try:
            self.client.create_log_stream(logGroupName=self.group, logStreamName=self.stream)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ResourceAlreadyExistsException":
                raise
        self._stream_ready = True


def _chunks(messages: Sequence[str]) -> Iterator[list[str]]:
    """Split ``messages`` into PutLogEvents-sized batches, keeping their order."""
    chunk: list[str] = []
    size = 0
    for message in messages:
        cost = len(message.encode("utf-8")) + EVENT_OVERHEAD_BYTES
        if chunk and (len(chunk) >= MAX_EVENTS_PER_CALL or size + cost > MAX_BYTES_PER_CALL):
            yield chunk
            chunk, size = [], 0
        chunk.append(message)
        size += cost
    if chunk:
        yield chunk
