"""The deny-list table: the operations callers use, on one table and one client.

:class:`DenyList` is the one entry point. It holds the reads (lookup, get,
listings, bulk reads) and the simple writes (add, remove, bulk writes) here,
and hands the two larger jobs to their own modules: the flag state machine
(:mod:`callguard.store.flagging`) and review decisions
(:mod:`callguard.store.review`). Every conditional write goes through
:func:`callguard.store.writes.write_if`. A :class:`DenyList` is cheap to build
and holds no state besides its arguments, so handlers keep one per container
and tools build one per command.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from callguard.config import DEFAULT_REJECT_SUPPRESSION_DAYS
from callguard.numbers import mask
from callguard.store import flagging, review
from callguard.store.errors import (
    ConflictError,
    InvalidEntryError,
    NotFoundError,
    translate,
    translated,
)
from callguard.store.flagging import FlagOutcome
from callguard.store.model import (
    BLOCKED,
    PENDING,
    REJECTED,
    Entry,
    Listing,
    normalize_status,
    validate_number,
    validate_status,
)
from callguard.store.schema import PARTITION_KEY, STATUS_INDEX, TTL_ATTRIBUTE
from callguard.store.writes import Table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from callguard.store.batch import BatchResult, BatchWriter

__all__ = ["DenyList", "FlagOutcome"]


class DenyList:
    """Operations on one deny-list table.

    ``clock`` returns epoch seconds; tests pass a fixed clock to check expiry and
    timestamps. All numbers must already be E.164 (see :mod:`callguard.numbers`).
    """

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not table_name:
            raise InvalidEntryError("a table name is required")
        self.client = client
        self.table_name = table_name
        self._table = Table(client, table_name)
        self._clock = clock
        # The lookup request never changes except for its key: build it once.
        self._lookup_request: dict[str, Any] = {
            "TableName": table_name,
            "ProjectionExpression": "#s, #r, #e",
            "ExpressionAttributeNames": {"#s": "status", "#r": "reason", "#e": TTL_ATTRIBUTE},
            "ConsistentRead": False,
        }

    # ------------------------------------------------------------------ reads
    def lookup(self, number: str) -> Listing | None:
        """Return the status and reason of ``number``, or ``None`` when it is not listed.

        One eventually consistent, projected ``GetItem`` (half the read cost of a
        consistent read, and the check tolerates a flag becoming visible a moment
        late). An item whose ``expires_at`` has passed counts as absent, because
        DynamoDB's TTL deletion can lag by up to two days.
        """
        try:  # inline rather than `translated`: this is every inbound call's path
            response = self.client.get_item(
                Key={PARTITION_KEY: {"S": number}}, **self._lookup_request
            )
        except (ClientError, BotoCoreError) as error:
            raise translate(f"lookup {mask(number)}", error) from error
        item: Mapping[str, Any] | None = response.get("Item")
        if not item:
            return None
        expires = item.get(TTL_ATTRIBUTE)
        if expires is not None and _expired(expires, self._clock()):
            return None
        status = item.get("status", {}).get("S", "")
        reason = item.get("reason", {}).get("S", "")
        return Listing(status=normalize_status(status), reason=reason)

    def get(self, number: str, *, include_expired: bool = False) -> Entry | None:
        """Return the full entry of ``number`` (strongly consistent), or ``None``.

        Expired entries are ``None`` unless ``include_expired`` is set.
        """
        validate_number(number)
        with translated(f"get {mask(number)}"):
            response = self.client.get_item(
                TableName=self.table_name,
                Key={PARTITION_KEY: {"S": number}},
                ConsistentRead=True,
            )
        item = response.get("Item")
        if not item:
            return None
        entry = Entry.from_item(item)
        if entry.is_expired(self._clock()) and not include_expired:
            return None
        return entry

    def pending(self, *, limit: int | None = None) -> Iterator[Entry]:
        """Yield the entries waiting for review, oldest first (through the status index)."""
        return self.entries(status=PENDING, limit=limit)

    def entries(
        self,
        *,
        status: str | None = None,
        limit: int | None = None,
        include_expired: bool = False,
    ) -> Iterator[Entry]:
        """Yield every entry, or those with ``status`` (oldest first), page by page.

        With a status this queries :data:`STATUS_INDEX`; without one it scans the
        table (unordered). Expired entries are skipped unless ``include_expired``.
        """
        request: dict[str, Any] = {"TableName": self.table_name}
        if status is not None:
            validate_status(status)
            request.update(
                IndexName=STATUS_INDEX,
                KeyConditionExpression="#s = :s",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":s": {"S": status}},
                ScanIndexForward=True,
            )
        return self._paginate(request, status is not None, limit, include_expired)

    def _paginate(
        self,
        request: dict[str, Any],
        query: bool,
        limit: int | None,
        include_expired: bool,
    ) -> Iterator[Entry]:
        yielded = 0
        while True:
            with translated("query" if query else "scan"):
                page = self.client.query(**request) if query else self.client.scan(**request)
            now = self._clock()
            for item in page.get("Items", []):
                entry = Entry.from_item(item)
                if entry.is_expired(now) and not include_expired:
                    continue
                yield entry
                yielded += 1
                if limit is not None and yielded >= limit:
                    return
            last_key = page.get("LastEvaluatedKey")
            if not last_key:
                return
            request["ExclusiveStartKey"] = last_key

    def batch_get(self, numbers: Iterable[str]) -> dict[str, Entry]:
        """Return the entries of those ``numbers`` that are listed (expired ones are absent).

        Uses ``BatchGetItem`` in chunks of 100 and retries unprocessed keys with
        backoff; raises :class:`~callguard.store.errors.ThrottledError` rather than
        return an answer that silently misses numbers.
        """
        wanted = sorted({validate_number(n) for n in numbers})
        found = self._batch_writer(4, 8).get_many(wanted)
        now = self._clock()
        return {
            number: entry
            for number, entry in ((n, Entry.from_item(i)) for n, i in found.items())
            if not entry.is_expired(now)
        }

    # ------------------------------------------------------------------ writes
    def flag(
        self,
        number: str,
        *,
        status: str = BLOCKED,
        reason: str = "",
        source: str = "agent",
        flagged_by: str = "",
        contact_id: str = "",
        initial_contact_id: str = "",
        previous_contact_id: str = "",
        instance_arn: str = "",
        expires_at: int | None = None,
        suppression_days: float = DEFAULT_REJECT_SUPPRESSION_DAYS,
    ) -> FlagOutcome:
        """Flag ``number``: create its entry, or count one more flag on the existing one.

        One conditional ``UpdateItem``, so concurrent flags of one number never lose
        anything: reason, source, who, contact ids and ``created_at`` are written
        only if absent (the first flag wins), ``flag_count`` is incremented
        atomically and ``last_flagged_at``/``updated_at`` record this flag. Status
        only moves up: ``blocked`` always wins, ``pending`` never replaces
        ``blocked``. An expired entry is replaced as if the number were new.
        ``expires_at`` follows the same first-write rule.

        With a ``contact_id``, each contact counts once: the id joins the
        ``flag_contact_ids`` set in the same update, under the condition that it is
        not there yet, so Amazon Connect retrying an invocation cannot count one
        agent's flag twice (the outcome is then marked ``repeated``).

        A number a supervisor rejected is remembered: a flag less than
        ``suppression_days`` after the rejection is only counted (``flag_count``,
        ``last_flagged_at``; outcome ``suppressed``), whatever ``status`` it asks
        for; a later flag reopens the entry as a fresh flag with ``status``
        (outcome ``created`` and ``reopened``), keeping the old decision's
        ``reviewed_*`` attributes as history. 0 days: every flag reopens.

        Returns whether the entry was created and the entry as this flag left it
        (computed from the item's previous image, which DynamoDB returns
        atomically with the update).
        """
        validate_number(number)
        flagging.check_flag(status, source, suppression_days)
        now = self._clock()
        fresh = Entry.new(
            number,
            status=status,
            reason=reason,
            source=source,
            flagged_by=flagged_by,
            now=now,
            expires_at=expires_at,
            contact_id=contact_id,
            initial_contact_id=initial_contact_id,
            previous_contact_id=previous_contact_id,
            instance_arn=instance_arn,
        )
        return flagging.flag(self._table, fresh, now, suppression_days)

    def add(self, entry: Entry) -> Entry:
        """Write a new entry; raise :class:`ConflictError` if the number is already listed.

        An expired entry is overwritten, since it counts as absent, and so is a
        rejected one: a supervisor adding the number overrides the earlier "do not
        block" decision.
        """
        entry.validate()
        result = self._table.put_if(
            f"add {mask(entry.phone_number)}",
            entry.to_item(),
            ConditionExpression="attribute_not_exists(#k) OR #e <= :epoch OR #s = :rej",
            ExpressionAttributeNames={"#k": PARTITION_KEY, "#e": TTL_ATTRIBUTE, "#s": "status"},
            ExpressionAttributeValues={
                ":epoch": {"N": str(int(self._clock()))},
                ":rej": {"S": REJECTED},
            },
        )
        if not result.written:
            raise ConflictError(f"{mask(entry.phone_number)} is already listed")
        return entry

    def remove(self, number: str) -> Entry:
        """Delete the entry of ``number`` and return it; :class:`NotFoundError` if absent.

        Expired entries are removed too (they still occupy the key until TTL runs).
        """
        validate_number(number)
        result = self._table.delete_if(
            f"remove {mask(number)}",
            number,
            ConditionExpression="attribute_exists(#k)",
            ExpressionAttributeNames={"#k": PARTITION_KEY},
            ReturnValues="ALL_OLD",
        )
        if not result.written:
            raise NotFoundError(f"{mask(number)} is not listed")
        return Entry.from_item(result.attributes)

    def approve(self, number: str, *, reviewer: str = "", note: str = "") -> Entry:
        """Turn a pending entry into a blocked one (a supervisor confirmed the flag).

        Records ``reviewer``, the time and ``note`` as the entry's decision.
        Raises :class:`NotFoundError` when absent or expired and
        :class:`NotPendingError` when the entry is not pending (already blocked, or
        rejected by someone else a moment ago). One conditional write, so of two
        concurrent decisions on one number exactly one succeeds.
        """
        return self._decide("approve", BLOCKED, number, reviewer, note)

    def reject(self, number: str, *, reviewer: str = "", note: str = "") -> Entry:
        """Mark a pending entry ``rejected`` (a supervisor dismissed the flag) and return it.

        The entry stays in the table so that re-flags of the number are only
        counted for the suppression period (see :meth:`flag`); the check treats a
        rejected number as clear. Errors as for :meth:`approve`; a blocked number
        is taken off the list with :meth:`remove`.
        """
        return self._decide("reject", REJECTED, number, reviewer, note)

    def _decide(self, operation: str, status: str, number: str, reviewer: str, note: str) -> Entry:
        validate_number(number)
        return review.decide(
            self._table,
            number,
            operation=operation,
            status=status,
            reviewer=reviewer,
            note=note,
            now=self._clock(),
        )

    # ------------------------------------------------------------------ bulk
    def write_batch(
        self, entries: Iterable[Entry], *, workers: int = 4, max_attempts: int = 8
    ) -> BatchResult:
        """Put many entries with ``BatchWriteItem`` (overwriting), in parallel requests.

        Unprocessed items are retried with exponential backoff; whatever still fails
        is reported in the result, never dropped. See :class:`BatchWriter`. It
        overwrites unconditionally: for seeding a table nobody else writes to;
        :meth:`add_batch` is the safe form next to live flags.
        """
        return self._batch_writer(workers, max_attempts).put(entries)

    def add_batch(
        self, entries: Iterable[Entry], *, workers: int = 8, max_attempts: int = 8
    ) -> BatchResult:
        """Add many entries, each only if its number is not listed (expired counts as absent).

        The bulk form of :meth:`add`: conditional writes in parallel, so a number
        flagged meanwhile keeps its entry and is reported in
        :attr:`~callguard.store.batch.BatchResult.existing`. Use this, not
        :meth:`write_batch`, whenever other writers may be active.
        """
        return self._batch_writer(workers, max_attempts).put_new(entries, now=self._clock())

    def _batch_writer(self, workers: int, max_attempts: int) -> BatchWriter:
        """Build a :class:`~callguard.store.batch.BatchWriter` for this table.

        The batch module is imported on first use: the check handler never needs
        it, and every module a cold start skips is time a caller does not wait.
        """
        from callguard.store import batch  # noqa: PLC0415 - lazy on purpose

        return batch.BatchWriter(
            self.client, self.table_name, workers=workers, max_attempts=max_attempts
        )


def _expired(attribute: Mapping[str, Any], now: float) -> bool:
    raw = attribute.get("N")
    try:
        return raw is not None and float(raw) <= now
    except ValueError:
        return False
