"""The two-step review in the store: every transition of an entry, and racing decisions.

none -> pending -> blocked (approve); pending -> rejected (reject); a rejected
number re-flagged within the suppression period is only counted, and after it
becomes a fresh review; blocked is never downgraded by a flag; two supervisors
deciding one number at once: exactly one decision lands.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pytest
from test_store_concurrency import atomic_items  # noqa: F401 - fixture used by name

from callguard.attributes import iso_utc
from callguard.handlers import check_number
from callguard.store import (
    BLOCKED,
    PENDING,
    REJECTED,
    DenyList,
    Entry,
    FlagOutcome,
    NotFoundError,
    NotPendingError,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from runtime_events import EventFactory

NUMBER = "+442079460958"
T0 = 1_800_000_000.0
DAY = 86_400


class Clock:
    """A settable clock: suppression periods are days long."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(moto_dynamodb: DynamoDBClient, table_name: str, clock: Clock) -> DenyList:
    return DenyList(moto_dynamodb, table_name, clock=clock)


def agent_flag(
    store: DenyList,
    contact: str,
    *,
    status: str = PENDING,
    reason: str = "abusive",
    flagged_by: str = "agent-a",
    suppression_days: float = 30,
) -> FlagOutcome:
    """An agent's flag in review mode, as the flag handler makes it."""
    return store.flag(
        NUMBER,
        status=status,
        reason=reason,
        source="agent",
        flagged_by=flagged_by,
        contact_id=contact,
        suppression_days=suppression_days,
    )


def rejected_entry(store: DenyList, clock: Clock) -> Entry:
    agent_flag(store, "c-1")
    clock.now = T0 + 60
    return store.reject(NUMBER, reviewer="arn:aws:iam::1:user/sam", note="shared line")


# ---------------------------------------------------------------- none -> pending -> blocked
def test_flag_creates_pending_then_approve_blocks_and_records_the_decision(
    store: DenyList, clock: Clock
) -> None:
    outcome = agent_flag(store, "c-1")
    assert outcome.created and outcome.entry.status == PENDING
    assert store.lookup(NUMBER).status == PENDING  # type: ignore[union-attr]
    clock.now = T0 + 90
    approved = store.approve(NUMBER, reviewer="arn:aws:iam::1:user/sam", note="case 4711")
    assert (approved.status, approved.reviewed_by, approved.review_note) == (
        BLOCKED,
        "arn:aws:iam::1:user/sam",
        "case 4711",
    )
    assert approved.reviewed_at == approved.updated_at == iso_utc(T0 + 90)
    assert approved.reason == "abusive" and approved.flagged_by == "agent-a"
    assert store.get(NUMBER) == approved
    assert store.lookup(NUMBER).status == BLOCKED  # type: ignore[union-attr]


def test_a_second_pending_flag_only_counts(store: DenyList) -> None:
    agent_flag(store, "c-1")
    outcome = agent_flag(store, "c-2", reason="other", flagged_by="agent-b")
    entry = outcome.entry
    assert not outcome.created
    assert (entry.status, entry.flag_count, entry.reason) == (PENDING, 2, "abusive")
    assert store.get(NUMBER).flag_contact_ids == ("c-1", "c-2")  # type: ignore[union-attr]


# ---------------------------------------------------------------- pending -> rejected
def test_reject_keeps_the_entry_as_rejected_with_the_decision(
    store: DenyList, clock: Clock
) -> None:
    entry = rejected_entry(store, clock)
    assert entry.status == REJECTED
    assert (entry.reviewed_by, entry.review_note) == ("arn:aws:iam::1:user/sam", "shared line")
    assert entry.reviewed_at == iso_utc(T0 + 60)
    assert entry.reason == "abusive" and entry.flag_count == 1
    assert [e.phone_number for e in store.pending()] == []
    assert [e.phone_number for e in store.entries(status=REJECTED)] == [NUMBER]


def test_check_handler_treats_a_rejected_number_as_clear(
    store: DenyList, clock: Clock, handler_env: str, make_event: EventFactory
) -> None:
    rejected_entry(store, clock)
    answer = check_number.handler(make_event(), None)
    assert answer == {"blocked": "false", "status": "clear", "reason": "", "caller_class": "e164"}


# ---------------------------------------------------------------- rejected -> re-flag
def test_reflag_within_suppression_is_only_counted(store: DenyList, clock: Clock) -> None:
    before = rejected_entry(store, clock)
    clock.now = T0 + 29 * DAY
    outcome = agent_flag(store, "c-2", reason="again", flagged_by="agent-b")
    entry = outcome.entry
    assert outcome.suppressed and not outcome.created
    assert (entry.status, entry.flag_count, entry.reason) == (REJECTED, 2, "abusive")
    assert entry.last_flagged_at == iso_utc(T0 + 29 * DAY)
    assert (entry.reviewed_by, entry.reviewed_at) == (before.reviewed_by, before.reviewed_at)
    assert list(store.pending()) == []
    # Connect retrying the same contact's invocation does not count it again.
    again = agent_flag(store, "c-2")
    assert again.repeated and store.get(NUMBER).flag_count == 2  # type: ignore[union-attr]


def test_a_blocking_flag_within_suppression_does_not_override_the_decision(
    store: DenyList, clock: Clock
) -> None:
    rejected_entry(store, clock)
    outcome = agent_flag(store, "c-2", status=BLOCKED)
    assert outcome.suppressed
    assert store.lookup(NUMBER).status == REJECTED  # type: ignore[union-attr]


def test_reflag_after_suppression_reopens_a_fresh_review_with_history(
    store: DenyList, clock: Clock
) -> None:
    before = rejected_entry(store, clock)
    clock.now = T0 + 60 + 30 * DAY
    outcome = agent_flag(store, "c-9", reason="threats", flagged_by="agent-c")
    entry = outcome.entry
    assert outcome.created and outcome.reopened and not outcome.suppressed
    assert (entry.status, entry.reason, entry.flagged_by, entry.contact_id) == (
        PENDING,
        "threats",
        "agent-c",
        "c-9",
    )
    assert entry.flag_count == 1 and entry.created_at == iso_utc(clock.now)
    assert (entry.reviewed_by, entry.review_note) == (before.reviewed_by, "shared line")
    assert store.get(NUMBER) == entry
    assert [e.phone_number for e in store.pending()] == [NUMBER]


@pytest.mark.parametrize(("days", "suppressed"), [(0, False), (7, True)])
def test_the_suppression_period_is_a_parameter(
    store: DenyList, clock: Clock, days: int, suppressed: bool
) -> None:
    rejected_entry(store, clock)
    clock.now = T0 + 60 + 6 * DAY
    outcome = agent_flag(store, "c-2", suppression_days=days)
    assert outcome.suppressed is suppressed
    assert store.get(NUMBER).status == (REJECTED if suppressed else PENDING)  # type: ignore[union-attr]


def test_a_rejected_entry_without_a_decision_time_reopens(
    store: DenyList, moto_dynamodb: DynamoDBClient, table_name: str
) -> None:
    """A hand-written rejection without reviewed_at cannot suppress: flags count again."""
    moto_dynamodb.put_item(
        TableName=table_name,
        Item={"phone_number": {"S": NUMBER}, "status": {"S": REJECTED}},
    )
    assert agent_flag(store, "c-1").reopened


def test_approving_a_reopened_entry_without_a_note_drops_the_old_note(
    store: DenyList, clock: Clock
) -> None:
    rejected_entry(store, clock)
    clock.now += 31 * DAY
    agent_flag(store, "c-2")
    approved = store.approve(NUMBER, reviewer="arn:aws:iam::1:user/kim")
    assert (approved.status, approved.reviewed_by, approved.review_note) == (
        BLOCKED,
        "arn:aws:iam::1:user/kim",
        "",
    )


def test_cli_add_overrides_a_rejection(store: DenyList, clock: Clock) -> None:
    rejected_entry(store, clock)
    store.add(Entry.new(NUMBER, reason="supervisor changed their mind", now=clock.now))
    assert store.lookup(NUMBER).status == BLOCKED  # type: ignore[union-attr]


# ---------------------------------------------------------------- blocked stays blocked
def test_blocked_is_never_downgraded_by_a_pending_flag(store: DenyList) -> None:
    store.flag(NUMBER, status=BLOCKED, reason="confirmed")
    outcome = agent_flag(store, "c-2")
    assert outcome.entry.status == BLOCKED
    assert store.lookup(NUMBER).status == BLOCKED  # type: ignore[union-attr]


@pytest.mark.parametrize("decide", ["approve", "reject"])
def test_deciding_a_blocked_number_says_it_is_not_pending(store: DenyList, decide: str) -> None:
    store.flag(NUMBER, status=BLOCKED)
    with pytest.raises(NotPendingError, match="is blocked, not pending") as caught:
        getattr(store, decide)(NUMBER)
    assert caught.value.status == BLOCKED
    assert store.lookup(NUMBER).status == BLOCKED  # type: ignore[union-attr]


def test_deciding_twice_names_the_first_decision(store: DenyList, clock: Clock) -> None:
    rejected_entry(store, clock)
    with pytest.raises(NotPendingError) as caught:
        store.approve(NUMBER, reviewer="arn:aws:iam::1:user/kim")
    assert caught.value.status == REJECTED
    assert caught.value.reviewed_by == "arn:aws:iam::1:user/sam"
    assert "rejected, not pending (decided by arn:aws:iam::1:user/sam at" in str(caught.value)


def test_deciding_an_absent_number_is_not_found(store: DenyList) -> None:
    with pytest.raises(NotFoundError):
        store.reject(NUMBER, reviewer="x")


# ---------------------------------------------------------------- racing decisions
@pytest.mark.usefixtures("atomic_items")
@pytest.mark.parametrize("round_", range(5))
def test_concurrent_approve_and_reject_exactly_one_wins(
    moto_dynamodb: DynamoDBClient, table_name: str, round_: int
) -> None:
    store = DenyList(moto_dynamodb, table_name)
    store.flag(NUMBER, status=PENDING, reason="race", contact_id=f"c-{round_}")
    start = threading.Barrier(2)

    def decide(which: str) -> Entry | NotPendingError:
        start.wait()
        try:
            result: Entry = getattr(store, which)(NUMBER, reviewer=which)
        except NotPendingError as error:
            return error
        return result

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(
            zip(("approve", "reject"), pool.map(decide, ("approve", "reject")), strict=True)
        )

    winners = {k: v for k, v in results.items() if isinstance(v, Entry)}
    losers = {k: v for k, v in results.items() if isinstance(v, NotPendingError)}
    assert len(winners) == 1 and len(losers) == 1, results
    [(winner, entry)] = winners.items()
    [loser] = losers.values()
    stored = store.get(NUMBER)
    assert stored is not None and stored.status == entry.status == loser.status
    assert stored.reviewed_by == winner == loser.reviewed_by


@pytest.mark.usefixtures("atomic_items")
def test_concurrent_flags_after_suppression_reopen_once_and_count_all(
    moto_dynamodb: DynamoDBClient, table_name: str
) -> None:
    """Twenty agents flag a number whose rejection has lapsed: one review, twenty flags."""
    clock = Clock()
    store = DenyList(moto_dynamodb, table_name, clock=clock)
    rejected_entry(store, clock)
    clock.now = T0 + 60 + 31 * DAY
    threads = 20
    start = threading.Barrier(threads)

    def flag(index: int) -> FlagOutcome:
        start.wait()
        return agent_flag(store, f"c-race-{index}", reason=f"reason {index}")

    with ThreadPoolExecutor(max_workers=threads) as pool:
        outcomes = list(pool.map(flag, range(threads)))

    reopened = [o for o in outcomes if o.reopened]
    assert len(reopened) == 1 and reopened[0].created
    assert sum(1 for o in outcomes if o.created) == 1
    entry = store.get(NUMBER)
    assert entry is not None and entry.status == PENDING
    assert entry.flag_count == threads and len(entry.flag_contact_ids) == threads
    assert entry.reason == reopened[0].entry.reason
    assert entry.reviewed_by == "arn:aws:iam::1:user/sam"  # the old decision stays as history
