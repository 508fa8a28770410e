"""What the table-reading handlers share: the per-container store, built before the first call."""

from __future__ import annotations

import contextlib
import threading

from callguard import aws
from callguard.store import DenyList

_lock = threading.Lock()
_store: DenyList | None = None


def deny_list(table: str) -> DenyList:
    """Return this container's :class:`DenyList` for ``table`` (built on first use).

    Rebuilt only when the table name or the shared client changes (tests do both).
    """
    global _store  # noqa: PLW0603 - one store per container is the point
    client = aws.dynamodb_client()
    store = _store
    if store is None or store.client is not client or store.table_name != table:
        with _lock:
            store = _store = DenyList(client, table)
    return store


def prewarm() -> None:
    """Create the DynamoDB client while the handler module is imported.

    Lambda imports the handler in its init phase, which provisioned concurrency
    and SnapStart run ahead of any call; a client built there is not built while a
    caller waits. Failure is ignored here on purpose: the handler creates the
    client again on its first call, where an error meets the fail mode.
    """
    with contextlib.suppress(Exception):
        aws.dynamodb_client()
