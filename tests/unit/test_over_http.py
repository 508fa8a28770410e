"""The handlers over real HTTP: the shared ``moto_server`` fixture, the runtime's own client."""

from __future__ import annotations

import os

import boto3
import pytest
from runtime_events import EventFactory

from callguard.handlers import check_number, flag_number
from callguard.store import DenyList


def test_flag_then_check_through_moto_server(
    server_table: str, moto_server_clean: str, make_event: EventFactory
) -> None:
    assert flag_number.handler(make_event(parameters={"Reason": "abuse"}), None)["result"] == (
        "flagged"
    )
    answer = check_number.handler(make_event(), None)
    assert answer == {
        "blocked": "true",
        "status": "blocked",
        "reason": "abuse",
        "caller_class": "e164",
    }
    client = boto3.client("dynamodb", endpoint_url=moto_server_clean)
    entries = list(DenyList(client, server_table).entries())
    assert [e.phone_number for e in entries] == ["+442079460958"]


def test_reset_gives_an_empty_server(moto_server_clean: str) -> None:
    client = boto3.client("dynamodb", endpoint_url=moto_server_clean)
    assert client.list_tables()["TableNames"] == []


@pytest.mark.usefixtures("server_table")
def test_server_table_sets_the_environment() -> None:
    assert os.environ["CALLGUARD_TABLE"] == "callguard-test"
    assert os.environ["AWS_ENDPOINT_URL_DYNAMODB"].startswith("http://127.0.0.1:")
