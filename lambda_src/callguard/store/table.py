"""The deny-list table operations: lookup, flag, review and listing.

:class:`DenyList` wraps one table on one low-level DynamoDB client. It is cheap to
build and holds no state besides its arguments, so handlers keep one per
container and tools build one per command.
"""

from __future__ import annotations

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
    error_code,
    translate,
    translated,
)
from callguard.store.model import (
    BLOCKED,
    MAX_FIELD_LENGTH,
    MAX_REASON_LENGTH,
    PENDING,
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

#: How often a flag retries when an expired item is replaced concurrently.
_FLAG_ATTEMPTS: Final = 3
#: String set of the contact ids that flagged a number, so that a retried
#: invocation for the same contact is recognised and not counted twice.
FLAG_CONTACTS_ATTRIBUTE: Final = "flag_contact_ids"


@dataclass(frozen=True, slots=True)
class FlagOutcome:
    """The result of :meth:`DenyList.flag`: the entry after the flag, and whether it is new.

    ``repeated`` marks a flag from a contact that had already flagged this number
    (Amazon Connect retries a slow Lambda invocation): nothing was written, and
    ``created`` repeats what the original flag reported.
    """

    created: bool
    entry: Entry
    repeated: bool = False


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

        Returns whether the entry was created and the entry as this flag left it
        (computed from the item's previous image, which DynamoDB returns
        atomically with the update).
        """
        validate_number(number)
        validate_status(status)
        if source not in SOURCES:
            raise InvalidEntryError(f"source {source!r} is not one of {', '.join(sorted(SOURCES))}")
        now = self._clock()
        stamp = iso_utc(now)
        fresh = Entry(
            phone_number=number,
            status=status,
            reason=clean_text(reason, MAX_REASON_LENGTH),
            source=source,
            flagged_by=clean_text(flagged_by, MAX_FIELD_LENGTH),
            contact_id=clean_text(contact_id, MAX_FIELD_LENGTH),
            initial_contact_id=clean_text(initial_contact_id, MAX_FIELD_LENGTH),
            previous_contact_id=clean_text(previous_contact_id, MAX_FIELD_LENGTH),
            instance_arn=clean_text(instance_arn, MAX_FIELD_LENGTH),
            created_at=stamp,
            updated_at=stamp,
            last_flagged_at=stamp,
            flag_count=1,
            expires_at=expires_at,
        )
        fresh.validate()
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
            contacts = current.get(FLAG_CONTACTS_ATTRIBUTE, {}).get("SS", [])
            if fresh.contact_id and fresh.contact_id in contacts:
                return FlagOutcome(
                    created=entry.contact_id == fresh.contact_id, entry=entry, repeated=True
                )
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
        condition = "(attribute_not_exists(#k) OR attribute_not_exists(#e) OR #e > :epoch)"
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

        An expired entry is overwritten, since it counts as absent.
        """
        entry.validate()
        try:
            with translated(f"add {mask(entry.phone_number)}"):
                self.client.put_item(
                    TableName=self.table_name,
                    Item=entry.to_item(),
                    ConditionExpression="attribute_not_exists(#k) OR #e <= :epoch",
                    ExpressionAttributeNames={"#k": PARTITION_KEY, "#e": TTL_ATTRIBUTE},
                    ExpressionAttributeValues={":epoch": {"N": str(int(self._clock()))}},
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

    def approve(self, number: str) -> Entry:
        """Turn a pending entry into a blocked one (a supervisor confirmed the flag).

        Raises :class:`NotFoundError` when absent or expired and :class:`ConflictError`
        when the entry is not pending (e.g. already blocked).
        """
        validate_number(number)
        stamp = iso_utc(self._clock())
        try:
            with translated(f"approve {mask(number)}"):
                response = self.client.update_item(
                    TableName=self.table_name,
                    Key={PARTITION_KEY: {"S": number}},
                    UpdateExpression="SET #s = :blocked, #u = :now",
                    ConditionExpression=(
                        "#s = :pending AND (attribute_not_exists(#e) OR #e > :epoch)"
                    ),
                    ExpressionAttributeNames={
                        "#s": "status",
                        "#u": "updated_at",
                        "#e": TTL_ATTRIBUTE,
                    },
                    ExpressionAttributeValues={
                        ":blocked": {"S": BLOCKED},
                        ":pending": {"S": PENDING},
                        ":now": {"S": stamp},
                        ":epoch": {"N": str(int(self._clock()))},
                    },
                    ReturnValues="ALL_NEW",
                )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise self._review_conflict("approve", number) from error
            raise
        return Entry.from_item(response.get("Attributes", {}))

    def reject(self, number: str) -> Entry:
        """Delete a pending entry (a supervisor dismissed the flag) and return it.

        Raises :class:`NotFoundError` when absent and :class:`ConflictError` when the
        entry is not pending: a blocked number is removed with :meth:`remove`.
        """
        validate_number(number)
        try:
            with translated(f"reject {mask(number)}"):
                response = self.client.delete_item(
                    TableName=self.table_name,
                    Key={PARTITION_KEY: {"S": number}},
                    ConditionExpression="#s = :pending",
                    ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues={":pending": {"S": PENDING}},
                    ReturnValues="ALL_OLD",
                )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise self._review_conflict("reject", number) from error
            raise
        return Entry.from_item(response.get("Attributes", {}))

    def _review_conflict(self, operation: str, number: str) -> Exception:
        """Tell "not listed" from "not pending" after a failed review condition."""
        entry = self.get(number)
        if entry is None:
            return NotFoundError(f"{operation}: {mask(number)} is not listed")
        return ConflictError(f"{operation}: {mask(number)} is {entry.status}, not pending")

    # ------------------------------------------------------------------ bulk
    def write_batch(
        self, entries: Iterable[Entry], *, workers: int = 4, max_attempts: int = 8
    ) -> BatchResult:
        """Put many entries with ``BatchWriteItem`` (overwriting), in parallel requests.

        Unprocessed items are retried with exponential backoff; whatever still fails
        is reported in the result, never dropped. See :class:`BatchWriter`.
        """
        return self._batch_writer(workers, max_attempts).put(entries)

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
        **values,
    )


def _expired(attribute: Mapping[str, Any], now: float) -> bool:
    raw = attribute.get("N")
    try:
        return raw is not None and float(raw) <= now
    except ValueError:
        return False
