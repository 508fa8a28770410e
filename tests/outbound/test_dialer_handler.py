"""The Lambda entry points, configured from the environment, on moto SQS and DynamoDB."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from callguard.outbound.handlers import clients
from callguard.outbound.handlers import contact_events as events_handler
from callguard.outbound.handlers import dialer as dialer_handler
from callguard_tools.outbound_sim.fake_connect import FakeConnect, Outcome, Script, SimClock
from callguard_tools.outbound_sim.fake_sfn import FakeStepFunctions
from callguard_tools.outbound_sim.tables import create_token_table

TABLE = "outbound-tokens"
NUMBER = "+442079460958"


class Context:
    def __init__(self, seconds: float = 60) -> None:
        self.seconds = seconds

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds * 1000)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("CALLGUARD_OUTBOUND_TOKEN_TABLE", TABLE)
    monkeypatch.setenv("CALLGUARD_OUTBOUND_CALLS_PER_SECOND", "50")
    monkeypatch.setenv("CALLGUARD_OUTBOUND_BURST", "10")
    clients.reset_clients()
    dialer_handler.reset()
    with mock_aws():
        create_token_table(clients.dynamodb_client(), TABLE)
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName="callguard-dial")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        fake = FakeConnect(
            clock=SimClock(),
            concurrent_limit=1,
            rate_limit=10,
            scripts={"+12125550100": Script(outcome=Outcome.NOT_ALLOWED)},
        )
        fake.attach(clients.connect_client())
        sfn = FakeStepFunctions()
        sfn.attach(clients.sfn_client())
        yield {"sqs": sqs, "url": url, "arn": arn, "fake": fake, "sfn": sfn}
    clients.reset_clients()
    dialer_handler.reset()


def _body(receiver: str, number: str, fake: FakeConnect) -> str:
    return json.dumps(
        {
            "version": 1,
            "job_id": "job-1",
            "receiver_id": receiver,
            "attempt": 1,
            "destination": number,
            "instance_id": fake.instance_id,
            "contact_flow_id": "flow",
            "queue_id": "queue-1",
            "task_token": f"tok-{receiver}",
        }
    )


def _records(env: dict[str, Any]) -> list[dict[str, Any]]:
    messages = env["sqs"].receive_message(
        QueueUrl=env["url"],
        MaxNumberOfMessages=10,
        MessageSystemAttributeNames=["All"],
        VisibilityTimeout=30,
    )["Messages"]
    return [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m["Attributes"],
            "eventSource": "aws:sqs",
            "eventSourceARN": env["arn"],
        }
        for m in messages
    ]


def test_dialer_handler_places_fails_and_requeues(env: dict[str, Any]) -> None:
    fake, sfn = env["fake"], env["sfn"]
    for receiver, number in (("r-1", NUMBER), ("r-2", "+442079460959"), ("r-3", "+12125550100")):
        sfn.wait(f"tok-{receiver}")
        env["sqs"].send_message(QueueUrl=env["url"], MessageBody=_body(receiver, number, fake))
    records = _records(env)
    assert len(records) == 3
    response = dialer_handler.handler({"Records": records}, Context())
    by_id = {json.loads(r["body"])["receiver_id"]: r["messageId"] for r in records}
    results = {r.number: r.result for r in fake.requests}
    assert results == {NUMBER: "placed", "+442079460959": "limited", "+12125550100": "refused"}
    assert response == {"batchItemFailures": [{"itemIdentifier": by_id["r-2"]}]}
    assert sfn.results["tok-r-3"].output is not None
    assert sfn.results["tok-r-3"].output["error"] == "DestinationNotAllowedException"
    # The limited message had its visibility changed on the real (moto) queue: it is
    # hidden for at least the backoff, so an immediate receive finds nothing.
    attributes = env["sqs"].get_queue_attributes(
        QueueUrl=env["url"], AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "3"


def test_contact_event_handler_resolves_the_placed_call(env: dict[str, Any]) -> None:
    fake, sfn = env["fake"], env["sfn"]
    sfn.wait("tok-r-1")
    env["sqs"].send_message(QueueUrl=env["url"], MessageBody=_body("r-1", NUMBER, fake))
    dialer_handler.handler({"Records": _records(env)}, Context())
    (call,) = fake.calls.values()
    answer = events_handler.handler(fake.contact_event(call, "DISCONNECTED"), None)
    assert answer == {
        "resolved": 1,
        "already_resolved": 0,
        "unknown_contact": 0,
        "ignored": 0,
        "slots_released": 0,
    }
    assert sfn.results["tok-r-1"].output is not None
    assert sfn.results["tok-r-1"].output["status"] == "no_answer"  # not connected yet
    again = events_handler.handler(fake.contact_event(call, "DISCONNECTED"), None)
    assert again["already_resolved"] == 1


def test_settings_report_every_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "CALLGUARD_OUTBOUND_CALLS_PER_SECOND": "fast",
        "CALLGUARD_OUTBOUND_BURST": "0",
        "CALLGUARD_OUTBOUND_MAX_ERROR_RECEIVES": "2.5",
    }
    with pytest.raises(clients.OutboundConfigError) as caught:
        clients.settings(env)
    message = str(caught.value)
    for name in ("TOKEN_TABLE", "CALLS_PER_SECOND", "BURST", "MAX_ERROR_RECEIVES"):
        assert name in message
    assert clients.settings({"CALLGUARD_OUTBOUND_TOKEN_TABLE": "t"}).calls_per_second == 1.0
