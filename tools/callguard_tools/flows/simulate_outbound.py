"""The outbound form of ``callguard flows simulate``: a scripted receiver through the outbound flow.

The call is played by :class:`~callguard_tools.outbound_sim.calls.CallRig`, the same
rig the flow tests and the offline pipeline use: the rendered outbound flow, the real
in-call functions, moto's DynamoDB for the task tokens and the deny list, and the
receiver's words and keys heard through ``modules/outbound_bots/bots.json``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import click
from moto import mock_aws

from callguard.outbound.handlers import clients
from callguard.outbound.handlers.call_context import job_renderer
from callguard.outbound.load import load_job
from callguard.outbound.model import Job, JobConfig, Question, QuestionType, Receiver
from callguard_tools.flows.simulation import CallScript, Turn
from callguard_tools.outbound_sim.calls import CallRig, JobPlans, PlayedCall

#: Region of the in-process emulation.
REGION = "eu-west-2"
#: The receiver of the built-in job (the UK's drama range).
DEFAULT_PHONE = "+447700900123"


def default_job(phone: str) -> Job:
    """Return a one-question Yes/No job for one receiver, used when no ``--job`` is given."""
    return Job(
        id="simulated-job",
        config=JobConfig(greeting="Hello, this is a simulated call.", ending="Thank you, goodbye."),
        questions=(Question(1, "Can you hear this question?", QuestionType.YES_NO),),
        receivers=(Receiver("r-1", phone),),
    )


def read_job(path: Path) -> Job:
    """Read a job file with the job readers; every error is reported with its place."""
    job, problems = load_job(path)
    errors = [p for p in problems if p.is_error]
    if job is None or errors:
        raise click.BadParameter(
            "; ".join(str(p) for p in errors) or "unreadable", param_hint="--job"
        )
    return job


def turns_of(turn: Sequence[str], script_file: Path | None) -> tuple[Turn, ...]:
    """Return the receiver's turns: ``--turn`` values, then the script file's lines.

    A turn is speech, ``key:1#`` (keypad), ``<silence>`` or ``<hang-up>``; blank lines and
    lines starting with ``#`` in the file are skipped.
    """
    lines = list(turn)
    if script_file is not None:
        for line in script_file.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                lines.append(line.strip())
    return tuple(Turn.parse(text) for text in lines)


#: The emulation's environment: its region and moto's fake credentials, never a profile.
EMULATED_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


@contextmanager
def _rig(overrides: dict[str, Any]) -> Iterator[CallRig]:
    """Yield the call rig on an in-process moto; the functions' clients are built inside it."""
    clients.reset_clients()
    with mock.patch.dict(os.environ, EMULATED_ENVIRONMENT), mock_aws():
        try:
            yield CallRig(
                boto3.client("dynamodb", region_name=REGION),
                boto3.client("stepfunctions", region_name=REGION),
                plans=JobPlans(render=job_renderer()),
                overrides=overrides,
            )
        finally:
            clients.reset_clients()


def play_outbound(
    turns: tuple[Turn, ...],
    *,
    job: Job | None = None,
    receiver_id: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> PlayedCall:
    """Play one call of ``job`` (default: :func:`default_job`) to one receiver with ``turns``."""
    job = job or default_job(DEFAULT_PHONE)
    receivers = {r.id: r for r in job.receivers}
    receiver = receivers.get(receiver_id) if receiver_id else job.receivers[0]
    if receiver is None:
        raise click.BadParameter(
            f"the job has no receiver {receiver_id!r}", param_hint="--receiver"
        )
    with _rig(overrides or {}) as rig:
        return rig.call(job, receiver, CallScript(turns=turns))
