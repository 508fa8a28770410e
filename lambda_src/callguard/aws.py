"""AWS clients for the handlers: created once per container, with a bounded worst case.

Every inbound call waits in silence while the check runs, and Amazon Connect gives
a Lambda at most 8 seconds. The client therefore uses short connect/read timeouts
and at most two attempts, so that even a hanging or throttling DynamoDB costs at
most :data:`WORST_CASE_SECONDS` (under 3 s) before the handler's fail mode answers.
A response that trickles in resets the read timeout with every byte, so the
handlers also run their calls under a per-invocation deadline
(:mod:`callguard.deadline`), which every client checks before each attempt.

The endpoint can be redirected (local emulators, tests, benchmarks) with botocore's
own ``AWS_ENDPOINT_URL_DYNAMODB`` variable; no callguard-specific switch is needed.

Clients come from a botocore session rather than ``boto3.client``: the result is
the same low-level client, but a cold start skips importing boto3's resource and
transfer layers (s3transfer), which the runtime never uses.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Final, cast

import botocore.session
from botocore.config import Config

from callguard import deadline

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sns import SNSClient

#: Seconds to establish a TCP/TLS connection to DynamoDB (normally a few ms in-region).
CONNECT_TIMEOUT_SECONDS: Final = 0.25
#: Seconds to wait for each read of a response (a GetItem normally takes under 10 ms).
READ_TIMEOUT_SECONDS: Final = 0.6
#: Total attempts per API call, the first one included.
MAX_ATTEMPTS: Final = 2
#: Longest pause botocore's "standard" retry mode takes before the second attempt:
#: a random fraction of 1 s for throttling errors (25 ms for other DynamoDB errors).
MAX_RETRY_BACKOFF_SECONDS: Final = 1.0


def worst_case_seconds(
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    read_timeout: float = READ_TIMEOUT_SECONDS,
    max_attempts: int = MAX_ATTEMPTS,
    backoff: float = MAX_RETRY_BACKOFF_SECONDS,
) -> float:
    """Upper bound of one API call's duration against an unresponsive endpoint.

    Each attempt may spend the connect timeout plus one read timeout; between
    attempts botocore sleeps at most ``backoff`` (with ``max_attempts`` = 2 there is
    a single pause). Written out so the bound is checked by a test, not assumed.
    """
    return max_attempts * (connect_timeout + read_timeout) + (max_attempts - 1) * backoff


#: The bound the handlers rely on; a unit test keeps it under 3 seconds.
WORST_CASE_SECONDS: Final = worst_case_seconds()


def client_config() -> Config:
    """Return the botocore configuration shared by every runtime client."""
    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        tcp_keepalive=True,
        max_pool_connections=16,
    )


_lock = threading.Lock()
_dynamodb: DynamoDBClient | None = None


def dynamodb_client() -> DynamoDBClient:
    """Return this container's DynamoDB client, creating it on first use.

    Created lazily rather than at import so that a misconfigured environment fails
    inside the handler (which answers with its fail mode) instead of at import time
    (which Amazon Connect would see as a failed invocation).
    """
    global _dynamodb  # noqa: PLW0603 - one client per container is the point
    client = _dynamodb
    if client is None:
        with _lock:
            if _dynamodb is None:
                session = botocore.session.get_session()
                created = session.create_client("dynamodb", config=client_config())
                created.meta.events.register("before-send", deadline.check_before_send)
                _dynamodb = cast("DynamoDBClient", created)
            client = _dynamodb
    return client


#: SNS publishes a review notification after the flag is stored; one attempt with
#: short timeouts, so a slow SNS adds at most about 1.3 s to the agent's flag.
SNS_CONNECT_TIMEOUT_SECONDS: Final = 0.3
SNS_READ_TIMEOUT_SECONDS: Final = 1.0
SNS_MAX_ATTEMPTS: Final = 1
#: The longest one publish can take; a review notification starts only with this much time left.
SNS_WORST_CASE_SECONDS: Final = worst_case_seconds(
    SNS_CONNECT_TIMEOUT_SECONDS, SNS_READ_TIMEOUT_SECONDS, SNS_MAX_ATTEMPTS, 0.0
)

_sns: SNSClient | None = None


def sns_client() -> SNSClient:
    """Return this container's SNS client (review notifications), creating it on first use.

    Built only in review mode with a topic configured. Redirected like DynamoDB,
    with ``AWS_ENDPOINT_URL_SNS`` (or ``AWS_ENDPOINT_URL``).
    """
    global _sns  # noqa: PLW0603 - one client per container is the point
    client = _sns
    if client is None:
        with _lock:
            if _sns is None:
                config = Config(
                    connect_timeout=SNS_CONNECT_TIMEOUT_SECONDS,
                    read_timeout=SNS_READ_TIMEOUT_SECONDS,
                    retries={"mode": "standard", "total_max_attempts": SNS_MAX_ATTEMPTS},
                    tcp_keepalive=True,
                )
                session = botocore.session.get_session()
                created = session.create_client("sns", config=config)
                created.meta.events.register("before-send", deadline.check_before_send)
                _sns = cast("SNSClient", created)
            client = _sns
    return client


def reset_clients() -> None:
    """Forget the cached clients (tests change endpoints and credentials between cases)."""
    global _dynamodb, _sns  # noqa: PLW0603
    with _lock:
        _dynamodb = None
        _sns = None
