"""The deny-list table operations: lookup, flag, review and listing.

:class:`DenyList` wraps one table on one low-level DynamoDB client. It is cheap to
build and holds no state besides its arguments, so handlers keep one per
container and tools build one per command.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from callguard.numbers import mask
from callguard.store.errors import (
    ConflictError,
    InvalidEntryError,
    NotFoundError,
    NotPendingError,
    StoreError,
    error_code,
    translate,
    translated,
)
from callguard.store.model import (
    BLOCKED,
    DEFAULT_REJECT_SUPPRESSION_DAYS,
    FLAG_CONTACTS_ATTRIBUTE,
    FLAG_STATUSES,
    MAX_FIELD_LENGTH,
    MAX_NOTE_LENGTH,
    PENDING,
    REJECTED,
    SOURCES,
    Entry,
    Listing,
    clean_text,
    iso_utc,
    normalize_status,
    number_attribute,
    validate_number,
    validate_status,
)
from callguard.store.schema import PARTITION_KEY, STATUS_INDEX, TTL_ATTRIBUTE

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from callguard.store.batch import BatchResult, BatchWriter

#: Attributes a flag writes only when the item does not have them yet, so the
#: first flag's facts survive any number of later (or concurrent) flags.
_FIRST_WRITE_WINS: Final = (
    "reason",
    "source",
    "flagged_by",
    "contact_id",
    "initial_contact_id",
    "previous_contact_id",
    "instance_arn",
    "created_at",
)

#: How often a flag retries when the item changes under it (expired item
#: replaced, a rejection decided or reopened concurrently).
_FLAG_ATTEMPTS: Final = 3
#: Seconds in a day, for the rejection suppression period.
_DAY: Final = 86_400


@dataclass(frozen=True, slots=True)
class FlagOutcome:
    """The result of :meth:`DenyList.flag`: the entry after the flag, and whether it is new.

    ``repeated`` marks a flag from a contact that had already flagged this number
    (Amazon Connect retries a slow Lambda invocation): nothing was written, and
    ``created`` repeats what the original flag reported.

    ``suppressed`` marks a flag of a number a supervisor rejected within the
    suppression period: it was counted on the rejected entry and nothing else
    changed. ``reopened`` marks a flag that turned a rejected entry whose
    suppression had ended into a new review (``created`` is then true as well).
    """

    created: bool
    entry: Entry
    repeated: bool = False
    suppressed: bool = False
    reopened: bool = False


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
        if status not in FLAG_STATUSES:
            raise InvalidEntryError(f"a flag's status must be blocked or pending, not {status!r}")
        if not 0 <= suppression_days <= 36_500:
            raise InvalidEntryError(f"suppression_days must be 0-36500, not {suppression_days}")
        if source not in SOURCES:
            raise InvalidEntryError(f"source {source!r} is not one of {', '.join(sorted(SOURCES))}")
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
        if fresh.contact_id:
            fresh = dataclasses.replace(fresh, flag_contact_ids=(fresh.contact_id,))
        for _ in range(_FLAG_ATTEMPTS):
            outcome, current = self._flag_update(fresh, now)
            if outcome is not None:
                return outcome
            # The condition failed: the item has expired, or this contact flagged already.
            # DynamoDB returned the item with the failure, so no read (and no GetItem
            # permission) is needed to tell which.
            if not current:
                continue  # deleted meanwhile: try again as a new entry
            entry = Entry.from_item(current)
            if entry.is_expired(now):
                if self._replace_expired(fresh, now):
                    return FlagOutcome(created=True, entry=fresh)
                continue
            if fresh.contact_id and fresh.contact_id in entry.flag_contact_ids:
                return FlagOutcome(
                    created=entry.contact_id == fresh.contact_id, entry=entry, repeated=True
                )
            if entry.status == REJECTED:
                outcome = self._flag_rejected(fresh, entry, now - suppression_days * _DAY)
                if outcome is not None:
                    return outcome
        raise ConflictError(f"flag {mask(number)}: the entry kept changing; try again")

    def _flag_update(
        self, fresh: Entry, now: float
    ) -> tuple[FlagOutcome | None, Mapping[str, Any] | None]:
        """Run the conditional update: (outcome, None), or (None, current item) if it failed.

        The condition fails when the existing item has expired or when this
        contact id has flagged the number before; DynamoDB returns the item with
        the failure (``ReturnValuesOnConditionCheckFailure``) and :meth:`flag`
        tells which case it is.
        """
        names = {"#s": "status", "#e": TTL_ATTRIBUTE, "#k": PARTITION_KEY}
        values: dict[str, Any] = {
            ":s": {"S": fresh.status},
            ":now": {"S": fresh.updated_at},
            ":one": {"N": "1"},
            ":epoch": {"N": str(int(now))},
        }
        parts = ["#s = :s" if fresh.status == BLOCKED else "#s = if_not_exists(#s, :s)"]
        for index, name in enumerate(_FIRST_WRITE_WINS):
            value = getattr(fresh, name)
            if value:
                names[f"#a{index}"] = name
                values[f":a{index}"] = {"S": value}
                parts.append(f"#a{index} = if_not_exists(#a{index}, :a{index})")
        if fresh.expires_at is not None:
            values[":exp"] = {"N": str(fresh.expires_at)}
            parts.append("#e = if_not_exists(#e, :exp)")
        names["#u"], names["#l"], names["#c"] = "updated_at", "last_flagged_at", "flag_count"
        parts += ["#u = :now", "#l = :now"]
        additions = "#c :one"
        values[":rej"] = {"S": REJECTED}
        condition = (
            "(attribute_not_exists(#k) OR attribute_not_exists(#e) OR #e > :epoch)"
            " AND (attribute_not_exists(#s) OR #s <> :rej)"
        )
        if fresh.contact_id:
            names["#f"] = FLAG_CONTACTS_ATTRIBUTE
            values[":cid"] = {"S": fresh.contact_id}
            values[":cids"] = {"SS": [fresh.contact_id]}
            additions += ", #f :cids"
            condition += " AND (attribute_not_exists(#f) OR NOT contains(#f, :cid))"
        try:
            with translated(f"flag {mask(fresh.phone_number)}"):
                response = self.client.update_item(
                    TableName=self.table_name,
                    Key={PARTITION_KEY: {"S": fresh.phone_number}},
                    UpdateExpression="SET " + ", ".join(parts) + " ADD " + additions,
                    ConditionExpression=condition,
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=values,
                    ReturnValues="ALL_OLD",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                failure: Mapping[str, Any] = error.response  # a TypedDict without "Item"
                return None, failure.get("Item")
            raise
        old = response.get("Attributes")
        if not old:
            return FlagOutcome(created=True, entry=fresh), None
        old_count = number_attribute(old, "flag_count") or 0
        entry = _after_flag(Entry.from_item(old), old_count, fresh)
        return FlagOutcome(created=False, entry=entry), None

    def _flag_rejected(self, fresh: Entry, current: Entry, cutoff: float) -> FlagOutcome | None:
        """Flag a rejected entry: count it within the suppression period, else reopen it.

        ``cutoff`` is the epoch time before which a rejection no longer suppresses.
        Both writes are conditional on the entry still being the rejection this
        decision was based on; ``None`` tells :meth:`flag` to look again.
        """
        stamp = iso_utc(cutoff)
        if current.reviewed_at and current.reviewed_at > stamp:
            return self._count_suppressed(fresh, stamp)
        return self._reopen(fresh, current, stamp)

    def _count_suppressed(self, fresh: Entry, cutoff: str) -> FlagOutcome | None:
        names = {
            "#s": "status",
            "#ra": "reviewed_at",
            "#u": "updated_at",
            "#l": "last_flagged_at",
            "#c": "flag_count",
        }
        values: dict[str, Any] = {
            ":rej": {"S": REJECTED},
            ":cut": {"S": cutoff},
            ":now": {"S": fresh.updated_at},
            ":one": {"N": "1"},
        }
        additions = "#c :one"
        condition = "#s = :rej AND #ra > :cut"
        if fresh.contact_id:
            names["#f"] = FLAG_CONTACTS_ATTRIBUTE
            values[":cid"] = {"S": fresh.contact_id}
            values[":cids"] = {"SS": [fresh.contact_id]}
            additions += ", #f :cids"
            condition += " AND (attribute_not_exists(#f) OR NOT contains(#f, :cid))"
        try:
            with translated(f"flag {mask(fresh.phone_number)}"):
                response = self.client.update_item(
                    TableName=self.table_name,
                    Key={PARTITION_KEY: {"S": fresh.phone_number}},
                    UpdateExpression="SET #u = :now, #l = :now ADD " + additions,
                    ConditionExpression=condition,
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=values,
                    ReturnValues="ALL_NEW",
                )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return None
            raise
        entry = Entry.from_item(response.get("Attributes", {}))
        return FlagOutcome(created=False, entry=entry, suppressed=True)

    def _reopen(self, fresh: Entry, current: Entry, cutoff: str) -> FlagOutcome | None:
        """Replace a rejection whose suppression has ended with ``fresh``, keeping its history."""
        reopened = Entry(
            **{
                **fresh.to_dict(),
                "reviewed_by": current.reviewed_by,
                "reviewed_at": current.reviewed_at,
                "review_note": current.review_note,
            }
        )
        try:
            with translated(f"flag {mask(fresh.phone_number)}"):
                self.client.put_item(
                    TableName=self.table_name,
                    Item=reopened.to_item(),
                    ConditionExpression="#s = :rej AND (attribute_not_exists(#ra) OR #ra <= :cut)",
                    ExpressionAttributeNames={"#s": "status", "#ra": "reviewed_at"},
                    ExpressionAttributeValues={":rej": {"S": REJECTED}, ":cut": {"S": cutoff}},
                )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return None
            raise
        return FlagOutcome(created=True, entry=reopened, reopened=True)

    def _replace_expired(self, fresh: Entry, now: float) -> bool:
        """Overwrite an expired item with ``fresh``; False if it changed meanwhile."""
        item = fresh.to_item()
        if fresh.contact_id:
            item[FLAG_CONTACTS_ATTRIBUTE] = {"SS": [fresh.contact_id]}
        try:
            with translated(f"flag {mask(fresh.phone_number)}"):
                self.client.put_item(
                    TableName=self.table_name,
                    Item=item,
                    ConditionExpression="attribute_exists(#e) AND #e <= :epoch",
                    ExpressionAttributeNames={"#e": TTL_ATTRIBUTE},
                    ExpressionAttributeValues={":epoch": {"N": str(int(now))}},
                )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def add(self, entry: Entry) -> Entry:
        """Write a new entry; raise :class:`ConflictError` if the number is already listed.

        An expired entry is overwritten, since it counts as absent, and so is a
        rejected one: a supervisor adding the number overrides the earlier "do not
        block" decision.
        """
        entry.validate()
        try:
            with translated(f"add {mask(entry.phone_number)}"):
                self.client.put_item(
                    TableName=self.table_name,
                    Item=entry.to_item(),
                    ConditionExpression="attribute_not_exists(#k) OR #e <= :epoch OR #s = :rej",
                    ExpressionAttributeNames={
                        "#k": PARTITION_KEY,
                        "#e": TTL_ATTRIBUTE,
                        "#s": "status",
                    },
                    ExpressionAttributeValues={
                        ":epoch": {"N": str(int(self._clock()))},
                        ":rej": {"S": REJECTED},
                    },
                )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise ConflictError(f"{mask(entry.phone_number)} is already listed") from error
            raise
        return entry

    def remove(self, number: str) -> Entry:
        """Delete the entry of ``number`` and return it; :class:`NotFoundError` if absent.

        Expired entries are removed too (they still occupy the key until TTL runs).
        """
        validate_number(number)
        try:
            with translated(f"remove {mask(number)}"):
                response = self.client.delete_item(
                    TableName=self.table_name,
                    Key={PARTITION_KEY: {"S": number}},
                    ConditionExpression="attribute_exists(#k)",
                    ExpressionAttributeNames={"#k": PARTITION_KEY},
                    ReturnValues="ALL_OLD",
                )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise NotFoundError(f"{mask(number)} is not listed") from error
            raise
        return Entry.from_item(response.get("Attributes", {}))

    def approve(self, number: str, *, reviewer: str = "", note: str = "") -> Entry:
        """Turn a pending entry into a blocked one (a supervisor confirmed the flag).

        Records ``reviewer``, the time and ``note`` as the entry's decision.
        Raises :class:`NotFoundError` when absent or expired and
        :class:`NotPendingError` when the entry is not pending (already blocked, or
        rejected by someone else a moment ago). One conditional write, so of two
        concurrent decisions on one number exactly one succeeds.
        """
        return self._decide("approve", number, BLOCKED, reviewer, note)

    def reject(self, number: str, *, reviewer: str = "", note: str = "") -> Entry:
        """Mark a pending entry ``rejected`` (a supervisor dismissed the flag) and return it.

        The entry stays in the table so that re-flags of the number are only
        counted for the suppression period (see :meth:`flag`); the check treats a
        rejected number as clear. Errors as for :meth:`approve`; a blocked number
        is taken off the list with :meth:`remove`.
        """
        return self._decide("reject", number, REJECTED, reviewer, note)

    def _decide(self, operation: str, number: str, status: str, reviewer: str, note: str) -> Entry:
        """Move a pending, unexpired entry to ``status`` and record the decision."""
        validate_number(number)
        now = self._clock()
        stamp = iso_utc(now)
        names = {
            "#s": "status",
            "#u": "updated_at",
            "#e": TTL_ATTRIBUTE,
            "#rb": "reviewed_by",
            "#ra": "reviewed_at",
            "#rn": "review_note",
        }
        values: dict[str, Any] = {
            ":new": {"S": status},
            ":pending": {"S": PENDING},
            ":now": {"S": stamp},
            ":epoch": {"N": str(int(now))},
        }
        sets = ["#s = :new", "#u = :now", "#ra = :now"]
        removes = []
        for name, placeholder, text, limit in (
            ("#rb", ":rb", reviewer, MAX_FIELD_LENGTH),
            ("#rn", ":rn", note, MAX_NOTE_LENGTH),
        ):
            value = clean_text(text, limit)
            if value:
                values[placeholder] = {"S": value}
                sets.append(f"{name} = {placeholder}")
            else:  # a decision without a note must not show the previous decision's note
                removes.append(name)
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        try:
            with translated(f"{operation} {mask(number)}"):
                response = self.client.update_item(
                    TableName=self.table_name,
                    Key={PARTITION_KEY: {"S": number}},
                    UpdateExpression=expression,
                    ConditionExpression=(
                        "#s = :pending AND (attribute_not_exists(#e) OR #e > :epoch)"
                    ),
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=values,
                    ReturnValues="ALL_NEW",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                failure: Mapping[str, Any] = error.response  # a TypedDict without "Item"
                raise self._review_conflict(operation, number, failure.get("Item"), now) from error
            raise
        return Entry.from_item(response.get("Attributes", {}))

    @staticmethod
    def _review_conflict(
        operation: str, number: str, item: Mapping[str, Any] | None, now: float
    ) -> StoreError:
        """Tell "not listed" from "not pending" from the item the failed condition returned."""
        entry = Entry.from_item(item) if item else None
        if entry is None or entry.is_expired(now):
            return NotFoundError(f"{operation}: {mask(number)} is not listed")
        decided = ""
        if entry.reviewed_at:
            who = f" by {entry.reviewed_by}" if entry.reviewed_by else ""
            decided = f" (decided{who} at {entry.reviewed_at})"
        return NotPendingError(
            f"{operation}: {mask(number)} is {entry.status}, not pending{decided}",
            status=entry.status,
            reviewed_by=entry.reviewed_by,
            reviewed_at=entry.reviewed_at,
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

    def delete_batch(
        self, numbers: Iterable[str], *, workers: int = 4, max_attempts: int = 8
    ) -> BatchResult:
        """Delete many numbers with ``BatchWriteItem``; failures are reported, not dropped."""
        return self._batch_writer(workers, max_attempts).delete(numbers)

    def _batch_writer(self, workers: int, max_attempts: int) -> BatchWriter:
        """Build a :class:`~callguard.store.batch.BatchWriter` for this table.

        The batch module is imported on first use: the check handler never needs
        it, and every module a cold start skips is time a caller does not wait.
        """
        from callguard.store import batch  # noqa: PLC0415 - lazy on purpose

        return batch.BatchWriter(
            self.client, self.table_name, workers=workers, max_attempts=max_attempts
        )


def _after_flag(old: Entry, old_count: int, fresh: Entry) -> Entry:
    """Compute the entry an existing item becomes after :meth:`DenyList._flag_update`."""
    values = {name: getattr(old, name) or getattr(fresh, name) for name in _FIRST_WRITE_WINS}
    return Entry(
        phone_number=old.phone_number,
        status=BLOCKED if fresh.status == BLOCKED else old.status,
        updated_at=fresh.updated_at,
        last_flagged_at=fresh.last_flagged_at,
        flag_count=old_count + 1,
        expires_at=old.expires_at if old.expires_at is not None else fresh.expires_at,
        reviewed_by=old.reviewed_by,
        reviewed_at=old.reviewed_at,
        review_note=old.review_note,
        flag_contact_ids=tuple(sorted({*old.flag_contact_ids, *fresh.flag_contact_ids})),
        **values,
    )


def _expired(attribute: Mapping[str, Any], now: float) -> bool:
    raw = attribute.get("N")
    try:
        return raw is not None and float(raw) <= now
    except ValueError:
        return False
