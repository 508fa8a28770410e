"""The per-number contact cap across jobs, on moto DynamoDB."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from moto import mock_aws
from outbound_dialer_helpers import Clock, make_moto_atomic

from callguard.outbound.contact_cap_store import ContactCapStore
from callguard_tools.outbound_sim.tables import create_contact_cap_table

TABLE = "outbound-contact-cap"
NUMBER = "+442079460958"
DAY = 86_400


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cap(clock: Clock) -> Iterator[ContactCapStore]:
    with mock_aws():
        client = boto3.client("dynamodb")
        create_contact_cap_table(client, TABLE)
        yield ContactCapStore(client, TABLE, clock=clock)


def test_one_call_per_day(cap: ContactCapStore, clock: Clock) -> None:
    first = cap.try_record(NUMBER, max_calls=1, period_seconds=DAY, attempt_key="job-a/1")
    assert first.allowed and first.calls_in_period == 1
    second = cap.try_record(NUMBER, max_calls=1, period_seconds=DAY, attempt_key="job-b/1")
    assert not second.allowed
    assert second.next_allowed_at == pytest.approx(clock.now + DAY)
    clock.now += DAY + 1
    assert cap.try_record(NUMBER, max_calls=1, period_seconds=DAY, attempt_key="job-b/1").allowed


def test_several_calls_allowed_then_refused(cap: ContactCapStore) -> None:
    decisions = [
        cap.try_record(NUMBER, max_calls=3, period_seconds=DAY, attempt_key=f"k{i}").allowed
        for i in range(5)
    ]
    assert decisions == [True, True, True, False, False]
    assert cap.calls_in_period(NUMBER, DAY) == 3


def test_repeat_of_one_attempt_counts_once(cap: ContactCapStore) -> None:
    assert cap.try_record(NUMBER, max_calls=2, period_seconds=DAY, attempt_key="a").allowed
    again = cap.try_record(NUMBER, max_calls=2, period_seconds=DAY, attempt_key="a")
    assert again.allowed and again.repeated
    assert cap.calls_in_period(NUMBER, DAY) == 1


def test_numbers_are_independent(cap: ContactCapStore) -> None:
    assert cap.try_record(NUMBER, max_calls=1, period_seconds=DAY, attempt_key="a").allowed
    assert cap.try_record("+12125550100", max_calls=1, period_seconds=DAY, attempt_key="b").allowed


def test_records_carry_a_ttl(cap: ContactCapStore, clock: Clock) -> None:
    cap.try_record(NUMBER, max_calls=1, period_seconds=DAY, attempt_key="a")
    item = cap.client.get_item(TableName=TABLE, Key={"number": {"S": NUMBER}, "slot": {"N": "0"}})[
        "Item"
    ]
    assert int(item["expires_at"]["N"]) == int(clock.now) + cap.retention_seconds


@pytest.mark.parametrize(
    ("max_calls", "period", "key"), [(0, DAY, "a"), (101, DAY, "a"), (1, 0, "a"), (1, DAY, "")]
)
def test_bad_arguments_are_refused(
    cap: ContactCapStore, max_calls: int, period: float, key: str
) -> None:
    with pytest.raises(ValueError, match=r"max_calls|period_seconds|attempt key"):
        cap.try_record(NUMBER, max_calls=max_calls, period_seconds=period, attempt_key=key)


def test_racing_jobs_never_exceed_the_cap(
    cap: ContactCapStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twenty jobs race for a number capped at 2 calls: exactly two win."""
    make_moto_atomic(monkeypatch)

    def attempt(index: int) -> bool:
        decision = cap.try_record(
            NUMBER, max_calls=2, period_seconds=DAY, attempt_key=f"job-{index}/1"
        )
        return decision.allowed

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(attempt, range(20)))
    assert sum(results) == 2
    assert cap.calls_in_period(NUMBER, DAY) == 2
