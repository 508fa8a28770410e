"""Both handlers name the Connect instance in their log line (the metrics' dimension)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from runtime_events import INSTANCE_ARN, EventFactory, LogLines

from callguard.connect import instance_id, parse_event
from callguard.handlers import check_number, flag_number, verify_code
from callguard.store import DenyList

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

INSTANCE_ID = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"


@pytest.fixture
def store(moto_dynamodb: DynamoDBClient, handler_env: str) -> DenyList:
    return DenyList(moto_dynamodb, handler_env)


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        (INSTANCE_ARN, INSTANCE_ID),
        (INSTANCE_ARN.replace(INSTANCE_ID, INSTANCE_ID.upper()), INSTANCE_ID),
        ("arn:aws-us-gov:connect:us-gov-west-1:123456789012:instance/" + INSTANCE_ID, INSTANCE_ID),
        (INSTANCE_ARN + "/queue/x", ""),
        ("arn:aws:connect:eu-west-2:123456789012:instance/not-a-uuid", ""),
        (INSTANCE_ID, ""),
        ("", ""),
    ],
)
def test_instance_id_of_an_arn(arn: str, expected: str) -> None:
    assert instance_id(arn) == expected


@pytest.mark.parametrize("handler", [check_number.handler, flag_number.handler])
def test_log_line_names_the_instance(
    store: DenyList, make_event: EventFactory, log_lines: LogLines, handler: object
) -> None:
    assert callable(handler)
    handler(make_event(), None)
    assert json.loads(log_lines.lines[-1])["instance"] == INSTANCE_ID


@pytest.mark.parametrize("handler", [check_number.handler, flag_number.handler])
@pytest.mark.parametrize("arn", [None, 42, "arn:aws:connect:eu-west-2:1:instance/x", ""])
def test_unknown_instance_is_still_a_dimension_value(
    store: DenyList,
    make_event: EventFactory,
    log_lines: LogLines,
    handler: object,
    arn: object,
) -> None:
    """A metric filter publishes a dimensioned metric only when the field has a value."""
    assert callable(handler)
    event = make_event()
    event["Details"]["ContactData"]["InstanceARN"] = arn
    handler(event, None)
    assert json.loads(log_lines.lines[-1])["instance"] == "unknown"


def test_event_instance_id_reads_the_contact_data(make_event: EventFactory) -> None:
    assert parse_event(make_event()).instance_id() == INSTANCE_ID
    assert parse_event({}).instance_id() == ""


def test_challenge_verdict_names_the_instance(
    make_event: EventFactory, log_lines: LogLines
) -> None:
    event = make_event(parameters={"Entered": "0000", "Expected": "4711", "MaxAttempts": "1"})
    assert verify_code.handler(event, None)["result"] == "fail"
    line = json.loads(log_lines.lines[-1])
    assert (line["handler"], line["outcome"], line["instance"]) == (
        "verify_code",
        "fail",
        INSTANCE_ID,
    )
