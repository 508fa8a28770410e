"""Calls in progress per Connect instance, across dialer invocations and jobs.

Amazon Connect refuses a call beyond the instance's concurrent active calls quota
with ``LimitExceededException``. The state machine's ``MaxConcurrency`` bounds one
job's receivers, but two jobs on one instance would together exceed it. Before it
dials, the dialer therefore takes a *lease* on one of ``limit`` slots of the
instance; the ``DISCONNECTED`` contact event gives it back. A lease that is never
given back (a lost event, a crashed dialer) ends by itself after
``lease_seconds``, the longest a call may last.

Leases use the contact-cap table's mechanics (:class:`ContactCapStore`: slots taken
with conditional writes, idempotent per attempt) under the key
``calls#<instance id>``, which no E.164 number can collide with; "at most N calls
per period" with the period being the lease is exactly "at most N calls in flight".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from callguard.outbound.contact_cap_store import ContactCapStore

#: Prefix of the slot keys of an instance.
KEY_PREFIX: Final = "calls#"
#: Default lease: the task's 900 s wait plus a minute of ringing.
DEFAULT_LEASE_SECONDS: Final = 960


def instance_id_from_arn(instance_arn: str) -> str:
    """``arn:aws:connect:<region>:<account>:instance/<id>`` -> ``<id>`` ("" when not an ARN)."""
    _, _, resource = instance_arn.rpartition(":")
    kind, _, rest = resource.partition("/")
    if kind != "instance" or not rest:
        return ""
    return rest.split("/", 1)[0]


@dataclass(frozen=True, slots=True)
class CallSlots:
    """At most ``limit`` leased calls per instance at a time."""

    store: ContactCapStore
    limit: int
    lease_seconds: int = DEFAULT_LEASE_SECONDS

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError(f"the concurrent-call limit must be at least 1, not {self.limit}")

    def acquire(self, instance_id: str, attempt_key: str) -> bool:
        """Take a slot for the attempt (its ClientToken); taking it again is free."""
        decision = self.store.try_record(
            KEY_PREFIX + instance_id,
            max_calls=self.limit,
            period_seconds=self.lease_seconds,
            attempt_key=attempt_key,
        )
        return decision.allowed

    def release(self, instance_id: str, attempt_key: str) -> bool:
        """Give the attempt's slot back; ``False`` when it held none (already released)."""
        return self.store.release(KEY_PREFIX + instance_id, attempt_key)

    def in_use(self, instance_id: str) -> int:
        """Slots leased now."""
        return self.store.calls_in_period(KEY_PREFIX + instance_id, self.lease_seconds)
