"""Concurrent flags of one number: exactly one item, the first reason kept, every flag counted.

DynamoDB applies each single-item write atomically; moto's in-process emulation
does not lock, and its response layer reads the old image separately from the
update, so two threads can interleave *inside* one emulated UpdateItem. The
fixture below restores DynamoDB's guarantee (one lock around each emulated item
request) while the 50 callers still race through botocore and the store code in
parallel, which is what this test is about.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pytest
from moto.dynamodb.responses import DynamoHandler

from callguard.store import DenyList, FlagOutcome

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

NUMBER = "+442079460958"
THREADS = 50


@pytest.fixture
def atomic_items(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make moto's single-item operations atomic, as they are in DynamoDB."""
    lock = threading.RLock()

    def atomic(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return method(*args, **kwargs)

        return wrapper

    for name in ("put_item", "get_item", "update_item", "delete_item"):
        monkeypatch.setattr(DynamoHandler, name, atomic(getattr(DynamoHandler, name)))


@pytest.mark.usefixtures("atomic_items")
def test_fifty_threads_flag_one_number(moto_dynamodb: DynamoDBClient, table_name: str) -> None:
    store = DenyList(moto_dynamodb, table_name)
    start = threading.Barrier(THREADS)

    def flag(index: int) -> FlagOutcome:
        start.wait()
        return store.flag(NUMBER, reason=f"reason {index}", flagged_by=f"agent-{index}")

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = list(pool.map(flag, range(THREADS)))

    created = [o for o in outcomes if o.created]
    assert len(created) == 1
    first = created[0].entry
    items = list(store.entries())
    assert len(items) == 1
    entry = items[0]
    assert entry.flag_count == THREADS
    assert (entry.reason, entry.flagged_by) == (first.reason, first.flagged_by)
    # Every caller saw a distinct count: the updates were serialized, none lost.
    assert sorted(o.entry.flag_count for o in outcomes) == list(range(1, THREADS + 1))
    assert all(o.entry.reason == first.reason for o in outcomes)
