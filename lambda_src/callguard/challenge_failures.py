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
from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import ClientError

from callguard.numbers import mask
from callguard.store.errors import ConflictError, error_code, translated

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PARTITION_KEY: Final = "phone_number"
TTL_ATTRIBUTE: Final = "expires_at"
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

    def _add_to_open_window(self, number: str, now: int, window_seconds: int) -> int | None:
        try:
            with translated(f"count failures of {mask(number)}"):
                response = self.client.update_item(
                    TableName=self.table_name,
                    Key={PARTITION_KEY: {"S": number}},
                    UpdateExpression="ADD #f :one",
                    ConditionExpression="#w > :cutoff",
                    ExpressionAttributeNames={"#f": "failures", "#w": "window_start"},
                    ExpressionAttributeValues={
                        ":one": {"N": "1"},
                        ":cutoff": {"N": str(now - window_seconds)},
                    },
                    ReturnValues="UPDATED_NEW",
                )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return None
            raise
        attributes: dict[str, Any] = dict(response.get("Attributes", {}))
        return int(attributes["failures"]["N"])

    def _start_window(self, number: str, now: int, window_seconds: int) -> bool:
        try:
            with translated(f"count failures of {mask(number)}"):
                self.client.put_item(
                    TableName=self.table_name,
                    Item={
                        PARTITION_KEY: {"S": number},
                        "failures": {"N": "1"},
                        "window_start": {"N": str(now)},
                        TTL_ATTRIBUTE: {"N": str(now + window_seconds)},
                    },
                    ConditionExpression="attribute_not_exists(#k) OR #w <= :cutoff",
                    ExpressionAttributeNames={"#k": PARTITION_KEY, "#w": "window_start"},
                    ExpressionAttributeValues={":cutoff": {"N": str(now - window_seconds)}},
                )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False  # another failure opened the window first: add to it
            raise
        return True


def create_counter_table(client: DynamoDBClient, table_name: str) -> None:
    """Create the counter table as Terraform does (tests, local emulators, the demo)."""
    client.create_table(
        TableName=table_name,
        AttributeDefinitions=[{"AttributeName": PARTITION_KEY, "AttributeType": "S"}],
        KeySchema=[{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
