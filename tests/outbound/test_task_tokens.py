"""The task-token store on moto DynamoDB, with Step Functions answered by a fake."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from outbound_dialer_helpers import Clock, make_moto_atomic

from callguard.outbound.task_tokens import (
    CLAIM_STALE_SECONDS,
    CLAIMED,
    OPEN,
    RESOLVED,
    Outcome,
    TaskTokenStore,
    TokenStoreError,
)
from callguard_tools.outbound_sim.fake_sfn import FakeStepFunctions
from callguard_tools.outbound_sim.tables import create_token_table

TABLE = "outbound-tokens"


@pytest.fixture
def atomic_items(monkeypatch: pytest.MonkeyPatch) -> None:
    make_moto_atomic(monkeypatch)


@pytest.fixture
def sfn_fake() -> FakeStepFunctions:
    return FakeStepFunctions()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(sfn_fake: FakeStepFunctions, clock: Clock) -> Iterator[TaskTokenStore]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        create_token_table(dynamodb, TABLE)
        sfn = sfn_fake.attach(boto3.client("stepfunctions"))
        yield TaskTokenStore(dynamodb, sfn, TABLE, clock=clock)


def _item(store: TaskTokenStore, contact_id: str) -> dict[str, Any]:
    response = store.dynamodb.get_item(TableName=TABLE, Key={"contact_id": {"S": contact_id}})
    return dict(response["Item"])


def test_record_then_resolve_sends_once_with_answers_so_far(
    store: TaskTokenStore, sfn_fake: FakeStepFunctions
) -> None:
    sfn_fake.wait("tok-1")
    assert store.record("c-1", "tok-1", "job-1", "r-1", 1)
    assert store.add_answer("c-1", 1, "yes")
    assert store.add_answer("c-1", 2, "42")
    result = store.resolve("c-1", Outcome(status="partial", source="contact_event"))
    assert result.sent and result.status == "partial"
    output = sfn_fake.results["tok-1"].output
    assert output is not None
    assert output["status"] == "partial"
    assert output["answers"] == {"1": "yes", "2": "42"}
    assert (output["job_id"], output["receiver_id"], output["attempt"]) == ("job-1", "r-1", 1)
    item = _item(store, "c-1")
    assert item["state"]["S"] == RESOLVED
    assert item["status"]["S"] == "partial"
    assert item["resolved_by"]["S"] == "contact_event"
    assert int(item["expires_at"]["N"]) > int(item["created_at"]["N"])


def test_resolving_twice_is_a_no_op(store: TaskTokenStore, sfn_fake: FakeStepFunctions) -> None:
    sfn_fake.wait("tok-1")
    store.record("c-1", "tok-1", "job-1", "r-1", 1)
    first = store.resolve("c-1", Outcome(status="completed", source="flow"))
    second = store.resolve("c-1", Outcome(status="partial", source="contact_event"))
    assert first.sent
    assert second.already and not second.sent and second.status == "completed"
    assert sfn_fake.sends == [("success", "tok-1")]
    assert sfn_fake.results["tok-1"].output is not None
    assert sfn_fake.results["tok-1"].output["status"] == "completed"


def test_answers_after_resolution_are_refused(
    store: TaskTokenStore, sfn_fake: FakeStepFunctions
) -> None:
    sfn_fake.wait("tok-1")
    store.record("c-1", "tok-1", "job-1", "r-1", 1)
    store.resolve("c-1", Outcome(status="no_answer"))
    assert not store.add_answer("c-1", 1, "late")
    assert not store.add_answer("c-unknown", 1, "x")


def test_unknown_contact_is_reported_not_raised(store: TaskTokenStore) -> None:
    result = store.resolve("nobody", Outcome(status="no_answer"))
    assert result.unknown and not result.sent


@pytest.mark.parametrize("code", ["TaskTimedOut", "TaskDoesNotExist", "InvalidToken"])
def test_task_already_over_is_swallowed(
    store: TaskTokenStore, sfn_fake: FakeStepFunctions, code: str
) -> None:
    store.record("c-1", "tok-1", "job-1", "r-1", 1)
    sfn_fake.fail_next.append(code)
    result = store.resolve("c-1", Outcome(status="no_answer"))
    assert result.task_gone and not result.sent
    assert _item(store, "c-1")["state"]["S"] == RESOLVED


def test_timed_out_task_is_swallowed_on_real_fake_state(
    store: TaskTokenStore, sfn_fake: FakeStepFunctions
) -> None:
    sfn_fake.wait("tok-1")
    sfn_fake.time_out("tok-1")  # the backstop timeout fired first
    store.record("c-1", "tok-1", "job-1", "r-1", 1)
    assert store.resolve("c-1", Outcome(status="no_answer")).task_gone


def test_transient_send_failure_releases_the_claim_for_a_retry(
    store: TaskTokenStore, sfn_fake: FakeStepFunctions
) -> None:
    sfn_fake.wait("tok-1")
    store.record("c-1", "tok-1", "job-1", "r-1", 1)
    sfn_fake.fail_next.append("ThrottlingException")
    with pytest.raises(TokenStoreError, match="ThrottlingException"):
        store.resolve("c-1", Outcome(status="busy"))
    item = _item(store, "c-1")
    assert item["state"]["S"] == OPEN and "status" not in item
    retry = store.resolve("c-1", Outcome(status="busy"))
    assert retry.sent
    assert sfn_fake.results["tok-1"].output is not None


def test_stale_claim_is_taken_over(
    store: TaskTokenStore, sfn_fake: FakeStepFunctions, clock: Clock
) -> None:
    """A resolver that died after claiming does not block the wait forever."""
    sfn_fake.wait("tok-1")
    store.record("c-1", "tok-1", "job-1", "r-1", 1)
    store.dynamodb.update_item(
        TableName=TABLE,
        Key={"contact_id": {"S": "c-1"}},
        UpdateExpression="SET #st = :c, claimed_at = :t",
        ExpressionAttributeNames={"#st": "state"},
        ExpressionAttributeValues={":c": {"S": CLAIMED}, ":t": {"N": str(int(clock.now))}},
    )
    assert store.resolve("c-1", Outcome(status="no_answer")).already
    clock.now += CLAIM_STALE_SECONDS + 1
    assert store.resolve("c-1", Outcome(status="no_answer")).sent


def test_record_is_idempotent_but_refuses_a_second_token(store: TaskTokenStore) -> None:
    assert store.record("c-1", "tok-1", "job-1", "r-1", 1)
    assert not store.record("c-1", "tok-1", "job-1", "r-1", 1)
    with pytest.raises(TokenStoreError, match="different task token"):
        store.record("c-1", "tok-2", "job-1", "r-1", 1)


def test_outcome_status_is_checked() -> None:
    with pytest.raises(ValueError, match="not one of"):
        Outcome(status="do_not_call")


@pytest.mark.usefixtures("atomic_items")
def test_concurrent_resolvers_send_exactly_once(
    store: TaskTokenStore, sfn_fake: FakeStepFunctions
) -> None:
    """The flow and the contact event racing each other: one send, one recorded status."""
    sfn_fake.wait("tok-1")
    store.record("c-1", "tok-1", "job-1", "r-1", 1)
    results = []
    barrier = threading.Barrier(6)

    def resolve(status: str) -> None:
        barrier.wait()
        results.append(store.resolve("c-1", Outcome(status=status)))

    threads = [threading.Thread(target=resolve, args=(s,)) for s in ["completed", "partial"] * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.sent for r in results) == 1
    assert [kind for kind, _ in sfn_fake.sends] == ["success"]
    sent = next(r for r in results if r.sent)
    assert _item(store, "c-1")["status"]["S"] == sent.status


def test_cancel_job_ends_only_that_jobs_waiting_calls(
    store: TaskTokenStore, sfn_fake: FakeStepFunctions
) -> None:
    for contact, token, job in (
        ("c-1", "t-1", "job-1"),
        ("c-2", "t-2", "job-1"),
        ("c-3", "t-3", "job-2"),
        ("c-4", "t-4", "job-1"),
    ):
        sfn_fake.wait(token)
        store.record(contact, token, job, f"r-{contact}", 1)
    store.resolve("c-4", Outcome(status="completed", source="flow"))
    assert not store.is_cancelled("job-1")
    assert store.cancel_job("job-1") == 2
    assert store.is_cancelled("job-1") and not store.is_cancelled("job-2")
    for token in ("t-1", "t-2"):
        output = sfn_fake.results[token].output
        assert output is not None
        assert (output["status"], output["source"]) == ("cancelled", "cancel")
    assert "t-3" in sfn_fake.waiting
    assert sfn_fake.results["t-4"].output is not None
    assert sfn_fake.results["t-4"].output["status"] == "completed"
    assert store.cancel_job("job-1") == 0  # cancelling twice is harmless
    assert [c.contact_id for c in store.waiting_calls("job-2")] == ["c-3"]


def test_a_jobs_cancel_marker_is_never_taken_for_a_call(store: TaskTokenStore) -> None:
    store.cancel_job("job-9")
    assert store.get("job#job-9") is None
    assert store.resolve("job#job-9", Outcome(status="no_answer")).unknown
    assert store.is_cancelled("job-9")
