"""Bulk reads and writes: ``BatchGetItem``, ``BatchWriteItem`` and conditional puts, with retries.

DynamoDB may process only part of a batch (``UnprocessedItems`` /
``UnprocessedKeys``) under load. Both directions retry the remainder with
exponential backoff and full jitter; writes that still fail are *reported* in
:class:`BatchResult` (an import must say which numbers did not land), and reads
that still fail raise, because "not found" would be a wrong answer.

``BatchWriteItem`` cannot carry a condition, so :meth:`BatchWriter.put` may
overwrite an entry that appeared after the caller last looked. Anything that
adds numbers next to live traffic (an import while agents flag callers) uses
:meth:`BatchWriter.put_new` instead: one conditional ``PutItem`` per entry,
many in parallel, so an agent's flag that lands first is never replaced.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from callguard.numbers import mask
from callguard.store.errors import THROTTLING_CODES, ThrottledError, error_code, translated
from callguard.store.model import Entry
from callguard.store.schema import PARTITION_KEY, TTL_ATTRIBUTE

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: Most write requests DynamoDB accepts in one ``BatchWriteItem``.
WRITE_CHUNK: Final = 25
#: Most keys DynamoDB accepts in one ``BatchGetItem``.
GET_CHUNK: Final = 100
#: First backoff pause (seconds); doubles per attempt, with full jitter.
BASE_DELAY_SECONDS: Final = 0.05
#: Longest single backoff pause (seconds).
MAX_DELAY_SECONDS: Final = 5.0
#: Entries one worker of :meth:`BatchWriter.put_new` writes in a row before taking
#: the next slice: small enough to spread the work evenly over the workers.
PUT_NEW_SLICE: Final = 25


@dataclass(frozen=True, slots=True)
class BatchFailure:
    """One number a batch could not write, and why (safe to print: the number is E.164)."""

    phone_number: str
    error: str


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What a batch write did: how many requests landed, which failed, duplicates skipped."""

    succeeded: int = 0
    failed: tuple[BatchFailure, ...] = ()
    duplicates: int = 0
    requests: int = 0
    retries: int = 0
    #: Numbers :meth:`BatchWriter.put_new` left alone because they were listed already.
    existing: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every request landed."""
        return not self.failed


#: Errors that every further request to the table would meet as well (no access, no
#: table, no valid credentials): :meth:`BatchWriter.put_new` stops sending on the
#: first and reports the remaining entries with it, rather than repeat it per number.
PERMANENT_CODES: Final = frozenset(
    {
        "AccessDeniedException",
        "ResourceNotFoundException",
        "UnrecognizedClientException",
        "ExpiredTokenException",
    }
)


@dataclass
class _Stop:
    """Shared by the workers of one :meth:`BatchWriter.put_new`: the error that ended it."""

    error: str = ""


@dataclass
class _ChunkOutcome:
    succeeded: int = 0
    failed: list[BatchFailure] = field(default_factory=list)
    requests: int = 0
    retries: int = 0
    existing: list[str] = field(default_factory=list)


class BatchWriter:
    """Parallel, retrying batch operations on one table.

    ``workers`` requests run at once (boto3 clients are thread-safe); each chunk is
    tried at most ``max_attempts`` times. ``sleep`` and ``jitter`` are injectable so
    tests exercise the retry path without waiting.
    """

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        workers: int = 4,
        max_attempts: int = 8,
        max_delay: float = MAX_DELAY_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if workers < 1 or max_attempts < 1:
            raise ValueError("workers and max_attempts must be at least 1")
        self.client = client
        self.table_name = table_name
        self.workers = workers
        self.max_attempts = max_attempts
        self.max_delay = max_delay
        self._sleep = sleep
        self._jitter = jitter

    # ------------------------------------------------------------------ writes
    def put(self, entries: Iterable[Entry]) -> BatchResult:
        """Put every entry (overwriting existing items); the first of duplicate numbers wins."""
        unique, duplicates = first_of_each_number(entries)
        requests = [(e.phone_number, {"PutRequest": {"Item": e.to_item()}}) for e in unique]
        return self._run(requests, duplicates)

    def put_new(self, entries: Iterable[Entry], *, now: float) -> BatchResult:
        """Write each entry only if its number is not listed; report the listed ones.

        Every entry is one ``PutItem`` conditioned on the number being absent or
        its entry expired at ``now`` (epoch seconds; an expired entry counts as
        absent, as everywhere in the store), so an entry created between a
        caller's read and this write - an agent's flag during an import - keeps
        its first reason, source, contact ids and count. Such numbers come back
        in :attr:`BatchResult.existing`, never as failures and never
        overwritten. The first of duplicate numbers wins, as in :meth:`put`.

        Why not ``TransactWriteItems``, which takes 100 conditional puts per
        request: a transaction costs twice the write capacity per item, is
        cancelled as a whole by one listed number or one concurrent flag
        (``TransactionConflict``) and must then be retried without it, while a
        conditional put settles each number on its own at the normal price.
        Throughput comes from ``workers`` requests in flight at once; throttled
        or unanswered requests are retried with backoff, and what still fails is
        reported in :attr:`BatchResult.failed`.
        """
        requests, duplicates = first_of_each_number(entries)
        slices = list(iter_chunks(requests, PUT_NEW_SLICE))
        if not slices:
            return BatchResult(duplicates=duplicates)
        epoch = {"N": str(int(now))}
        stop = _Stop()
        with ThreadPoolExecutor(max_workers=min(self.workers, len(slices))) as pool:
            outcomes = list(pool.map(lambda part: self._put_new_slice(part, epoch, stop), slices))
        return BatchResult(
            succeeded=sum(o.succeeded for o in outcomes),
            failed=tuple(f for o in outcomes for f in o.failed),
            duplicates=duplicates,
            requests=sum(o.requests for o in outcomes),
            retries=sum(o.retries for o in outcomes),
            existing=tuple(n for o in outcomes for n in o.existing),
        )

    def _put_new_slice(
        self, part: Sequence[Entry], epoch: dict[str, str], stop: _Stop
    ) -> _ChunkOutcome:
        outcome = _ChunkOutcome()
        for entry in part:
            if stop.error:  # the table refused for good: report the rest, send nothing more
                outcome.failed.append(BatchFailure(entry.phone_number, stop.error))
                continue
            self._put_new_one(entry, epoch, outcome, stop)
        return outcome

    def _put_new_one(
        self, entry: Entry, epoch: dict[str, str], outcome: _ChunkOutcome, stop: _Stop
    ) -> None:
        """Write one entry conditionally, retrying throttling and transport errors."""
        last_error = ""
        for attempt in range(self.max_attempts):
            if attempt:
                outcome.retries += 1
                self._backoff(attempt)
            outcome.requests += 1
            try:
                self.client.put_item(
                    TableName=self.table_name,
                    Item=entry.to_item(),
                    ConditionExpression="attribute_not_exists(#k) OR #e <= :epoch",
                    ExpressionAttributeNames={"#k": PARTITION_KEY, "#e": TTL_ATTRIBUTE},
                    ExpressionAttributeValues={":epoch": epoch},
                )
            except ClientError as error:
                code = error_code(error)
                if code == "ConditionalCheckFailedException":
                    outcome.existing.append(entry.phone_number)
                    return
                last_error = code or "ClientError"
                if code in THROTTLING_CODES:
                    continue
                if code in PERMANENT_CODES:
                    stop.error = last_error
                break
            except BotoCoreError as error:
                last_error = type(error).__name__
                continue
            outcome.succeeded += 1
            return
        outcome.failed.append(BatchFailure(entry.phone_number, last_error))

    def _run(self, requests: list[tuple[str, dict[str, Any]]], duplicates: int) -> BatchResult:
        chunks = [requests[i : i + WRITE_CHUNK] for i in range(0, len(requests), WRITE_CHUNK)]
        if not chunks:
            return BatchResult(duplicates=duplicates)
        with ThreadPoolExecutor(max_workers=min(self.workers, len(chunks))) as pool:
            outcomes = list(pool.map(self._write_chunk, chunks))
        return BatchResult(
            succeeded=sum(o.succeeded for o in outcomes),
            failed=tuple(f for o in outcomes for f in o.failed),
            duplicates=duplicates,
            requests=sum(o.requests for o in outcomes),
            retries=sum(o.retries for o in outcomes),
        )

    def _write_chunk(self, chunk: Sequence[tuple[str, dict[str, Any]]]) -> _ChunkOutcome:
        outcome = _ChunkOutcome()
        remaining = list(chunk)
        last_error = ""
        for attempt in range(self.max_attempts):
            if attempt:
                outcome.retries += 1
                self._backoff(attempt)
            outcome.requests += 1
            try:
                batch: Any = [request for _, request in remaining]
                response = self.client.batch_write_item(RequestItems={self.table_name: batch})
            except ClientError as error:
                code = error_code(error)
                last_error = code or "ClientError"
                if code in THROTTLING_CODES:
                    continue  # nothing was written: retry the whole chunk
                break
            except BotoCoreError as error:
                last_error = type(error).__name__
                continue
            unprocessed = response.get("UnprocessedItems", {}).get(self.table_name, [])
            left = {_request_number(r) for r in unprocessed}
            outcome.succeeded += len(remaining) - len(left)
            remaining = [(n, r) for n, r in remaining if n in left]
            last_error = "unprocessed after retries"
            if not remaining:
                return outcome
        outcome.failed.extend(BatchFailure(number, last_error) for number, _ in remaining)
        return outcome

    # ------------------------------------------------------------------ reads
    def get_many(
        self,
        numbers: Sequence[str],
        *,
        attributes: Sequence[str] = (),
        operation: str = "batch get",
    ) -> dict[str, dict[str, Any]]:
        """Return the raw items of those ``numbers`` that exist, keyed by number.

        Reads are strongly consistent: a number written a moment ago (an opt-out, a
        block) must be seen. ``attributes`` projects each item to the key and those
        attributes (fewer read units for callers that need a few fields).
        ``operation`` names the caller in errors. Raises
        :class:`~callguard.store.errors.ThrottledError` if some keys stay unprocessed
        after ``max_attempts`` tries, because "not found" would be a wrong answer.
        """
        request: dict[str, Any] = {"ConsistentRead": True}
        if attributes:
            names = {f"#a{i}": name for i, name in enumerate((PARTITION_KEY, *attributes))}
            request["ProjectionExpression"] = ", ".join(names)
            request["ExpressionAttributeNames"] = names
        chunks = [numbers[i : i + GET_CHUNK] for i in range(0, len(numbers), GET_CHUNK)]
        found: dict[str, dict[str, Any]] = {}
        if not chunks:
            return found

        def read(chunk: Sequence[str]) -> list[dict[str, Any]]:
            return self._get_chunk(chunk, request, operation)

        with ThreadPoolExecutor(max_workers=min(self.workers, len(chunks))) as pool:
            for items in pool.map(read, chunks):
                for item in items:
                    found[item[PARTITION_KEY]["S"]] = item
        return found

    def _get_chunk(
        self, chunk: Sequence[str], request: Mapping[str, Any], operation: str
    ) -> list[dict[str, Any]]:
        keys: list[dict[str, Any]] = [{PARTITION_KEY: {"S": n}} for n in chunk]
        items: list[dict[str, Any]] = []
        for attempt in range(self.max_attempts):
            if attempt:
                self._backoff(attempt)
            try:
                with translated(operation):
                    wanted: Any = {"Keys": keys, **request}
                    response = self.client.batch_get_item(RequestItems={self.table_name: wanted})
            except ThrottledError:
                continue  # nothing was read: retry the whole chunk
            items.extend(response.get("Responses", {}).get(self.table_name, []))
            unprocessed: Any = response.get("UnprocessedKeys", {})
            keys = list(unprocessed.get(self.table_name, {}).get("Keys", []))
            if not keys:
                return items
        sample = ", ".join(mask(k[PARTITION_KEY]["S"]) for k in keys[:3])
        raise ThrottledError(
            f"{operation}: {len(keys)} of {len(chunk)} numbers could not be read after "
            f"{self.max_attempts} tries (e.g. {sample})"
        )

    def _backoff(self, attempt: int) -> None:
        """Sleep with full jitter: a random part of ``base * 2**(attempt-1)``, capped."""
        ceiling = min(self.max_delay, BASE_DELAY_SECONDS * 2 ** (attempt - 1))
        self._sleep(self._jitter() * ceiling)


def first_of_each_number(entries: Iterable[Entry]) -> tuple[list[Entry], int]:
    """Validate ``entries``; return the first entry of each number and the repeats left out."""
    unique: dict[str, Entry] = {}
    duplicates = 0
    for entry in entries:
        entry.validate()
        if entry.phone_number in unique:
            duplicates += 1
        else:
            unique[entry.phone_number] = entry
    return list(unique.values()), duplicates


def _request_number(request: Any) -> str:
    """Return the phone number a ``PutRequest`` is about (the only request the store batches)."""
    return str(request["PutRequest"]["Item"][PARTITION_KEY]["S"])


def iter_chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """Split ``items`` into consecutive slices of at most ``size`` (last may be shorter)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
