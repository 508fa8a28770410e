"""An SQS queue and Lambda poller on simulated time, for driving the dialer offline.

moto's SQS keeps visibility timeouts in real seconds, so a test of backoff would
wait for real. This queue keeps SQS's semantics that the dialer relies on (a
received message is hidden for the visibility timeout, ``ApproximateReceiveCount``
grows per receive, ``ChangeMessageVisibility`` by receipt handle, Lambda deletes
the records not listed in ``batchItemFailures``) on a :class:`~.fake_connect.SimClock`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from callguard_tools.outbound_sim.fake_connect import FakeConnect, SimClock

#: Queue ARN of the simulated dial queue.
QUEUE_ARN: Final = "arn:aws:sqs:eu-west-2:123456789012:callguard-dial"
#: A Lambda SQS handler: the event and a "seconds left" callable in, the batch response out.
BatchHandler = Callable[[dict[str, Any], Callable[[], float]], Mapping[str, Any]]


@dataclass(slots=True)
class SimMessage:
    """One message and its delivery state."""

    message_id: str
    body: str
    visible_at: float
    sent_at: float = 0.0
    receive_count: int = 0
    receipt_handle: str = ""
    deleted: bool = False


class SimQueue:
    """A standard SQS queue on simulated time."""

    def __init__(self, clock: SimClock, *, visibility_timeout: int = 30) -> None:
        self.clock = clock
        self.visibility_timeout = visibility_timeout
        self.messages: dict[str, SimMessage] = {}
        self._handles: dict[str, str] = {}
        self._sequence = 0
        self.receives = 0

    def send(self, body: str) -> str:
        """Enqueue ``body``; return its message id."""
        self._sequence += 1
        message_id = f"msg-{self._sequence:05d}"
        now = self.clock()
        self.messages[message_id] = SimMessage(message_id, body, visible_at=now, sent_at=now)
        return message_id

    @property
    def pending(self) -> int:
        """Messages not yet deleted."""
        return sum(1 for m in self.messages.values() if not m.deleted)

    def receive(self, max_messages: int = 10) -> list[dict[str, Any]]:
        """Receive up to ``max_messages`` visible messages as Lambda SQS event records."""
        now = self.clock()
        records: list[dict[str, Any]] = []
        for message in self.messages.values():
            if len(records) >= max_messages:
                break
            if message.deleted or message.visible_at > now:
                continue
            self.receives += 1
            message.receive_count += 1
            message.visible_at = now + self.visibility_timeout
            message.receipt_handle = f"{message.message_id}#{message.receive_count}"
            self._handles[message.receipt_handle] = message.message_id
            records.append(
                {
                    "messageId": message.message_id,
                    "receiptHandle": message.receipt_handle,
                    "body": message.body,
                    "attributes": {
                        "ApproximateReceiveCount": str(message.receive_count),
                        "SentTimestamp": str(int(message.sent_at * 1000)),
                    },
                    "eventSource": "aws:sqs",
                    "eventSourceARN": QUEUE_ARN,
                }
            )
        return records

    def change_visibility(self, event_source_arn: str, receipt_handle: str, seconds: int) -> None:
        """``ChangeMessageVisibility`` for the message received with ``receipt_handle``."""
        if event_source_arn != QUEUE_ARN:
            raise ValueError(f"unknown queue {event_source_arn}")
        message = self.messages[self._handles[receipt_handle]]
        if message.receipt_handle != receipt_handle:
            raise ValueError("receipt handle is no longer current")
        message.visible_at = self.clock() + seconds

    def delete(self, message_id: str) -> None:
        """Delete a message (what Lambda does for each record not reported as failed)."""
        self.messages[message_id].deleted = True

    def next_visible_at(self) -> float | None:
        """When the next hidden message becomes visible (``None`` when all are deleted)."""
        times = [m.visible_at for m in self.messages.values() if not m.deleted]
        return min(times) if times else None


def drain(
    queue: SimQueue,
    handler: BatchHandler,
    *,
    connect: FakeConnect | None = None,
    batch_size: int = 10,
    lambda_timeout: float = 60.0,
    max_polls: int = 100_000,
) -> int:
    """Poll ``queue`` into ``handler`` like Lambda's event source mapping until it is empty.

    Between polls the clock jumps to the next moment anything can happen (a message
    turning visible, a call event). Calls still in progress when the queue empties
    are then played to their end. Returns the number of invocations.
    """
    clock = queue.clock
    invocations = 0
    for _ in range(max_polls):
        if queue.pending == 0:
            break
        records = queue.receive(batch_size)
        if not records:
            moments = [queue.next_visible_at()]
            if connect is not None:
                moments.append(connect.next_event_at())
            upcoming = [m for m in moments if m is not None and m > clock()]
            clock.advance_to(min(upcoming) if upcoming else clock() + 1.0)
            continue
        invocations += 1
        deadline = clock() + lambda_timeout
        response = handler({"Records": records}, functools.partial(_left, clock, deadline))
        failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
        for record in records:
            if record["messageId"] not in failed:
                queue.delete(record["messageId"])
    else:
        raise RuntimeError(f"queue not drained after {max_polls} polls")
    if connect is not None:
        while (moment := connect.next_event_at()) is not None:
            clock.advance_to(moment)
    return invocations


def _left(clock: SimClock, deadline: float) -> float:
    return deadline - clock()
