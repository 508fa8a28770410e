"""Fixtures shared by every test suite: fake AWS credentials, moto DynamoDB, moto_server.

No test talks to real AWS: credentials are fake and the region fixed for every
test not marked ``aws``. DynamoDB comes either in-process (``mock_aws``) or from a
``moto_server`` subprocess on 127.0.0.1 (for code that needs a real HTTP endpoint:
the CLI, the demo, timeouts). Tables are created with the runtime's own
:func:`callguard.store.create_table`, so tests use exactly the production schema.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import pytest
from moto import mock_aws

from callguard import aws
from callguard.store import DenyList, create_table

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


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto_server(port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``moto_server`` on 127.0.0.1 and wait until it answers; return (process, url).

    Shared by the fixture and by benchmarks/demos that import it. The caller stops
    the process (see :func:`stop_moto_server`).
    """
    port = port or free_port()
    env = {**os.environ, **FAKE_AWS_ENV}
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                return process, url
        except (urllib.error.URLError, ConnectionError, OSError):
            if process.poll() is not None or time.monotonic() > deadline:
                stop_moto_server(process)
                raise RuntimeError(f"moto_server did not start on port {port}") from None
            time.sleep(0.05)


def stop_moto_server(process: subprocess.Popen[bytes]) -> None:
    """Stop a server started by :func:`start_moto_server` (terminate, then kill)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def reset_moto_server(url: str) -> None:
    """Clear every resource of a running ``moto_server``."""
    request = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=5):
        pass


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """Start one ``moto_server`` subprocess for the session; yield its endpoint URL.

    State persists between tests: use :func:`moto_server_clean` (or call
    :func:`reset_moto_server`) for an empty server.
    """
    process, url = start_moto_server()
    try:
        yield url
    finally:
        stop_moto_server(process)


@pytest.fixture
def moto_server_clean(moto_server: str, fake_aws_env: None) -> str:
    """The session's ``moto_server``, emptied before the test; yields its URL."""
    reset_moto_server(moto_server)
    return moto_server


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
