"""Jobs for the offline pipeline tests, written as model objects.

The job file formats give retry delays in minutes and windows in ``HH:MM``; these
tests need seconds, so they build the model directly and upload its normalised
JSON, read back by :func:`normalised_loader` in place of the job readers. The
readers themselves go through intake in ``test_intake.py``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

from callguard.outbound import model
from callguard.outbound.handlers import intake
from callguard_tools.outbound_sim.fake_connect import AttemptScripts  # noqa: F401 - used by the tests


@dataclass(frozen=True)
class Problem:
    """A validation problem as the readers report it."""

    location: str
    message: str
    code: str = "invalid"
    is_error: bool = True

    def to_dict(self) -> dict[str, str]:
        return {"location": self.location, "code": self.code, "message": self.message}


def normalised_loader(body: bytes, name: str, job_id: str) -> model.Job | Sequence[Problem]:
    """Read a normalised job; ``{"invalid": [...]}`` stands for a file with problems."""
    data = json.loads(body)
    if "invalid" in data:
        return [Problem(loc, "is wrong") for loc in data["invalid"]]
    return dataclasses.replace(model.from_dict(data), id=job_id)


@contextmanager
def stand_in_loader() -> Iterator[None]:
    """Let intake read the normalised job JSON these tests upload."""
    with mock.patch.object(intake, "LOADER", normalised_loader):
        yield


ALWAYS_OPEN = model.CallingWindow(
    start=dt.time(0, 0),
    end=dt.time(23, 59, 59),
    weekdays=frozenset(range(7)),
)


def make_job(
    receivers: Sequence[tuple[str, str]],
    *,
    questions: int = 2,
    attempts: int = 2,
    retry_delay: int = 0,
    window: model.CallingWindow = ALWAYS_OPEN,
) -> model.Job:
    """A job with ``receivers`` (id, number), ``questions`` Yes/No questions, an open window."""
    return model.Job(
        id="draft",
        config=model.JobConfig(
            greeting="Hello {{ name }}",
            window=window,
            retry=model.RetryPolicy(max_attempts=attempts, delay=dt.timedelta(seconds=retry_delay)),
        ),
        questions=tuple(
            model.Question(number=n, template=f"Question {n}?", type=model.QuestionType.YES_NO)
            for n in range(1, questions + 1)
        ),
        receivers=tuple(
            model.Receiver(id=rid, phone=phone, columns={"name": f"Name {rid}"})
            for rid, phone in receivers
        ),
        columns=("name",),
    )


def job_bytes(job: model.Job) -> bytes:
    return json.dumps(model.to_dict(job)).encode()


def number(n: int) -> str:
    """The n-th test number (UK mobile range)."""
    return f"+4477009{n:05d}"


def rows_by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["receiver_id"]: row for row in report["results"]}


def etc_zone(local_hour: int, now: dt.datetime) -> str:
    """An ``Etc/GMT±N`` zone in which it is ``local_hour`` o'clock at ``now`` (UTC)."""
    offset = (local_hour - now.hour + 12) % 24 - 12  # -12..11
    if offset == 0:
        return "Etc/UTC"
    # POSIX sign: Etc/GMT-3 is three hours *ahead* of UTC.
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"
