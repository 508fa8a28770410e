"""Lambda entry point of the dialer: an SQS event in, a partial batch response out.

The function's event source mapping must enable ``ReportBatchItemFailures``; the
function runs with reserved concurrency 1 so its token bucket paces every call.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any, Final

from callguard.logs import set_level
from callguard.outbound.dialer import Dialer
from callguard.outbound.handlers import clients
from callguard.outbound.pacing import TokenBucket
from callguard.outbound.task_tokens import TaskTokenStore

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

#: Seconds assumed left when the invocation has no context (local runs).
_NO_CONTEXT_SECONDS: Final = 30.0


class SqsRequeue:
    """Change a message's visibility timeout on the queue its event record came from."""

    def __init__(self, sqs: SQSClient) -> None:
        self.sqs = sqs
        self._urls: dict[str, str] = {}

    def queue_url(self, event_source_arn: str) -> str:
        """Return the queue URL of ``arn:aws:sqs:<region>:<account>:<name>`` (cached)."""
        url = self._urls.get(event_source_arn)
        if url is None:
            parts = event_source_arn.split(":")
            if len(parts) != 6 or parts[2] != "sqs":
                raise ValueError(f"not an SQS queue ARN: {event_source_arn!r}")
            url = self.sqs.get_queue_url(QueueName=parts[5], QueueOwnerAWSAccountId=parts[4])[
                "QueueUrl"
            ]
            self._urls[event_source_arn] = url
        return url

    def change_visibility(self, event_source_arn: str, receipt_handle: str, seconds: int) -> None:
        """Make the message visible again after ``seconds``."""
        self.sqs.change_message_visibility(
            QueueUrl=self.queue_url(event_source_arn),
            ReceiptHandle=receipt_handle,
            VisibilityTimeout=seconds,
        )


_lock = threading.Lock()
_dialer: Dialer | None = None


def _build() -> Dialer:
    global _dialer  # noqa: PLW0603 - one dialer (and one token bucket) per container
    with _lock:
        if _dialer is None:
            settings = clients.settings()
            sfn = clients.sfn_client()
            _dialer = Dialer(
                clients.connect_client(),
                TaskTokenStore(clients.dynamodb_client(), sfn, settings.token_table),
                sfn,
                SqsRequeue(clients.sqs_client()),
                bucket=TokenBucket(settings.calls_per_second, settings.burst),
                max_error_receives=settings.max_error_receives,
                backoff_cap=settings.backoff_cap_seconds,
                slots=clients.call_slots(settings),
                max_attempt_age=settings.max_attempt_age_seconds,
            )
        return _dialer


def reset() -> None:
    """Forget the container's dialer (tests change settings between cases)."""
    global _dialer  # noqa: PLW0603
    with _lock:
        _dialer = None


def handler(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """Place the calls of one SQS batch; return the messages to keep (``batchItemFailures``)."""
    set_level(os.environ.get("CALLGUARD_LOG_LEVEL", "INFO"))
    dialer = _build()

    def time_left() -> float:
        if context is None or not hasattr(context, "get_remaining_time_in_millis"):
            return _NO_CONTEXT_SECONDS
        return float(context.get_remaining_time_in_millis()) / 1000.0

    return dialer.handle(event, time_left).response()
