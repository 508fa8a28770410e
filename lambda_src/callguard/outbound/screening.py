"""Who must not be called: the deny list as the do-not-call list, and the per-number cap.

Do-not-call: a receiver whose number is ``blocked`` in the environment's deny-list
table is never dialled; its result is ``do_not_call`` with the entry's *source*
(``agent``, ``import``, ...), never the reason text, which may hold an agent's
notes about a person. ``pending`` and ``rejected`` entries do not stop a call (a
pending flag is not yet a decision; a rejection is a decision not to block), and
an expired entry is absent, as everywhere in the store.

The table is read with ``BatchGetItem``, 100 keys per request, projected to the
key and the three attributes the decision needs. Strongly consistent reads: an
opt-out written a second ago must already stop the next call. Unprocessed keys and
throttled requests are retried with bounded, jittered backoff; what still fails
raises :class:`~callguard.store.ThrottledError`, because answering "not listed"
for a number that could not be read would dial someone who asked not to be called.

The contact cap (at most N calls to one number per period, across jobs) is a pure
function over the times of earlier calls; where those times are kept is the
dialler's concern.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from callguard.numbers import mask
from callguard.outbound.model import ContactCap, Receiver
from callguard.store import BLOCKED, PARTITION_KEY, TTL_ATTRIBUTE, Entry, ThrottledError
from callguard.store.errors import translated

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: Most keys DynamoDB accepts in one ``BatchGetItem``.
KEYS_PER_REQUEST: Final = 100
#: Tries per request (the first included) before a throttled read is an error.
MAX_ATTEMPTS: Final = 6
#: First backoff pause in seconds; doubles per try, capped, with full jitter.
BASE_DELAY_SECONDS: Final = 0.05
#: Longest single backoff pause in seconds.
MAX_DELAY_SECONDS: Final = 2.0

#: Attribute names the projection reads (the key, so answers can be matched to numbers).
_PROJECTION: Final = {
    "ProjectionExpression": "#k, #s, #src, #e",
    "ExpressionAttributeNames": {
        "#k": PARTITION_KEY,
        "#s": "status",
        "#src": "source",
        "#e": TTL_ATTRIBUTE,
    },
}


@dataclass(frozen=True, slots=True)
class Screening:
    """Which receivers may be dialled, and which are on the do-not-call list.

    ``do_not_call`` maps a receiver id to the deny-list entry's source; ``callable``
    keeps the other receivers in job order.
    """

    callable: tuple[Receiver, ...]
    do_not_call: Mapping[str, str]


class DoNotCallList:
    """Reads the deny-list table to screen receivers before they are dialled.

    ``clock`` (epoch seconds) decides expiry; ``sleep`` and ``jitter`` are
    injectable so tests run the retry path without waiting.
    """

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        clock: Callable[[], float] = time.time,
        max_attempts: int = MAX_ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if not table_name:
            raise ValueError("a deny-list table name is required")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.client = client
        self.table_name = table_name
        self.max_attempts = max_attempts
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter

    def blocked(self, numbers: Iterable[str]) -> dict[str, str]:
        """Return ``number -> source`` for those ``numbers`` that are blocked and unexpired."""
        wanted = sorted(set(numbers))
        found: dict[str, str] = {}
        now = self._clock()
        for start in range(0, len(wanted), KEYS_PER_REQUEST):
            for item in self._read(wanted[start : start + KEYS_PER_REQUEST]):
                entry = Entry.from_item(item)
                if entry.status == BLOCKED and not entry.is_expired(now):
                    found[entry.phone_number] = entry.source or "unknown"
        return found

    def screen(self, receivers: Sequence[Receiver]) -> Screening:
        """Split ``receivers`` into those that may be dialled and those that must not be."""
        listed = self.blocked(r.phone for r in receivers)
        return Screening(
            callable=tuple(r for r in receivers if r.phone not in listed),
            do_not_call={r.id: listed[r.phone] for r in receivers if r.phone in listed},
        )

    def _read(self, numbers: Sequence[str]) -> list[dict[str, Any]]:
        """Return the items of one chunk of at most 100 numbers, retrying what is left."""
        keys: list[dict[str, Any]] = [{PARTITION_KEY: {"S": n}} for n in numbers]
        items: list[dict[str, Any]] = []
        for attempt in range(self.max_attempts):
            if attempt:
                ceiling = min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2 ** (attempt - 1))
                self._sleep(self._jitter() * ceiling)
            try:
                with translated("do-not-call screening"):
                    request: Any = {"Keys": keys, "ConsistentRead": True, **_PROJECTION}
                    response = self.client.batch_get_item(RequestItems={self.table_name: request})
            except ThrottledError:
                continue  # nothing was read: retry the whole chunk
            items.extend(response.get("Responses", {}).get(self.table_name, []))
            unprocessed: Any = response.get("UnprocessedKeys", {})
            keys = list(unprocessed.get(self.table_name, {}).get("Keys", []))
            if not keys:
                return items
        sample = ", ".join(mask(k[PARTITION_KEY]["S"]) for k in keys[:3])
        raise ThrottledError(
            f"do-not-call screening: {len(keys)} of {len(numbers)} numbers could not be read "
            f"after {self.max_attempts} tries (e.g. {sample}); nobody was screened as clear, "
            "retry later"
        )


# ------------------------------------------------------------------ contact cap
@dataclass(frozen=True, slots=True)
class CapCheck:
    """The contact cap's answer for one number at one instant.

    ``calls_in_period`` counts earlier calls inside the period ending at ``now``.
    When the call is not allowed, ``next_allowed`` is when enough of them have aged
    out of the period for one more call.
    """

    allowed: bool
    calls_in_period: int
    next_allowed: dt.datetime | None = None


def check_contact_cap(
    cap: ContactCap, previous_calls: Iterable[dt.datetime], now: dt.datetime
) -> CapCheck:
    """Decide whether one more call to a number is within ``cap`` at ``now``.

    ``previous_calls`` are the aware start times of earlier calls to the number
    (any job). A call counts while it is less than ``cap.period`` old: a call
    placed exactly one period ago no longer counts. Calls after ``now`` (clock
    skew between workers) count, since they have happened.
    """
    if cap.max_calls < 1:
        raise ValueError("a contact cap must allow at least one call per period")
    since = now - cap.period
    recent = sorted(call for call in previous_calls if call > since)
    if len(recent) < cap.max_calls:
        return CapCheck(allowed=True, calls_in_period=len(recent))
    # One more call is allowed once all but max_calls - 1 of them have aged out.
    oldest_to_expire = recent[len(recent) - cap.max_calls]
    return CapCheck(
        allowed=False,
        calls_in_period=len(recent),
        next_allowed=oldest_to_expire + cap.period,
    )
