"""The dialer: one SQS message per call attempt in, one ``StartOutboundVoiceContact`` out.

The state machine sends each attempt to the dial queue with its task token and waits.
This module consumes those messages (an SQS-event Lambda with partial batch
responses) and keeps four promises:

* **Paced.** A :class:`~callguard.outbound.pacing.TokenBucket` spends one token per
  request, so the rate stays at the configured calls per second however many
  messages arrive. (The function runs with reserved concurrency 1, so one bucket
  paces the whole queue.)
* **Never twice.** Every request carries the attempt's
  :func:`~callguard.outbound.client_token.client_token`; Connect answers a repeat
  with the first call's ContactId instead of dialling again.
* **Never lost.** A message is acknowledged (left out of ``batchItemFailures``,
  so Lambda deletes it) only after its call is placed *and* its task token is
  recorded under the ContactId, or after its attempt has been resolved as
  ``failed``. Anything else leaves it on the queue.
* **One failure is one receiver's failure.** Errors that belong to the number
  (destination not allowed, contact not permitted, invalid parameter) end the
  attempt as ``failed`` with the error type, through ``SendTaskSuccess``, so the
  workflow carries on. Throttling and the concurrent-call quota put the message
  back with backoff and never count as failures (unless the attempt has waited
  longer than its task would, :attr:`Dialer.max_attempt_age`). Other errors are
  retried until the message has been received :attr:`Dialer.max_error_receives`
  times, then the attempt ends ``failed``.

Logs never hold a full phone number.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from callguard.logs import log_invocation
from callguard.numbers import mask
from callguard.outbound.call_message import CallAttempt, InvalidMessageError, parse_message
from callguard.outbound.call_slots import CallSlots
from callguard.outbound.pacing import TokenBucket
from callguard.outbound.task_tokens import TaskTokenStore, TokenStoreError, send_outcome
from callguard.store.errors import StoreError, error_code

if TYPE_CHECKING:
    from mypy_boto3_connect import ConnectClient
    from mypy_boto3_stepfunctions import SFNClient

#: Errors that mean "too many requests or calls right now": back off, never fail.
THROTTLING_CODES: Final = frozenset(
    {"TooManyRequestsException", "LimitExceededException", "ThrottlingException", "Throttling"}
)
#: Errors that belong to the destination or the attempt: the attempt ends ``failed``.
FINAL_CODES: Final = frozenset(
    {
        "DestinationNotAllowedException",
        "OutboundContactNotPermittedException",
        "InvalidParameterException",
    }
)
#: Error type reported for a message the dialer cannot read.
INVALID_MESSAGE: Final = "InvalidCallMessage"

#: Default receives after which an attempt with a non-throttling error ends ``failed``.
DEFAULT_MAX_ERROR_RECEIVES: Final = 5
#: Backoff for a message put back: base * 2 ** (receives - 1), capped, plus jitter.
DEFAULT_BACKOFF_BASE_SECONDS: Final = 2.0
DEFAULT_BACKOFF_CAP_SECONDS: Final = 300.0
#: Longest wait for a concurrent-call lease: a lease frees when any call ends, which is
#: seconds away, so waiting as long as for a throttled API would leave lines idle.
DEFAULT_SLOT_WAIT_SECONDS: Final = 15.0
#: SQS accepts visibility timeouts of 0 .. 43,200 seconds.
MAX_VISIBILITY_SECONDS: Final = 43_200
#: Seconds of the Lambda's remaining time kept free when waiting for the rate limit.
DEFAULT_TIME_MARGIN_SECONDS: Final = 5.0
#: Oldest a throttled attempt may get before it ends ``failed``: the state machine's wait
#: for it (900 s) is over by then, so dialling later would only call someone nobody
#: waits for. Bounds a quota error that never clears (a quota not yet raised).
DEFAULT_MAX_ATTEMPT_AGE_SECONDS: Final = 900.0


def backoff_seconds(
    receive_count: int,
    *,
    base: float = DEFAULT_BACKOFF_BASE_SECONDS,
    cap: float = DEFAULT_BACKOFF_CAP_SECONDS,
    rng: Callable[[], float] = random.random,
) -> int:
    """Visibility timeout for a message put back after its ``receive_count``-th receive.

    Exponential in the receive count, capped, with "equal jitter" (half fixed, half
    random) so a burst of throttled messages spreads out instead of returning together.
    """
    exponent = min(max(receive_count, 1) - 1, 30)
    ceiling = min(float(cap), float(base) * 2.0**exponent)
    seconds = ceiling / 2 + rng() * ceiling / 2
    return int(max(1, min(MAX_VISIBILITY_SECONDS, math.ceil(seconds))))


class Requeue(Protocol):
    """Puts a received message back on its queue for ``seconds`` (visibility timeout)."""

    def change_visibility(self, event_source_arn: str, receipt_handle: str, seconds: int) -> None:
        """Make the message visible again after ``seconds``."""


@dataclass(slots=True)
class BatchReport:
    """What one batch did, for the invocation's log line and for tests."""

    placed: int = 0
    repeated: int = 0
    deferred: int = 0
    failed: int = 0
    cancelled: int = 0
    retried: int = 0
    failures: list[str] = field(default_factory=list)

    def response(self) -> dict[str, list[dict[str, str]]]:
        """Return the partial batch response Lambda expects (``ReportBatchItemFailures``)."""
        return {"batchItemFailures": [{"itemIdentifier": mid} for mid in self.failures]}


class Dialer:
    """Place the calls of one SQS batch; see the module docstring for the guarantees."""

    def __init__(
        self,
        connect: ConnectClient,
        tokens: TaskTokenStore,
        sfn: SFNClient,
        requeue: Requeue,
        *,
        bucket: TokenBucket,
        max_error_receives: int = DEFAULT_MAX_ERROR_RECEIVES,
        backoff_base: float = DEFAULT_BACKOFF_BASE_SECONDS,
        backoff_cap: float = DEFAULT_BACKOFF_CAP_SECONDS,
        time_margin: float = DEFAULT_TIME_MARGIN_SECONDS,
        slots: CallSlots | None = None,
        max_attempt_age: float = DEFAULT_MAX_ATTEMPT_AGE_SECONDS,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if max_error_receives < 1:
            raise ValueError(f"max_error_receives must be at least 1, not {max_error_receives}")
        self.connect = connect
        self.tokens = tokens
        self.sfn = sfn
        self.requeue = requeue
        self.bucket = bucket
        self.max_error_receives = max_error_receives
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.time_margin = time_margin
        self.slots = slots
        self.max_attempt_age = max_attempt_age
        self._clock = clock
        self._sleep = sleep
        self._rng = rng

    # ----------------------------------------------------------------- batch
    def handle(self, event: Mapping[str, Any], time_left: Callable[[], float]) -> BatchReport:
        """Process an SQS event; ``time_left`` gives the invocation's remaining seconds."""
        report = BatchReport()
        records = event.get("Records")
        if not isinstance(records, list):
            raise ValueError("SQS event: 'Records' list missing")
        out_of_time = False
        cancelled: dict[str, bool] = {}
        for position, record in enumerate(records):
            message_id = str(record.get("messageId", ""))
            try:
                # Unreadable and cancelled attempts end without a call: they never wait
                # for the rate limit, so a cancel drains the queue at once.
                attempt = self._prepare(record, report, cancelled)
                if attempt is None:
                    continue
                if not out_of_time:
                    budget = time_left() - self.time_margin
                    out_of_time = budget <= 0 or not self.bucket.acquire(
                        timeout=budget, sleep=self._sleep
                    )
                if out_of_time:
                    self._defer(record, report, seconds=self._pacing_delay(position))
                    continue
                self._dial(record, attempt, report)
            except Exception as error:  # one bad record never takes the batch down
                log_invocation(
                    logging.ERROR,
                    {
                        "event": "dial_record_error",
                        "message_id": message_id,
                        "error": type(error).__name__,
                    },
                )
                report.retried += 1
                report.failures.append(message_id)
        log_invocation(
            logging.INFO,
            {
                "event": "dial_batch",
                "records": len(records),
                "placed": report.placed,
                "repeated": report.repeated,
                "deferred": report.deferred,
                "failed": report.failed,
                "cancelled": report.cancelled,
                "retried": report.retried,
            },
        )
        return report

    def _pacing_delay(self, position: int) -> int:
        """Seconds to hide a message the rate limit could not reach in this invocation."""
        return max(1, math.ceil((position + 1) / self.bucket.rate))

    # ---------------------------------------------------------------- record
    def _cancelled(self, job_id: str, seen: dict[str, bool]) -> bool:
        """Whether the job was cancelled (read once per job and batch)."""
        if job_id not in seen:
            seen[job_id] = self.tokens.is_cancelled(job_id)
        return seen[job_id]

    def _prepare(
        self, record: Mapping[str, Any], report: BatchReport, cancelled: dict[str, bool]
    ) -> CallAttempt | None:
        """Read the record; ``None`` when it was dealt with here (unreadable, or cancelled)."""
        try:
            attempt = parse_message(str(record.get("body", "")))
        except InvalidMessageError as error:
            self._invalid(record, error, report)
            return None
        if self._cancelled(attempt.job_id, cancelled):
            fields = _log_fields(attempt, str(record["messageId"]), _receive_count(record))
            self._fail(record, attempt, "", report, fields, status="cancelled")
            return None
        return attempt

    def _dial(self, record: Mapping[str, Any], attempt: CallAttempt, report: BatchReport) -> None:
        """Lease a call slot, place the call, record its token; or defer, fail, retry."""
        receives = _receive_count(record)
        fields = _log_fields(attempt, str(record["messageId"]), receives)
        if self.slots is not None and not self.slots.acquire(
            attempt.instance_id, attempt.client_token
        ):
            log_invocation(logging.INFO, {**fields, "event": "call_slots_full"})
            wait = backoff_seconds(
                receives, base=self.backoff_base, cap=DEFAULT_SLOT_WAIT_SECONDS, rng=self._rng
            )
            self._defer(record, report, seconds=wait)
            return
        contact_id = self._place(record, attempt, receives, report, fields)
        if contact_id is None:
            return
        # The call is placed; until its token is recorded the message must stay queued.
        try:
            new = self.tokens.record(
                contact_id, attempt.task_token, attempt.job_id, attempt.receiver_id, attempt.attempt
            )
        except (StoreError, TokenStoreError, ClientError, BotoCoreError) as error:
            log_invocation(
                logging.ERROR,
                {
                    **fields,
                    "event": "token_record_failed",
                    "contact_id": contact_id,
                    "error": type(error).__name__,
                },
            )
            self._defer(record, report, seconds=self._backoff(receives))
            return
        if new:
            report.placed += 1
        else:
            report.repeated += 1
        log_invocation(
            logging.INFO,
            {
                **fields,
                "event": "call_placed" if new else "call_already_placed",
                "contact_id": contact_id,
            },
        )

    def _place(
        self,
        record: Mapping[str, Any],
        attempt: CallAttempt,
        receives: int,
        report: BatchReport,
        fields: Mapping[str, object],
    ) -> str | None:
        """Ask Connect for the call; return its ContactId, or ``None`` when it was not placed.

        When not placed, the record has been dealt with: deferred, failed or retried.
        """
        try:
            response = self.connect.start_outbound_voice_contact(**attempt.request())
        except ClientError as error:
            self._release_slot(attempt)
            code = error_code(error)
            if code in THROTTLING_CODES and self._too_old(record):
                self._fail(record, attempt, code, report, fields)
            elif code in THROTTLING_CODES:
                log_invocation(logging.WARNING, {**fields, "event": "call_throttled", "code": code})
                self._defer(record, report, seconds=self._backoff(receives))
            elif code in FINAL_CODES:
                self._fail(record, attempt, code, report, fields)
            else:
                self._retry_or_fail(
                    record,
                    attempt,
                    code or "UnknownError",
                    receives=receives,
                    report=report,
                    fields=fields,
                )
            return None
        except BotoCoreError as error:
            self._release_slot(attempt)
            self._retry_or_fail(
                record,
                attempt,
                type(error).__name__,
                receives=receives,
                report=report,
                fields=fields,
            )
            return None
        return str(response["ContactId"])

    def _too_old(self, record: Mapping[str, Any]) -> bool:
        """Whether the message was sent more than ``max_attempt_age`` seconds ago."""
        attributes = record.get("attributes") or {}
        try:
            sent = float(attributes["SentTimestamp"]) / 1000.0
        except (KeyError, TypeError, ValueError):
            return False
        return self._clock() - sent > self.max_attempt_age

    def _release_slot(self, attempt: CallAttempt) -> None:
        """Give back the lease of an attempt whose request failed (no call was placed).

        A retry of an attempt whose first request *did* place the call (and then
        failed to record it) can reach here on a throttled repeat; the lease is then
        given back early and taken again by the next retry. Connect's own quota
        error stays the last word meanwhile.
        """
        if self.slots is None:
            return
        try:
            self.slots.release(attempt.instance_id, attempt.client_token)
        except (StoreError, ClientError, BotoCoreError) as error:
            log_invocation(
                logging.WARNING, {"event": "slot_release_failed", "error": type(error).__name__}
            )

    def _backoff(self, receives: int) -> int:
        return backoff_seconds(
            receives, base=self.backoff_base, cap=self.backoff_cap, rng=self._rng
        )

    def _defer(self, record: Mapping[str, Any], report: BatchReport, *, seconds: int) -> None:
        """Leave the message on the queue, visible again after ``seconds``."""
        report.deferred += 1
        report.failures.append(str(record.get("messageId", "")))
        self._defer_only(record, seconds)

    def _retry_or_fail(
        self,
        record: Mapping[str, Any],
        attempt: CallAttempt,
        code: str,
        *,
        receives: int,
        report: BatchReport,
        fields: Mapping[str, object],
    ) -> None:
        if receives >= self.max_error_receives:
            self._fail(record, attempt, code, report, fields)
            return
        log_invocation(logging.WARNING, {**fields, "event": "call_error_retry", "code": code})
        report.retried += 1
        report.failures.append(str(record["messageId"]))
        self._defer_only(record, self._backoff(receives))

    def _defer_only(self, record: Mapping[str, Any], seconds: int) -> None:
        try:
            self.requeue.change_visibility(
                str(record.get("eventSourceARN", "")), str(record.get("receiptHandle", "")), seconds
            )
        except Exception as error:
            log_invocation(
                logging.WARNING,
                {
                    "event": "visibility_change_failed",
                    "message_id": str(record.get("messageId")),
                    "error": type(error).__name__,
                },
            )

    def _fail(
        self,
        record: Mapping[str, Any],
        attempt: CallAttempt,
        code: str,
        report: BatchReport,
        fields: Mapping[str, object],
        *,
        status: str = "failed",
    ) -> None:
        """End the attempt without a call (``failed`` with ``code``, or ``cancelled``).

        The message is acknowledged only once the waiting task has been told.
        """
        document = {
            "status": status,
            "contact_id": "",
            "job_id": attempt.job_id,
            "receiver_id": attempt.receiver_id,
            "attempt": attempt.attempt,
            "answers": {},
            "error": code,
            "source": "cancel" if status == "cancelled" else "dialer",
            "detail": "",
        }
        try:
            send_outcome(self.sfn, attempt.task_token, document)
        except TokenStoreError:
            log_invocation(logging.ERROR, {**fields, "event": "end_not_delivered", "code": code})
            report.retried += 1
            report.failures.append(str(record["messageId"]))
            self._defer_only(record, self._backoff(_receive_count(record)))
            return
        if status == "cancelled":
            report.cancelled += 1
            log_invocation(logging.INFO, {**fields, "event": "call_cancelled"})
            return
        report.failed += 1
        log_invocation(logging.WARNING, {**fields, "event": "call_failed", "code": code})

    def _invalid(
        self, record: Mapping[str, Any], error: InvalidMessageError, report: BatchReport
    ) -> None:
        message_id = str(record["messageId"])
        log_invocation(
            logging.ERROR,
            {"event": "invalid_dial_message", "message_id": message_id, "problems": error.problems},
        )
        if error.task_token is None:
            # Nobody can be told: leave it for the dead-letter queue (alarmed), never drop it.
            report.retried += 1
            report.failures.append(message_id)
            return
        document = {
            "status": "failed",
            "contact_id": "",
            "answers": {},
            "error": INVALID_MESSAGE,
            "source": "dialer",
            "detail": "; ".join(error.problems)[:1000],
        }
        try:
            send_outcome(self.sfn, error.task_token, document)
        except TokenStoreError:
            report.retried += 1
            report.failures.append(message_id)
            return
        report.failed += 1


def _receive_count(record: Mapping[str, Any]) -> int:
    attributes = record.get("attributes") or {}
    try:
        return max(1, int(attributes.get("ApproximateReceiveCount", "1")))
    except (TypeError, ValueError):
        return 1


def _log_fields(attempt: CallAttempt, message_id: str, receives: int) -> dict[str, object]:
    return {
        "message_id": message_id,
        "job_id": attempt.job_id,
        "receiver_id": attempt.receiver_id,
        "attempt": attempt.attempt,
        "number": mask(attempt.destination),
        "receives": receives,
    }
