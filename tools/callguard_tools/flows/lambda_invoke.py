"""Invoke a real handler in-process the way an ``InvokeLambdaFunction`` action would.

Connect enforces two rules that decide which branch a flow takes, and a flow
that is only tested against a well-behaved handler never exercises them:

* the time limit (``InvocationTimeLimitSeconds``, at most 8 s): a function that
  has not answered by then sends the contact down the error branch, even though
  the function itself keeps running;
* the response shape: with ``STRING_MAP`` validation (the default) the result
  must be a flat map of strings, and anything else (a number, a boolean, a
  nested map) is an error; with ``JSON`` any JSON object is accepted. Either way
  the response must stay under 32 KB.

:class:`LambdaInvoker` applies both to our real handlers, and lets tests inject
the faults a deployed function can show (raising, answering slowly, answering
with the wrong shape) without changing the handler.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

#: A Lambda handler: ``handler(event, context) -> response``.
Handler = Callable[[dict[str, Any], Any], Any]

#: Connect's limit on a Lambda response.
MAX_RESPONSE_BYTES = 32 * 1024

#: The upper bound Connect allows for ``InvocationTimeLimitSeconds``.
MAX_TIME_LIMIT_SECONDS = 8.0

ResponseType = Literal["STRING_MAP", "JSON"]


class LambdaFaultError(RuntimeError):
    """The error an injected ``raise`` fault throws from inside the handler."""


@dataclass(frozen=True, kw_only=True)
class Fault:
    """A misbehaviour injected into one function, to drive a flow's error branches.

    ``raises``: the handler raises instead of answering (an unhandled exception,
    as a deployed function with a bug would).
    ``delay_seconds``: simulated extra run time added to the measured duration,
    so a "slower than the limit" case needs no real sleeping.
    ``response``: the handler still runs (its side effects happen) but this
    value is returned in place of its answer, e.g. ``{"blocked": True}``.
    """

    raises: str | None = None
    delay_seconds: float = 0.0
    response: Any = None

    @property
    def replaces_response(self) -> bool:
        """Whether the fault swaps the handler's answer."""
        return self.response is not None


@dataclass(frozen=True)
class Invocation:
    """What happened when a flow invoked a function: the facts a transcript reports."""

    function_arn: str
    handler: str
    parameters: dict[str, Any]
    ok: bool
    response: dict[str, Any]
    error: str = ""
    duration_seconds: float = 0.0
    time_limit_seconds: float = MAX_TIME_LIMIT_SECONDS
    log_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class FakeLambdaContext:
    """The parts of the Lambda context object handlers commonly read."""

    function_name: str
    invoked_function_arn: str
    aws_request_id: str
    deadline: float
    memory_limit_in_mb: int = 256
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the (simulated) function timeout."""
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def load_handler(dotted: str) -> Handler:
    """Import ``package.module.function`` and return the function."""
    module_name, _, attribute = dotted.rpartition(".")
    if not module_name:
        raise ValueError(f"handler {dotted!r} is not 'module.function'")
    handler = getattr(importlib.import_module(module_name), attribute)
    if not callable(handler):
        raise TypeError(f"{dotted} is not callable")
    return handler  # type: ignore[no-any-return]


def validate_response(response: Any, response_type: ResponseType) -> str:
    """Return why Connect would reject ``response`` ("" when it is accepted)."""
    if not isinstance(response, dict):
        return f"response is {type(response).__name__}, not a JSON object"
    try:
        encoded = json.dumps(response)
    except (TypeError, ValueError) as error:
        return f"response is not JSON serialisable: {error}"
    if len(encoded.encode()) > MAX_RESPONSE_BYTES:
        return f"response is {len(encoded.encode())} bytes, over Connect's 32 KB limit"
    if response_type == "STRING_MAP":
        for key, value in response.items():
            if not isinstance(value, str):
                return f"STRING_MAP response value {key!r} is {type(value).__name__}, not a string"
    return ""


class _LogCapture(logging.Handler):
    """Collects the log lines a handler writes, as CloudWatch Logs would receive them."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextlib.contextmanager
def _captured_logs(logger_name: str) -> Iterator[_LogCapture]:
    """Route ``logger_name``'s output into a capture for the duration of one invocation.

    The runtime logs one JSON line per invocation to stdout; in a simulation
    that line belongs in the transcript, not interleaved with it.
    """
    logger = logging.getLogger(logger_name)
    capture = _LogCapture()
    saved = logger.handlers[:]
    logger.handlers = [capture]
    try:
        yield capture
    finally:
        logger.handlers = saved


@dataclass
class LambdaInvoker:
    """Maps function ARNs to in-process handlers and invokes them under Connect's rules.

    ``logger_name`` names the logger whose lines are captured into each
    :class:`Invocation` instead of being printed (the runtime's ``callguard``).
    """

    handlers: Mapping[str, str | Handler]
    faults: dict[str, Fault] = field(default_factory=dict)
    logger_name: str = "callguard"

    def handler_name(self, function_arn: str) -> str:
        """Return the name of the handler behind ``function_arn`` ("" if unmapped)."""
        target = self.handlers.get(function_arn)
        if target is None:
            return ""
        if isinstance(target, str):
            return target
        return f"{getattr(target, '__module__', '?')}.{getattr(target, '__qualname__', '?')}"

    def invoke(
        self,
        function_arn: str,
        event: dict[str, Any],
        *,
        time_limit_seconds: float,
        response_type: ResponseType = "STRING_MAP",
    ) -> Invocation:
        """Run the mapped handler with ``event`` and judge its answer as Connect would."""
        parameters = dict(event.get("Details", {}).get("Parameters", {}))
        name = self.handler_name(function_arn)

        logs: list[str] = []

        def _result(ok: bool, response: dict[str, Any], error: str, took: float) -> Invocation:
            return Invocation(
                function_arn=function_arn,
                handler=name,
                parameters=parameters,
                ok=ok,
                response=response,
                error=error,
                duration_seconds=took,
                time_limit_seconds=time_limit_seconds,
                log_lines=tuple(logs),
            )

        target = self.handlers.get(function_arn)
        if target is None:
            return _result(False, {}, f"no handler is mapped to {function_arn}", 0.0)
        try:
            handler = load_handler(target) if isinstance(target, str) else target
        except (ImportError, AttributeError, TypeError, ValueError) as error:
            return _result(False, {}, f"cannot load handler {name}: {error}", 0.0)

        fault = self.faults.get(function_arn, Fault())
        outcome: dict[str, Any] = {}
        deadline = time.monotonic() + time_limit_seconds
        context = FakeLambdaContext(
            function_name=function_arn.rsplit(":", 1)[-1],
            invoked_function_arn=function_arn,
            aws_request_id=str(event["Details"]["ContactData"].get("ContactId", "")),
            deadline=deadline,
        )

        def _run() -> None:
            try:
                if fault.raises is not None:
                    raise LambdaFaultError(fault.raises)
                outcome["response"] = handler(event, context)
            except Exception as error:  # any handler error takes the error branch
                outcome["error"] = f"{type(error).__name__}: {error}"

        # A daemon thread: a handler slower than the limit keeps running (as the
        # real function would) while the flow moves on down its error branch.
        started = time.monotonic()
        worker = threading.Thread(target=_run, name=f"lambda:{context.function_name}", daemon=True)
        with _captured_logs(self.logger_name) as capture:
            worker.start()
            worker.join(timeout=time_limit_seconds)
        logs.extend(capture.lines)
        took = time.monotonic() - started + fault.delay_seconds
        if worker.is_alive() or took > time_limit_seconds:
            return _result(
                False,
                {},
                f"timed out: no answer within InvocationTimeLimitSeconds={time_limit_seconds:g}",
                took,
            )
        if "error" in outcome:
            return _result(False, {}, f"function error: {outcome['error']}", took)
        response = fault.response if fault.replaces_response else outcome.get("response")
        problem = validate_response(response, response_type)
        if problem:
            return _result(False, {}, f"invalid response: {problem}", took)
        assert isinstance(response, dict)  # validate_response accepted it
        return _result(True, dict(response), "", took)
