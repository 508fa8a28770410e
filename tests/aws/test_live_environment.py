"""Smoke test of a deployed environment: the real functions against the real table.

Needs a real AWS account, so every test here is marked ``aws``: ``make test`` never
collects them; ``make test-aws`` runs only them. Configure with the environment's
Terraform outputs and your usual AWS credentials:

    CALLGUARD_LIVE_TABLE=callguard-dev-denylist \
    CALLGUARD_LIVE_CHECK_FUNCTION=callguard-dev-check-number \
    AWS_PROFILE=... AWS_REGION=... make test-aws

Numbers come from Ofcom's range reserved for drama (+44 7700 900000-900999), so a
run can never block a real caller; the test removes what it adds.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from callguard_tools.cli import main
from callguard_tools.flows.connect_event import Contact, build_event

pytestmark = pytest.mark.aws

REQUIRED = ("CALLGUARD_LIVE_TABLE", "CALLGUARD_LIVE_CHECK_FUNCTION")


@pytest.fixture(scope="module")
def live() -> dict[str, str]:
    """The deployed environment's names; a clear failure (not a skip) when unset."""
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        pytest.fail(f"set {', '.join(missing)} (Terraform outputs) to run the live suite")
    return {name: os.environ[name] for name in REQUIRED}


@pytest.fixture
def drama_number(live: dict[str, str]) -> Iterator[str]:
    """A fictional number, removed from the live table whatever the test did."""
    number = f"+447700900{secrets.randbelow(1000):03d}"
    yield number
    CliRunner().invoke(
        main, ["--table", live["CALLGUARD_LIVE_TABLE"], "denylist", "remove", number]
    )


def _check(function_name: str, caller: str) -> dict[str, Any]:
    contact = Contact.inbound(caller)
    event = build_event(contact.contact_data(), {})
    response = boto3.client("lambda").invoke(
        FunctionName=function_name, Payload=json.dumps(event).encode()
    )
    assert "FunctionError" not in response, response
    answer: dict[str, Any] = json.loads(response["Payload"].read())
    return answer


def test_a_number_is_clear_then_blocked_then_clear(live: dict[str, str], drama_number: str) -> None:
    table, function = live["CALLGUARD_LIVE_TABLE"], live["CALLGUARD_LIVE_CHECK_FUNCTION"]
    assert _check(function, drama_number)["status"] == "clear"

    added = CliRunner().invoke(
        main,
        [
            "--table",
            table,
            "denylist",
            "add",
            drama_number,
            "--reason",
            "live smoke test",
            "--expires",
            "1h",
        ],
    )
    assert added.exit_code == 0, added.output
    answer = _check(function, drama_number)
    assert answer == {
        "blocked": "true",
        "status": "blocked",
        "reason": "live smoke test",
        "caller_class": "e164",
    }

    removed = CliRunner().invoke(main, ["--table", table, "denylist", "remove", drama_number])
    assert removed.exit_code == 0, removed.output
    assert _check(function, drama_number)["status"] == "clear"


def test_a_withheld_caller_gets_the_documented_answer(live: dict[str, str]) -> None:
    answer = _check(live["CALLGUARD_LIVE_CHECK_FUNCTION"], "anonymous")
    assert answer["status"] == "anonymous"
    assert answer["caller_class"] == "withheld"
    assert set(answer) == {"blocked", "status", "reason", "caller_class"}
