"""Do-not-call screening against the deny-list table, and the per-number contact cap."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.exceptions import ClientError

from callguard.outbound.model import ContactCap, Receiver
from callguard.outbound.screening import DoNotCallList, check_contact_cap
from callguard.store import DenyList, Entry, ThrottledError

NOW = 1_800_000_000.0


def listed(deny_list: DenyList, number: str, **kwargs: Any) -> None:
    deny_list.add(Entry.new(number, now=NOW - 100, **kwargs))


def test_blocked_numbers_are_do_not_call_with_their_source(
    moto_dynamodb: Any, table_name: str, deny_list: DenyList
) -> None:
    listed(deny_list, "+442079460001", reason="shouted at agent", source="agent")
    listed(deny_list, "+442079460002", status="pending", source="agent")
    listed(deny_list, "+442079460003", source="import", expires_at=int(NOW - 1))  # expired
    listed(deny_list, "+442079460004", source="import", expires_at=int(NOW + 60))
    receivers = [Receiver(f"r{i}", f"+44207946000{i}") for i in range(1, 6)]
    screening = DoNotCallList(moto_dynamodb, table_name, clock=lambda: NOW).screen(receivers)
    assert dict(screening.do_not_call) == {"r1": "agent", "r4": "import"}
    assert [r.id for r in screening.callable] == ["r2", "r3", "r5"]
    assert "shouted" not in repr(screening)


def test_rejected_entries_do_not_stop_a_call(
    moto_dynamodb: Any, table_name: str, deny_list: DenyList
) -> None:
    listed(deny_list, "+442079460001", status="pending", source="agent")
    deny_list.reject("+442079460001", reviewer="sam")
    assert DoNotCallList(moto_dynamodb, table_name).blocked(["+442079460001"]) == {}


class RecordingClient:
    """Answers BatchGetItem like DynamoDB under load: a few keys at a time, or throttled."""

    def __init__(self, per_call: int, throttle_first: int = 0, items: set[str] | None = None):
        self.per_call = per_call
        self.throttle_first = throttle_first
        self.items = items or set()
        self.requests: list[dict[str, Any]] = []

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
        ((table, request),) = RequestItems.items()
        self.requests.append(request)
        if self.throttle_first:
            self.throttle_first -= 1
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException"}}, "BatchGetItem"
            )
        keys = request["Keys"]
        done, left = keys[: self.per_call], keys[self.per_call :]
        found = [
            {"phone_number": k["phone_number"], "status": {"S": "blocked"}, "source": {"S": "cli"}}
            for k in done
            if k["phone_number"]["S"] in self.items
        ]
        answer: dict[str, Any] = {"Responses": {table: found}}
        if left:
            answer["UnprocessedKeys"] = {table: {"Keys": left}}
        return answer


def test_batches_of_100_projected_and_unprocessed_keys_retried() -> None:
    numbers = [f"+4420794{i:05d}" for i in range(250)]
    client = RecordingClient(per_call=60, items={numbers[0], numbers[249]})
    pauses: list[float] = []
    screen = DoNotCallList(client, "t", sleep=pauses.append, jitter=lambda: 1.0)  # type: ignore[arg-type]
    assert screen.blocked(numbers) == {numbers[0]: "cli", numbers[249]: "cli"}
    assert max(len(r["Keys"]) for r in client.requests) == 100
    first = client.requests[0]
    assert first["ConsistentRead"] is True
    assert set(first["ExpressionAttributeNames"].values()) == {
        "phone_number",
        "status",
        "source",
        "expires_at",
    }
    assert pauses and all(p <= 2.0 for p in pauses)


def test_throttling_is_retried_then_a_clear_error_never_clear() -> None:
    client = RecordingClient(per_call=100, throttle_first=2, items={"+442079460001"})
    screen = DoNotCallList(client, "t", sleep=lambda _: None)  # type: ignore[arg-type]
    assert screen.blocked(["+442079460001"]) == {"+442079460001": "cli"}

    stuck = RecordingClient(per_call=100, throttle_first=99)
    screen = DoNotCallList(stuck, "t", max_attempts=3, sleep=lambda _: None)  # type: ignore[arg-type]
    with pytest.raises(ThrottledError, match=r"could not be read after 3 tries.*\+4420\*+001"):
        screen.blocked(["+442079460001"])
    assert len(stuck.requests) == 3


def test_keys_left_unprocessed_for_good_raise() -> None:
    client = RecordingClient(per_call=0)
    screen = DoNotCallList(client, "t", max_attempts=2, sleep=lambda _: None)  # type: ignore[arg-type]
    with pytest.raises(ThrottledError, match="1 of 1 numbers"):
        screen.blocked(["+442079460001"])


T0 = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def test_contact_cap() -> None:
    cap = ContactCap(max_calls=1, period=dt.timedelta(hours=24))
    assert check_contact_cap(cap, [], T0).allowed
    refused = check_contact_cap(cap, [T0 - 3 * HOUR], T0)
    assert not refused.allowed and refused.next_allowed == T0 + 21 * HOUR
    # A call exactly one period ago no longer counts.
    assert check_contact_cap(cap, [T0 - 24 * HOUR], T0).allowed
    two = ContactCap(max_calls=2, period=dt.timedelta(hours=24))
    calls = [T0 - 20 * HOUR, T0 - 10 * HOUR, T0 - HOUR, T0 - 30 * HOUR]
    decision = check_contact_cap(two, calls, T0)
    assert decision.calls_in_period == 3
    assert decision.next_allowed == T0 + 14 * HOUR  # when the 10-hours-old call ages out
    assert check_contact_cap(two, [T0 - HOUR], T0).allowed
