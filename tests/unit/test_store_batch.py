"""Batch writes and reads: chunking, parallelism, retries of unprocessed work, failure reports."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from callguard.store import BatchWriter, DenyList, Entry, InvalidEntryError, ThrottledError
from callguard.store.batch import iter_chunks

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

T0 = 1_800_000_000.0


def numbers(count: int, prefix: str = "+1415555") -> list[str]:
    return [f"{prefix}{i:04d}" for i in range(count)]


class FlakyClient:
    """Wraps a real client; the first ``flaky_calls`` batch calls process only half.

    ``error`` (a ClientError code or an exception) is raised instead for the first
    ``error_calls`` calls. Everything is counted so tests can check the retries.
    """

    def __init__(
        self,
        client: DynamoDBClient,
        *,
        flaky_calls: int = 0,
        error: str | Exception | None = None,
        error_calls: int = 0,
    ) -> None:
        self._client = client
        self.flaky_calls = flaky_calls
        self.error = error
        self.error_calls = error_calls
        self.calls = 0
        self.lock = threading.Lock()

    def _maybe_fail(self, operation: str) -> bool:
        with self.lock:
            self.calls += 1
            call = self.calls
        if self.error is not None and call <= self.error_calls:
            if isinstance(self.error, Exception):
                raise self.error
            raise ClientError({"Error": {"Code": self.error, "Message": "x"}}, operation)
        return call <= self.flaky_calls + self.error_calls

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:  # noqa: N803
        flaky = self._maybe_fail("BatchWriteItem")
        ((table, requests),) = RequestItems.items()
        if not flaky or len(requests) < 2:
            return dict(self._client.batch_write_item(RequestItems=RequestItems))
        half = len(requests) // 2
        self._client.batch_write_item(RequestItems={table: requests[:half]})
        return {"UnprocessedItems": {table: requests[half:]}}

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
        flaky = self._maybe_fail("BatchGetItem")
        ((table, spec),) = RequestItems.items()
        keys = spec["Keys"]
        if not flaky or len(keys) < 2:
            return dict(self._client.batch_get_item(RequestItems=RequestItems))
        half = len(keys) // 2
        first: Any = {table: {**spec, "Keys": keys[:half]}}
        done = self._client.batch_get_item(RequestItems=first)
        return {
            "Responses": done["Responses"],
            "UnprocessedKeys": {table: {**spec, "Keys": keys[half:]}},
        }


def writer(client: Any, table: str, sleeps: list[float], **kwargs: Any) -> BatchWriter:
    return BatchWriter(client, table, sleep=sleeps.append, jitter=lambda: 1.0, **kwargs)


def test_put_writes_everything_in_chunks(deny_list: DenyList) -> None:
    wanted = numbers(130)
    result = deny_list.write_batch(Entry.new(n, now=T0, source="import") for n in wanted)
    assert result.ok and result.succeeded == 130 and result.requests == 6
    assert sorted(e.phone_number for e in deny_list.entries()) == wanted


def test_put_skips_duplicates_keeping_the_first(deny_list: DenyList) -> None:
    entries = [
        Entry.new("+14155550000", reason="first", now=T0),
        Entry.new("+14155550000", reason="second", now=T0),
    ]
    result = deny_list.write_batch(entries)
    assert (result.succeeded, result.duplicates) == (1, 1)
    assert deny_list.get("+14155550000").reason == "first"  # type: ignore[union-attr]


def test_put_validates_before_writing(deny_list: DenyList) -> None:
    bad = Entry(phone_number="+14155550000", status="maybe")
    with pytest.raises(InvalidEntryError, match="status"):
        deny_list.write_batch([Entry.new("+14155550001", now=T0), bad])
    assert list(deny_list.entries()) == []


def test_empty_batch_is_a_no_op(deny_list: DenyList) -> None:
    result = deny_list.write_batch([])
    assert result.ok and result.requests == 0 and result.succeeded == 0


def test_unprocessed_items_are_retried_with_growing_backoff(
    moto_dynamodb: DynamoDBClient, table_name: str
) -> None:
    flaky = FlakyClient(moto_dynamodb, flaky_calls=3)
    sleeps: list[float] = []
    result = writer(flaky, table_name, sleeps, workers=1).put(
        Entry.new(n, now=T0) for n in numbers(25)
    )
    assert result.ok and result.succeeded == 25
    assert result.retries == 3 and result.requests == 4
    assert sleeps == [0.05, 0.1, 0.2]
    assert len(list(DenyList(moto_dynamodb, table_name).entries())) == 25


def test_items_still_unprocessed_are_reported_not_dropped(
    moto_dynamodb: DynamoDBClient, table_name: str
) -> None:
    flaky = FlakyClient(moto_dynamodb, flaky_calls=100)
    result = writer(flaky, table_name, [], workers=2, max_attempts=3).put(
        Entry.new(n, now=T0) for n in numbers(50)
    )
    stored = {e.phone_number for e in DenyList(moto_dynamodb, table_name).entries()}
    failed = {f.phone_number for f in result.failed}
    assert not result.ok
    assert result.succeeded == len(stored) and failed == set(numbers(50)) - stored
    assert all(f.error == "unprocessed after retries" for f in result.failed)


def test_throttled_requests_are_retried(moto_dynamodb: DynamoDBClient, table_name: str) -> None:
    flaky = FlakyClient(
        moto_dynamodb, error="ProvisionedThroughputExceededException", error_calls=2
    )
    result = writer(flaky, table_name, [], workers=1).put(Entry.new(n, now=T0) for n in numbers(10))
    assert result.ok and result.retries == 2


def test_connection_errors_are_retried_then_reported(
    moto_dynamodb: DynamoDBClient, table_name: str
) -> None:
    flaky = FlakyClient(
        moto_dynamodb, error=EndpointConnectionError(endpoint_url="x"), error_calls=100
    )
    result = writer(flaky, table_name, [], workers=1, max_attempts=2).put(
        Entry.new(n, now=T0) for n in numbers(3)
    )
    assert [f.error for f in result.failed] == ["EndpointConnectionError"] * 3


def test_validation_errors_are_not_retried(moto_dynamodb: DynamoDBClient, table_name: str) -> None:
    flaky = FlakyClient(moto_dynamodb, error="ValidationException", error_calls=100)
    sleeps: list[float] = []
    result = writer(flaky, table_name, sleeps).put(Entry.new(n, now=T0) for n in numbers(3))
    assert {f.error for f in result.failed} == {"ValidationException"}
    assert result.requests == 1 and sleeps == []


def test_batch_get_retries_unprocessed_keys(moto_dynamodb: DynamoDBClient, table_name: str) -> None:
    DenyList(moto_dynamodb, table_name).write_batch(Entry.new(n, now=T0) for n in numbers(20))
    flaky = FlakyClient(moto_dynamodb, flaky_calls=2)
    found = writer(flaky, table_name, []).get_many(numbers(40))
    assert sorted(found) == numbers(20)


def test_batch_get_raises_rather_than_miss_numbers(
    moto_dynamodb: DynamoDBClient, table_name: str
) -> None:
    flaky = FlakyClient(moto_dynamodb, flaky_calls=100)
    with pytest.raises(ThrottledError, match="could not be read"):
        writer(flaky, table_name, [], max_attempts=2).get_many(numbers(10))
    throttled = FlakyClient(moto_dynamodb, error="ThrottlingException", error_calls=100)
    with pytest.raises(ThrottledError):
        writer(throttled, table_name, [], max_attempts=2).get_many(numbers(10))


def test_writer_rejects_nonsense_settings(moto_dynamodb: DynamoDBClient) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        BatchWriter(moto_dynamodb, "t", workers=0)


def test_iter_chunks() -> None:
    assert [list(c) for c in iter_chunks([1, 2, 3, 4, 5], 2)] == [[1, 2], [3, 4], [5]]
