"""Who must not be called: the deny list as the do-not-call list, and the per-number cap.

Do-not-call: a receiver whose number is ``blocked`` in the environment's deny-list
table is never dialled; its result is ``do_not_call`` with the entry's *source*
(``agent``, ``import``, ...), never the reason text, which may hold an agent's
notes about a person. ``pending`` and ``rejected`` entries do not stop a call (a
pending flag is not yet a decision; a rejection is a decision not to block), and
an expired entry is absent, as everywhere in the store.

The table is read through the store's own batch reader
(:meth:`callguard.store.batch.BatchWriter.get_many`): ``BatchGetItem``, 100 keys per
request, projected to the key and the three attributes the decision needs, strongly
consistent (an opt-out written a second ago must already stop the next call).
Unprocessed keys and throttled requests are retried with bounded, jittered backoff;
what still fails raises :class:`~callguard.store.ThrottledError`, because answering
"not listed" for a number that could not be read would dial someone who asked not to
be called.

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
from typing import TYPE_CHECKING, Final

from callguard.outbound.model import ContactCap, Receiver
from callguard.store import BLOCKED, TTL_ATTRIBUTE, Entry, ThrottledError
from callguard.store.batch import BatchWriter

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: Tries per request (the first included) before a throttled read is an error.
MAX_ATTEMPTS: Final = 6
#: Longest single backoff pause in seconds (screening runs inside a planner round).
MAX_DELAY_SECONDS: Final = 2.0
#: What the decision needs of an entry, besides its key.
_ATTRIBUTES: Final = ("status", "source", TTL_ATTRIBUTE)


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
        self.table_name = table_name
        self._reader = BatchWriter(
            client,
            table_name,
            workers=1,
            max_attempts=max_attempts,
            max_delay=MAX_DELAY_SECONDS,
            sleep=sleep,
            jitter=jitter,
        )
        self._clock = clock

    def blocked(self, numbers: Iterable[str]) -> dict[str, str]:
        """Return ``number -> source`` for those ``numbers`` that are blocked and unexpired."""
        try:
            items = self._reader.get_many(
                sorted(set(numbers)), attributes=_ATTRIBUTES, operation="do-not-call screening"
            )
        except ThrottledError as error:
            raise ThrottledError(f"{error}; nobody was screened as clear, retry later") from error
        now = self._clock()
        found: dict[str, str] = {}
        for item in items.values():
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
