"""The planner's wait for a closed window and the record step's retry decision, alone."""

from __future__ import annotations

import datetime as dt

from callguard.outbound.handlers.record import TIMED_OUT, decide
from callguard.outbound.model import CallingWindow

UTC = dt.UTC
WINDOW = CallingWindow(start=dt.time(9), end=dt.time(20), weekdays=frozenset({0, 1, 2, 3, 4}))
#: Thursday 3 December 2026.
THURSDAY = dt.datetime(2026, 12, 3, tzinfo=UTC)


EVENT = {
    "job_id": "j",
    "receiver_id": "r",
    "attempt": 1,
    "max_attempts": 3,
    "retry_delay_seconds": 600,
    "retry_on": ["busy", "no_answer"],
}


def test_no_answer_with_attempts_left_retries_after_the_delay() -> None:
    record, answers, final, retry_at = decide(
        {**EVENT, "outcome": {"status": "no_answer", "contact_id": "c1"}}, 1000.0
    )
    assert (record.status, record.contact_id, final, retry_at) == ("no_answer", "c1", "", 1600.0)
    assert answers == {}


def test_last_attempt_is_final() -> None:
    _, _, final, retry_at = decide({**EVENT, "attempt": 3, "outcome": {"status": "busy"}}, 0.0)
    assert (final, retry_at) == ("busy", 0.0)


def test_partial_keeps_its_answers_and_is_final() -> None:
    _, answers, final, _ = decide(
        {**EVENT, "outcome": {"status": "partial", "answers": {"1": "yes"}}}, 0.0
    )
    assert (final, answers) == ("partial", {"1": "yes"})


def test_timeout_is_failed_and_never_retried() -> None:
    record, _, final, _ = decide({**EVENT, "error": {"Error": "States.Timeout", "Cause": ""}}, 0.0)
    assert (record.status, record.error, final) == ("failed", TIMED_OUT, "failed")


def test_closed_window_makes_the_planner_wait_until_it_opens() -> None:
    import boto3
    from moto import mock_aws

    from callguard.outbound.job_results import JobResults
    from callguard.outbound.model import Job, JobConfig, Receiver
    from callguard.outbound.planner import WAIT, Planner
    from callguard_tools.outbound_sim.tables import create_results_table

    class NobodyBlocked:
        def blocked(self, numbers: object) -> dict[str, str]:
            return {}

    seven_am = THURSDAY.replace(hour=7)
    job = Job(
        id="j",
        config=JobConfig(window=WINDOW),
        questions=(),
        receivers=(Receiver(id="r", phone="+447700900001"),),
    )
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-2")
        create_results_table(client, "results")
        results = JobResults(client, "results")
        planner = Planner(results, NobodyBlocked(), None, 1.0, clock=seven_am.timestamp)
        plan = planner.plan(job, 0)
        (row,) = list(results.receivers("j")) or [None]
    assert (plan.action, plan.items, plan.wait_until) == (WAIT, (), THURSDAY.replace(hour=9))
    assert plan.payload("", seven_am)["wait_until"] == "2026-12-03T09:00:00Z"
    assert row is None  # nothing issued, nothing finished
