"""The whole outbound pipeline offline: the real state machine and handlers, moto, a fake Connect.

What runs for real:

* the state machine definition, rendered from its Terraform template exactly as
  ``templatefile()`` renders it, executed by moto's Step Functions interpreter
  (``execute_state_machine``), against moto's S3, SQS, DynamoDB and SNS;
* every Lambda step (plan, record, report) is the real handler, run in-process in
  place of moto's Docker-based invoke (:func:`~.lambda_steps.invoke_in_process`);
* intake and cancel are the real handlers, called as their triggers would;
* the dial queue is consumed by the real :class:`~callguard.outbound.dialer.Dialer`
  (as the event source mapping would: batches, ``batchItemFailures`` kept, the
  rest deleted) against the :class:`~.fake_connect.FakeConnect`, whose contact
  events go to the real contact-event handler;
* an answered call whose receiver speaks (a script with answers, a hang-up or
  ``turns``) is played through the rendered outbound flow and the real in-call
  functions (:class:`~.calls.CallRig`), which read the job as intake stored it and
  resolve the task token on the real execution; a call with nothing to say (or a
  voicemail) is resolved by a small stand-in, as the flow's last Lambda would.

Time: moto's Wait states, task timeouts and SQS visibility run in real seconds.
The dialer's pacing and the fake Connect run on a :class:`~.pipeline_clocks.ScaledClock`, simulated
seconds passing ``scale`` times faster than real ones, so a 15-second ring or a
1-call-per-second rate costs a fraction of a real second; rates and concurrency
are measured and limited in those simulated seconds, consistently on both sides.

This module wires the deployment (:class:`Pipeline`, :func:`offline_pipeline`); what a
run is built with (names, :class:`~.pipeline_config.PipelineSettings`,
:class:`~.pipeline_config.Faults`), its clocks and what it measures
(:class:`~.pipeline_stats.RunStats`) live in the ``pipeline_*`` modules beside it.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from unittest import mock

import boto3
from moto import mock_aws
from moto.awslambda.models import LambdaFunction

from callguard.outbound.dialer import Dialer
from callguard.outbound.handlers import call_context, clients, intake
from callguard.outbound.handlers import cancel as cancel_handler
from callguard.outbound.handlers import contact_events as contact_events_handler
from callguard.outbound.handlers.call_context import S3PlanSource
from callguard.outbound.handlers.dialer import SqsRequeue
from callguard.outbound.pacing import TokenBucket
from callguard.outbound.task_tokens import Outcome as TokenOutcome
from callguard.outbound.task_tokens import TaskTokenStore
from callguard.store.schema import create_table
from callguard_tools.flows.connect_event import Contact
from callguard_tools.flows.simulation import HANG_UP, CallScript, SimulationResult, Turn, say
from callguard_tools.outbound_sim import state_machine, tables
from callguard_tools.outbound_sim.calls import CallRig
from callguard_tools.outbound_sim.fake_connect import FakeCall, FakeConnect, Outcome, Script
from callguard_tools.outbound_sim.lambda_steps import STEP_HANDLERS, invoke_in_process
from callguard_tools.outbound_sim.pipeline_clocks import ScaledClock, WaitWarp
from callguard_tools.outbound_sim.pipeline_config import (
    ACCOUNT,
    DENY_TABLE,
    DIAL_QUEUE,
    FLOW_ID,
    INSTANCE_ID,
    JOBS_BUCKET,
    REGION,
    REPORTS_BUCKET,
    RESULTS_TABLE,
    SOURCE_NUMBER,
    STATE_MACHINE,
    TOKEN_TABLE,
    TOPIC,
    WORK_BUCKET,
    Faults,
    PipelineSettings,
)
from callguard_tools.outbound_sim.pipeline_stats import RunStats, TransitionCounter


class Pipeline:
    """One offline deployment: create it inside :func:`offline_pipeline`."""

    def __init__(
        self,
        settings: PipelineSettings,
        scripts: Mapping[str, Script],
        default_script: Script,
        faults: Faults,
    ) -> None:
        self.settings = settings
        self.faults = faults
        self.clock = ScaledClock(settings.time_scale)
        self.stats = RunStats()
        self.counter = TransitionCounter()
        self.warp = WaitWarp()
        session = boto3.Session(region_name=REGION)
        self.s3 = session.client("s3")
        self.sqs = session.client("sqs")
        self.ddb = session.client("dynamodb")
        self.sfn = session.client("stepfunctions")
        self.sns = session.client("sns")
        self.scripts = scripts
        self.default_script = default_script
        self._create_resources()

    def wire(self) -> None:
        """Build the fake Connect and the dialer on the functions' clients (env set first)."""
        settings = self.settings
        clients.reset_clients()
        self.connect = FakeConnect(
            self.clock,
            scripts=self.scripts,
            default_script=self.default_script,
            rate_limit=settings.connect_rate_limit,
            concurrent_limit=settings.connect_concurrent_limit,
            on_event=self._on_event,
            on_answered=self._on_answered,
            instance_id=INSTANCE_ID,
            region=REGION,
            account=ACCOUNT,
        )
        self.connect.attach(clients.connect_client())
        self.tokens = TaskTokenStore(clients.dynamodb_client(), clients.sfn_client(), TOKEN_TABLE)
        self.dialer = Dialer(
            clients.connect_client(),
            self.tokens,
            clients.sfn_client(),
            SqsRequeue(clients.sqs_client()),
            bucket=TokenBucket(settings.calls_per_second, settings.burst, clock=self.clock),
            backoff_base=1.0,
            backoff_cap=4.0,
            max_attempt_age=86_400.0,
            clock=self.clock,
            sleep=self.clock.sleep,
        )
        self.rig = CallRig(
            clients.dynamodb_client(),
            clients.sfn_client(),
            tokens=self.tokens,
            deny_table=DENY_TABLE,
            plans=S3PlanSource(clients.s3_client(), WORK_BUCKET, call_context.job_renderer()),
        )
        self.played: dict[str, SimulationResult] = {}

    # ------------------------------------------------------------ resources
    def _create_resources(self) -> None:
        iam = boto3.client("iam", region_name=REGION)
        role = iam.create_role(
            RoleName="callguard-outbound", AssumeRolePolicyDocument="{}", Path="/"
        )["Role"]["Arn"]
        for bucket in (JOBS_BUCKET, WORK_BUCKET, REPORTS_BUCKET):
            self.s3.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
            )
        self.dial_queue_url = self.sqs.create_queue(
            QueueName=DIAL_QUEUE,
            Attributes={"VisibilityTimeout": str(self.settings.dial_visibility_seconds)},
        )["QueueUrl"]
        self.dial_queue_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{DIAL_QUEUE}"
        tables.create_results_table(self.ddb, RESULTS_TABLE)
        tables.create_token_table(self.ddb, TOKEN_TABLE)
        create_table(self.ddb, DENY_TABLE)
        self.topic_arn = self.sns.create_topic(Name=TOPIC)["TopicArn"]
        self.notifications = self.sqs.create_queue(QueueName="notifications")["QueueUrl"]
        self.sns.subscribe(
            TopicArn=self.topic_arn,
            Protocol="sqs",
            Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:notifications",
            Attributes={"RawMessageDelivery": "true"},
        )
        lam = boto3.client("lambda", region_name=REGION)
        arns = {}
        for name in STEP_HANDLERS:
            arns[name] = lam.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=role,
                Handler="index.handler",
                Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
            )["FunctionArn"]
        variables = {
            "plan_function_arn": arns["callguard-outbound-plan"],
            "record_function_arn": arns["callguard-outbound-record"],
            "report_function_arn": arns["callguard-outbound-report"],
            "dial_queue_url": self.dial_queue_url,
            "work_bucket": WORK_BUCKET,
            "topic_arn": self.topic_arn,
            "instance_id": INSTANCE_ID,
            "contact_flow_id": FLOW_ID,
            "max_concurrency": self.settings.max_concurrency,
            "call_timeout_seconds": self.settings.call_timeout_seconds,
            "ring_timeout_seconds": self.settings.ring_timeout_seconds,
            "lambda_retry_interval_seconds": self.settings.lambda_retry_interval_seconds,
        }
        self.definition = state_machine.render(variables)
        self.state_machine_arn = self.sfn.create_state_machine(
            name=STATE_MACHINE, definition=self.definition, roleArn=role, type="STANDARD"
        )["stateMachineArn"]

    def environment(self) -> dict[str, str]:
        """Return the functions' environment, as Terraform would set it."""
        return {
            "CALLGUARD_TABLE": DENY_TABLE,
            "CALLGUARD_OUTBOUND_RESULTS_TABLE": RESULTS_TABLE,
            "CALLGUARD_OUTBOUND_WORK_BUCKET": WORK_BUCKET,
            "CALLGUARD_OUTBOUND_REPORTS_BUCKET": REPORTS_BUCKET,
            "CALLGUARD_OUTBOUND_TOPIC_ARN": self.topic_arn,
            "CALLGUARD_OUTBOUND_STATE_MACHINE_ARN": self.state_machine_arn,
            "CALLGUARD_OUTBOUND_TOKEN_TABLE": TOKEN_TABLE,
            "CALLGUARD_OUTBOUND_SOURCE_PHONE_NUMBER": SOURCE_NUMBER,
            # The planner estimates dial times in real seconds; the dialer's rate is
            # in simulated ones.
            "CALLGUARD_OUTBOUND_CALLS_PER_SECOND": str(
                min(100.0, self.settings.calls_per_second * self.settings.time_scale)
            ),
            "CALLGUARD_LOG_LEVEL": "WARNING",
        }

    # ------------------------------------------------------------ the flow stand-in
    def _on_answered(self, call: FakeCall) -> None:
        """Do what the outbound flow does once the receiver picks up."""
        script = call.script
        turns = receiver_turns(script)
        if turns is not None:
            contact = Contact.outbound(
                call.number, contact_id=call.contact_id, attributes=call.attributes
            )
            played = self.rig.play(contact, CallScript(turns=turns))
            self.played[call.contact_id] = played
            if self.faults.resolve_twice:
                self._resolve_again(
                    call.contact_id, TokenOutcome(status="completed", source="flow")
                )
            return
        for number, answer in enumerate(script.answers_given, start=1):
            self.tokens.add_answer(call.contact_id, number, answer)
        if script.outcome is Outcome.ANSWER:
            outcome = TokenOutcome(status="completed", source="flow")
        elif script.outcome is Outcome.VOICEMAIL:
            outcome = TokenOutcome(status="voicemail", source="flow")
        else:
            return  # a hang-up: the DISCONNECTED event resolves it with the answers so far
        self.tokens.resolve(call.contact_id, outcome)
        if self.faults.resolve_twice:
            self._resolve_again(call.contact_id, outcome)

    def _resolve_again(self, contact_id: str, outcome: TokenOutcome) -> None:
        """Resolve a call's token a second time, as a retried flow Lambda would: never sent."""
        again = self.tokens.resolve(contact_id, outcome)
        if again.sent:
            raise AssertionError("a token was delivered twice")
        self.stats.second_resolves += 1

    def _on_event(self, event: dict[str, Any]) -> None:
        call = self.connect.calls.get(str(event["detail"]["contactId"]))
        if call is not None and call.number in self.faults.lose_events_for:
            return
        try:
            contact_events_handler.handler(event, None)
        except Exception:
            self.stats.handler_errors.append(traceback.format_exc())

    # ------------------------------------------------------------ the dial queue
    def _pump_once(self) -> int:
        """One poll of the dial queue into the dialer; returns the records handled."""
        self.clock.sync()
        response = self.sqs.receive_message(
            QueueUrl=self.dial_queue_url,
            MaxNumberOfMessages=10,
            AttributeNames=["All"],
            WaitTimeSeconds=0,
        )
        messages = response.get("Messages", [])
        if not messages:
            return 0
        records = [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "eventSource": "aws:sqs",
                "eventSourceARN": self.dial_queue_arn,
            }
            for m in messages
        ]
        self.stats.dialer_batches += 1
        result = self.dialer.handle({"Records": records}, lambda: 30.0).response()
        if self.stats.crashed_batches < self.faults.crash_batches:
            # The function died after its calls were placed: nothing is acknowledged,
            # every message comes back after its visibility timeout.
            self.stats.crashed_batches += 1
            return len(records)
        keep = {item["itemIdentifier"] for item in result["batchItemFailures"]}
        for record_ in records:
            if record_["messageId"] not in keep:
                self.sqs.delete_message(
                    QueueUrl=self.dial_queue_url, ReceiptHandle=str(record_["receiptHandle"])
                )
        return len(records)

    # ------------------------------------------------------------ running jobs
    def deny(self, number: str, source: str = "agent") -> None:
        """Put ``number`` on the deny list (``blocked``)."""
        self.ddb.put_item(
            TableName=DENY_TABLE,
            Item={
                "phone_number": {"S": number},
                "status": {"S": "blocked"},
                "source": {"S": source},
                "reason": {"S": "asked not to be called"},
            },
        )

    def upload(self, key: str, body: bytes) -> dict[str, Any]:
        """Upload a job file and deliver its S3 notification to intake (as S3 would)."""
        put = self.s3.put_object(Bucket=JOBS_BUCKET, Key=key, Body=body)
        event = {
            "Records": [
                {
                    "eventSource": "aws:s3",
                    "eventName": "ObjectCreated:Put",
                    "s3": {
                        "bucket": {"name": JOBS_BUCKET},
                        "object": {"key": key, "eTag": put["ETag"].strip('"')},
                    },
                }
            ]
        }
        return intake.handler(event, None)

    def cancel(self, job_id: str) -> dict[str, Any]:
        """Cancel a job through the real cancel handler."""
        return cancel_handler.handler({"job_id": job_id}, None)

    def execution_arn(self, job_id: str) -> str:
        """Return the execution ARN of a job (named by its id)."""
        return self.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{job_id}"

    def run_until_done(
        self,
        job_id: str,
        *,
        timeout: float = 120.0,
        on_turn: Callable[[Pipeline], None] | None = None,
    ) -> dict[str, Any]:
        """Pump the dial queue and the calls until the job's execution ends; describe it."""
        arn = self.execution_arn(job_id)
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            handled = self._pump_once()
            if on_turn is not None:
                on_turn(self)
            status = self.sfn.describe_execution(executionArn=arn)
            if status["status"] != "RUNNING":
                # The dialer keeps consuming after the execution ends (a redelivered
                # message of a crashed batch, say), as its event source mapping would.
                self._drain_dial_queue(deadline)
                self.clock.sync()
                self.stats.wall_seconds = time.monotonic() - started
                history = self.sfn.get_execution_history(executionArn=arn, maxResults=1000)
                self.stats.parent_transitions = sum(
                    1 for e in history["events"] if e["type"].endswith("StateEntered")
                )
                self.stats.child_transitions = self.counter.total - self.stats.parent_transitions
                return dict(status)
            if not handled:
                time.sleep(0.01)
        raise TimeoutError(f"job {job_id} still running after {timeout} s")

    def _drain_dial_queue(self, deadline: float) -> None:
        """Pump until the dial queue holds no message, visible or in flight."""
        while time.monotonic() < deadline:
            attributes = self.sqs.get_queue_attributes(
                QueueUrl=self.dial_queue_url,
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                ],
            )["Attributes"]
            if not any(int(value) for value in attributes.values()):
                return
            if not self._pump_once():
                time.sleep(0.05)
        raise TimeoutError("the dial queue was not drained in time")

    def report(self, job_id: str) -> dict[str, Any]:
        """Return the job's result records as the report step wrote them."""
        body = self.s3.get_object(Bucket=REPORTS_BUCKET, Key=f"reports/{job_id}/results.json")
        parsed: dict[str, Any] = json.loads(body["Body"].read())
        return parsed

    def notifications_received(self) -> list[dict[str, Any]]:
        """Messages published to the completion topic so far."""
        out: list[dict[str, Any]] = []
        while True:
            got = self.sqs.receive_message(QueueUrl=self.notifications, MaxNumberOfMessages=10)
            messages = got.get("Messages", [])
            if not messages:
                return out
            for message in messages:
                out.append(json.loads(message["Body"]))
                self.sqs.delete_message(
                    QueueUrl=self.notifications, ReceiptHandle=message["ReceiptHandle"]
                )


def receiver_turns(script: Script) -> tuple[Turn, ...] | None:
    """Return what an answered receiver says to the flow (``None``: nothing is said).

    ``script.turns`` when given; else the answers, spoken, up to a hang-up.
    """
    if script.turns is not None:
        return script.turns
    if script.outcome is Outcome.ANSWER and script.answers:
        return tuple(say(answer) for answer in script.answers)
    if script.outcome is Outcome.HANG_UP:
        return (*(say(answer) for answer in script.answers_given), HANG_UP)
    return None


@contextlib.contextmanager
def offline_pipeline(
    settings: PipelineSettings | None = None,
    *,
    scripts: Mapping[str, Script] | None = None,
    default_script: Script | None = None,
    faults: Faults | None = None,
) -> Iterator[Pipeline]:
    """Build the offline deployment (moto, patched Lambda invoke, fake Connect) and yield it."""
    env = {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
    }
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.dict(os.environ, env))
        stack.enter_context(mock_aws(config={"stepfunctions": {"execute_state_machine": True}}))
        stack.enter_context(mock.patch.object(LambdaFunction, "invoke", invoke_in_process))
        pipeline = Pipeline(
            settings or PipelineSettings(),
            scripts if scripts is not None else {},
            default_script or Script(),
            faults or Faults(),
        )
        stack.enter_context(pipeline.counter.install())
        if pipeline.settings.skip_waits:
            stack.enter_context(pipeline.warp.install())
        stack.enter_context(mock.patch.dict(os.environ, pipeline.environment()))
        pipeline.wire()
        try:
            yield pipeline
        finally:
            clients.reset_clients()
