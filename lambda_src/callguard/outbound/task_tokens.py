"""The task-token store: which Step Functions task waits for which outbound contact.

The state machine waits for each call attempt with a ``.waitForTaskToken`` task.
The dialer records the token here under the ``ContactId`` Connect returned, so
three parties can end the wait without carrying the token (up to 2,048
characters) in the contact's attributes, whose 32 KB belong to the call:

* the outbound flow's last Lambda, when the receiver answered everything;
* the ``DISCONNECTED`` contact event (no answer, busy, hang-up mid-way);
* a cancel of the job (:meth:`TaskTokenStore.cancel_job`), which also marks the job
  so the dialer places none of its remaining calls.

The task's own timeout stays the backstop when all of them are lost.

Resolving is idempotent and race-safe. A resolve first *claims* the item with a
conditional update (``open`` -> ``claimed``), then calls ``SendTaskSuccess``, then
marks it ``resolved``; only the claimant sends, so the flow and the contact event
racing each other send one outcome, and the table says which. A claimant that
dies between claim and send leaves a claim that goes stale after
:data:`CLAIM_STALE_SECONDS` and may then be taken over. Step Functions' answers
for a task that is already over (``TaskDoesNotExist``, ``InvalidToken``,
``TaskTimedOut``) count as resolved: the wait ended some other way.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from callguard.logs import log_invocation
from callguard.outbound.results import CALL_STATUSES
from callguard.store.errors import error_code, translated
from callguard.store.writes import write_if

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_stepfunctions import SFNClient

#: Partition key of the token table: the Amazon Connect ContactId of the attempt.
PARTITION_KEY: Final = "contact_id"
#: Global secondary index over ``job_id`` (sort key ``contact_id``): a job's calls, for cancel.
JOB_INDEX: Final = "job_id-index"
#: Prefix of the per-job marker item (in the same key space; no ContactId starts with it).
JOB_MARKER_PREFIX: Final = "job#"
#: State of a cancelled job's marker.
CANCELLED: Final = "cancelled"
#: TTL attribute (epoch seconds): items outlive the longest wait, then DynamoDB drops them.
TTL_ATTRIBUTE: Final = "expires_at"
#: Default time an item is kept: a day covers any call wait with room for an investigation.
DEFAULT_TTL_SECONDS: Final = 86_400
#: Seconds after which an unfinished claim may be taken over by another resolver.
CLAIM_STALE_SECONDS: Final = 60

#: Item states.
OPEN: Final = "open"
CLAIMED: Final = "claimed"
RESOLVED: Final = "resolved"

#: Step Functions errors meaning "that task is no longer waiting": the wait is over.
TASK_GONE_CODES: Final = frozenset({"TaskDoesNotExist", "InvalidToken", "TaskTimedOut"})
#: Longest answer text kept per question (answers are short: yes, 42, 2026-12-03).
MAX_ANSWER_LENGTH: Final = 256


class TokenStoreError(Exception):
    """The store or Step Functions failed in a way that is worth retrying later."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one call attempt ended: the status and what is known about it.

    ``answers`` maps question numbers (as text, ``"1"``) to normalised answers; an
    outcome without answers keeps the ones the flow recorded so far. ``error`` is
    the API error type for ``failed``; ``source`` says who resolved it
    (``flow``, ``contact_event``, ``dialer``, ``cancel``).
    """

    status: str
    answers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    error: str = ""
    source: str = ""
    detail: str = ""

    def __post_init__(self) -> None:
        if self.status not in CALL_STATUSES:
            raise ValueError(
                f"call outcome status {self.status!r} is not one of {sorted(CALL_STATUSES)}"
            )


@dataclass(frozen=True, slots=True)
class PendingCall:
    """One recorded attempt, as the table holds it."""

    contact_id: str
    task_token: str
    job_id: str
    receiver_id: str
    attempt: int
    state: str
    answers: Mapping[str, str]
    status: str = ""

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> PendingCall:
        """Read a DynamoDB item written by :class:`TaskTokenStore`."""
        answers = item.get("answers", {}).get("M", {})
        return cls(
            contact_id=item[PARTITION_KEY]["S"],
            task_token=item["task_token"]["S"],
            job_id=item["job_id"]["S"],
            receiver_id=item["receiver_id"]["S"],
            attempt=int(item["attempt"]["N"]),
            state=item["state"]["S"],
            answers=MappingProxyType({k: v["S"] for k, v in answers.items()}),
            status=item.get("status", {}).get("S", ""),
        )


@dataclass(frozen=True, slots=True)
class ResolveResult:
    """What :meth:`TaskTokenStore.resolve` did.

    ``sent`` is true when this call delivered the outcome to Step Functions;
    ``already`` when someone resolved it first (nothing sent); ``unknown`` when no
    token is recorded for the contact; ``task_gone`` when Step Functions said the
    task was over (timed out, or the execution stopped). ``call`` is the recorded
    attempt (``None`` when unknown).
    """

    sent: bool = False
    already: bool = False
    unknown: bool = False
    task_gone: bool = False
    status: str = ""
    call: PendingCall | None = None


def task_output(call: PendingCall, outcome: Outcome) -> dict[str, Any]:
    """Build the JSON document the waiting task receives (its result in the state machine).

    Answers recorded during the call and answers in the outcome are merged (the
    outcome's win), so a hang-up reported by the contact event keeps what the flow
    stored before it.
    """
    answers = {**dict(call.answers), **dict(outcome.answers)}
    return {
        "status": outcome.status,
        "contact_id": call.contact_id,
        "job_id": call.job_id,
        "receiver_id": call.receiver_id,
        "attempt": call.attempt,
        "answers": answers,
        "error": outcome.error,
        "source": outcome.source,
        "detail": outcome.detail,
    }


def send_outcome(sfn: SFNClient, task_token: str, document: Mapping[str, Any]) -> bool:
    """Deliver ``document`` to the task waiting on ``task_token``; ``False`` if it was over.

    An outcome is always sent as *success*, even a failed call: one receiver's failure
    is data for the report, never a reason to fail the workflow. Raises
    :class:`TokenStoreError` when Step Functions could not be told and a retry may work.
    """
    try:
        sfn.send_task_success(
            taskToken=task_token, output=json.dumps(document, separators=(",", ":"))
        )
    except ClientError as error:
        code = error_code(error)
        if code not in TASK_GONE_CODES:
            raise TokenStoreError(f"SendTaskSuccess failed ({code or 'unknown'})") from error
        log_invocation(
            logging.INFO,
            {
                "event": "task_already_over",
                "code": code,
                "job_id": str(document.get("job_id", "")),
                "receiver_id": str(document.get("receiver_id", "")),
                "contact_id": str(document.get("contact_id", "")),
            },
        )
        return False
    except BotoCoreError as error:
        raise TokenStoreError(f"SendTaskSuccess failed ({type(error).__name__})") from error
    return True


class TaskTokenStore:
    """Record and resolve task tokens in one DynamoDB table, keyed by contact id."""

    def __init__(
        self,
        dynamodb: DynamoDBClient,
        sfn: SFNClient,
        table_name: str,
        *,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not table_name:
            raise ValueError("a task-token table name is required")
        self.dynamodb = dynamodb
        self.sfn = sfn
        self.table_name = table_name
        self.ttl_seconds = ttl_seconds
        self._clock = clock

    # ----------------------------------------------------------------- writes
    def record(
        self, contact_id: str, task_token: str, job_id: str, receiver_id: str, attempt: int
    ) -> bool:
        """Store the token of a placed call; return ``False`` when it was already stored.

        A repeat with the same token (a redelivered message reaching the same
        contact through its ClientToken) changes nothing. A different token for a
        recorded contact is refused loudly: it would mean two waits for one call.
        """
        now = int(self._clock())
        recorded = write_if(
            f"record token for contact {contact_id}",
            self.dynamodb.put_item,
            TableName=self.table_name,
            Item={
                PARTITION_KEY: {"S": contact_id},
                "task_token": {"S": task_token},
                "job_id": {"S": job_id},
                "receiver_id": {"S": receiver_id},
                "attempt": {"N": str(attempt)},
                "state": {"S": OPEN},
                "answers": {"M": {}},
                "created_at": {"N": str(now)},
                TTL_ATTRIBUTE: {"N": str(now + self.ttl_seconds)},
            },
            ConditionExpression=f"attribute_not_exists({PARTITION_KEY})",
        )
        if recorded.written:
            return True
        existing = self.get(contact_id)
        if existing is not None and existing.task_token == task_token:
            return False
        raise TokenStoreError(f"contact {contact_id} already waits on a different task token")

    def add_answer(self, contact_id: str, question: int, answer: str) -> bool:
        """Keep one answer given during the call; ``False`` if the attempt is over or unknown.

        Stored as they come, so a later hang-up resolves with the answers so far.
        """
        if question < 1:
            raise ValueError(f"question numbers start at 1, not {question}")
        return write_if(
            f"store answer for contact {contact_id}",
            self.dynamodb.update_item,
            TableName=self.table_name,
            Key={PARTITION_KEY: {"S": contact_id}},
            UpdateExpression="SET #a.#q = :v",
            ConditionExpression="#st = :open",
            ExpressionAttributeNames={"#a": "answers", "#q": str(question), "#st": "state"},
            ExpressionAttributeValues={
                ":v": {"S": answer[:MAX_ANSWER_LENGTH]},
                ":open": {"S": OPEN},
            },
        ).written

    # ------------------------------------------------------------------ reads
    def get(self, contact_id: str) -> PendingCall | None:
        """Return the recorded attempt of ``contact_id`` (strongly consistent), or ``None``."""
        with translated(f"get token for contact {contact_id}"):
            response = self.dynamodb.get_item(
                TableName=self.table_name,
                Key={PARTITION_KEY: {"S": contact_id}},
                ConsistentRead=True,
            )
        item = response.get("Item")
        # A job's cancel marker shares the key space and is no call.
        return PendingCall.from_item(item) if item and "task_token" in item else None

    def waiting_calls(self, job_id: str) -> Iterator[PendingCall]:
        """Yield the job's attempts whose wait is not over yet (through :data:`JOB_INDEX`)."""
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": JOB_INDEX,
            "KeyConditionExpression": "#j = :j",
            "FilterExpression": "#st <> :resolved",
            "ExpressionAttributeNames": {"#j": "job_id", "#st": "state"},
            "ExpressionAttributeValues": {":j": {"S": job_id}, ":resolved": {"S": RESOLVED}},
        }
        with translated(f"list waiting calls of job {job_id}"):
            for page in self.dynamodb.get_paginator("query").paginate(**request):
                for item in page.get("Items", []):
                    if "task_token" in item:
                        yield PendingCall.from_item(item)

    # ----------------------------------------------------------------- cancel
    def cancel_job(self, job_id: str) -> int:
        """Stop a job's dialling and end every wait of its placed calls as ``cancelled``.

        First the job is marked (the dialer checks the mark before each call, so no
        further call is placed), then each waiting call is resolved. Returns how many
        waits this ended. Calls already in progress are not hung up: the receiver
        finishes the call, and its answers are no longer awaited.
        """
        now = int(self._clock())
        with translated(f"mark job {job_id} cancelled"):
            self.dynamodb.put_item(
                TableName=self.table_name,
                Item={
                    PARTITION_KEY: {"S": JOB_MARKER_PREFIX + job_id},
                    "state": {"S": CANCELLED},
                    "cancelled_at": {"N": str(now)},
                    TTL_ATTRIBUTE: {"N": str(now + self.ttl_seconds)},
                },
            )
        ended = 0
        for call in self.waiting_calls(job_id):
            result = self.resolve(call.contact_id, Outcome(status="cancelled", source="cancel"))
            ended += int(result.sent or result.task_gone)
        return ended

    def is_cancelled(self, job_id: str) -> bool:
        """Whether :meth:`cancel_job` was called for ``job_id`` (strongly consistent)."""
        with translated(f"read cancel mark of job {job_id}"):
            response = self.dynamodb.get_item(
                TableName=self.table_name,
                Key={PARTITION_KEY: {"S": JOB_MARKER_PREFIX + job_id}},
                ConsistentRead=True,
                ProjectionExpression="#st",
                ExpressionAttributeNames={"#st": "state"},
            )
        item = response.get("Item") or {}
        return item.get("state", {}).get("S") == CANCELLED

    # ---------------------------------------------------------------- resolve
    def resolve(self, contact_id: str, outcome: Outcome) -> ResolveResult:
        """End the wait of ``contact_id`` with ``outcome``, at most once.

        Raises :class:`TokenStoreError` only when Step Functions could not be told for
        a reason worth retrying (throttled, unreachable); the claim is then released
        so the retry can send.
        """
        now = int(self._clock())
        claimed = self._claim(contact_id, outcome, now)
        if claimed is None:
            call = self.get(contact_id)
            if call is None:
                return ResolveResult(unknown=True)
            return ResolveResult(already=True, status=call.status, call=call)
        try:
            task_gone = not send_outcome(
                self.sfn, claimed.task_token, task_output(claimed, outcome)
            )
        except TokenStoreError:
            self._release(contact_id, now)
            raise
        self._finish(contact_id, now)
        return ResolveResult(
            sent=not task_gone, task_gone=task_gone, status=outcome.status, call=claimed
        )

    def _claim(self, contact_id: str, outcome: Outcome, now: int) -> PendingCall | None:
        """Take the item for resolving; ``None`` when it is resolved, claimed or absent."""
        claimed = write_if(
            f"claim token for contact {contact_id}",
            self.dynamodb.update_item,
            TableName=self.table_name,
            Key={PARTITION_KEY: {"S": contact_id}},
            UpdateExpression="SET #st = :claimed, #cat = :now, #s = :status, #by = :by",
            ConditionExpression=(
                f"attribute_exists({PARTITION_KEY}) AND "
                "(#st = :open OR (#st = :claimed AND #cat < :stale))"
            ),
            ExpressionAttributeNames={
                "#st": "state",
                "#cat": "claimed_at",
                "#s": "status",
                "#by": "resolved_by",
            },
            ExpressionAttributeValues={
                ":claimed": {"S": CLAIMED},
                ":open": {"S": OPEN},
                ":now": {"N": str(now)},
                ":stale": {"N": str(now - CLAIM_STALE_SECONDS)},
                ":status": {"S": outcome.status},
                ":by": {"S": outcome.source or "unknown"},
            },
            ReturnValues="ALL_NEW",
        )
        if not claimed.written:
            return None
        return PendingCall.from_item(claimed.attributes)

    def _finish(self, contact_id: str, now: int) -> None:
        with translated(f"mark token resolved for contact {contact_id}"):
            self.dynamodb.update_item(
                TableName=self.table_name,
                Key={PARTITION_KEY: {"S": contact_id}},
                UpdateExpression="SET #st = :resolved, #rat = :now",
                ExpressionAttributeNames={"#st": "state", "#rat": "resolved_at"},
                ExpressionAttributeValues={":resolved": {"S": RESOLVED}, ":now": {"N": str(now)}},
            )

    def _release(self, contact_id: str, claimed_at: int) -> None:
        """Give back a claim whose send failed, so a retry may send (only our own claim)."""
        try:
            self.dynamodb.update_item(
                TableName=self.table_name,
                Key={PARTITION_KEY: {"S": contact_id}},
                UpdateExpression="SET #st = :open REMOVE #s, #by, #cat",
                ConditionExpression="#st = :claimed AND #cat = :at",
                ExpressionAttributeNames={
                    "#st": "state",
                    "#s": "status",
                    "#by": "resolved_by",
                    "#cat": "claimed_at",
                },
                ExpressionAttributeValues={
                    ":open": {"S": OPEN},
                    ":claimed": {"S": CLAIMED},
                    ":at": {"N": str(claimed_at)},
                },
            )
        except (ClientError, BotoCoreError):
            # The claim then goes stale after CLAIM_STALE_SECONDS and is taken over.
            log_invocation(
                logging.WARNING, {"event": "claim_release_failed", "contact_id": contact_id}
            )
