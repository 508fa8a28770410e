from __future__ import annotations

from pipeline_helpers import job_bytes, make_job, number, rows_by_id, stand_in_loader

from callguard_tools.outbound_sim.fake_connect import Outcome, Script
from callguard_tools.outbound_sim.pipeline import offline_pipeline


def test_small_job_runs_to_report() -> None:
    job = make_job([("r1", number(1)), ("r2", number(2))])
    scripts = {
        number(1): Script(answers=("yes", "no"), ring_seconds=2, seconds_per_question=3),
        number(2): Script(outcome=Outcome.BUSY),
    }
    with stand_in_loader(), offline_pipeline(scripts=scripts) as pipeline:
        outcome = pipeline.upload("jobs/one.json", job_bytes(job))
        (job_id,) = outcome["jobs"]
        status = pipeline.run_until_done(job_id, timeout=60)
        assert status["status"] == "SUCCEEDED", status
        rows = rows_by_id(pipeline.report(job_id))
        assert rows["r1"]["status"] == "completed"
        assert rows["r1"]["answers"] == {"1": "yes", "2": "no"}
        assert rows["r2"]["status"] == "busy"
        assert rows["r2"]["attempts"] == 2
