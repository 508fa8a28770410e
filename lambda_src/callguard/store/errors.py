"""Exceptions of the store: what a caller must be able to tell apart and react to.

botocore errors are translated here so that handlers and tools never parse error
codes. Messages name the operation and the masked number, never the full number.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from botocore.exceptions import BotoCoreError, ClientError


class StoreError(Exception):
    """Base class: the store could not do what was asked."""


class InvalidEntryError(StoreError, ValueError):
    """An argument is not acceptable (not E.164, unknown status or source, ...)."""


class NotFoundError(StoreError, LookupError):
    """The number is not on the list (or its entry has expired)."""


class ConflictError(StoreError):
    """The entry is not in the state the operation needs (e.g. approving a blocked number)."""


class ThrottledError(StoreError):
    """DynamoDB refused the request for capacity reasons; retrying later may work."""


class UnavailableError(StoreError):
    """DynamoDB could not be reached or did not answer in time."""


class TableNotFoundError(StoreError):
    """The configured table does not exist (wrong name, region or account)."""


#: DynamoDB error codes that mean "too much traffic", all retryable.
THROTTLING_CODES: Final = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "Throttling",
        "TooManyRequestsException",
    }
)


def error_code(error: ClientError) -> str:
    """Return the AWS error code of a ``ClientError`` ("" when absent)."""
    return str(error.response.get("Error", {}).get("Code", ""))


@contextmanager
def translated(operation: str) -> Iterator[None]:
    """Re-raise botocore errors of ``operation`` as :class:`StoreError` subclasses.

    Conditional-check failures are left to the operation itself, which knows what
    they mean (already listed, not pending, ...).
    """
    try:
        yield
    except ClientError as error:
        code = error_code(error)
        if code == "ConditionalCheckFailedException":
            raise
        if code in THROTTLING_CODES:
            raise ThrottledError(f"{operation}: throttled by DynamoDB ({code})") from error
        if code == "ResourceNotFoundException":
            raise TableNotFoundError(f"{operation}: table not found") from error
        raise StoreError(f"{operation}: DynamoDB error {code or 'unknown'}") from error
    except BotoCoreError as error:
        raise UnavailableError(
            f"{operation}: DynamoDB unavailable ({type(error).__name__})"
        ) from error
