"""DenyList against in-process moto: every operation, every outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from callguard.attributes import iso_utc
from callguard.store import (
    BLOCKED,
    PENDING,
    STATUS_INDEX,
    TABLE_DEFINITION,
    ConflictError,
    DenyList,
    Entry,
    InvalidEntryError,
    NotFoundError,
    StoreError,
    TableNotFoundError,
    create_table,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

NUMBER = "+442079460958"
OTHER = "+12125550100"
T0 = 1_800_000_000.0


class Clock:
    """A settable clock for expiry and timestamp checks."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(moto_dynamodb: DynamoDBClient, table_name: str, clock: Clock) -> DenyList:
    return DenyList(moto_dynamodb, table_name, clock=clock)


def raw_item(client: DynamoDBClient, number: str) -> dict[str, Any]:
    return dict(
        client.get_item(TableName="callguard-test", Key={"phone_number": {"S": number}}).get(
            "Item", {}
        )
    )


# ---------------------------------------------------------------- schema
def test_create_table_has_the_documented_shape(moto_dynamodb: DynamoDBClient) -> None:
    create_table(moto_dynamodb, "shape")
    table = moto_dynamodb.describe_table(TableName="shape")["Table"]
    assert table["KeySchema"] == [{"AttributeName": "phone_number", "KeyType": "HASH"}]
    index = table["GlobalSecondaryIndexes"][0]
    assert index["IndexName"] == STATUS_INDEX == "status-created_at-index"
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["status", "created_at"]
    assert index["Projection"]["ProjectionType"] == "ALL"
    ttl = moto_dynamodb.describe_time_to_live(TableName="shape")["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"
    assert ttl["TimeToLiveStatus"] == "ENABLED"
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"


def test_create_table_does_not_mutate_the_definition(moto_dynamodb: DynamoDBClient) -> None:
    before = repr(TABLE_DEFINITION)
    create_table(moto_dynamodb, "one")
    assert repr(TABLE_DEFINITION) == before


def test_create_existing_table_is_a_store_error(moto_dynamodb: DynamoDBClient) -> None:
    create_table(moto_dynamodb, "twice")
    with pytest.raises(StoreError, match="create table"):
        create_table(moto_dynamodb, "twice")


def test_missing_table_raises_table_not_found(moto_dynamodb: DynamoDBClient) -> None:
    with pytest.raises(TableNotFoundError):
        DenyList(moto_dynamodb, "nope").lookup(NUMBER)


def test_empty_table_name_is_rejected(moto_dynamodb: DynamoDBClient) -> None:
    with pytest.raises(InvalidEntryError, match="table name"):
        DenyList(moto_dynamodb, "")


# ---------------------------------------------------------------- lookup / get
def test_lookup_absent_is_none(store: DenyList) -> None:
    assert store.lookup(NUMBER) is None
    assert store.get(NUMBER) is None


def test_flag_then_lookup_and_get(store: DenyList) -> None:
    outcome = store.flag(
        NUMBER,
        reason="abusive",
        source="agent",
        flagged_by="agent-7",
        contact_id="c-1",
        initial_contact_id="i-1",
        previous_contact_id="p-1",
        instance_arn="arn:aws:connect:x",
    )
    assert outcome.created
    listing = store.lookup(NUMBER)
    assert listing is not None
    assert (listing.status, listing.reason) == (BLOCKED, "abusive")
    entry = store.get(NUMBER)
    assert entry == outcome.entry
    assert entry.flag_count == 1
    assert entry.created_at == entry.updated_at == entry.last_flagged_at == iso_utc(T0)
    assert (
        entry.flagged_by,
        entry.contact_id,
        entry.initial_contact_id,
        entry.previous_contact_id,
        entry.instance_arn,
    ) == ("agent-7", "c-1", "i-1", "p-1", "arn:aws:connect:x")


def test_expired_item_counts_as_absent(store: DenyList, clock: Clock) -> None:
    store.flag(NUMBER, reason="temporary", expires_at=int(T0) + 60)
    assert store.lookup(NUMBER) is not None
    clock.now = T0 + 60
    assert store.lookup(NUMBER) is None
    assert store.get(NUMBER) is None
    kept = store.get(NUMBER, include_expired=True)
    assert kept is not None
    assert kept.expires_at == int(T0) + 60


def test_unknown_stored_status_reads_as_blocked(
    store: DenyList, moto_dynamodb: DynamoDBClient
) -> None:
    moto_dynamodb.put_item(
        TableName="callguard-test", Item={"phone_number": {"S": NUMBER}, "status": {"S": "Banned"}}
    )
    listing = store.lookup(NUMBER)
    assert listing is not None
    assert listing.status == BLOCKED
    entry = store.get(NUMBER)
    assert entry is not None
    assert entry.flag_count == 1 and entry.reason == ""


# ---------------------------------------------------------------- flag
def test_second_flag_keeps_first_facts_and_counts(store: DenyList, clock: Clock) -> None:
    store.flag(NUMBER, reason="first", source="agent", flagged_by="a1", contact_id="c1")
    clock.now = T0 + 10
    outcome = store.flag(NUMBER, reason="second", source="cli", flagged_by="a2", contact_id="c2")
    assert not outcome.created
    entry = outcome.entry
    assert (entry.reason, entry.source, entry.flagged_by, entry.contact_id) == (
        "first",
        "agent",
        "a1",
        "c1",
    )
    assert entry.flag_count == 2
    assert entry.created_at == iso_utc(T0)
    assert entry.last_flagged_at == entry.updated_at == iso_utc(T0 + 10)
    assert store.get(NUMBER) == entry


def test_flag_fills_attributes_the_first_flag_lacked(store: DenyList) -> None:
    store.flag(NUMBER, reason="first")
    entry = store.flag(NUMBER, reason="second", flagged_by="late-agent").entry
    assert entry.flagged_by == "late-agent"
    assert store.get(NUMBER) == entry


def test_pending_flag_never_downgrades_blocked(store: DenyList) -> None:
    store.flag(NUMBER, status=BLOCKED)
    outcome = store.flag(NUMBER, status=PENDING)
    assert outcome.entry.status == BLOCKED
    assert store.get(NUMBER).status == BLOCKED  # type: ignore[union-attr]


def test_blocking_flag_upgrades_pending(store: DenyList) -> None:
    store.flag(NUMBER, status=PENDING, reason="maybe")
    outcome = store.flag(NUMBER, status=BLOCKED, reason="surely")
    assert outcome.entry.status == BLOCKED
    assert outcome.entry.reason == "maybe"
    assert store.get(NUMBER) == outcome.entry


def test_flag_replaces_an_expired_entry(store: DenyList, clock: Clock) -> None:
    store.flag(NUMBER, reason="old", expires_at=int(T0) + 5)
    clock.now = T0 + 100
    outcome = store.flag(NUMBER, reason="new")
    assert outcome.created
    entry = store.get(NUMBER)
    assert entry is not None
    assert (entry.reason, entry.flag_count, entry.expires_at) == ("new", 1, None)


def test_flag_counts_items_written_without_a_count(
    store: DenyList, moto_dynamodb: DynamoDBClient
) -> None:
    moto_dynamodb.put_item(
        TableName="callguard-test", Item={"phone_number": {"S": NUMBER}, "status": {"S": "blocked"}}
    )
    outcome = store.flag(NUMBER)
    assert outcome.entry.flag_count == 1
    assert raw_item(moto_dynamodb, NUMBER)["flag_count"] == {"N": "1"}


def test_flag_cleans_free_text(store: DenyList) -> None:
    entry = store.flag(NUMBER, reason="line\nbreak\x00" + "x" * 1000).entry
    assert "\n" not in entry.reason and "\x00" not in entry.reason
    assert len(entry.reason) == 500
    assert store.get(NUMBER) == entry


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status": "banned"}, "status"),
        ({"source": "robot"}, "source"),
        ({"expires_at": -1}, "expires_at"),
    ],
)
def test_flag_rejects_bad_arguments(store: DenyList, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidEntryError, match=message):
        store.flag(NUMBER, **kwargs)


@pytest.mark.parametrize("number", ["", "4420794609", "+0123456789", "+44 20 7946 0958", "+1234"])
def test_operations_reject_non_e164(store: DenyList, number: str) -> None:
    for operation in (store.flag, store.get, store.remove, store.approve, store.reject):
        with pytest.raises(InvalidEntryError, match=r"E\.164") as caught:
            operation(number)
        assert number == "" or number not in str(caught.value)


# ---------------------------------------------------------------- add / remove
def test_add_then_conflict(store: DenyList) -> None:
    entry = Entry.new(NUMBER, reason="imported", source="cli", now=T0)
    assert store.add(entry) == entry
    assert store.get(NUMBER) == entry
    with pytest.raises(ConflictError, match="already listed"):
        store.add(entry)


def test_add_overwrites_an_expired_entry(store: DenyList, clock: Clock) -> None:
    store.add(Entry.new(NUMBER, now=T0, expires_at=int(T0) + 1))
    clock.now = T0 + 2
    replacement = Entry.new(NUMBER, reason="again", now=clock.now)
    store.add(replacement)
    assert store.get(NUMBER) == replacement


def test_remove_returns_the_entry_and_is_not_found_after(store: DenyList) -> None:
    store.flag(NUMBER, reason="r")
    removed = store.remove(NUMBER)
    assert removed.phone_number == NUMBER and removed.reason == "r"
    assert store.get(NUMBER) is None
    with pytest.raises(NotFoundError, match="not listed"):
        store.remove(NUMBER)


# ---------------------------------------------------------------- review
def test_approve_pending(store: DenyList, clock: Clock) -> None:
    store.flag(NUMBER, status=PENDING, reason="check me")
    clock.now = T0 + 30
    approved = store.approve(NUMBER)
    assert approved.status == BLOCKED
    assert approved.reason == "check me"
    assert approved.updated_at == iso_utc(T0 + 30)
    assert store.lookup(NUMBER).status == BLOCKED  # type: ignore[union-attr]


def test_approve_blocked_is_a_conflict(store: DenyList) -> None:
    store.flag(NUMBER, status=BLOCKED)
    with pytest.raises(ConflictError, match="blocked, not pending"):
        store.approve(NUMBER)


def test_approve_absent_or_expired_is_not_found(store: DenyList, clock: Clock) -> None:
    with pytest.raises(NotFoundError):
        store.approve(NUMBER)
    store.flag(NUMBER, status=PENDING, expires_at=int(T0) + 1)
    clock.now = T0 + 5
    with pytest.raises(NotFoundError):
        store.approve(NUMBER)


def test_reject_pending_keeps_it_as_rejected_and_clear(store: DenyList) -> None:
    store.flag(NUMBER, status=PENDING, reason="no")
    rejected = store.reject(NUMBER)
    assert rejected.status == "rejected" and rejected.reason == "no"
    assert store.get(NUMBER) == rejected
    assert store.lookup(NUMBER).status == "rejected"  # type: ignore[union-attr]


def test_reject_blocked_is_a_conflict_and_keeps_it(store: DenyList) -> None:
    store.flag(NUMBER)
    with pytest.raises(ConflictError):
        store.reject(NUMBER)
    assert store.get(NUMBER) is not None
    with pytest.raises(NotFoundError):
        store.reject(OTHER)


# ---------------------------------------------------------------- listing
def test_pending_is_oldest_first_and_skips_expired(store: DenyList, clock: Clock) -> None:
    numbers = [f"+4420794609{i:02d}" for i in range(12)]
    for offset, number in enumerate(reversed(numbers)):
        clock.now = T0 + offset
        store.flag(number, status=PENDING)
    store.flag(OTHER, status=BLOCKED)
    clock.now = T0 + 100
    store.flag("+33123456789", status=PENDING, expires_at=int(T0) + 101)
    clock.now = T0 + 200
    listed = [e.phone_number for e in store.pending()]
    assert listed == list(reversed(numbers))
    assert [e.phone_number for e in store.pending(limit=3)] == listed[:3]


def test_entries_scan_all_and_by_status(store: DenyList) -> None:
    store.flag(NUMBER, status=BLOCKED)
    store.flag(OTHER, status=PENDING)
    assert {e.phone_number for e in store.entries()} == {NUMBER, OTHER}
    assert [e.phone_number for e in store.entries(status=BLOCKED)] == [NUMBER]
    with pytest.raises(InvalidEntryError):
        list(store.entries(status="gone"))


def test_entries_paginates(store: DenyList, moto_dynamodb: DynamoDBClient) -> None:
    # Items padded so that a scan needs several 1 MB pages.
    numbers = [f"+1202555{i:04d}" for i in range(300)]
    store.write_batch(Entry.new(n, reason="x" * 400, now=T0) for n in numbers)
    pad = {"S": "p" * 10_000}
    for number in numbers:
        item = raw_item(moto_dynamodb, number)
        item["padding"] = pad
        moto_dynamodb.put_item(TableName="callguard-test", Item=item)
    assert sorted(e.phone_number for e in store.entries()) == numbers
    assert len(list(store.entries(status=BLOCKED))) == 300


def test_entries_include_expired_on_request(store: DenyList, clock: Clock) -> None:
    store.flag(NUMBER, expires_at=int(T0) + 1)
    clock.now = T0 + 2
    assert list(store.entries()) == []
    assert [e.phone_number for e in store.entries(include_expired=True)] == [NUMBER]


def test_batch_get_returns_only_listed_live_numbers(store: DenyList, clock: Clock) -> None:
    store.flag(NUMBER)
    store.flag(OTHER, expires_at=int(T0) + 1)
    many = [f"+1303555{i:04d}" for i in range(150)]
    store.write_batch(Entry.new(n, now=T0) for n in many[::2])
    clock.now = T0 + 2
    found = store.batch_get([NUMBER, OTHER, *many, NUMBER])
    assert set(found) == {NUMBER, *many[::2]}
    assert found[NUMBER].phone_number == NUMBER


# ---------------------------------------------------------------- retried invocations
def test_same_contact_counts_once(store: DenyList, moto_dynamodb: DynamoDBClient) -> None:
    first = store.flag(NUMBER, reason="first", contact_id="c-1")
    again = store.flag(NUMBER, reason="retry", contact_id="c-1")
    assert first.created and not first.repeated
    assert again.repeated and again.created
    assert again.entry.flag_count == 1 and again.entry.reason == "first"
    other = store.flag(NUMBER, reason="other", contact_id="c-2")
    assert not other.created and not other.repeated and other.entry.flag_count == 2
    retried_other = store.flag(NUMBER, contact_id="c-2")
    assert retried_other.repeated and not retried_other.created
    assert store.get(NUMBER).flag_count == 2  # type: ignore[union-attr]
    assert raw_item(moto_dynamodb, NUMBER)["flag_contact_ids"] == {"SS": ["c-1", "c-2"]}


def test_flags_without_contact_ids_always_count(store: DenyList) -> None:
    store.flag(NUMBER)
    assert store.flag(NUMBER).entry.flag_count == 2


def test_expired_entry_replaced_even_for_a_known_contact(store: DenyList, clock: Clock) -> None:
    store.flag(NUMBER, reason="old", contact_id="c-1", expires_at=int(T0) + 1)
    clock.now = T0 + 10
    outcome = store.flag(NUMBER, reason="new", contact_id="c-1")
    assert outcome.created and not outcome.repeated
    assert store.get(NUMBER).reason == "new"  # type: ignore[union-attr]
