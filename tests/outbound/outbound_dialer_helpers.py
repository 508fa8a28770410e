"""Helpers shared by the dialer-side outbound tests (clock, moto atomicity)."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.responses import DynamoHandler

from callguard.outbound.call_slots import CallSlots
from callguard.outbound.contact_cap_store import ContactCapStore
from callguard.outbound.contact_events import EventReport, handle_event
from callguard.outbound.dialer import Dialer
from callguard.outbound.pacing import TokenBucket
from callguard.outbound.task_tokens import Outcome, TaskTokenStore
from callguard_tools.outbound_sim.fake_connect import FakeCall, FakeConnect, Script, SimClock
from callguard_tools.outbound_sim.fake_connect import Outcome as Behaviour
from callguard_tools.outbound_sim.fake_sfn import FakeStepFunctions
from callguard_tools.outbound_sim.sim_queue import SimQueue
from callguard_tools.outbound_sim.tables import create_contact_cap_table, create_token_table


class Clock:
    """A settable epoch clock."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_moto_atomic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make moto's single-item operations atomic, as they are in DynamoDB.

    moto does not lock, so two threads can interleave inside one emulated
    conditional write (tests/unit/test_store_concurrency.py explains it); one lock
    per item request restores DynamoDB's guarantee while callers still race.
    """
    lock = threading.RLock()

    def atomic(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return method(*args, **kwargs)

        return wrapper

    for name in ("put_item", "get_item", "update_item", "delete_item", "query"):
        monkeypatch.setattr(DynamoHandler, name, atomic(getattr(DynamoHandler, name)))


class LogCapture(logging.Handler):
    """Collect the runtime's JSON log lines (attached to the ``callguard`` logger)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    def events(self) -> list[dict[str, Any]]:
        """The lines as objects."""
        return [json.loads(line) for line in self.lines]


@contextlib.contextmanager
def captured_logs() -> Iterator[LogCapture]:
    """Capture every ``callguard`` log line written inside the block."""
    capture = LogCapture()
    logger = logging.getLogger("callguard")
    logger.addHandler(capture)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        logger.removeHandler(capture)
        logger.setLevel(level)


TOKEN_TABLE = "outbound-tokens"
CAP_TABLE = "outbound-cap"
FLOW_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
SOURCE = "+442071838750"


@dataclass
class Rig:
    """The dialer wired to moto DynamoDB, a fake Connect, a fake Step Functions, a sim queue."""

    clock: SimClock
    connect: FakeConnect
    sfn: FakeStepFunctions
    store: TaskTokenStore
    queue: SimQueue
    dialer: Dialer
    event_reports: list[EventReport] = field(default_factory=list)
    slots: CallSlots | None = None

    def message(
        self, receiver: str, number: str, *, attempt: int = 1, job: str = "job-1", **extra: object
    ) -> str:
        """A dial message body; its task token starts waiting in the fake Step Functions."""
        token = f"token-{job}-{receiver}-{attempt}"
        self.sfn.wait(token)
        body = {
            "version": 1,
            "job_id": job,
            "receiver_id": receiver,
            "attempt": attempt,
            "destination": number,
            "instance_id": self.connect.instance_id,
            "contact_flow_id": FLOW_ID,
            "source_phone_number": SOURCE,
            "attributes": {"greeting": "hello"},
            "task_token": token,
            **extra,
        }
        return json.dumps(body)

    def handle(
        self, records: list[dict[str, Any]], seconds: float = 60.0
    ) -> dict[str, list[dict[str, str]]]:
        deadline = self.clock() + seconds
        return self.dialer.handle({"Records": records}, lambda: deadline - self.clock()).response()

    def output(self, token: str) -> dict[str, Any]:
        result = self.sfn.results[token]
        assert result.output is not None, result
        return result.output


@contextlib.contextmanager
def dialer_rig(
    *,
    scripts: Mapping[str, Script] | None = None,
    rate: float = 1.0,
    burst: int = 1,
    rate_limit: int = 2,
    concurrent_limit: int = 10,
    max_error_receives: int = 3,
    flow: bool = True,
    slot_limit: int | None = None,
) -> Iterator[Rig]:
    """Build a :class:`Rig` inside moto. ``flow`` plays the outbound flow's part.

    The flow stand-in stores each answer given and resolves ``completed`` when the
    receiver answers everything (the next issue's call simulator replaces it).
    ``slot_limit`` turns on the dialer's concurrent-call leases with that limit.
    """
    with mock_aws():
        clock = SimClock()
        dynamodb = boto3.client("dynamodb")
        create_token_table(dynamodb, TOKEN_TABLE)
        sfn_fake = FakeStepFunctions()
        sfn = sfn_fake.attach(boto3.client("stepfunctions"))
        store = TaskTokenStore(dynamodb, sfn, TOKEN_TABLE, clock=clock)
        reports: list[EventReport] = []
        slots = None
        if slot_limit is not None:
            create_contact_cap_table(dynamodb, CAP_TABLE)
            slots = CallSlots(ContactCapStore(dynamodb, CAP_TABLE, clock=clock), slot_limit)

        def on_answered(call: FakeCall) -> None:
            for number, answer in enumerate(call.script.answers_given, start=1):
                store.add_answer(call.contact_id, number, answer)
            if call.script.outcome is Behaviour.ANSWER:
                store.resolve(call.contact_id, Outcome(status="completed", source="flow"))

        connect = FakeConnect(
            clock=clock,
            scripts=dict(scripts or {}),
            rate_limit=rate_limit,
            concurrent_limit=concurrent_limit,
            on_event=lambda event: reports.append(handle_event(event, store, slots)),
            on_answered=on_answered if flow else None,
        )
        client = connect.attach(boto3.client("connect"))
        queue = SimQueue(clock)
        dialer = Dialer(
            client,
            store,
            sfn,
            queue,
            bucket=TokenBucket(rate, burst, clock=clock),
            max_error_receives=max_error_receives,
            slots=slots,
            clock=clock,
            sleep=clock.sleep,
            rng=lambda: 0.5,
        )
        yield Rig(clock, connect, sfn_fake, store, queue, dialer, reports, slots)
