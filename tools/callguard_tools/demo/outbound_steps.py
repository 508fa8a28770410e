"""The demo's outbound story: a sample job through intake, the state machine and the call flow.

Everything runs offline in :func:`~callguard_tools.outbound_sim.pipeline.offline_pipeline`:
the job is validated with the job readers, uploaded so that the real intake handler
takes it, the rendered state machine runs in moto, the real dialer places the calls
on the fake Connect, and each answered call is played through the rendered outbound
flow and the real in-call functions (:class:`~callguard_tools.outbound_sim.calls.CallRig`).
Six receivers show the outcomes a job can have; the report the report step wrote
is printed as a table, numbers masked. The retry waits its 30 minutes in skipped
time (``skip_waits``: the Wait state moves the steps' clock on), and the calling
window is placed in each receiver's own time zone, so nothing waits in real time
and the story is the same whenever it is run.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from callguard.outbound.load import load_job
from callguard_tools.demo.story import Story
from callguard_tools.flows.simulation import HANG_UP, press, say
from callguard_tools.flows.transcript import mask_number
from callguard_tools.outbound_sim.fake_connect import AttemptScripts, Outcome, Script
from callguard_tools.outbound_sim.pipeline import offline_pipeline
from callguard_tools.outbound_sim.pipeline_config import DENY_TABLE, PipelineSettings

#: The sample job's receivers: id -> number (the UK's drama range).
NUMBERS: Final = {
    "answers-all": "+447700900101",
    "hangs-up": "+447700900102",
    "retried": "+447700900103",
    "denied": "+447700900104",
    "says-stop": "+447700900105",
    "night": "+447700900106",
}
#: What must happen to each receiver: status, answers, calls placed.
EXPECTED: Final[Mapping[str, tuple[str, Mapping[str, str], int]]] = {
    "answers-all": ("completed", {"1": "yes", "2": "42", "3": "no"}, 1),
    "hangs-up": ("partial", {"1": "yes"}, 1),
    "retried": ("completed", {"1": "no", "2": "7", "3": "yes"}, 2),
    "denied": ("do_not_call", {}, 0),
    "says-stop": ("opted_out", {}, 1),
    "night": ("outside_hours", {}, 0),
}
#: What each receiver does when the phone rings, call by call.
BEHAVIOUR: Final = {
    "answers-all": "answers: 'yes', keys 42#, keys 2 (no)",
    "hangs-up": "answers 'yes', hangs up during question 2",
    "retried": "does not answer; on the retry answers 'no', 'seven', keys 1 (yes)",
    "denied": "on the deny list before the job starts",
    "says-stop": "says 'stop' at question 1",
    "night": "lives where it is 3 am (window 09:00-17:00 local)",
}


def etc_zone(local_hour: int, now: dt.datetime) -> str:
    """Return an ``Etc/GMT±N`` zone in which it is ``local_hour`` o'clock at ``now`` (UTC)."""
    offset = (local_hour - now.hour + 12) % 24 - 12
    if offset == 0:
        return "Etc/UTC"
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"  # POSIX sign is reversed


def sample_job(now: dt.datetime) -> dict[str, Any]:
    """Return the demo's job as a JSON job file (docs/outbound-jobs.md) would hold it."""
    day, night = etc_zone(12, now), etc_zone(3, now)
    return {
        "schema_version": 1,
        "configuration": {
            "greeting": "Hello {{ name }}, this is the Example Surgery.",
            "ending": "Thank you, goodbye.",
            "window_start": "09:00",
            "window_end": "17:00",
            "weekdays": "Mon-Sun",
            "wait_for_window": False,
            "max_attempts": 2,
            "retry_delay_minutes": 30,
        },
        "questions": [
            {"template": "Will you attend your appointment?", "type": "Yes/No"},
            {"template": "How many minutes will you need?", "type": "Number"},
            {"template": "Do you need a parking space?", "type": "Yes/No"},
        ],
        "receivers": [
            {
                "id": rid,
                "phone_number": phone,
                "name": rid.replace("-", " ").title(),
                "timezone": night if rid == "night" else day,
            }
            for rid, phone in NUMBERS.items()
        ],
    }


def _scripts() -> AttemptScripts:
    return AttemptScripts(
        {
            NUMBERS["answers-all"]: [
                Script(
                    turns=(say("yes"), press("42#"), press("2")),
                    ring_seconds=2.0,
                    seconds_per_question=3.0,
                )
            ],
            NUMBERS["hangs-up"]: [
                Script(
                    Outcome.HANG_UP,
                    hang_up_at=2,
                    turns=(say("yes"), HANG_UP),
                    ring_seconds=2.0,
                    seconds_per_question=3.0,
                )
            ],
            NUMBERS["retried"]: [
                Script(Outcome.NO_ANSWER),
                Script(
                    turns=(say("no"), say("seven"), press("1")),
                    ring_seconds=2.0,
                    seconds_per_question=3.0,
                ),
            ],
            NUMBERS["says-stop"]: [
                Script(turns=(say("stop"),), ring_seconds=2.0, seconds_per_question=3.0)
            ],
        }
    )


def _validate(story: Story, path: Path) -> bool:
    title = "Outbound: validate the sample job (6 receivers, 3 questions) with the job readers"
    expected = "no problems; 6 receivers, 3 questions"
    story.step(title, expected)
    job, problems = load_job(path)
    errors = [p for p in problems if p.is_error]
    ok = job is not None and not errors and len(job.receivers) == 6
    counts = f"{len(job.receivers)} receivers, {len(job.questions)} questions" if job else "none"
    lines = [f"  {rid}: {mask_number(phone)} - {BEHAVIOUR[rid]}" for rid, phone in NUMBERS.items()]
    lines += [f"  {'error' if p.is_error else 'warning'}: {p}" for p in problems]
    story.judge(title, expected, ok, f"{len(errors)} problems; {counts}", lines)
    return ok


def outbound_steps(story: Story) -> None:
    """Play the outbound story into ``story`` (its verdicts decide the demo's exit code)."""
    now = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "demo-job.json"
        path.write_text(json.dumps(sample_job(now)), encoding="utf-8")
        if not _validate(story, path):
            return
        body = path.read_bytes()
    scripts = _scripts()
    # moto warns that it ignores the Map's ToleratedFailurePercentage; the story says nothing of it.
    logging.getLogger("moto.stepfunctions.parser.asl.parse.preprocessor").setLevel(logging.ERROR)
    with offline_pipeline(
        PipelineSettings(time_scale=100.0, skip_waits=True), scripts=scripts
    ) as pipeline:
        scripts.connect = pipeline.connect
        pipeline.deny(NUMBERS["denied"])
        title = "Outbound: upload the job; intake starts the state machine"
        expected = "intake stores the job and starts one execution"
        story.step(title, expected)
        taken = pipeline.upload("uploads/demo-job.json", body)["jobs"]
        started = list(taken.values()) == ["started"]
        story.judge(title, expected, started, f"intake: {list(taken.values())}", [])
        if not started:
            return
        (job_id,) = taken
        title = "Outbound: the state machine runs; the dialer calls, receivers answer the flow"
        expected = (
            "the execution succeeds; 5 calls placed (2 to the retried receiver, 30 min apart)"
        )
        story.step(title, expected)
        status = pipeline.run_until_done(job_id, timeout=90.0)["status"]
        placed = [r.number for r in pipeline.connect.requests if r.result == "placed"]
        ok = status == "SUCCEEDED" and len(placed) == 5
        lines = [
            f"  calls placed to {mask_number(n)}: {placed.count(n)}" for n in sorted(set(placed))
        ]
        lines.append(f"  Wait states skipped in simulated time: {pipeline.warp.skipped}")
        story.judge(title, expected, ok, f"execution {status}, {len(placed)} calls placed", lines)
        if status != "SUCCEEDED":
            return
        _report_step(story, pipeline.report(job_id), placed)
        _blocked_inbound_step(story, pipeline)


def _report_step(story: Story, report: Mapping[str, Any], placed: list[str]) -> None:
    title = "Outbound: the report step's results, one row a receiver"
    expected = ", ".join(f"{rid} {status}" for rid, (status, _, _) in EXPECTED.items())
    story.step(title, expected)
    rows = {str(row["receiver_id"]): row for row in report["results"]}
    lines = [f"  {'receiver':<12} {'number':<15} {'status':<14} {'calls':<5} answers"]
    wrong: list[str] = []
    for rid, (status, answers, calls) in EXPECTED.items():
        row = rows.get(rid, {})
        got_answers = {str(k): str(v) for k, v in dict(row.get("answers") or {}).items()}
        got_calls = placed.count(NUMBERS[rid])
        if (row.get("status"), got_answers, got_calls) != (status, dict(answers), calls):
            wrong.append(rid)
        shown = ", ".join(f"{k}={v}" for k, v in sorted(got_answers.items())) or "-"
        lines.append(
            f"  {rid:<12} {mask_number(NUMBERS[rid]):<15} {row.get('status', '?')!s:<14} "
            f"{got_calls:<5} {shown}"
        )
    ok = not wrong and len(rows) == len(EXPECTED)
    actual = "every receiver as expected" if ok else f"differs for {', '.join(wrong) or 'rows'}"
    story.judge(title, expected, ok, actual, lines)


def _blocked_inbound_step(story: Story, pipeline: Any) -> None:
    title = "Inbound: the receiver who said 'stop' calls in"
    expected = "the number is on the deny list (source outbound_optout); the call is refused"
    story.step(title, expected)
    number = NUMBERS["says-stop"]
    item = pipeline.ddb.get_item(TableName=DENY_TABLE, Key={"phone_number": {"S": number}})
    source = item.get("Item", {}).get("source", {}).get("S", "")
    result = pipeline.rig.simulator.inbound(number)
    status = result.attributes.get("callguard_status", "")
    ok = (
        source == "outbound_optout"
        and status == "blocked"
        and result.outcome.kind == "disconnected"
        and result.target_queue is None
    )
    actual = (
        f"deny-list source {source!r}; {result.outcome.describe()} (callguard_status={status!r})"
    )
    story.judge(title, expected, ok, actual, result.transcript.render(verbose=story.verbose))
