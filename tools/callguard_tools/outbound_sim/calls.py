"""Play outbound calls through the real outbound flow and the real in-call functions, offline.

:class:`CallRig` is what the flow tests, ``callguard flows simulate`` and the demo
share: the rendered outbound flow (:class:`~callguard_tools.flows.simulation.Deployment`),
the task-token and deny-list tables on whatever DynamoDB the caller set up (moto in
tests), a fake Step Functions callback side, and a job's plans held in memory. Each
:meth:`CallRig.call` records a task token for a new contact id, as the dialer would
after ``StartOutboundVoiceContact``, then walks the contact through the flow with a
scripted receiver whose words and keys are heard by the bots Terraform deploys.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from callguard.outbound.handlers import call_context
from callguard.outbound.handlers.call_context import (
    CallContextError,
    CallPlan,
    CallServices,
    PlanSource,
    Renderer,
    build_plan,
)
from callguard.outbound.model import Job, Receiver
from callguard.outbound.task_tokens import PendingCall, TaskTokenStore
from callguard.store import create_table
from callguard_tools.flows.connect_event import Contact
from callguard_tools.flows.simulation import CallScript, Deployment, SimulationResult, Simulator
from callguard_tools.flows.simulation.deployment import OUTBOUND_FLOW
from callguard_tools.outbound_sim.fake_sfn import FakeStepFunctions, TaskResult
from callguard_tools.outbound_sim.tables import create_token_table

#: Table names the rig creates.
TOKEN_TABLE = "callguard-sim-outbound-tokens"  # noqa: S105 - a table name
DENY_TABLE = "callguard-sim-denylist"
#: The outbound flow's template.
OUTBOUND_TEMPLATE = "outbound_call.flow.json.tftpl"


def plain_text_renderer(template: str, receiver: Receiver, job: Job) -> str:
    """Render a template that uses no variables: escape it into SSML.

    The simulator's own jobs are written without template variables, so their
    messages need no template engine; a template that has one is refused rather
    than read out with its braces.
    """
    del receiver, job
    if "{{" in template or "{%" in template:
        raise CallContextError("the simulator renders only templates without variables")
    escaped = template.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<speak>{escaped}</speak>"


@dataclass
class JobPlans:
    """A :class:`~callguard.outbound.handlers.call_context.PlanSource` over jobs in memory."""

    render: Renderer = plain_text_renderer
    jobs: dict[str, Job] = field(default_factory=dict)

    def add(self, job: Job) -> None:
        """Make ``job`` known to the call functions."""
        self.jobs[job.id] = job

    def plan(self, job_id: str, receiver_id: str) -> CallPlan:
        """Return the plan of one receiver of a known job."""
        job = self.jobs.get(job_id)
        if job is None:
            raise CallContextError(f"no job {job_id!r}")
        for receiver in job.receivers:
            if receiver.id == receiver_id:
                return build_plan(job, receiver, self.render)
        raise CallContextError(f"job {job_id} has no receiver {receiver_id!r}")


@dataclass(frozen=True)
class PlayedCall:
    """One simulated call: the flow's walk, the attempt as recorded, and what the task got."""

    simulation: SimulationResult
    call: PendingCall | None
    task: TaskResult | None

    @property
    def answers(self) -> dict[str, str]:
        """The answers stored during the call (question number -> answer)."""
        return dict(self.call.answers) if self.call is not None else {}

    @property
    def status(self) -> str:
        """The status the flow resolved the task with ("" when it did not resolve it)."""
        output = self.task.output if self.task is not None else None
        return str(output["status"]) if output else ""


class CallRig:
    """The outbound flow, its functions and their stores, ready to take simulated calls.

    ``dynamodb`` and ``sfn`` are boto3 clients (moto's in tests); the rig creates its
    two tables on ``dynamodb`` (unless they exist) and answers ``sfn``'s callbacks from a
    :class:`FakeStepFunctions`. ``overrides`` change the outbound template's variables
    (``max_retries``, ``voicemail_message``, ...); ``environment`` is the functions'.

    The offline pipeline hands in its own ``tokens`` (the dialer's store, whose
    callbacks reach the real execution), ``deny_table`` and ``plans`` (the job as
    intake stored it), and plays the calls its fake Connect answered with :meth:`play`.
    """

    def __init__(
        self,
        dynamodb: Any,
        sfn: Any,
        *,
        plans: PlanSource | None = None,
        overrides: Mapping[str, Any] | None = None,
        environment: Mapping[str, str | None] | None = None,
        tokens: TaskTokenStore | None = None,
        deny_table: str = DENY_TABLE,
    ) -> None:
        existing = set(dynamodb.list_tables().get("TableNames", []))
        if tokens is None and TOKEN_TABLE not in existing:
            create_token_table(dynamodb, TOKEN_TABLE)
        if deny_table not in existing:
            create_table(dynamodb, deny_table)
        self.dynamodb = dynamodb
        self.deny_table = deny_table
        self.fake_sfn = FakeStepFunctions()
        self.tokens = tokens or TaskTokenStore(dynamodb, self.fake_sfn.attach(sfn), TOKEN_TABLE)
        self.plans: PlanSource = plans or JobPlans()
        self.deployment = Deployment.render(
            {"outbound_call.flow.json.tftpl": dict(overrides or {})}
        )
        self.simulator = Simulator(
            self.deployment, environment={"CALLGUARD_TABLE": deny_table, **(environment or {})}
        )
        self._tokens = itertools.count(1)

    @property
    def services(self) -> CallServices:
        """What the call functions are handed while the rig plays a call."""
        return CallServices(self.tokens, self.plans, self.deny_table)

    def play(self, contact: Contact, script: CallScript) -> SimulationResult:
        """Walk an already placed call (its task token recorded) through the outbound flow."""
        call_context.install(self.services)
        try:
            return self.simulator.call(OUTBOUND_FLOW, contact, script)
        finally:
            call_context.install(None)

    def call(
        self,
        job: Job,
        receiver: Receiver,
        script: CallScript,
        *,
        attempt: int = 1,
        contact_id: str | None = None,
    ) -> PlayedCall:
        """Place one call to ``receiver`` and play it with ``script``."""
        if isinstance(self.plans, JobPlans):
            self.plans.add(job)
        contact = Contact.outbound(receiver.phone, contact_id=contact_id)
        token = f"task-token-{next(self._tokens)}"
        self.fake_sfn.wait(token)
        self.tokens.record(contact.contact_id, token, job.id, receiver.id, attempt)
        result = self.play(contact, script)
        return PlayedCall(
            simulation=result,
            call=self.tokens.get(contact.contact_id),
            task=self.fake_sfn.results.get(token),
        )
