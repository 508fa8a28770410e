"""The job as intake stores it is what the plan step and the in-call functions read."""

from __future__ import annotations

import boto3
import pytest
from pipeline_helpers import job_bytes, make_job, number, stand_in_loader

from callguard.outbound import layout
from callguard.outbound.handlers import call_context, intake
from callguard.outbound.handlers.call_context import CallContextError, S3PlanSource
from callguard_tools.flows.connect_event import Contact
from callguard_tools.flows.simulation import CallScript, press, say
from callguard_tools.outbound_sim.calls import CallRig
from callguard_tools.outbound_sim.pipeline import offline_pipeline
from callguard_tools.outbound_sim.pipeline_config import DENY_TABLE, REGION, WORK_BUCKET


def test_a_call_is_served_for_a_job_exactly_as_intake_stored_it() -> None:
    job = make_job([("a", number(1)), ("b", number(2))], questions=2)
    message = {
        "Records": [{"eventSource": "aws:sqs", "messageId": "m1", "body": job_bytes(job).decode()}]
    }
    with stand_in_loader(), offline_pipeline() as pipeline:
        (job_id,) = intake.handler(message, None)["jobs"]
        keys = {
            o["Key"]
            for o in pipeline.s3.list_objects_v2(Bucket=WORK_BUCKET, Prefix=f"jobs/{job_id}/")[
                "Contents"
            ]
        }
        plans = S3PlanSource(pipeline.s3, WORK_BUCKET, call_context.job_renderer())
        rig = CallRig(
            boto3.client("dynamodb", region_name=REGION),
            boto3.client("stepfunctions", region_name=REGION),
            plans=plans,
            deny_table=DENY_TABLE,
        )
        stored = plans.plan(job_id, "b")
        contact = Contact.outbound(number(2))
        rig.fake_sfn.wait("token-b")
        rig.tokens.record(contact.contact_id, "token-b", job_id, "b", 1)
        result = rig.play(contact, CallScript(turns=(say("yes"), press("2"))))
        with pytest.raises(CallContextError, match="no receiver 'z'"):
            plans.plan(job_id, "z")
    assert {layout.job_key(job_id), layout.receivers_key(job_id)} <= keys
    assert stored.greeting.startswith("<speak>Hello Name b")
    assert [q.bot for q in stored.questions] == ["yes_no", "yes_no"]
    output = rig.fake_sfn.results["token-b"].output
    assert output is not None
    assert (output["status"], output["answers"]) == ("completed", {"1": "yes", "2": "no"})
    assert result.transcript.prompts[0].startswith("<speak>Hello Name b")


def test_a_receivers_file_with_a_bad_line_is_refused_by_line() -> None:
    job = make_job([("a", number(1))])
    objects = layout.encode_job(job)
    document = objects[layout.job_key(job.id)]
    import json

    with pytest.raises(ValueError, match="line 2"):
        layout.decode_job(
            json.loads(document), objects[layout.receivers_key(job.id)].decode() + "[1]\n"
        )
    assert (
        layout.decode_job(
            json.loads(document), objects[layout.receivers_key(job.id)].decode()
        ).receivers
        == job.receivers
    )
