"""A fake Step Functions callback side: tasks that wait for a token, and what they received.

Attached to a real ``stepfunctions`` client (see :mod:`.hooks`): ``SendTaskSuccess``
and ``SendTaskFailure`` go to waiting tasks registered with :meth:`FakeStepFunctions.wait`.
A second send for a closed task is answered with ``TaskTimedOut`` and a token never
issued with ``TaskDoesNotExist``, the errors the runtime must swallow.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from callguard_tools.outbound_sim.hooks import ServiceError, attach


@dataclass(slots=True)
class TaskResult:
    """What a waiting task received: success output (parsed) or a failure."""

    output: dict[str, Any] | None = None
    error: str = ""


@dataclass(slots=True)
class FakeStepFunctions:
    """Waiting tasks by token; every send is also kept in ``sends`` (in order)."""

    waiting: set[str] = field(default_factory=set)
    results: dict[str, TaskResult] = field(default_factory=dict)
    sends: list[tuple[str, str]] = field(default_factory=list)
    #: Errors to answer the next sends with (a code per send), e.g. ["ThrottlingException"].
    fail_next: list[str] = field(default_factory=list)

    def wait(self, token: str) -> None:
        """Start a task waiting on ``token``."""
        self.waiting.add(token)

    def time_out(self, token: str) -> None:
        """Fire the task's timeout (the backstop): later sends get ``TaskTimedOut``."""
        self.waiting.discard(token)
        self.results.setdefault(token, TaskResult(error="States.Timeout"))

    def attach(self, client: Any) -> Any:
        """Answer ``client``'s callback operations from this fake; return the client."""
        attach(client, "SendTaskSuccess", self._success)
        attach(client, "SendTaskFailure", self._failure)
        return client

    def _take(self, token: str, kind: str) -> None:
        self.sends.append((kind, token))
        if self.fail_next:
            raise ServiceError(self.fail_next.pop(0), "injected", 400)
        if token in self.waiting:
            self.waiting.discard(token)
            return
        if token in self.results:
            raise ServiceError("TaskTimedOut", "Task Timed Out", 400)
        raise ServiceError("TaskDoesNotExist", "Task does not exist anymore", 400)

    def _success(self, request: dict[str, Any]) -> dict[str, Any]:
        token = str(request["taskToken"])
        self._take(token, "success")
        self.results[token] = TaskResult(output=json.loads(request["output"]))
        return {}

    def _failure(self, request: dict[str, Any]) -> dict[str, Any]:
        token = str(request["taskToken"])
        self._take(token, "failure")
        self.results[token] = TaskResult(error=str(request.get("error", "")))
        return {}
