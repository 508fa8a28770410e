"""The results table: one item per (job, receiver), every attempt and the final status.

The state machine's children write here (one attempt's outcome each) and the planner
and the report read here, so the table, not the execution's state, is the record of
what happened. Writes are conditional so a replay never counts twice:

* :meth:`JobResults.issue` marks attempt *n* as handed to the dialer (only once);
* :meth:`JobResults.record` adds attempt *n*'s outcome (only once per attempt);
* :meth:`JobResults.finish` sets the final status (only while none is set).

An attempt issued but never recorded (its child failed past its retries) is
visible as ``attempts > recorded`` and ends the receiver ``failed`` instead of
being dialled again: a second call for one attempt is worse than a missing answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from callguard.store.errors import translated
from callguard.store.writes import write_if

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: Key schema of the results table.
PARTITION_KEY: Final = "job_id"
SORT_KEY: Final = "receiver_id"
#: Sort key of the job's own item (cancel flag); no receiver id may start with ``#``.
JOB_ITEM: Final = "#job"


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """One attempt's outcome as recorded."""

    attempt: int
    status: str
    contact_id: str = ""
    error: str = ""
    source: str = ""
    at: float = 0.0


@dataclass(frozen=True, slots=True)
class ReceiverResult:
    """Everything the table knows about one receiver of a job."""

    receiver_id: str
    status: str = ""
    attempts: int = 0
    recorded: int = 0
    retry_at: float = 0.0
    error: str = ""
    detail: str = ""
    answers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    history: tuple[AttemptRecord, ...] = ()

    @property
    def final(self) -> bool:
        """Whether the receiver has its one final status."""
        return bool(self.status)

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> ReceiverResult:
        """Read a DynamoDB item written by :class:`JobResults`."""
        history = tuple(
            AttemptRecord(
                attempt=int(entry["M"]["attempt"]["N"]),
                status=entry["M"]["status"]["S"],
                contact_id=entry["M"].get("contact_id", {}).get("S", ""),
                error=entry["M"].get("error", {}).get("S", ""),
                source=entry["M"].get("source", {}).get("S", ""),
                at=float(entry["M"].get("at", {}).get("N", "0")),
            )
            for entry in item.get("history", {}).get("L", [])
        )
        return cls(
            receiver_id=item[SORT_KEY]["S"],
            status=item.get("status", {}).get("S", ""),
            attempts=int(item.get("attempts", {}).get("N", "0")),
            recorded=int(item.get("recorded", {}).get("N", "0")),
            retry_at=float(item.get("retry_at", {}).get("N", "0")),
            error=item.get("error", {}).get("S", ""),
            detail=item.get("detail", {}).get("S", ""),
            answers=MappingProxyType(
                {k: v.get("S", "") for k, v in item.get("answers", {}).get("M", {}).items()}
            ),
            history=history,
        )


class JobResults:
    """Read and write one job's results (see the module docstring for the guarantees)."""

    def __init__(
        self, client: DynamoDBClient, table_name: str, *, clock: Callable[[], float] = time.time
    ) -> None:
        if not table_name:
            raise ValueError("a results table name is required")
        self.client = client
        self.table_name = table_name
        self._clock = clock

    def _key(self, job_id: str, receiver_id: str) -> dict[str, Any]:
        return {PARTITION_KEY: {"S": job_id}, SORT_KEY: {"S": receiver_id}}

    def _update(self, job_id: str, receiver_id: str, **request: Any) -> bool:
        """Run a conditional update; ``False`` when its condition did not hold."""
        return write_if(
            f"update result of {receiver_id} in job {job_id}",
            self.client.update_item,
            TableName=self.table_name,
            Key=self._key(job_id, receiver_id),
            **request,
        ).written

    # ----------------------------------------------------------------- writes
    def issue(self, job_id: str, receiver_id: str, attempt: int) -> bool:
        """Mark ``attempt`` as handed to the dialer; ``False`` if it (or a later one) was."""
        return self._update(
            job_id,
            receiver_id,
            UpdateExpression="SET attempts = :a, issued_at = :now",
            ConditionExpression=(
                "attribute_not_exists(#st) AND (attribute_not_exists(attempts) OR attempts < :a)"
            ),
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={
                ":a": {"N": str(attempt)},
                ":now": {"N": str(int(self._clock()))},
            },
        )

    def record(
        self,
        job_id: str,
        receiver_id: str,
        outcome: AttemptRecord,
        *,
        answers: Mapping[str, str],
        final_status: str = "",
        retry_at: float = 0.0,
    ) -> bool:
        """Add one attempt's outcome; ``False`` when that attempt was recorded already.

        ``answers`` replace the kept ones when not empty (an attempt's answers are
        the receiver's latest). ``final_status`` ends the receiver; otherwise
        ``retry_at`` says when it may be called again.
        """
        entry: dict[str, Any] = {
            "attempt": {"N": str(outcome.attempt)},
            "status": {"S": outcome.status},
            "contact_id": {"S": outcome.contact_id},
            "error": {"S": outcome.error},
            "source": {"S": outcome.source},
            "at": {"N": str(int(outcome.at or self._clock()))},
        }
        sets = [
            "recorded = :a",
            "history = list_append(if_not_exists(history, :empty), :entry)",
            "retry_at = :retry",
            "#err = :err",
        ]
        values: dict[str, Any] = {
            ":a": {"N": str(outcome.attempt)},
            ":entry": {"L": [{"M": entry}]},
            ":empty": {"L": []},
            ":retry": {"N": str(int(retry_at))},
            ":err": {"S": outcome.error},
        }
        names = {"#err": "error"}
        if answers:
            sets.append("answers = :answers")
            values[":answers"] = {"M": {k: {"S": v} for k, v in answers.items()}}
        if final_status:
            sets.append("#st = :final")
            names["#st"] = "status"
            values[":final"] = {"S": final_status}
        return self._update(
            job_id,
            receiver_id,
            UpdateExpression="SET " + ", ".join(sets),
            ConditionExpression="attribute_not_exists(recorded) OR recorded < :a",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def finish(
        self, job_id: str, receiver_id: str, status: str, *, error: str = "", detail: str = ""
    ) -> bool:
        """Set the receiver's final status without a call; ``False`` if it had one."""
        return self._update(
            job_id,
            receiver_id,
            UpdateExpression="SET #st = :s, #err = :e, detail = :d, finished_at = :now",
            ConditionExpression="attribute_not_exists(#st)",
            ExpressionAttributeNames={"#st": "status", "#err": "error"},
            ExpressionAttributeValues={
                ":s": {"S": status},
                ":e": {"S": error},
                ":d": {"S": detail},
                ":now": {"N": str(int(self._clock()))},
            },
        )

    def mark_cancelled(self, job_id: str) -> None:
        """Flag the job as cancelled: the planner schedules no further call."""
        with translated(f"cancel job {job_id}"):
            self.client.put_item(
                TableName=self.table_name,
                Item={
                    **self._key(job_id, JOB_ITEM),
                    "cancelled": {"BOOL": True},
                    "cancelled_at": {"N": str(int(self._clock()))},
                },
            )

    # ------------------------------------------------------------------ reads
    def is_cancelled(self, job_id: str) -> bool:
        """Whether :meth:`mark_cancelled` was called for the job (strongly consistent)."""
        with translated(f"read job item of {job_id}"):
            response = self.client.get_item(
                TableName=self.table_name, Key=self._key(job_id, JOB_ITEM), ConsistentRead=True
            )
        return bool(response.get("Item", {}).get("cancelled", {}).get("BOOL", False))

    def receivers(self, job_id: str) -> Iterator[ReceiverResult]:
        """Yield every receiver's result of the job, page by page (strongly consistent)."""
        paginator = self.client.get_paginator("query")
        with translated(f"read results of job {job_id}"):
            for page in paginator.paginate(
                TableName=self.table_name,
                KeyConditionExpression="#pk = :job",
                ExpressionAttributeNames={"#pk": PARTITION_KEY},
                ExpressionAttributeValues={":job": {"S": job_id}},
                ConsistentRead=True,
            ):
                for item in page.get("Items", []):
                    if item[SORT_KEY]["S"] != JOB_ITEM:
                        yield ReceiverResult.from_item(item)
