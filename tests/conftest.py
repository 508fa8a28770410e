"""Fixtures shared by every test suite: fake AWS credentials, moto DynamoDB, moto_server.

No test talks to real AWS: credentials are fake and the region fixed for every
test not marked ``aws``. DynamoDB comes either in-process (``mock_aws``) or from a
``moto_server`` subprocess on 127.0.0.1 (for code that needs a real HTTP endpoint:
the CLI, the demo, timeouts). Tables are created with the runtime's own
:func:`callguard.store.create_table`, so tests use exactly the production schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import pytest
from moto import mock_aws

from callguard import aws
from callguard.store import DenyList, create_table
from callguard_tools.demo.local_aws import MotoServer
from callguard_tools.demo.local_aws import moto_server as local_moto_server

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: Region every test runs in.
TEST_REGION = "eu-west-2"
#: Table name every store fixture uses.
TEST_TABLE = "callguard-test"

#: Environment for code under test: fake credentials, a fixed region, no profile.
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_DEFAULT_REGION": TEST_REGION,
    "AWS_REGION": TEST_REGION,
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "AWS_EC2_METADATA_DISABLED": "true",
}
#: Variables that could point code under test at real resources or profiles.
_UNSET = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB")


@pytest.fixture(autouse=True)
def fake_aws_env(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Give every test (except ``@pytest.mark.aws``) fake credentials and a fixed region.

    Also clears the runtime's cached clients so no test inherits another's endpoint.
    """
    if request.node.get_closest_marker("aws") is not None:
        return
    for name in _UNSET:
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    aws.reset_clients()


@pytest.fixture
def moto_dynamodb(fake_aws_env: None) -> Iterator[DynamoDBClient]:
    """An in-process moto DynamoDB client (no table yet)."""
    with mock_aws():
        yield boto3.client("dynamodb", region_name=TEST_REGION)


@pytest.fixture
def table_name(moto_dynamodb: DynamoDBClient) -> str:
    """Create the deny-list table in the in-process moto and return its name."""
    create_table(moto_dynamodb, TEST_TABLE)
    return TEST_TABLE


@pytest.fixture
def deny_list(moto_dynamodb: DynamoDBClient, table_name: str) -> DenyList:
    """A :class:`DenyList` on a fresh in-process moto table."""
    return DenyList(moto_dynamodb, table_name)


@pytest.fixture(scope="session")
def moto_server_process() -> Iterator[MotoServer]:
    """One ``moto_server`` subprocess on 127.0.0.1 for the whole session (the demo's starter)."""
    with local_moto_server() as server:
        yield server


@pytest.fixture(scope="session")
def moto_server(moto_server_process: MotoServer) -> str:
    """The endpoint URL of the session's ``moto_server`` (``http://127.0.0.1:<port>``).

    State persists between tests: use :func:`moto_server_clean` for an empty server.
    """
    return moto_server_process.endpoint_url


@pytest.fixture
def moto_server_clean(moto_server_process: MotoServer, fake_aws_env: None) -> str:
    """The session's ``moto_server``, emptied before the test; returns its URL."""
    moto_server_process.reset()
    return moto_server_process.endpoint_url


@pytest.fixture
def server_table(moto_server_clean: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Create the deny-list table on the clean ``moto_server`` and route DynamoDB to it.

    Sets ``AWS_ENDPOINT_URL_DYNAMODB`` (honoured by botocore, hence by the runtime
    and the CLI) and ``CALLGUARD_TABLE``; returns the table name.
    """
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", moto_server_clean)
    monkeypatch.setenv("CALLGUARD_TABLE", TEST_TABLE)
    aws.reset_clients()
    client = boto3.client("dynamodb", region_name=TEST_REGION, endpoint_url=moto_server_clean)
    create_table(client, TEST_TABLE)
    return TEST_TABLE
