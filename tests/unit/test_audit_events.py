"""Audit events from realistic stream records: insert, modify, remove, TTL expiry."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from runtime_events import CONTACT_ID, INITIAL_CONTACT_ID, PREVIOUS_CONTACT_ID
from stream_records import AGENT, NUMBER, TABLE, item, record

from callguard.audit import EVENT_TYPE, MAX_FIELD_NAMES, build_event, changed_fields, table_name

INSTANCE_ID = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"


def fake_hash(number: str) -> str:
    return "hmac-sha256:" + "".join(reversed(number.lstrip("+"))).replace("0", "z")


def test_insert_by_an_agent() -> None:
    event = build_event(record("INSERT", new=item()), fake_hash)
    assert event["event"] == EVENT_TYPE and event["schema"] == 1
    assert event["kind"] == "insert" and event["change"] == "added"
    assert event["number"] == "+4420*****958"
    assert event["number_hash"] == fake_hash(NUMBER)
    assert (event["old_status"], event["new_status"]) == ("", "blocked")
    assert event["reason"] == "threatened agent"
    assert event["source"] == "agent"
    assert event["who"] == AGENT == event["flagged_by"]
    assert event["changed_at"] == "2026-11-21T05:42:51Z"
    assert event["contact_id"] == CONTACT_ID
    assert event["initial_contact_id"] == INITIAL_CONTACT_ID
    assert event["previous_contact_id"] == PREVIOUS_CONTACT_ID
    assert event["instance"] == INSTANCE_ID
    assert event["flag_count"] == 1
    assert event["expired_by_ttl"] is False
    assert event["table"] == TABLE
    assert event["event_id"] == "c4ca4238a0b923820dcc509a6f75849b"
    assert "problem" not in event and "changed_fields" not in event


def test_no_full_number_anywhere_in_the_event() -> None:
    event = build_event(record("INSERT", new=item()), fake_hash)
    assert NUMBER not in json.dumps(event)
    assert NUMBER[1:] not in json.dumps(event)


def test_review_approval_is_a_status_change_with_the_reviewer() -> None:
    old = item("pending")
    new = item("blocked", reviewed_by="arn:aws:iam::123456789012:user/supervisor")
    new["updated_at"] = {"S": "2026-11-21T06:00:00Z"}
    event = build_event(record("MODIFY", old=old, new=new), fake_hash)
    assert event["kind"] == "modify" and event["change"] == "status_changed"
    assert (event["old_status"], event["new_status"]) == ("pending", "blocked")
    assert event["who"] == "arn:aws:iam::123456789012:user/supervisor"
    assert event["changed_fields"] == ["reviewed_by", "status", "updated_at"]
    assert "old_reason" not in event


def test_second_flag_is_a_reflag() -> None:
    new = item(flag_count=2)
    new["last_flagged_at"] = {"S": "2026-11-21T07:00:00Z"}
    event = build_event(record("MODIFY", old=item(), new=new), fake_hash)
    assert event["change"] == "reflagged"
    assert event["flag_count"] == 2
    assert event["changed_fields"] == ["flag_count", "last_flagged_at"]
    # A modify without a later actor does not claim the first flagger made it.
    assert event["who"] == ""


def test_console_edit_of_the_reason_keeps_the_old_one() -> None:
    event = build_event(
        record("MODIFY", old=item(), new=item(reason="wrong number, keep listed")), fake_hash
    )
    assert event["change"] == "updated"
    assert event["reason"] == "wrong number, keep listed"
    assert event["old_reason"] == "threatened agent"


def test_remove_by_a_person_reports_the_removed_entry() -> None:
    event = build_event(record("REMOVE", old=item(source="cli")), fake_hash)
    assert event["kind"] == "remove" and event["change"] == "removed"
    assert (event["old_status"], event["new_status"]) == ("blocked", "")
    assert event["reason"] == "threatened agent" and event["source"] == "cli"
    assert event["expired_by_ttl"] is False
    assert event["who"] == ""  # the stream does not say who deleted it


def test_ttl_expiry_is_marked_as_such() -> None:
    old = item(expires_at=1_795_200_000)
    event = build_event(record("REMOVE", old=old, ttl=True), fake_hash)
    assert event["change"] == "expired"
    assert event["expired_by_ttl"] is True
    assert event["who"] == "dynamodb-ttl"
    assert event["expires_at"] == 1_795_200_000


def test_a_user_identity_that_is_not_dynamodb_is_not_ttl() -> None:
    rec = record("REMOVE", old=item())
    rec["userIdentity"] = {"type": "Service", "principalId": "example.amazonaws.com"}
    assert build_event(rec, fake_hash)["change"] == "removed"


@pytest.mark.parametrize(
    ("rec", "problem"),
    [
        ({"eventName": "INSERT", "dynamodb": {}}, "record has no phone_number key"),
        ({"eventName": "BOGUS", "dynamodb": {"Keys": {"phone_number": {"S": NUMBER}}}}, "unknown"),
        ({}, "unknown event name"),
        (
            {"eventName": "MODIFY", "dynamodb": {"Keys": {"phone_number": {"S": NUMBER}}}},
            "lacks an image",
        ),
    ],
)
def test_unexpected_records_still_yield_an_event_with_a_problem(
    rec: dict[str, Any], problem: str
) -> None:
    event = build_event(rec, fake_hash)
    assert problem in event["problem"]
    assert event["event"] == EVENT_TYPE


def test_hand_edited_item_with_odd_values_is_bounded_and_masked() -> None:
    odd = item(number="020 7946 0958", reason="x" * 5000)
    odd["flag_count"] = {"S": "many"}
    odd["status"] = {"N": "7"}
    rec = record("INSERT", new=odd, number="020 7946 0958")
    event = build_event(rec, fake_hash)
    assert event["number"] == "02* **** **58"
    assert len(event["reason"]) == 512
    assert event["flag_count"] is None
    assert event["new_status"] == "7"
    assert "79460958" not in json.dumps(event)


def test_changed_field_names_are_bounded() -> None:
    new = item()
    new.update({f"attr{i:04d}": {"S": "v"} for i in range(100)})
    event = build_event(record("MODIFY", old=item(), new=new), fake_hash)
    assert len(event["changed_fields"]) == MAX_FIELD_NAMES
    assert event["changed_fields_omitted"] == 100 - MAX_FIELD_NAMES


def test_changed_fields_and_table_name_helpers() -> None:
    assert changed_fields({"a": {"S": "1"}}, {"a": {"S": "2"}, "b": {"S": "x"}}) == ["a", "b"]
    assert changed_fields({"a": {"S": "1"}}, {"a": {"S": "1"}}) == []
    assert table_name("arn:aws:dynamodb:eu-west-2:1:table/t1/stream/2026") == "t1"
    assert table_name("nonsense") == ""


def test_microsecond_timestamps_are_understood() -> None:
    rec = record("INSERT", new=item())
    rec["dynamodb"]["ApproximateCreationDateTime"] = 1_795_239_771_000_000
    assert build_event(rec, fake_hash)["changed_at"] == "2026-11-21T05:42:51Z"
    rec["dynamodb"]["ApproximateCreationDateTime"] = "yesterday"
    assert build_event(rec, fake_hash)["changed_at"] == ""
    for impossible in (float("inf"), float("nan"), 10**30, -5, True):
        rec["dynamodb"]["ApproximateCreationDateTime"] = impossible
        assert build_event(rec, fake_hash)["changed_at"] == ""


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
_ATTRIBUTE = st.one_of(
    st.fixed_dictionaries({"S": st.text(max_size=60)}),
    st.fixed_dictionaries({"N": st.text(max_size=20)}),
    _VALUES,
)
_IMAGE = st.dictionaries(
    st.sampled_from(["phone_number", "status", "reason", "flag_count", "expires_at", "who"]),
    _ATTRIBUTE,
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(
    event_name=st.sampled_from(["INSERT", "MODIFY", "REMOVE", "", "OTHER"]) | _VALUES,
    keys=_IMAGE,
    new=_IMAGE | _VALUES,
    old=_IMAGE | _VALUES,
    created=_VALUES,
    identity=_VALUES,
)
def test_any_record_yields_one_json_event(
    event_name: object, keys: object, new: object, old: object, created: object, identity: object
) -> None:
    """Hand edits and odd records never crash the builder: there is always an event."""
    rec = {
        "eventName": event_name,
        "dynamodb": {
            "Keys": keys,
            "NewImage": new,
            "OldImage": old,
            "ApproximateCreationDateTime": created,
        },
        "userIdentity": identity,
    }
    event = build_event(rec, fake_hash)
    assert event["event"] == EVENT_TYPE
    assert event["kind"] in {"insert", "modify", "remove", "unknown"}
    json.dumps(event, allow_nan=False)
