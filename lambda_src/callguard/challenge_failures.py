"""Failed spam challenges per number, counted over a sliding-start window.

Optional (``CALLGUARD_CHALLENGE_FLAG_AFTER``): a number that fails the challenge
N times within the window is flagged for review (``pending``, source
``challenge``) in the deny list, so a supervisor sees persistent robocallers.

The counts live in their own small table, never in the deny list: every item of
the deny list is a listing that the check, the CLI, exports and the audit trail
read. One item per number: ``failures`` (N), ``window_start`` and ``expires_at``
(epoch seconds; the table's TTL attribute removes quiet numbers). A window
starts with a number's first failure and lasts ``window_seconds``; a failure
after it starts a new window with a count of one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from callguard.attributes import number_attribute
from callguard.numbers import mask
from callguard.store.errors import ConflictError
from callguard.store.schema import PARTITION_KEY, TTL_ATTRIBUTE
from callguard.store.writes import Table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: How often a count retries when a window is reset concurrently.
_ATTEMPTS: Final = 3


class FailureCounter:
    """Counts failed challenges per E.164 number in ``table_name``."""

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.table_name = table_name
        self._table = Table(client, table_name)
        self._clock = clock

    def record(self, number: str, window_seconds: int) -> int:
        """Count one failure of ``number``; return its failures in the current window.

        One conditional ``UpdateItem`` adds to a window that is still open; when
        there is none (first failure, or the window has passed) a second one
        starts a new window, under the condition that nobody started it first.
        """
        now = int(self._clock())
        for _ in range(_ATTEMPTS):
            count = self._add_to_open_window(number, now, window_seconds)
            if count is not None:
                return count
            if self._start_window(number, now, window_seconds):
                return 1
        raise ConflictError(f"count failures of {mask(number)}: the window kept changing")

    def _operation(self, number: str) -> str:
        return f"count failures of {mask(number)}"

    def _add_to_open_window(self, number: str, now: int, window_seconds: int) -> int | None:
        result = self._table.update_if(
            self._operation(number),
            number,
            UpdateExpression="ADD #f :one",
            ConditionExpression="#w > :cutoff",
            ExpressionAttributeNames={"#f": "failures", "#w": "window_start"},
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":cutoff": {"N": str(now - window_seconds)},
            },
            ReturnValues="UPDATED_NEW",
        )
        if not result.written:
            return None
        return number_attribute(result.attributes, "failures") or 0

    def _start_window(self, number: str, now: int, window_seconds: int) -> bool:
        """Open a window with this failure; False if another failure opened it first."""
        return self._table.put_if(
            self._operation(number),
            {
                PARTITION_KEY: {"S": number},
                "failures": {"N": "1"},
                "window_start": {"N": str(now)},
                TTL_ATTRIBUTE: {"N": str(now + window_seconds)},
            },
            ConditionExpression="attribute_not_exists(#k) OR #w <= :cutoff",
            ExpressionAttributeNames={"#k": PARTITION_KEY, "#w": "window_start"},
            ExpressionAttributeValues={":cutoff": {"N": str(now - window_seconds)}},
        ).written
