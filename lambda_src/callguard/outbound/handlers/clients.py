"""AWS clients and settings of the outbound functions, created once per container.

Like the inbound clients (:mod:`callguard.aws`) they come from a botocore session
with tight timeouts and bounded retries, so a hanging dependency costs seconds,
not the invocation. ``StartOutboundVoiceContact`` is safe to retry (its
ClientToken makes a repeat harmless), so the Connect client keeps one retry for a
dropped connection; throttling is the dialer's business, not botocore's.
Endpoints can be redirected with botocore's ``AWS_ENDPOINT_URL_<SERVICE>``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final, cast

import botocore.session
from botocore.config import Config

from callguard.aws import client_config
from callguard.outbound.call_slots import DEFAULT_LEASE_SECONDS, CallSlots
from callguard.outbound.contact_cap_store import ContactCapStore
from callguard.outbound.dialer import (
    DEFAULT_BACKOFF_CAP_SECONDS,
    DEFAULT_MAX_ATTEMPT_AGE_SECONDS,
    DEFAULT_MAX_ERROR_RECEIVES,
)
from callguard.outbound.pacing import DEFAULT_BURST, DEFAULT_CALLS_PER_SECOND

if TYPE_CHECKING:
    from mypy_boto3_connect import ConnectClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_stepfunctions import SFNClient

#: Timeouts and attempts of the Step Functions, SQS and Connect clients.
CONNECT_TIMEOUT_SECONDS: Final = 1.0
READ_TIMEOUT_SECONDS: Final = 5.0
MAX_ATTEMPTS: Final = 2


#: Connect's default concurrent active calls quota per instance.
DEFAULT_MAX_CONCURRENT_CALLS: Final = 10


class OutboundConfigError(ValueError):
    """One or more ``CALLGUARD_OUTBOUND_*`` variables are missing or invalid (all listed)."""


@dataclass(frozen=True, slots=True)
class OutboundSettings:
    """Validated settings of the dialer and the contact-event handler."""

    token_table: str
    calls_per_second: float = DEFAULT_CALLS_PER_SECOND
    burst: int = DEFAULT_BURST
    max_error_receives: int = DEFAULT_MAX_ERROR_RECEIVES
    backoff_cap_seconds: float = DEFAULT_BACKOFF_CAP_SECONDS
    #: The contact-cap table, which also holds the concurrent-call leases ("" = no leases).
    cap_table: str = ""
    max_concurrent_calls: int = DEFAULT_MAX_CONCURRENT_CALLS
    call_lease_seconds: int = DEFAULT_LEASE_SECONDS
    #: Set it to the state machine's wait (the call task's TimeoutSeconds).
    max_attempt_age_seconds: float = DEFAULT_MAX_ATTEMPT_AGE_SECONDS


def _number(
    env: Mapping[str, str],
    name: str,
    default: float,
    *,
    low: float,
    high: float,
    problems: list[str],
) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        problems.append(f"{name}={raw!r} is not a number")
        return default
    if not low <= value <= high:
        problems.append(f"{name}={raw!r} must be within {low}..{high}")
        return default
    return value


@lru_cache(maxsize=4)
def _settings(items: tuple[tuple[str, str], ...]) -> OutboundSettings:
    env = dict(items)
    problems: list[str] = []
    table = env.get("CALLGUARD_OUTBOUND_TOKEN_TABLE", "").strip()
    if not table:
        problems.append("CALLGUARD_OUTBOUND_TOKEN_TABLE is required")
    rate = _number(
        env,
        "CALLGUARD_OUTBOUND_CALLS_PER_SECOND",
        DEFAULT_CALLS_PER_SECOND,
        low=0.01,
        high=100,
        problems=problems,
    )
    burst = _number(
        env, "CALLGUARD_OUTBOUND_BURST", DEFAULT_BURST, low=1, high=100, problems=problems
    )
    receives = _number(
        env,
        "CALLGUARD_OUTBOUND_MAX_ERROR_RECEIVES",
        DEFAULT_MAX_ERROR_RECEIVES,
        low=1,
        high=100,
        problems=problems,
    )
    cap = _number(
        env,
        "CALLGUARD_OUTBOUND_BACKOFF_CAP_SECONDS",
        DEFAULT_BACKOFF_CAP_SECONDS,
        low=1,
        high=43_200,
        problems=problems,
    )
    concurrent = _number(
        env,
        "CALLGUARD_OUTBOUND_MAX_CONCURRENT_CALLS",
        DEFAULT_MAX_CONCURRENT_CALLS,
        low=1,
        high=100,
        problems=problems,
    )
    lease = _number(
        env,
        "CALLGUARD_OUTBOUND_CALL_LEASE_SECONDS",
        DEFAULT_LEASE_SECONDS,
        low=60,
        high=86_400,
        problems=problems,
    )
    age = _number(
        env,
        "CALLGUARD_OUTBOUND_MAX_ATTEMPT_AGE_SECONDS",
        DEFAULT_MAX_ATTEMPT_AGE_SECONDS,
        low=60,
        high=86_400,
        problems=problems,
    )
    for name, value in (
        ("BURST", burst),
        ("MAX_ERROR_RECEIVES", receives),
        ("MAX_CONCURRENT_CALLS", concurrent),
        ("CALL_LEASE_SECONDS", lease),
    ):
        if value != int(value):
            problems.append(f"CALLGUARD_OUTBOUND_{name} must be a whole number")
    if problems:
        raise OutboundConfigError("; ".join(problems))
    return OutboundSettings(
        table,
        rate,
        int(burst),
        int(receives),
        cap,
        cap_table=env.get("CALLGUARD_OUTBOUND_CAP_TABLE", "").strip(),
        max_concurrent_calls=int(concurrent),
        call_lease_seconds=int(lease),
        max_attempt_age_seconds=age,
    )


def call_slots(settings: OutboundSettings) -> CallSlots | None:
    """Return the concurrent-call leases, when a cap table is configured."""
    if not settings.cap_table:
        return None
    return CallSlots(
        ContactCapStore(dynamodb_client(), settings.cap_table),
        settings.max_concurrent_calls,
        settings.call_lease_seconds,
    )


def settings(environ: Mapping[str, str] | None = None) -> OutboundSettings:
    """Read and validate the outbound settings (cached per distinct environment)."""
    env = os.environ if environ is None else environ
    return _settings(tuple(sorted((k, v) for k, v in env.items() if k.startswith("CALLGUARD_"))))


def _config() -> Config:
    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        tcp_keepalive=True,
    )


_lock = threading.Lock()
_clients: dict[str, Any] = {}


def _client(service: str, config: Config) -> Any:
    client = _clients.get(service)
    if client is None:
        with _lock:
            client = _clients.get(service)
            if client is None:
                session = botocore.session.get_session()
                client = session.create_client(service, config=config)
                _clients[service] = client
    return client


def connect_client() -> ConnectClient:
    """Return this container's Amazon Connect client."""
    return cast("ConnectClient", _client("connect", _config()))


def sfn_client() -> SFNClient:
    """Return this container's Step Functions client."""
    return cast("SFNClient", _client("stepfunctions", _config()))


def sqs_client() -> SQSClient:
    """Return this container's SQS client."""
    return cast("SQSClient", _client("sqs", _config()))


def s3_client() -> Any:
    """Return this container's S3 client (the call functions read the job from it)."""
    return _client("s3", _config())


def dynamodb_client() -> DynamoDBClient:
    """Return this container's DynamoDB client (the runtime's tight inbound settings)."""
    return cast("DynamoDBClient", _client("dynamodb", client_config()))


def reset_clients() -> None:
    """Forget the cached clients (tests change endpoints between cases)."""
    with _lock:
        _clients.clear()
