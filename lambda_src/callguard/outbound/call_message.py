"""The dial message: one call attempt as the state machine puts it on the dial queue.

The message is the contract between the state machine's Dial step and the dialer:
every field is checked and *all* problems are listed at once, and the task token is
kept even when the rest is unreadable, so the dialer can still end that attempt as
``failed`` instead of leaving its task waiting for the backstop timeout.
:meth:`CallAttempt.request` turns a valid attempt into the
``StartOutboundVoiceContact`` parameters, with the attempt's idempotency token.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from callguard.numbers import is_e164, mask
from callguard.outbound.client_token import client_token

#: Version of the dial message body this module reads.
MESSAGE_VERSION: Final = 1
#: Longest task token Step Functions issues.
MAX_TASK_TOKEN_LENGTH: Final = 2048
#: Contact attributes may hold at most this many UTF-8 bytes (keys and values) per contact.
MAX_ATTRIBUTE_BYTES: Final = 32_768
#: What the dialer itself spends of that budget at most (the rest belongs to the flow).
MAX_MESSAGE_ATTRIBUTE_BYTES: Final = 4_096
#: Ring timeout bounds of StartOutboundVoiceContact.
RING_TIMEOUT_RANGE: Final = (15, 60)


class InvalidMessageError(ValueError):
    """A dial message is not a valid attempt; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str], task_token: str | None) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.task_token = task_token


@dataclass(frozen=True, slots=True)
class CallAttempt:
    """One call attempt as the state machine sends it to the dial queue."""

    job_id: str
    receiver_id: str
    attempt: int
    destination: str
    instance_id: str
    contact_flow_id: str
    task_token: str
    source_phone_number: str | None = None
    queue_id: str | None = None
    attributes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    ring_timeout_seconds: int | None = None

    @property
    def client_token(self) -> str:
        """The attempt's idempotency token (same attempt, same token, same call)."""
        return client_token(self.job_id, self.receiver_id, self.attempt)

    def request(self) -> dict[str, Any]:
        """Return the ``StartOutboundVoiceContact`` parameters of this attempt."""
        attributes = {
            **dict(self.attributes),
            "callguard_job_id": self.job_id,
            "callguard_receiver_id": self.receiver_id,
            "callguard_attempt": str(self.attempt),
        }
        params: dict[str, Any] = {
            "DestinationPhoneNumber": self.destination,
            "ContactFlowId": self.contact_flow_id,
            "InstanceId": self.instance_id,
            "ClientToken": self.client_token,
            "Attributes": attributes,
        }
        if self.source_phone_number:
            params["SourcePhoneNumber"] = self.source_phone_number
        if self.queue_id:
            params["QueueId"] = self.queue_id
        if self.ring_timeout_seconds is not None:
            params["RingTimeoutInSeconds"] = self.ring_timeout_seconds
        return params


def _text(data: Mapping[str, Any], key: str, problems: list[str], *, limit: int = 256) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{key}: required text is missing")
        return ""
    if len(value) > limit:
        problems.append(f"{key}: longer than {limit} characters")
    return value


def parse_message(body: str) -> CallAttempt:
    """Read one dial message body (JSON); raise :class:`InvalidMessageError` listing all problems.

    The task token is kept on the error when it could be read, so the caller can
    still end that attempt as ``failed`` instead of leaving its task waiting.
    """
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        raise InvalidMessageError(["body: not JSON"], None) from None
    if not isinstance(data, dict):
        raise InvalidMessageError(["body: not a JSON object"], None)
    problems: list[str] = []
    token = data.get("task_token")
    task_token = (
        token if isinstance(token, str) and 0 < len(token) <= MAX_TASK_TOKEN_LENGTH else None
    )
    if task_token is None:
        problems.append(f"task_token: required, 1..{MAX_TASK_TOKEN_LENGTH} characters")
    if data.get("version") != MESSAGE_VERSION:
        problems.append(f"version: must be {MESSAGE_VERSION}, not {data.get('version')!r}")
    job_id = _text(data, "job_id", problems)
    receiver_id = _text(data, "receiver_id", problems)
    instance_id = _text(data, "instance_id", problems, limit=100)
    flow_id = _text(data, "contact_flow_id", problems, limit=500)
    attempt = data.get("attempt")
    if isinstance(attempt, bool) or not isinstance(attempt, int) or attempt < 1:
        problems.append(f"attempt: must be a whole number from 1, not {attempt!r}")
        attempt = 1
    destination = data.get("destination")
    if not isinstance(destination, str) or not is_e164(destination):
        problems.append(f"destination: not an E.164 number ({mask(destination)})")
        destination = ""
    source = data.get("source_phone_number") or None
    queue_id = data.get("queue_id") or None
    if source is None and queue_id is None:
        problems.append("source_phone_number or queue_id: one is required")
    if source is not None and not (isinstance(source, str) and is_e164(source)):
        problems.append(f"source_phone_number: not an E.164 number ({mask(source)})")
    if queue_id is not None and not isinstance(queue_id, str):
        problems.append("queue_id: must be text")
    attributes = _attributes(data, problems)
    ring = _ring_timeout(data, problems)
    if problems or task_token is None:
        raise InvalidMessageError(problems, task_token)
    return CallAttempt(
        job_id=job_id,
        receiver_id=receiver_id,
        attempt=attempt,
        destination=destination,
        instance_id=instance_id,
        contact_flow_id=flow_id,
        task_token=task_token,
        source_phone_number=source,
        queue_id=queue_id,
        attributes=MappingProxyType(dict(attributes)),
        ring_timeout_seconds=ring,
    )


def _attributes(data: Mapping[str, Any], problems: list[str]) -> dict[str, str]:
    attributes = data.get("attributes", {})
    if not isinstance(attributes, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in attributes.items()
    ):
        problems.append("attributes: must be an object of text values")
        return {}
    if _attribute_bytes(attributes) > MAX_MESSAGE_ATTRIBUTE_BYTES:
        problems.append(f"attributes: more than {MAX_MESSAGE_ATTRIBUTE_BYTES} bytes")
    return attributes


def _ring_timeout(data: Mapping[str, Any], problems: list[str]) -> int | None:
    ring = data.get("ring_timeout_seconds")
    low, high = RING_TIMEOUT_RANGE
    if ring is None:
        return None
    if isinstance(ring, bool) or not isinstance(ring, int) or not low <= ring <= high:
        problems.append(f"ring_timeout_seconds: must be {low}..{high}, not {ring!r}")
        return None
    return ring


def _attribute_bytes(attributes: Mapping[str, str]) -> int:
    return sum(len(k.encode()) + len(v.encode()) for k, v in attributes.items())
