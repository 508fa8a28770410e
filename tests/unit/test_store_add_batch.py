"""Conditional bulk add: a number listed before or during the write keeps its entry.

The race an import must survive: it reads which numbers are listed, an agent
flags one of the others, and only then does the import write. The stub client
below runs that flag (a real one, through :meth:`DenyList.flag`) right before
the import's write of the number reaches the table, so the interleaving is the
same on every run.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from callguard.store import BatchWriter, DenyList, Entry, InvalidEntryError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

T0 = 1_800_000_000.0
DAY = 86_400


def numbers(count: int, prefix: str = "+1415555") -> list[str]:
    return [f"{prefix}{i:04d}" for i in range(count)]


def imported(number: str, **kwargs: Any) -> Entry:
    return Entry.new(number, reason="carrier report", source="import", now=T0, **kwargs)


class FlagFirst:
    """Wraps a real client: before the first write of each number in ``race``, flag it.

    ``refusals`` maps an error (a ClientError code or an exception) to how many
    ``PutItem`` calls fail with it before the table is reached.
    """

    def __init__(
        self,
        client: DynamoDBClient,
        store: DenyList,
        race: set[str],
        refusals: dict[str | Exception, int] | None = None,
    ) -> None:
        self._client = client
        self._store = store
        self._race = set(race)
        self._refusals = list((refusals or {}).items())
        self._lock = threading.Lock()
        self.put_calls = 0

    def put_item(self, **request: Any) -> Any:
        number = request["Item"]["phone_number"]["S"]
        with self._lock:
            self.put_calls += 1
            flag_now = number in self._race
            self._race.discard(number)
            refusal: str | Exception | None = None
            for index, (error, left) in enumerate(self._refusals):
                if left:
                    self._refusals[index] = (error, left - 1)
                    refusal = error
                    break
        if refusal is not None:
            if isinstance(refusal, Exception):
                raise refusal
            raise ClientError({"Error": {"Code": refusal, "Message": "x"}}, "PutItem")
        if flag_now:
            self._store.flag(
                number,
                reason="abusive caller",
                source="agent",
                flagged_by="agent-7",
                contact_id="c1",
            )
        return self._client.put_item(**request)


def writer(client: Any, table: str, **kwargs: Any) -> BatchWriter:
    return BatchWriter(client, table, sleep=lambda _: None, jitter=lambda: 1.0, **kwargs)


def test_adds_every_new_number(deny_list: DenyList) -> None:
    wanted = numbers(60)

    result = deny_list.add_batch(imported(n) for n in wanted)

    assert (result.succeeded, result.existing, result.failed) == (60, (), ())
    assert deny_list.batch_get(wanted).keys() == set(wanted)


def test_listed_numbers_are_left_exactly_as_they_are(deny_list: DenyList) -> None:
    first = deny_list.flag("+14155550001", reason="first", source="agent", flagged_by="a1")
    deny_list.flag("+14155550001", reason="second", source="agent", flagged_by="a2")

    result = deny_list.add_batch([imported("+14155550001"), imported("+14155550002")])

    assert result.existing == ("+14155550001",)
    assert result.succeeded == 1
    kept = deny_list.get("+14155550001")
    assert kept is not None
    assert (kept.reason, kept.source, kept.flagged_by, kept.flag_count) == (
        "first",
        "agent",
        "a1",
        2,
    )
    assert kept.created_at == first.entry.created_at


def test_a_flag_between_the_read_and_the_write_is_never_overwritten(
    moto_dynamodb: DynamoDBClient, table_name: str
) -> None:
    store = DenyList(moto_dynamodb, table_name)
    wanted = numbers(40)
    raced = {wanted[3], wanted[27]}
    assert store.batch_get(wanted) == {}  # what an import sees before it writes
    client = FlagFirst(moto_dynamodb, store, raced)

    result = writer(client, table_name, workers=4).put_new(
        (imported(n) for n in wanted), now=T0 + 1
    )

    assert set(result.existing) == raced
    assert result.succeeded == 38
    assert not result.failed
    for number in raced:
        entry = store.get(number)
        assert entry is not None
        assert (entry.reason, entry.source, entry.flagged_by, entry.contact_id) == (
            "abusive caller",
            "agent",
            "agent-7",
            "c1",
        )
        assert entry.flag_count == 1
    others = store.batch_get(n for n in wanted if n not in raced)
    assert {e.source for e in others.values()} == {"import"}
    assert len(others) == 38


def test_an_expired_entry_counts_as_absent_and_is_replaced(deny_list: DenyList) -> None:
    deny_list.add(
        Entry.new("+14155550001", reason="old", now=T0 - 10 * DAY, expires_at=int(T0 - DAY))
    )
    writer_now = DenyList(deny_list.client, deny_list.table_name, clock=lambda: T0)

    result = writer_now.add_batch([imported("+14155550001")])

    assert (result.succeeded, result.existing) == (1, ())
    entry = writer_now.get("+14155550001")
    assert entry is not None
    assert (entry.reason, entry.source) == ("carrier report", "import")


def test_an_unexpired_entry_with_an_expiry_is_kept(deny_list: DenyList) -> None:
    deny_list.add(Entry.new("+14155550001", reason="kept", now=T0, expires_at=int(T0 + DAY)))
    at_t0 = DenyList(deny_list.client, deny_list.table_name, clock=lambda: T0)

    result = at_t0.add_batch([imported("+14155550001")])

    assert result.existing == ("+14155550001",)
    entry = at_t0.get("+14155550001")
    assert entry is not None
    assert entry.reason == "kept"


def test_throttling_and_transport_errors_are_retried_with_backoff(
    moto_dynamodb: DynamoDBClient, table_name: str
) -> None:
    store = DenyList(moto_dynamodb, table_name)
    client = FlagFirst(
        moto_dynamodb,
        store,
        set(),
        {
            "ProvisionedThroughputExceededException": 2,
            EndpointConnectionError(endpoint_url="http://127.0.0.1:1"): 1,
        },
    )
    sleeps: list[float] = []
    stub: Any = client
    batch = BatchWriter(stub, table_name, workers=1, sleep=sleeps.append, jitter=lambda: 1.0)

    result = batch.put_new((imported(n) for n in numbers(5)), now=T0)

    assert (result.succeeded, result.failed, result.retries) == (5, (), 3)
    assert result.requests == 8
    assert sleeps == [0.05, 0.1, 0.2]
    assert len(store.batch_get(numbers(5))) == 5


def test_what_still_fails_is_reported_never_dropped(
    moto_dynamodb: DynamoDBClient, table_name: str
) -> None:
    client = FlagFirst(
        moto_dynamodb, DenyList(moto_dynamodb, table_name), set(), {"ThrottlingException": 100}
    )

    result = writer(client, table_name, workers=2, max_attempts=3).put_new(
        (imported(n) for n in numbers(4)), now=T0
    )

    assert result.succeeded == 0
    assert {f.phone_number for f in result.failed} == set(numbers(4))
    assert {f.error for f in result.failed} == {"ThrottlingException"}
    assert client.put_calls == 12


def test_a_permanent_error_stops_the_writes_and_reports_every_entry(
    moto_dynamodb: DynamoDBClient, table_name: str
) -> None:
    """No access to the table: one request says so; the rest are reported, not sent."""
    client = FlagFirst(
        moto_dynamodb, DenyList(moto_dynamodb, table_name), set(), {"AccessDeniedException": 1}
    )

    result = writer(client, table_name, workers=1).put_new(
        (imported(n) for n in numbers(30)), now=T0
    )

    assert client.put_calls == 1
    assert result.succeeded == 0
    assert [f.phone_number for f in result.failed] == numbers(30)
    assert {f.error for f in result.failed} == {"AccessDeniedException"}


def test_another_refusal_fails_only_its_entry(
    moto_dynamodb: DynamoDBClient, table_name: str
) -> None:
    client = FlagFirst(
        moto_dynamodb, DenyList(moto_dynamodb, table_name), set(), {"ValidationException": 1}
    )

    result = writer(client, table_name, workers=1).put_new(
        (imported(n) for n in numbers(3)), now=T0
    )

    assert [(f.phone_number, f.error) for f in result.failed] == [
        ("+14155550000", "ValidationException")
    ]
    assert result.succeeded == 2
    assert client.put_calls == 3


def test_duplicates_in_the_input_keep_the_first(deny_list: DenyList) -> None:
    result = deny_list.add_batch(
        [
            imported("+14155550001"),
            Entry.new("+14155550001", reason="later line", source="import", now=T0),
        ]
    )

    assert (result.succeeded, result.duplicates, result.existing) == (1, 1, ())
    entry = deny_list.get("+14155550001")
    assert entry is not None
    assert entry.reason == "carrier report"


def test_bad_entries_are_refused_before_anything_is_written(deny_list: DenyList) -> None:
    bad = Entry(phone_number="12345", status="blocked")

    with pytest.raises(InvalidEntryError):
        deny_list.add_batch([imported("+14155550001"), bad])

    assert deny_list.get("+14155550001") is None


def test_nothing_to_add(deny_list: DenyList) -> None:
    result = deny_list.add_batch([])

    assert (result.succeeded, result.requests, result.existing) == (0, 0, ())
