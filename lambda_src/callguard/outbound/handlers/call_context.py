"""What the in-call functions share: which call this is, its plan, and the stores.

The outbound flow passes no job data to its functions: Amazon Connect sends the
contact id with every invocation, the task-token table maps it to the job, the
receiver and the attempt (the dialer recorded it when the call was placed), and the
job's plan (greeting, questions, ending, rendered for this receiver) is read from
where intake stored the job. So a six-question job costs the contact's 32 KB
attribute budget one prompt at a time, never the whole job.

The plan is behind :class:`PlanSource`, so tests and the simulator hand in their own;
:class:`S3PlanSource` reads the normalised job intake writes. Plans are cached per
container and job: a job never changes once started.
"""

from __future__ import annotations

import importlib
import json
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol, cast

from callguard.connect import ContactEvent
from callguard.outbound import layout
from callguard.outbound.handlers import clients
from callguard.outbound.model import Job, QuestionType, Receiver
from callguard.outbound.task_tokens import PendingCall, TaskTokenStore

#: Bot key (``modules/outbound_bots/bots.json``) of each question type that is answered;
#: the flow routes on it to the Lex block that uses that bot's alias.
BOT_FOR_TYPE: Final = {
    QuestionType.OK: "ok",
    QuestionType.YES_NO: "yes_no",
    QuestionType.MULTIPLE_CHOICE: "multiple_choice",
    QuestionType.NUMBER: "number",
    QuestionType.DATE: "date",
    QuestionType.TIME: "time",
}
#: What ``bot`` says for a question that is only spoken (a message): no bot hears it.
MESSAGE_BOT: Final = "message"
#: Longest prompt one question may put into the contact's attributes (UTF-8 bytes).
MAX_PROMPT_BYTES: Final = 8_192

#: Where the job engine's renderer lives (imported only by the deployed functions).
RENDERER_MODULE: Final = "callguard.outbound.render"

#: ``render(template, receiver, job)``: one message template as SSML for one receiver.
Renderer = Callable[[str, Receiver, Job], str]


class CallContextError(RuntimeError):
    """The call cannot be served: unknown contact, unknown job or receiver, a bad plan."""


@dataclass(frozen=True, slots=True)
class PlannedQuestion:
    """One question as this receiver hears it."""

    number: int
    type: QuestionType
    ssml: str

    @property
    def bot(self) -> str:
        """The bot key the flow asks this question with (``message`` when none)."""
        return BOT_FOR_TYPE.get(self.type, MESSAGE_BOT)


@dataclass(frozen=True, slots=True)
class CallPlan:
    """Everything one receiver hears, in order: greeting (with the opt-out), questions, ending."""

    job_id: str
    greeting: str
    questions: tuple[PlannedQuestion, ...]
    ending: str

    def question(self, number: int) -> PlannedQuestion:
        """Return question ``number`` (1-based)."""
        if not 1 <= number <= len(self.questions):
            raise CallContextError(f"job {self.job_id} has no question {number}")
        return self.questions[number - 1]


class PlanSource(Protocol):
    """Where the plan of a call comes from."""

    def plan(self, job_id: str, receiver_id: str) -> CallPlan:
        """Return the plan of ``receiver_id`` in ``job_id``; :class:`CallContextError` if none."""


def build_plan(job: Job, receiver: Receiver, render: Renderer) -> CallPlan:
    """Render a job's messages for one receiver into a :class:`CallPlan`.

    The greeting ends with the job's opt-out sentence (plain text, escaped), so every
    receiver is told how to stop the calls before the first question.
    """
    greeting = render(job.config.greeting, receiver, job) if job.config.greeting else ""
    opt_out = _escape(job.config.opt_out_text)
    greeting = _join_ssml(greeting, opt_out)
    questions = tuple(
        PlannedQuestion(q.number, q.type, _checked(render(q.template, receiver, job), q.number))
        for q in job.questions
    )
    ending = render(job.config.ending, receiver, job) if job.config.ending else ""
    return CallPlan(job.id, greeting, questions, ending or "<speak></speak>")


def _checked(ssml: str, number: int) -> str:
    if len(ssml.encode()) > MAX_PROMPT_BYTES:
        raise CallContextError(f"question {number} renders to more than {MAX_PROMPT_BYTES} bytes")
    return ssml


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _join_ssml(ssml: str, plain: str) -> str:
    """Append escaped plain text to an SSML document (or make one of it)."""
    inner = ssml.strip()
    if inner.startswith("<speak>") and inner.endswith("</speak>"):
        inner = inner[len("<speak>") : -len("</speak>")].strip()
    return f"<speak>{' '.join(part for part in (inner, plain) if part)}</speak>"


class S3PlanSource:
    """Plans from the normalised job intake stores in S3 (job document + receivers file).

    The keys are :mod:`callguard.outbound.layout`'s, the ones intake writes.
    ``s3`` is a botocore S3 client (typed loosely: the S3 stubs are not a dev dependency).
    """

    def __init__(self, s3: Any, bucket: str, render: Renderer) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._render = render
        self._jobs: dict[str, tuple[Job, Mapping[str, Receiver]]] = {}
        self._lock = threading.Lock()

    def plan(self, job_id: str, receiver_id: str) -> CallPlan:
        """Return the plan of one receiver (the job is read once per container)."""
        job, receivers = self._job(job_id)
        receiver = receivers.get(receiver_id)
        if receiver is None:
            raise CallContextError(f"job {job_id} has no receiver {receiver_id!r}")
        return build_plan(job, receiver, self._render)

    def _job(self, job_id: str) -> tuple[Job, Mapping[str, Receiver]]:
        with self._lock:
            cached = self._jobs.get(job_id)
        if cached is not None:
            return cached
        document = json.loads(self._read(layout.job_key(job_id)))
        try:
            job = layout.decode_job(document, self._read(layout.receivers_key(job_id)))
        except (KeyError, TypeError, ValueError) as error:
            raise CallContextError(f"job {job_id} is not stored as intake writes it") from error
        receivers = {r.id: r for r in job.receivers}
        with self._lock:
            self._jobs[job_id] = (job, receivers)
        return job, receivers

    def _read(self, key: str) -> str:
        try:
            body = self._s3.get_object(Bucket=self._bucket, Key=key)["Body"]
            return cast("bytes", body.read()).decode("utf-8")
        except Exception as error:
            raise CallContextError(f"cannot read s3://{self._bucket}/{key}") from error


@dataclass(frozen=True, slots=True)
class CallServices:
    """The stores one in-call invocation uses (built once per container, replaceable in tests)."""

    tokens: TaskTokenStore
    plans: PlanSource
    deny_list_table: str


def call_of(services: CallServices, contact: ContactEvent) -> PendingCall:
    """Return the recorded attempt of the invoking contact; :class:`CallContextError` if none."""
    if not contact.contact_id:
        raise CallContextError("the event carries no ContactId")
    call = services.tokens.get(contact.contact_id)
    if call is None:
        raise CallContextError("no call attempt is recorded for this contact")
    return call


# ---------------------------------------------------------------------- the container's services

_services: CallServices | None = None
_services_lock = threading.Lock()


def install(services: CallServices | None) -> None:
    """Use ``services`` for every following invocation (``None``: build from the environment)."""
    global _services  # noqa: PLW0603 - one set of stores per container is the point
    with _services_lock:
        _services = services


def services() -> CallServices:
    """Return this container's services, built from ``CALLGUARD_*`` on first use."""
    global _services  # noqa: PLW0603 - one set of stores per container is the point
    with _services_lock:
        if _services is None:
            _services = _from_environment(os.environ)
        return _services


def _from_environment(env: Mapping[str, str]) -> CallServices:
    """Build the services the deployed functions use; every missing setting is named."""
    names = (
        "CALLGUARD_OUTBOUND_TOKEN_TABLE",
        "CALLGUARD_OUTBOUND_JOB_BUCKET",
        "CALLGUARD_TABLE",
    )
    missing = [name for name in names if not env.get(name, "").strip()]
    if missing:
        raise clients.OutboundConfigError(f"{', '.join(missing)} required by the call functions")
    tokens = TaskTokenStore(
        clients.dynamodb_client(), clients.sfn_client(), env["CALLGUARD_OUTBOUND_TOKEN_TABLE"]
    )
    s3 = clients.s3_client()
    plans = S3PlanSource(s3, env["CALLGUARD_OUTBOUND_JOB_BUCKET"], job_renderer())
    return CallServices(tokens, plans, env["CALLGUARD_TABLE"])


def job_renderer() -> Renderer:
    """Return the job engine's renderer (sandboxed templates into escaped SSML)."""
    module = importlib.import_module(RENDERER_MODULE)
    engine: Any = module.Renderer()
    variables: Any = module.variables

    def render(template: str, receiver: Receiver, job: Job) -> str:
        del job
        return cast("str", engine.render(template, variables(receiver)))

    return render
