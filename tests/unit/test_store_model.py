"""Entries: validation, item mapping, tolerant reading; flag races through a scripted client."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from callguard.attributes import clean_text, iso_utc, number_attribute
from callguard.store import ConflictError, DenyList, Entry, InvalidEntryError

NUMBER = "+442079460958"
T0 = 1_800_000_000.0


def test_round_trip_through_an_item() -> None:
    entry = Entry.new(
        NUMBER,
        reason="r",
        source="import",
        flagged_by="ops",
        now=T0,
        expires_at=int(T0) + 60,
        contact_id="c",
    )
    assert Entry.from_item(entry.to_item()) == entry
    assert entry.to_item()["expires_at"] == {"N": str(int(T0) + 60)}
    assert "instance_arn" not in entry.to_item()  # empty strings are not stored
    exported = entry.to_dict()
    assert list(exported)[:3] == ["phone_number", "status", "reason"]
    assert exported["created_at"] == iso_utc(T0) == "2027-01-15T08:00:00Z"


@pytest.mark.parametrize(
    ("item", "count", "expires"),
    [
        ({"flag_count": {"N": "abc"}, "expires_at": {"N": "inf"}}, 1, None),
        ({"flag_count": {"N": "0"}, "expires_at": {"S": "1800000000"}}, 1, 1_800_000_000),
        ({"flag_count": {"N": "7"}, "expires_at": {"N": "1.8e9"}}, 7, 1_800_000_000),
        ({"flag_count": "7", "expires_at": None}, 1, None),
    ],
)
def test_reading_is_tolerant(item: dict[str, Any], count: int, expires: int | None) -> None:
    entry = Entry.from_item({"phone_number": {"S": NUMBER}, "status": {"S": " PENDING "}, **item})
    assert (entry.status, entry.flag_count, entry.expires_at) == ("pending", count, expires)
    assert number_attribute({}, "x") is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"phone_number": "0207"}, "E.164"),
        ({"status": "gone"}, "status"),
        ({"source": "web"}, "source"),
        ({"flag_count": 0}, "flag_count"),
        ({"expires_at": -5}, "expires_at"),
    ],
)
def test_validation_names_the_field(changes: dict[str, Any], message: str) -> None:
    fields: dict[str, Any] = {"phone_number": NUMBER, "status": "blocked", **changes}
    with pytest.raises(InvalidEntryError, match=message):
        Entry(**fields).validate()


def test_clean_text() -> None:
    assert clean_text(None, 5) == ""
    assert clean_text(12345678, 4) == "1234"
    assert clean_text(" a\tb\n", 10) == "a b"


class ScriptedClient:
    """Fails every conditional update, returning the scripted item with the failure."""

    def __init__(self, items: list[dict[str, Any] | None], puts_succeed: bool = False) -> None:
        self.items = items
        self.puts_succeed = puts_succeed
        self.calls: list[str] = []

    def update_item(self, **kwargs: Any) -> Any:
        self.calls.append("update")
        assert kwargs["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"
        item = self.items.pop(0) if self.items else None
        response: dict[str, Any] = {"Error": {"Code": "ConditionalCheckFailedException"}}
        if item:
            response["Item"] = item
        raise ClientError(response, "UpdateItem")  # type: ignore[arg-type]

    def put_item(self, **_: Any) -> Any:
        self.calls.append("put")
        if self.puts_succeed:
            return {}
        raise ClientError({"Error": {"Code": "ConditionalCheckFailedException"}}, "PutItem")


LIVE = {
    "phone_number": {"S": NUMBER},
    "status": {"S": "blocked"},
    "contact_id": {"S": "other"},
    "flag_contact_ids": {"SS": ["other"]},
}
EXPIRED = {**LIVE, "expires_at": {"N": "1"}}


def test_flag_gives_up_with_a_conflict_when_the_entry_keeps_changing() -> None:
    client = ScriptedClient([None, EXPIRED, LIVE])
    store = DenyList(client, "t", clock=lambda: T0)  # type: ignore[arg-type]
    with pytest.raises(ConflictError, match="kept changing"):
        store.flag(NUMBER, contact_id="mine")
    assert client.calls == ["update", "update", "put", "update"]


def test_flag_replaces_an_expired_entry_found_after_a_failed_update() -> None:
    client = ScriptedClient([EXPIRED], puts_succeed=True)
    store = DenyList(client, "t", clock=lambda: T0)  # type: ignore[arg-type]
    outcome = store.flag(NUMBER, reason="fresh", contact_id="mine")
    assert outcome.created and outcome.entry.reason == "fresh"
    assert client.calls == ["update", "put"]


def test_flag_never_reads_so_the_role_needs_no_get_item(
    moto_dynamodb: Any, table_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The flag function's IAM role allows UpdateItem and PutItem only.
    store = DenyList(moto_dynamodb, table_name, clock=lambda: T0)
    store.flag(NUMBER, contact_id="c-1", expires_at=int(T0) + 1)

    def forbidden(**_: Any) -> Any:
        raise AssertionError("flag must not call GetItem")

    monkeypatch.setattr(moto_dynamodb, "get_item", forbidden)
    assert store.flag(NUMBER, contact_id="c-1").repeated  # retried invocation
    later = DenyList(moto_dynamodb, table_name, clock=lambda: T0 + 10)
    assert later.flag(NUMBER, contact_id="c-1").created  # expired entry replaced
