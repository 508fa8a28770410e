"""The deny-list store: one DynamoDB table per environment, keyed by E.164 number.

Everything callers need is re-exported here::

    from callguard.store import DenyList, Entry, create_table

    create_table(client, "callguard-dev")          # local endpoints and tests
    deny = DenyList(client, "callguard-dev")
    deny.flag("+442079460958", reason="abusive", source="agent")
    deny.lookup("+442079460958")                   # Listing(status="blocked", ...)

The package is split by job, after the Powertools idempotency persistence layer:

- :mod:`.schema`: the table layout; :mod:`.model`: entries and their items;
- :mod:`.table`: :class:`DenyList`, the entry point: reads and simple writes;
- :mod:`.flagging`: the flag state machine; :mod:`.review`: review decisions;
- :mod:`.batch`: bulk reads and writes;
- :mod:`.writes`: the one conditional-write helper every write goes through;
- :mod:`.errors`: the exceptions callers tell apart.
"""

from typing import TYPE_CHECKING

from callguard.attributes import iso_utc
from callguard.store.errors import (
    ConflictError,
    InvalidEntryError,
    NotFoundError,
    NotPendingError,
    StoreError,
    TableNotFoundError,
    ThrottledError,
    UnavailableError,
)
from callguard.store.model import (
    BLOCKED,
    PENDING,
    REJECTED,
    SOURCES,
    STATUSES,
    Entry,
    Listing,
)
from callguard.store.schema import (
    PARTITION_KEY,
    STATUS_INDEX,
    TABLE_DEFINITION,
    TTL_ATTRIBUTE,
    create_table,
)
from callguard.store.table import DenyList, FlagOutcome

if TYPE_CHECKING:
    from callguard.store.batch import BatchFailure, BatchResult, BatchWriter

#: Names served lazily from :mod:`callguard.store.batch` (bulk work only; the check
#: handler's cold start does not pay for importing it).
_BATCH_NAMES = frozenset({"BatchFailure", "BatchResult", "BatchWriter"})


def __getattr__(name: str) -> object:
    """Import the batch module only when one of its names is first used."""
    if name in _BATCH_NAMES:
        from callguard.store import batch  # noqa: PLC0415 - lazy on purpose

        return getattr(batch, name)
    raise AttributeError(f"module 'callguard.store' has no attribute {name!r}")


__all__ = [
    "BLOCKED",
    "PARTITION_KEY",
    "PENDING",
    "REJECTED",
    "SOURCES",
    "STATUSES",
    "STATUS_INDEX",
    "TABLE_DEFINITION",
    "TTL_ATTRIBUTE",
    "BatchFailure",
    "BatchResult",
    "BatchWriter",
    "ConflictError",
    "DenyList",
    "Entry",
    "FlagOutcome",
    "InvalidEntryError",
    "Listing",
    "NotFoundError",
    "NotPendingError",
    "StoreError",
    "TableNotFoundError",
    "ThrottledError",
    "UnavailableError",
    "create_table",
    "iso_utc",
]
