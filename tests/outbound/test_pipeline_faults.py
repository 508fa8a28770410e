"""Fault tests of the offline pipeline: duplicates, crashes, throttling, lost events, cancel."""

from __future__ import annotations

from collections import Counter

from pipeline_helpers import job_bytes, make_job, number, rows_by_id, stand_in_loader

from callguard_tools.outbound_sim.fake_connect import Outcome, Script
from callguard_tools.outbound_sim.pipeline import offline_pipeline
from callguard_tools.outbound_sim.pipeline_config import Faults, PipelineSettings

ANSWERED = Script(answers=("yes", "no"), ring_seconds=2, seconds_per_question=3)


def _receivers(count: int) -> list[tuple[str, str]]:
    return [(f"r{i}", number(i)) for i in range(count)]


def test_same_upload_twice_starts_one_job_and_calls_nobody_twice() -> None:
    job = make_job(_receivers(4))
    with stand_in_loader(), offline_pipeline(default_script=ANSWERED) as pipeline:
        first = pipeline.upload("uploads/twice.json", job_bytes(job))
        # S3 delivers the same notification again (at-least-once delivery).
        (job_id,) = first["jobs"]
        key_event = {
            "Records": [
                {
                    "eventSource": "aws:s3",
                    "s3": {
                        "bucket": {"name": "callguard-outbound-jobs"},
                        "object": {
                            "key": "uploads/twice.json",
                            "eTag": pipeline.s3.head_object(
                                Bucket="callguard-outbound-jobs", Key="uploads/twice.json"
                            )["ETag"].strip('"'),
                        },
                    },
                }
            ]
        }
        from callguard.outbound.handlers import intake

        second = intake.handler(key_event, None)
        # While the execution runs, a start with the same name and input is answered
        # as the first one was (Step Functions' idempotent StartExecution).
        assert set(second["jobs"]) == set(first["jobs"]) == {job_id}
        status = pipeline.run_until_done(job_id)
        # Once it is over, the same name is refused: the job is not started again.
        third = intake.handler(key_event, None)
        assert third["jobs"] == {job_id: "already_started"}
        pipeline.run_until_done(job_id, timeout=5)
        executions = pipeline.sfn.list_executions(stateMachineArn=pipeline.state_machine_arn)
        placed = Counter(call.number for call in pipeline.connect.calls.values())
    assert status["status"] == "SUCCEEDED"
    assert len(executions["executions"]) == 1
    assert placed == Counter({phone: 1 for _, phone in _receivers(4)})


def test_dialer_crash_after_placing_places_no_second_call() -> None:
    job = make_job(_receivers(5))
    faults = Faults(crash_batches=1)
    settings = PipelineSettings(dial_visibility_seconds=1)
    with (
        stand_in_loader(),
        offline_pipeline(settings, default_script=ANSWERED, faults=faults) as pipeline,
    ):
        (job_id,) = pipeline.upload("uploads/crash.json", job_bytes(job))["jobs"]
        status = pipeline.run_until_done(job_id)
        rows = rows_by_id(pipeline.report(job_id))
        requests = Counter(r.result for r in pipeline.connect.requests)
        tokens = pipeline.connect.placed_tokens()
    assert status["status"] == "SUCCEEDED"
    assert pipeline.stats.crashed_batches == 1
    assert requests["repeated"] >= 1  # the redelivered message reached the same call
    assert len(tokens) == len(set(tokens)) == 5
    assert {row["status"] for row in rows.values()} == {"completed"}


def test_throttling_burst_calls_everyone_once_within_the_rate() -> None:
    count = 12
    job = make_job(_receivers(count), questions=1)
    # The dialer is configured above Connect's rate, so Connect throttles it.
    settings = PipelineSettings(calls_per_second=5.0, burst=5, connect_rate_limit=2)
    with stand_in_loader(), offline_pipeline(settings, default_script=ANSWERED) as pipeline:
        (job_id,) = pipeline.upload("uploads/burst.json", job_bytes(job))["jobs"]
        status = pipeline.run_until_done(job_id)
        rows = rows_by_id(pipeline.report(job_id))
        requests = list(pipeline.connect.requests)
    assert status["status"] == "SUCCEEDED"
    assert any(r.result == "throttled" for r in requests)
    placed = [r for r in requests if r.result == "placed"]
    assert sorted(r.number for r in placed) == sorted(phone for _, phone in _receivers(count))
    counted = [r.at for r in requests if r.result != "throttled"]
    for start in counted:
        assert sum(1 for at in counted if start <= at < start + 1.0) <= 2
    assert {row["status"] for row in rows.values()} == {"completed"}


def test_lost_contact_event_is_ended_by_the_backstop_timeout() -> None:
    lost = number(1)
    scripts = {lost: Script(Outcome.HANG_UP, answers=("yes", "no"), hang_up_at=2, ring_seconds=2)}
    settings = PipelineSettings(call_timeout_seconds=2)
    faults = Faults(lose_events_for=frozenset({lost}))
    job = make_job(_receivers(3))
    with (
        stand_in_loader(),
        offline_pipeline(
            settings, scripts=scripts, default_script=ANSWERED, faults=faults
        ) as pipeline,
    ):
        (job_id,) = pipeline.upload("uploads/lost.json", job_bytes(job))["jobs"]
        status = pipeline.run_until_done(job_id)
        rows = rows_by_id(pipeline.report(job_id))
        calls_to_lost = sum(1 for c in pipeline.connect.calls.values() if c.number == lost)
    assert status["status"] == "SUCCEEDED"
    assert (rows["r1"]["status"], rows["r1"]["error"]) == ("failed", "CallTimedOut")
    assert calls_to_lost == 1  # a timed-out call is never retried: it may have been answered
    assert rows["r0"]["status"] == rows["r2"]["status"] == "completed"


def test_token_resolved_twice_is_harmless() -> None:
    job = make_job(_receivers(3))
    with (
        stand_in_loader(),
        offline_pipeline(default_script=ANSWERED, faults=Faults(resolve_twice=True)) as pipeline,
    ):
        (job_id,) = pipeline.upload("uploads/twice-resolved.json", job_bytes(job))["jobs"]
        status = pipeline.run_until_done(job_id)
        rows = rows_by_id(pipeline.report(job_id))
    assert status["status"] == "SUCCEEDED"
    assert pipeline.stats.second_resolves == 3
    assert [row["attempts"] for row in rows.values()] == [1, 1, 1]
    assert {row["status"] for row in rows.values()} == {"completed"}


def test_cancel_mid_job_stops_dialling_and_still_reports() -> None:
    count = 10
    slow = Script(answers=("yes",), ring_seconds=2, seconds_per_question=400)
    settings = PipelineSettings(max_concurrency=2, call_timeout_seconds=30)
    job = make_job(_receivers(count), questions=1)
    state: dict[str, int] = {}

    def cancel_after_two_calls(pipeline: object) -> None:
        from callguard_tools.outbound_sim.pipeline import Pipeline

        assert isinstance(pipeline, Pipeline)
        if "placed" not in state and len(pipeline.connect.calls) >= 2:
            state["placed"] = len(pipeline.connect.calls)
            pipeline.cancel(job_id)

    with stand_in_loader(), offline_pipeline(settings, default_script=slow) as pipeline:
        (job_id,) = pipeline.upload("uploads/cancel.json", job_bytes(job))["jobs"]
        status = pipeline.run_until_done(job_id, on_turn=cancel_after_two_calls)
        rows = rows_by_id(pipeline.report(job_id))
        placed = len(pipeline.connect.calls)
        notes = pipeline.notifications_received()
    assert status["status"] == "SUCCEEDED"
    assert placed == state["placed"]  # not one call after the cancel
    statuses = Counter(row["status"] for row in rows.values())
    assert statuses["cancelled"] == count - statuses["completed"]
    assert statuses["cancelled"] >= count - placed
    assert notes[-1]["counts"] == dict(sorted(statuses.items()))
