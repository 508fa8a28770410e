"""The fake Connect itself: it must be as strict as the service it stands in for."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from callguard.outbound.client_token import client_token
from callguard_tools.outbound_sim.fake_connect import (
    DETAIL_TYPE,
    FakeConnect,
    Outcome,
    Script,
    SimClock,
)

NUMBER = "+442079460958"


@pytest.fixture
def events() -> list[dict[str, Any]]:
    return []


@pytest.fixture
def fake(events: list[dict[str, Any]]) -> FakeConnect:
    return FakeConnect(clock=SimClock(), on_event=events.append, concurrent_limit=2)


@pytest.fixture
def client(fake: FakeConnect) -> Iterator[Any]:
    with mock_aws():
        yield fake.attach(boto3.client("connect"))


def _start(client: Any, fake: FakeConnect, number: str = NUMBER, token: str = "t-1") -> str:
    response = client.start_outbound_voice_contact(
        DestinationPhoneNumber=number,
        ContactFlowId="flow",
        InstanceId=fake.instance_id,
        SourcePhoneNumber="+442071838750",
        ClientToken=token,
        Attributes={"callguard_job_id": "job-1"},
    )
    return str(response["ContactId"])


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_same_client_token_returns_the_same_contact_without_a_call(
    client: Any, fake: FakeConnect
) -> None:
    first = _start(client, fake, token="same")
    fake.clock.sleep(5)
    assert _start(client, fake, token="same") == first
    assert [r.result for r in fake.requests] == ["placed", "repeated"]
    assert len(fake.calls) == 1


def test_more_than_two_requests_a_second_are_throttled(client: Any, fake: FakeConnect) -> None:
    _start(client, fake, "+442079460001", "a")
    _start(client, fake, "+442079460002", "b")
    with pytest.raises(client.exceptions.ClientError) as caught:
        _start(client, fake, "+442079460003", "c")
    assert _code(caught) == "TooManyRequestsException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    fake.clock.sleep(1.01)
    with pytest.raises(client.exceptions.LimitExceededException):
        _start(client, fake, "+442079460003", "c")  # now the 2 concurrent calls are the limit


def test_ended_calls_free_their_slot(client: Any, fake: FakeConnect) -> None:
    fake.scripts = {"+442079460001": Script(outcome=Outcome.BUSY)}
    _start(client, fake, "+442079460001", "a")
    _start(client, fake, "+442079460002", "b")
    fake.clock.sleep(3)  # the busy call is over after 2 s
    _start(client, fake, "+442079460003", "c")
    assert fake.active_calls == 2


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        (Outcome.NOT_ALLOWED, "DestinationNotAllowedException"),
        (Outcome.NOT_PERMITTED, "OutboundContactNotPermittedException"),
        (Outcome.INVALID_NUMBER, "InvalidParameterException"),
    ],
)
def test_refused_destinations_raise_the_modelled_error(
    client: Any, fake: FakeConnect, outcome: Outcome, code: str
) -> None:
    fake.scripts = {NUMBER: Script(outcome=outcome)}
    with pytest.raises(getattr(client.exceptions, code)):
        _start(client, fake)
    assert fake.calls == {}


def test_real_client_validates_parameters_before_the_fake(client: Any, fake: FakeConnect) -> None:
    from botocore.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError):
        client.start_outbound_voice_contact(DestinationPhoneNumber=NUMBER, InstanceId="x")
    assert fake.requests == []


def test_answered_call_emits_initiated_connected_disconnected(
    client: Any, fake: FakeConnect, events: list[dict[str, Any]]
) -> None:
    answered: list[str] = []
    fake.on_answered = lambda call: answered.append(call.contact_id)
    fake.scripts = {NUMBER: Script(answers=("yes", "no"), ring_seconds=4, seconds_per_question=10)}
    contact_id = _start(client, fake)
    fake.clock.sleep(100)
    fake.advance()
    assert [e["detail"]["eventType"] for e in events] == [
        "INITIATED",
        "CONNECTED_TO_SYSTEM",
        "DISCONNECTED",
    ]
    assert answered == [contact_id]
    last = events[-1]
    assert last["detail-type"] == DETAIL_TYPE and last["source"] == "aws.connect"
    assert last["detail"]["contactId"] == contact_id
    assert last["detail"]["instanceArn"] == fake.instance_arn
    assert last["detail"]["connectedToSystemTimestamp"]
    assert "disconnectReason" not in last["detail"]
    assert fake.instance_arn in last["resources"]


@pytest.mark.parametrize(
    ("outcome", "reason", "seconds"),
    [(Outcome.NO_ANSWER, "TELECOM_UNANSWERED", 30), (Outcome.BUSY, "TELECOM_BUSY", 2)],
)
def test_unanswered_calls_disconnect_without_connecting(
    client: Any,
    fake: FakeConnect,
    events: list[dict[str, Any]],
    outcome: Outcome,
    reason: str,
    seconds: float,
) -> None:
    fake.scripts = {NUMBER: Script(outcome=outcome)}
    started = fake.clock()
    client.start_outbound_voice_contact(
        DestinationPhoneNumber=NUMBER,
        ContactFlowId="f",
        InstanceId=fake.instance_id,
        SourcePhoneNumber="+442071838750",
        ClientToken="t",
        RingTimeoutInSeconds=30,
    )
    fake.clock.sleep(seconds - 0.5)
    fake.advance()
    assert [e["detail"]["eventType"] for e in events] == ["INITIATED"]
    fake.clock.sleep(1)
    fake.advance()
    disconnected = events[-1]["detail"]
    assert disconnected["eventType"] == "DISCONNECTED"
    assert "connectedToSystemTimestamp" not in disconnected
    assert disconnected["disconnectReason"] == reason
    assert fake.next_event_at() is None
    assert next(iter(fake.calls.values())).ends_at == started + seconds


def test_hang_up_at_question_n_gives_the_answers_before_it() -> None:
    script = Script(outcome=Outcome.HANG_UP, answers=("a", "b", "c"), hang_up_at=3)
    assert script.answers_given == ("a", "b")
    assert Script(outcome=Outcome.NO_ANSWER, answers=("a",)).answers_given == ()


def test_server_errors_then_success(client: Any, fake: FakeConnect) -> None:
    fake.scripts = {NUMBER: Script(server_errors=1)}
    with pytest.raises(client.exceptions.InternalServiceException):
        _start(client, fake, token=client_token("j", "r", 1))
    fake.clock.sleep(2)
    assert _start(client, fake, token=client_token("j", "r", 1))
