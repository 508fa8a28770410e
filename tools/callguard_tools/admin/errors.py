"""Exit codes and one-line errors for expected failures.

Operators run these commands from scripts and runbooks, so the exit code is the
contract: 0 everything done, 1 the command ran but part of the work failed
(rejected lines, failed writes, a throttled or failing AWS call), 2 the command
could not run as asked (bad arguments, a malformed file, no table, no
credentials), 3 the number is not in the state the command needs, so nothing
was changed (a review decision a colleague made first; ``add`` on a pending
number, which only a review decision blocks). Expected failures print one line
that says what is wrong and what to do, never a traceback; AWS errors are
translated here, in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import click
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)

EXIT_OK: Final = 0
EXIT_PARTIAL: Final = 1
EXIT_USAGE: Final = 2
EXIT_NOT_CHANGED: Final = 3

_THROTTLING_CODES: Final = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "LimitExceededException",
    }
)
_CREDENTIAL_CODES: Final = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredTokenException",
        "ExpiredToken",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "MissingAuthenticationToken",
    }
)


class CliError(click.ClickException):
    """An expected failure: printed as one line, exits with ``exit_code``."""

    exit_code = EXIT_PARTIAL


class CliUsageError(CliError):
    """The command cannot run as asked; fixing the input or configuration will help."""

    exit_code = EXIT_USAGE


class CliOperationError(CliError):
    """The command ran but AWS (or part of the work) failed; retrying may help."""

    exit_code = EXIT_PARTIAL


class CliStateError(CliError):
    """The number is not in the state the command needs; nothing was changed."""

    exit_code = EXIT_NOT_CHANGED


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _error_message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", "")).strip()


def describe_aws_error(error: Exception, *, table: str | None = None) -> CliError:
    """Turn a botocore exception into a one-line error with advice and an exit code.

    ``table`` names the deny-list table in the message when the failure is about it.
    """
    if isinstance(error, ClientError):
        return _describe_client_error(error, where=f"table {table!r}" if table else "the resource")
    for kinds, build in _LOCAL_ERRORS:
        if isinstance(error, kinds):
            return build(error)
    if isinstance(error, BotoCoreError):
        return CliOperationError(f"AWS call failed: {error}")
    return CliOperationError(f"unexpected failure: {error}")


_LOCAL_ERRORS: Final[
    tuple[tuple[tuple[type[Exception], ...], Callable[[Exception], CliError]], ...]
] = (
    (
        (NoCredentialsError, PartialCredentialsError),
        lambda _: CliUsageError(
            "no AWS credentials found: run 'aws configure' or 'aws sso login', "
            "pass --profile, or set AWS_PROFILE"
        ),
    ),
    (
        (ProfileNotFound,),
        lambda error: CliUsageError(
            f"{error}: check --profile or AWS_PROFILE against ~/.aws/config"
        ),
    ),
    (
        (NoRegionError,),
        lambda _: CliUsageError("no AWS region set: pass --region or set AWS_REGION"),
    ),
    (
        (EndpointConnectionError, ConnectTimeoutError),
        lambda error: CliOperationError(
            f"cannot reach the AWS endpoint ({error}): check the network, --region "
            "and --endpoint-url"
        ),
    ),
    (
        (ReadTimeoutError,),
        lambda error: CliOperationError(f"AWS did not answer in time ({error}): retry in a moment"),
    ),
)


def _describe_client_error(error: ClientError, *, where: str) -> CliError:
    code = _error_code(error)
    message = _error_message(error)
    operation = error.operation_name
    if code == "ResourceNotFoundException":
        return CliUsageError(
            f"{where} was not found ({operation}: {message or code}): check --table, "
            "--region and --profile, or deploy the stack first"
        )
    if code in _THROTTLING_CODES:
        return CliOperationError(
            f"AWS is throttling requests to {where} ({operation}: {code}): wait a minute "
            "and re-run; re-running is safe"
        )
    if code in _CREDENTIAL_CODES:
        return CliUsageError(
            f"AWS rejected the credentials ({code}): refresh them ('aws sso login') "
            "or pick another --profile"
        )
    if code in {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"}:
        return CliUsageError(
            f"access denied for {operation} on {where}: your role needs that permission "
            f"({message or code})"
        )
    if code in {"ValidationException", "InvalidParameterException", "InvalidRequestException"}:
        return CliUsageError(f"AWS rejected the request ({operation}: {message or code})")
    return CliOperationError(f"AWS call failed ({operation}: {code}: {message})")
