"""Concurrent-call leases per instance (built on the contact-cap table), on moto."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from outbound_dialer_helpers import Clock, dialer_rig

from callguard.outbound.call_slots import CallSlots, instance_id_from_arn
from callguard.outbound.contact_cap_store import ContactCapStore
from callguard_tools.outbound_sim.tables import create_contact_cap_table

TABLE = "outbound-cap"
INSTANCE = "11111111-2222-3333-4444-555555555555"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def slots(clock: Clock) -> Iterator[CallSlots]:
    with mock_aws():
        client = boto3.client("dynamodb")
        create_contact_cap_table(client, TABLE)
        yield CallSlots(ContactCapStore(client, TABLE, clock=clock), limit=2, lease_seconds=900)


def test_leases_up_to_the_limit_then_release(slots: CallSlots) -> None:
    assert slots.acquire(INSTANCE, "a")
    assert slots.acquire(INSTANCE, "a")  # the same attempt again: no second slot
    assert slots.acquire(INSTANCE, "b")
    assert not slots.acquire(INSTANCE, "c")
    assert slots.in_use(INSTANCE) == 2
    assert slots.release(INSTANCE, "a")
    assert not slots.release(INSTANCE, "a")
    assert slots.acquire(INSTANCE, "c")
    assert slots.acquire("other-instance", "d")


def test_a_lease_never_given_back_ends_by_itself(slots: CallSlots, clock: Clock) -> None:
    assert slots.acquire(INSTANCE, "a") and slots.acquire(INSTANCE, "b")
    assert not slots.acquire(INSTANCE, "c")
    clock.now += 901
    assert slots.acquire(INSTANCE, "c")
    assert slots.in_use(INSTANCE) == 1  # only the new lease counts
    assert not slots.release(INSTANCE, "a")  # a's slot was taken over: not a's to free


def test_instance_id_from_arn() -> None:
    arn = f"arn:aws:connect:eu-west-2:123456789012:instance/{INSTANCE}"
    assert instance_id_from_arn(arn) == INSTANCE
    assert instance_id_from_arn(arn + "/contact/abc") == INSTANCE
    assert instance_id_from_arn("arn:aws:sqs:eu-west-2:1:queue") == ""
    assert instance_id_from_arn("") == ""


def test_limit_must_be_positive(slots: CallSlots) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        CallSlots(slots.store, limit=0)


def test_dialer_defers_without_asking_connect_when_all_slots_are_leased() -> None:
    with dialer_rig(slot_limit=1, rate=10, burst=10) as rig:
        rig.queue.send(rig.message("r-1", "+442079460001"))
        second = rig.queue.send(rig.message("r-2", "+442079460002"))
        response = rig.dialer.handle({"Records": rig.queue.receive()}, lambda: 60.0).response()
        assert response["batchItemFailures"] == [{"itemIdentifier": second}]
        assert [r.result for r in rig.connect.requests] == ["placed"]
        assert rig.sfn.sends == []


def test_refused_request_gives_its_lease_back() -> None:
    from callguard_tools.outbound_sim.fake_connect import Outcome, Script

    number = "+442079460001"
    with dialer_rig(slot_limit=1, scripts={number: Script(outcome=Outcome.NOT_ALLOWED)}) as rig:
        rig.queue.send(rig.message("r-1", number))
        rig.dialer.handle({"Records": rig.queue.receive()}, lambda: 60.0)
        assert rig.slots is not None
        assert rig.slots.in_use(rig.connect.instance_id) == 0
