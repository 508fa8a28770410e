"""A 30-receiver job through the real state machine, every outcome, checked row by row."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter

from pipeline_helpers import (
    AttemptScripts,
    etc_zone,
    job_bytes,
    make_job,
    number,
    rows_by_id,
    stand_in_loader,
)

from callguard.outbound import model
from callguard_tools.outbound_sim.fake_connect import Outcome, Script
from callguard_tools.outbound_sim.pipeline import offline_pipeline
from callguard_tools.outbound_sim.pipeline_config import PipelineSettings

ANSWERS = ("yes", "no")
#: receiver ids by what they do, 30 in all.
PLAN = {
    "completed": [f"c{i}" for i in range(10)],
    "partial": ["p0", "p1", "p2"],
    "retried": ["n0", "n1", "n2"],
    "busy": ["b0", "b1", "b2"],
    "voicemail": ["v0", "v1", "v2"],
    "do_not_call": ["d0", "d1", "d2"],
    "outside_hours": ["o0", "o1", "o2"],
    "failed": ["f0", "f1"],
}


def test_thirty_receivers_every_outcome() -> None:  # noqa: PLR0912 - one check per group
    now = dt.datetime.now(dt.UTC)
    ids = [rid for group in PLAN.values() for rid in group]
    phone = {rid: number(i) for i, rid in enumerate(ids)}
    answered = Script(answers=ANSWERS, ring_seconds=3, seconds_per_question=4)
    sequences: dict[str, list[Script]] = {}
    for rid in PLAN["completed"]:
        sequences[phone[rid]] = [answered]
    for rid in PLAN["partial"]:
        sequences[phone[rid]] = [
            Script(Outcome.HANG_UP, answers=ANSWERS, hang_up_at=2, ring_seconds=3)
        ]
    for rid in PLAN["retried"]:
        sequences[phone[rid]] = [Script(Outcome.NO_ANSWER), answered]
    for rid in PLAN["busy"]:
        sequences[phone[rid]] = [Script(Outcome.BUSY)]
    for rid in PLAN["voicemail"]:
        sequences[phone[rid]] = [Script(Outcome.VOICEMAIL, ring_seconds=3)]
    for rid in PLAN["failed"]:
        sequences[phone[rid]] = [Script(Outcome.NOT_ALLOWED)]
    scripts = AttemptScripts(sequences)

    # The job's window is open where most receivers live (noon there) and closed for
    # the outside-hours ones (1 am there) until long after the job's deadline.
    window = model.CallingWindow(
        start=dt.time(9),
        end=dt.time(17),
        weekdays=frozenset(range(7)),
        default_timezone=etc_zone(12, now),
        deadline=now + dt.timedelta(minutes=30),
    )
    job = make_job([(rid, phone[rid]) for rid in ids], attempts=2, retry_delay=4, window=window)
    late = etc_zone(1, now)
    job = dataclasses.replace(
        job,
        receivers=tuple(
            dataclasses.replace(r, timezone=late) if r.id in PLAN["outside_hours"] else r
            for r in job.receivers
        ),
    )

    with stand_in_loader(), offline_pipeline(PipelineSettings(), scripts=scripts) as pipeline:
        scripts.connect = pipeline.connect
        for rid in PLAN["do_not_call"]:
            pipeline.deny(phone[rid], source="outbound_optout")
        (job_id,) = pipeline.upload("uploads/thirty.json", job_bytes(job))["jobs"]
        status = pipeline.run_until_done(job_id, timeout=120)
        assert status["status"] == "SUCCEEDED", status
        report = pipeline.report(job_id)
        rows = rows_by_id(report)
        placed = Counter(call.number for call in pipeline.connect.calls.values())
        notifications = pipeline.notifications_received()
        history = pipeline.sfn.get_execution_history(executionArn=pipeline.execution_arn(job_id))
        assert pipeline.stats.handler_errors == []

    assert [row["receiver_id"] for row in report["results"]] == ids
    for rid in PLAN["completed"]:
        assert (rows[rid]["status"], rows[rid]["answers"], rows[rid]["attempts"]) == (
            "completed",
            {"1": "yes", "2": "no"},
            1,
        ), rid
        assert rows[rid]["columns"] == {"name": f"Name {rid}"}
    for rid in PLAN["partial"]:
        assert (rows[rid]["status"], rows[rid]["answers"]) == ("partial", {"1": "yes"}), rid
    for rid in PLAN["retried"]:
        row = rows[rid]
        assert (row["status"], row["attempts"], row["answers"]) == (
            "completed",
            2,
            {"1": "yes", "2": "no"},
        ), rid
        assert [h["status"] for h in row["history"]] == ["no_answer", "completed"]
    for rid in PLAN["busy"]:
        assert (rows[rid]["status"], rows[rid]["attempts"]) == ("busy", 2), rid
    for rid in PLAN["voicemail"]:
        assert (rows[rid]["status"], rows[rid]["attempts"]) == ("voicemail", 1), rid
    for rid in PLAN["do_not_call"]:
        assert (rows[rid]["status"], rows[rid]["detail"], rows[rid]["attempts"]) == (
            "do_not_call",
            "outbound_optout",
            0,
        ), rid
    for rid in PLAN["outside_hours"]:
        assert (rows[rid]["status"], rows[rid]["attempts"]) == ("outside_hours", 0), rid
    for rid in PLAN["failed"]:
        assert (rows[rid]["status"], rows[rid]["error"]) == (
            "failed",
            "DestinationNotAllowedException",
        ), rid

    # Nobody screened out was dialled; everyone else exactly once per attempt.
    never_dialled = {*PLAN["do_not_call"], *PLAN["outside_hours"], *PLAN["failed"]}
    for rid in ids:
        expected = 0 if rid in never_dialled else rows[rid]["attempts"]
        assert placed[phone[rid]] == expected, rid

    # The retries were a second round, after a Wait (TimestampPath) for their delay.
    entered = [
        e["stateEnteredEventDetails"]["name"]
        for e in history["events"]
        if e["type"].endswith("StateEntered")
    ]
    assert entered.count("Calls") >= 2
    assert "WaitForWindow" in entered

    (note,) = notifications
    assert note["counts"] == {
        "busy": 3,
        "completed": 13,
        "do_not_call": 3,
        "failed": 2,
        "outside_hours": 3,
        "partial": 3,
        "voicemail": 3,
    }
    assert note["report"].startswith("s3://")
    assert "+44" not in str(note)


def test_report_files_are_the_report_module_s() -> None:
    import io

    import openpyxl

    from callguard.outbound.results import read_jsonl

    job = make_job([("a", number(1)), ("b", number(2))], attempts=1)
    scripts = {number(2): Script(Outcome.BUSY)}
    answered = Script(answers=("Yes", "no"), ring_seconds=2, seconds_per_question=3)
    with (
        stand_in_loader(),
        offline_pipeline(scripts=scripts, default_script=answered) as pipeline,
    ):
        (job_id,) = pipeline.upload("uploads/files.json", job_bytes(job))["jobs"]
        assert pipeline.run_until_done(job_id)["status"] == "SUCCEEDED"

        def body(name: str) -> bytes:
            got = pipeline.s3.get_object(
                Bucket="callguard-outbound-reports", Key=f"reports/{job_id}/{name}"
            )
            data: bytes = got["Body"].read()
            return data

        document = json.loads(body("report.json"))
        workbook = openpyxl.load_workbook(io.BytesIO(body("report.xlsx")), read_only=True)
        records = read_jsonl(body("results.jsonl").decode().splitlines())
        (note,) = pipeline.notifications_received()
    assert workbook.sheetnames == ["Report", "Summary"]
    assert note["report"].endswith(f"reports/{job_id}/report.xlsx")
    assert note["counts"] == {"busy": 1, "completed": 1}
    assert document["job_id"] == job_id
    assert len(records.results) == 2
