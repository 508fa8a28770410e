"""Conditional writes: one helper that tells "the condition failed" from every other error.

Every write of the store is conditional (idempotent flags, first-write-wins
facts, review decisions that exactly one supervisor wins). A failed condition
is an answer, not an error: the operation decides what it means (already
listed, not pending, changed meanwhile). :func:`write_if` runs one request,
translates botocore errors as :func:`~callguard.store.errors.translated` does,
and returns a failed condition as a value, with the item as DynamoDB saw it
when the request asked for it (``ReturnValuesOnConditionCheckFailure``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from callguard.store.errors import error_code, translated
from callguard.store.schema import PARTITION_KEY

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@dataclass(frozen=True, slots=True)
class Table:
    """One table keyed by number, on one low-level client: the target of conditional writes."""

    client: DynamoDBClient
    name: str

    def update_if(self, operation: str, number: str, **request: Any) -> WriteResult:
        """``UpdateItem`` on ``number``'s item, under the request's condition."""
        return write_if(
            operation, self.client.update_item, TableName=self.name, Key=key(number), **request
        )

    def put_if(self, operation: str, item: Mapping[str, Any], **request: Any) -> WriteResult:
        """``PutItem`` of ``item``, under the request's condition."""
        return write_if(operation, self.client.put_item, TableName=self.name, Item=item, **request)

    def delete_if(self, operation: str, number: str, **request: Any) -> WriteResult:
        """``DeleteItem`` of ``number``'s item, under the request's condition."""
        return write_if(
            operation, self.client.delete_item, TableName=self.name, Key=key(number), **request
        )


def key(number: str) -> dict[str, dict[str, str]]:
    """Return the item key of ``number`` (every callguard table is keyed by the number)."""
    return {PARTITION_KEY: {"S": number}}


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What a conditional write did: ``written``, with DynamoDB's response, or refused."""

    written: bool
    #: DynamoDB's response when written (``Attributes`` when asked for), else empty.
    response: Mapping[str, Any] = field(default_factory=dict)
    #: When refused: the item as it is, if the request asked DynamoDB to return it.
    current: Mapping[str, Any] | None = None

    @property
    def attributes(self) -> Mapping[str, Any]:
        """The ``Attributes`` of a written request (``{}`` when there are none)."""
        value = self.response.get("Attributes")
        return value if isinstance(value, Mapping) else {}


def write_if(operation: str, request: Callable[..., Any], /, **arguments: Any) -> WriteResult:
    """Call ``request(**arguments)``; a failed condition is a refused :class:`WriteResult`.

    ``operation`` names the write in error messages ("flag +4420*****958"). Any
    other failure raises the :class:`~callguard.store.errors.StoreError` that
    :func:`~callguard.store.errors.translate` chooses.
    """
    try:
        with translated(operation):
            response: Mapping[str, Any] = request(**arguments)
    except ClientError as error:
        if error_code(error) != "ConditionalCheckFailedException":
            raise
        failure: Mapping[str, Any] = error.response  # a TypedDict without "Item"
        return WriteResult(written=False, current=failure.get("Item"))
    return WriteResult(written=True, response=response)
