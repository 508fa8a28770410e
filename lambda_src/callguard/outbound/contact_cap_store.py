"""The per-number contact cap across jobs: at most ``max_calls`` calls per ``period``.

One small DynamoDB table. A number owns up to ``max_calls`` *slots* (sort key
``0 .. max_calls - 1``); each slot holds the time of one call. Recording a call is a
conditional write that takes a slot only if it is empty or its call is older than
the period, so two jobs racing for the last slot of one number cannot both win:
DynamoDB serialises writes to one item and exactly one condition holds.

Recording is idempotent per attempt: the slot keeps the attempt's key (its
ClientToken), and a repeat of the same attempt finds its own slot and takes no
other. Slots carry a TTL (``expires_at``) of the call time plus
:data:`DEFAULT_RETENTION_SECONDS`, so the table empties itself; the condition uses
the call time, never the TTL, because TTL deletion lags.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from callguard.numbers import mask
from callguard.store.errors import translated
from callguard.store.writes import write_if

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: Partition key: the E.164 number.
PARTITION_KEY: Final = "number"
#: Sort key: the slot index (a number), 0 .. max_calls - 1.
SORT_KEY: Final = "slot"
#: TTL attribute, epoch seconds.
TTL_ATTRIBUTE: Final = "expires_at"
#: How long a call is remembered: the longest period a job may use (31 days).
DEFAULT_RETENTION_SECONDS: Final = 31 * 86_400
#: Most calls per period a cap may allow (bounds the slots tried per number).
MAX_CALLS_LIMIT: Final = 100


@dataclass(frozen=True, slots=True)
class CapDecision:
    """The answer of :meth:`ContactCapStore.try_record`.

    ``allowed`` says whether the call may be placed (and is now counted).
    ``calls_in_period`` counts the calls within the period, this one included when
    allowed. ``next_allowed_at`` (epoch seconds) is when a slot frees, when refused.
    ``repeated`` marks an attempt that had already been counted.
    """

    allowed: bool
    calls_in_period: int
    next_allowed_at: float | None = None
    repeated: bool = False


class ContactCapStore:
    """Count calls per number in one table, safely under concurrency."""

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        retention_seconds: int = DEFAULT_RETENTION_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not table_name:
            raise ValueError("a contact-cap table name is required")
        self.client = client
        self.table_name = table_name
        self.retention_seconds = retention_seconds
        self._clock = clock

    def _slots(self, number: str) -> dict[int, tuple[float, str]]:
        """Return ``slot -> (called_at, attempt key)`` for ``number`` (strongly consistent)."""
        slots: dict[int, tuple[float, str]] = {}
        request = {
            "TableName": self.table_name,
            "KeyConditionExpression": "#n = :n",
            "ExpressionAttributeNames": {"#n": PARTITION_KEY},
            "ExpressionAttributeValues": {":n": {"S": number}},
            "ConsistentRead": True,
        }
        with translated(f"read contact cap of {mask(number)}"):
            paginator = self.client.get_paginator("query")
            for page in paginator.paginate(**request):  # type: ignore[arg-type]
                for item in page.get("Items", []):
                    slots[int(item[SORT_KEY]["N"])] = (
                        float(item["called_at"]["N"]),
                        item.get("attempt_key", {}).get("S", ""),
                    )
        return slots

    def calls_in_period(self, number: str, period_seconds: float) -> int:
        """How many calls to ``number`` were recorded within the last ``period_seconds``."""
        cutoff = self._clock() - period_seconds
        return sum(1 for called_at, _ in self._slots(number).values() if called_at > cutoff)

    def try_record(
        self, number: str, *, max_calls: int, period_seconds: float, attempt_key: str
    ) -> CapDecision:
        """Count one call to ``number`` if fewer than ``max_calls`` fall in the period.

        ``attempt_key`` identifies the attempt (its ClientToken): recording it again
        is allowed and counts nothing new.
        """
        if not 1 <= max_calls <= MAX_CALLS_LIMIT:
            raise ValueError(f"max_calls must be 1..{MAX_CALLS_LIMIT}, not {max_calls}")
        if not 0 < period_seconds <= self.retention_seconds:
            raise ValueError(
                f"period_seconds must be within (0, {self.retention_seconds}], not {period_seconds}"
            )
        if not attempt_key:
            raise ValueError("an attempt key is required")
        now = self._clock()
        cutoff = now - period_seconds
        slots = self._slots(number)
        live = {slot: at for slot, (at, _key) in slots.items() if at > cutoff and slot < max_calls}
        for at, key in slots.values():
            if key == attempt_key and at > cutoff:
                return CapDecision(allowed=True, calls_in_period=len(live), repeated=True)
        for slot in range(max_calls):
            if slot in live:
                continue
            if self._take(number, slot, now, cutoff, attempt_key):
                return CapDecision(allowed=True, calls_in_period=len(live) + 1)
            # Someone took it between our read and our write: read its time and go on.
            live[slot] = now
        return CapDecision(
            allowed=False,
            calls_in_period=len(live),
            next_allowed_at=min(live.values()) + period_seconds,
        )

    def release(self, number: str, attempt_key: str) -> bool:
        """Free the slot ``attempt_key`` holds for ``number``; ``False`` when it holds none.

        Used by :mod:`callguard.outbound.call_slots`, whose leases end when the call
        does; a contact cap's records are never released (they are the history).
        """
        for slot, (_at, key) in self._slots(number).items():
            if key != attempt_key:
                continue
            # Refused when taken over after its lease ended: not ours any more.
            return write_if(
                f"release slot of {mask(number)}",
                self.client.delete_item,
                TableName=self.table_name,
                Key={PARTITION_KEY: {"S": number}, SORT_KEY: {"N": str(slot)}},
                ConditionExpression="#k = :k",
                ExpressionAttributeNames={"#k": "attempt_key"},
                ExpressionAttributeValues={":k": {"S": attempt_key}},
            ).written
        return False

    def _take(self, number: str, slot: int, now: float, cutoff: float, attempt_key: str) -> bool:
        return write_if(
            f"record call to {mask(number)}",
            self.client.put_item,
            TableName=self.table_name,
            Item={
                PARTITION_KEY: {"S": number},
                SORT_KEY: {"N": str(slot)},
                "called_at": {"N": repr(now)},
                "attempt_key": {"S": attempt_key},
                TTL_ATTRIBUTE: {"N": str(int(now) + self.retention_seconds)},
            },
            ConditionExpression="attribute_not_exists(#n) OR #c <= :cutoff",
            ExpressionAttributeNames={"#n": PARTITION_KEY, "#c": "called_at"},
            ExpressionAttributeValues={":cutoff": {"N": repr(cutoff)}},
        ).written
