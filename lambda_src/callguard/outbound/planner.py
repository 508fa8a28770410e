"""Plan one round of a job: who is called now, who later, who never.

The state machine loops *Plan -> dial a round in a Distributed Map -> Plan* until the
planner says the job is done. A round holds every receiver that may be called now;
receivers waiting for their calling window or their retry delay make the planner
answer "wait until T", the earliest such moment. Doing this per round rather than
per receiver keeps a receiver's own path to two states (dial, record), which is
what Step Functions bills, and lets screening read the deny list in batches.

Per receiver and round, in order:

1. a final status is kept; an attempt handed out but never recorded (its child
   failed) ends ``failed`` (``NoOutcome``) rather than being dialled again;
2. a cancelled job ends every remaining receiver ``cancelled``;
3. a number ``blocked`` on the deny list ends ``do_not_call`` (re-read every round,
   so an opt-out during the job is honoured);
4. the calling window (:mod:`callguard.outbound.calling_hours`: in every zone of
   the receiver): closed until after the job's deadline (or for good) ->
   ``outside_hours``; closed now -> wait; the round's estimated dial time (the
   receiver's place in the round divided by the call rate) is what is checked;
5. the retry delay: not yet due -> wait;
6. the contact cap (one reservation per receiver and job, so retries of one job do
   not count twice): over the cap -> ``failed`` (``ContactCapReached``);
7. otherwise the next attempt is issued (conditionally, once) and put in the round.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from callguard.outbound.calling_hours import earliest_allowed, receiver_zones
from callguard.outbound.job_results import JobResults, ReceiverResult
from callguard.outbound.model import Job, Receiver

#: Actions the state machine's Route state knows.
DIAL: Final = "dial"
WAIT: Final = "wait"
DONE: Final = "done"


class DoNotCall(Protocol):
    """Which of these numbers must never be dialled: number -> the listing's source."""

    def blocked(self, numbers: Sequence[str]) -> Mapping[str, str]:
        """Return the blocked numbers among ``numbers`` with their source (``agent``...)."""


class ContactCap(Protocol):
    """Reserve one contact of a number for a job's receiver; ``False`` when over the cap."""

    def reserve(self, number: str, key: str, max_calls: int, period_seconds: float) -> bool:
        """Count the contact (idempotent per ``key``)."""


@dataclass(frozen=True, slots=True)
class Plan:
    """What the planner decided for this round."""

    action: str
    round: int
    items: tuple[dict[str, Any], ...] = ()
    wait_until: dt.datetime | None = None
    finished: Mapping[str, str] | None = None

    def payload(self, round_key: str, now: dt.datetime) -> dict[str, Any]:
        """Return the Lambda answer the state machine reads (every key on every path)."""
        moment = self.wait_until or now
        return {
            "action": self.action,
            "round": self.round,
            "round_key": round_key,
            "wait_until": moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "calls": len(self.items),
        }


@dataclass
class Planner:
    """Decide a round (see the module docstring); pure apart from its three stores."""

    results: JobResults
    do_not_call: DoNotCall
    cap: ContactCap | None
    calls_per_second: float
    default_source_number: str = ""
    clock: Callable[[], float] = time.time

    def plan(self, job: Job, round_number: int) -> Plan:  # noqa: PLR0912 - the rules, in order
        """Decide round ``round_number + 1`` of ``job``."""
        now = dt.datetime.fromtimestamp(self.clock(), dt.UTC)
        known = {r.receiver_id: r for r in self.results.receivers(job.id)}
        cancelled = self.results.is_cancelled(job.id)
        open_receivers: list[tuple[Receiver, ReceiverResult]] = []
        finished: dict[str, str] = {}
        for receiver in job.receivers:
            result = known.get(receiver.id, ReceiverResult(receiver.id))
            if result.final:
                continue
            if result.attempts > result.recorded:
                self._finish(job, receiver, "failed", finished, error="NoOutcome")
            elif cancelled:
                self._finish(job, receiver, "cancelled", finished)
            elif result.attempts >= job.config.retry.max_attempts:
                last = result.history[-1].status if result.history else "failed"
                self._finish(job, receiver, last, finished, error=result.error)
            else:
                open_receivers.append((receiver, result))
        blocked = self.do_not_call.blocked([r.phone for r, _ in open_receivers])
        items: list[dict[str, Any]] = []
        earliest: dt.datetime | None = None
        for receiver, result in open_receivers:
            if receiver.phone in blocked:
                self._finish(job, receiver, "do_not_call", finished, detail=blocked[receiver.phone])
                continue
            dial_at = now + dt.timedelta(seconds=len(items) / self.calls_per_second)
            due = max(dial_at, dt.datetime.fromtimestamp(result.retry_at, dt.UTC))
            window = job.config.window
            opens = earliest_allowed(window, receiver_zones(receiver, window.default_timezone), due)
            if opens is None:
                self._finish(job, receiver, "outside_hours", finished)
                continue
            if opens > dial_at:
                if not job.config.window.wait_for_window and result.attempts == 0 and opens > due:
                    self._finish(job, receiver, "outside_hours", finished)
                    continue
                earliest = opens if earliest is None else min(earliest, opens)
                continue
            if self.cap is not None and not self.cap.reserve(
                receiver.phone,
                f"{job.id}/{receiver.id}",
                job.config.cap.max_calls,
                job.config.cap.period.total_seconds(),
            ):
                self._finish(job, receiver, "failed", finished, error="ContactCapReached")
                continue
            attempt = result.attempts + 1
            if self.results.issue(job.id, receiver.id, attempt):
                items.append(self._item(job, receiver, attempt))
        next_round = round_number + 1
        if items:
            return Plan(DIAL, next_round, tuple(items), finished=finished)
        if earliest is not None:
            return Plan(WAIT, next_round, wait_until=earliest, finished=finished)
        return Plan(DONE, next_round, finished=finished)

    def _finish(
        self,
        job: Job,
        receiver: Receiver,
        status: str,
        finished: dict[str, str],
        *,
        error: str = "",
        detail: str = "",
    ) -> None:
        if self.results.finish(job.id, receiver.id, status, error=error, detail=detail):
            finished[receiver.id] = status

    def _item(self, job: Job, receiver: Receiver, attempt: int) -> dict[str, Any]:
        """One Map item: what the dial message and the record step need, nothing more."""
        retry = job.config.retry
        return {
            "job_id": job.id,
            "receiver_id": receiver.id,
            "attempt": attempt,
            "destination": receiver.phone,
            "source_phone_number": job.config.source_phone_number or self.default_source_number,
            "max_attempts": retry.max_attempts,
            "retry_delay_seconds": int(retry.delay.total_seconds()),
            "retry_on": sorted(retry.retry_on),
        }
