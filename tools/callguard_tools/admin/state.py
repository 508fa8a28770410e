"""Global options and the per-invocation AWS context shared by every command.

``callguard`` parses ``--table``, ``--region``, ``--profile``, ``--endpoint-url``
and ``--default-country`` once, in the top-level group, and hands a ``CliState``
down through the click context. The state creates the boto3 session, clients and
the caller's identity lazily and at most once, so ``--help`` never touches AWS
and a command that needs only DynamoDB never calls Connect. Tests pre-seed
``clients`` (for example with a botocore ``Stubber``-wrapped client).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, overload

import click

from callguard_tools.admin.errors import CliUsageError

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_connect import ConnectClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sts import STSClient

#: Tight enough that a dead endpoint fails in seconds, generous enough for a
#: 25-item batch on a busy table. "standard" retries throttling with backoff.
CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 30
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class GlobalOptions:
    """What the top-level ``callguard`` options selected."""

    table: str | None = None
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    default_country: str | None = None


@dataclass
class CliState:
    """Lazily built AWS session, clients and identity for one command run."""

    options: GlobalOptions = field(default_factory=GlobalOptions)
    clients: dict[str, Any] = field(default_factory=dict)
    identity_arn: str | None = None
    _session: boto3.Session | None = field(default=None, repr=False)

    def require_table(self) -> str:
        """Return the deny-list table name, or stop with a usage error naming the fix."""
        if not self.options.table:
            raise CliUsageError("no table given: pass --table NAME or set CALLGUARD_TABLE")
        return self.options.table

    def session(self) -> boto3.Session:
        """Return the boto3 session for ``--profile``/``--region`` (created once)."""
        if self._session is None:
            import boto3  # noqa: PLC0415 - keep `callguard --help` free of boto3

            self._session = boto3.Session(
                profile_name=self.options.profile, region_name=self.options.region
            )
        return self._session

    @overload
    def client(self, service: Literal["dynamodb"]) -> DynamoDBClient: ...
    @overload
    def client(self, service: Literal["sts"]) -> STSClient: ...
    @overload
    def client(self, service: Literal["connect"]) -> ConnectClient: ...
    @overload
    def client(self, service: Literal["kms"]) -> KMSClient: ...
    @overload
    def client(self, service: Literal["logs"]) -> CloudWatchLogsClient: ...
    @overload
    def client(self, service: Literal["sqs"]) -> SQSClient: ...
    @overload
    def client(self, service: Literal["dynamodbstreams"]) -> DynamoDBStreamsClient: ...
    def client(self, service: str) -> Any:
        """Return a client for ``service``: bounded timeouts, retries with backoff."""
        if service not in self.clients:
            from botocore.config import Config  # noqa: PLC0415 - lazy, see module doc

            endpoint = _checked_endpoint(self.options.endpoint_url)
            config = Config(
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                read_timeout=READ_TIMEOUT_SECONDS,
                retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
                max_pool_connections=32,
            )
            try:
                self.clients[service] = self.session().client(
                    service,  # type: ignore[call-overload]
                    endpoint_url=endpoint,
                    config=config,
                )
            except ValueError as error:  # botocore's word for a bad endpoint or region
                raise CliUsageError(
                    f"cannot set up the AWS {service} client: {error}; check --endpoint-url "
                    "and --region"
                ) from None
        return self.clients[service]

    def identity(self) -> str:
        """Return the caller's AWS principal ARN (STS GetCallerIdentity), asked once.

        Every write records it, so the table says who changed what.
        """
        if self.identity_arn is None:
            self.identity_arn = self.client("sts").get_caller_identity()["Arn"]
        return self.identity_arn


def _checked_endpoint(url: str | None) -> str | None:
    """Return ``--endpoint-url`` as given, or stop with one line if it is not an http(s) URL."""
    if url is None:
        return None
    from urllib.parse import urlsplit  # noqa: PLC0415 - only when an endpoint is given

    example = "use one such as http://127.0.0.1:5000"
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a port that is not a number
    except ValueError as error:
        raise CliUsageError(
            f"--endpoint-url {url!r} is not a valid URL ({error}); {example}"
        ) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise CliUsageError(
            f"--endpoint-url {url!r} is not an http:// or https:// URL with a host; {example}"
        )
    return url


def get_state(ctx: click.Context | None = None) -> CliState:
    """Return the ``CliState`` of the running command, creating an empty one if absent.

    A group invoked on its own (in tests, or embedded in another click app) still
    works: options then come only from the environment that boto3 reads itself.
    """
    context = ctx or click.get_current_context()
    state = context.find_object(CliState)
    if state is None:
        state = context.ensure_object(CliState)
    return state
