"""Helpers shared by the dialer-side outbound tests (clock, moto atomicity)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from moto.dynamodb.responses import DynamoHandler


class Clock:
    """A settable epoch clock."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_moto_atomic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make moto's single-item operations atomic, as they are in DynamoDB.

    moto does not lock, so two threads can interleave inside one emulated
    conditional write (tests/unit/test_store_concurrency.py explains it); one lock
    per item request restores DynamoDB's guarantee while callers still race.
    """
    lock = threading.RLock()

    def atomic(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return method(*args, **kwargs)

        return wrapper

    for name in ("put_item", "get_item", "update_item", "delete_item", "query"):
        monkeypatch.setattr(DynamoHandler, name, atomic(getattr(DynamoHandler, name)))
