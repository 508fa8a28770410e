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


class NotPendingError(ConflictError):
    """A review decision found the entry no longer pending: someone decided first.

    ``status`` is what the entry is now (``blocked`` or ``rejected`` after another
    supervisor's decision), and ``reviewed_by``/``reviewed_at`` say who decided
    and when, so the losing reviewer can be told exactly what happened.
    """

    def __init__(self, message: str, *, status: str, reviewed_by: str = "", reviewed_at: str = ""):
        super().__init__(message)
        self.status = status
        self.reviewed_by = reviewed_by
        self.reviewed_at = reviewed_at


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


def translate(operation: str, error: Exception) -> Exception:
    """Return the :class:`StoreError` for a botocore ``error`` raised by ``operation``.

    Conditional-check failures come back unchanged: the operation itself knows
    what they mean (already listed, not pending, ...). Other exceptions too.
    """
    if isinstance(error, ClientError):
        code = error_code(error)
        if code == "ConditionalCheckFailedException":
            return error
        if code in THROTTLING_CODES:
            return ThrottledError(f"{operation}: throttled by DynamoDB ({code})")
        if code == "ResourceNotFoundException":
            return TableNotFoundError(f"{operation}: table not found")
        return StoreError(f"{operation}: DynamoDB error {code or 'unknown'}")
    if isinstance(error, BotoCoreError):
        return UnavailableError(f"{operation}: DynamoDB unavailable ({type(error).__name__})")
    return error


@contextmanager
def translated(operation: str) -> Iterator[None]:
    """Re-raise botocore errors of ``operation`` as :class:`StoreError` subclasses."""
    try:
        yield
    except (ClientError, BotoCoreError) as error:
        replacement = translate(operation, error)
        if replacement is error:
            raise
        raise replacement from error
