"""A throttling, hanging or trickling DynamoDB: the handlers answer with the fail mode, in time.

The endpoints are local HTTP servers on 127.0.0.1 that count requests. The time
bound is proven without timing anything: the runtime client's per-attempt
timeouts and attempt count are those of :mod:`callguard.aws`, whose composed
worst case is under 3 seconds, and the servers see exactly that many attempts.
A response that trickles in a byte at a time defeats per-attempt timeouts; the
invocation's deadline (:mod:`callguard.deadline`) cuts it, which the answer
shows: the fail mode's, where the whole response would have said "blocked".
"""

from __future__ import annotations

import gc
import json
import signal
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from runtime_events import EventFactory

from callguard import aws, deadline
from callguard.handlers import check_number, flag_number
from callguard_tools.bench.fault_endpoints import FaultMode, FaultServer, serving


class LambdaContext:
    """The part of the Lambda context the deadline reads."""

    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture(params=["throttle", "hang"])
def faulty_dynamodb(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FaultServer]:
    yield from _serve(request.param, monkeypatch)


@pytest.fixture
def fault_mode() -> FaultMode:
    """Overridden by ``@pytest.mark.parametrize("fault_mode", ...)``."""
    return "hang"


@pytest.fixture
def fault_server(fault_mode: FaultMode, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultServer]:
    yield from _serve(fault_mode, monkeypatch)


def _serve(mode: FaultMode, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultServer]:
    with serving(mode) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", server.url)
        monkeypatch.setenv("CALLGUARD_TABLE", "callguard-test")
        aws.reset_clients()
        aws.dynamodb_client()  # as the handler module's import does in Lambda's init phase
        yield server


def test_worst_case_is_under_three_seconds() -> None:
    assert aws.worst_case_seconds() == aws.WORST_CASE_SECONDS
    assert aws.WORST_CASE_SECONDS < 3.0
    config: Any = aws.dynamodb_client().meta.config  # botocore sets these at run time
    assert config.connect_timeout == aws.CONNECT_TIMEOUT_SECONDS
    assert config.read_timeout == aws.READ_TIMEOUT_SECONDS
    assert config.retries == {"mode": "standard", "total_max_attempts": aws.MAX_ATTEMPTS}


def test_client_is_created_once_per_container() -> None:
    assert aws.dynamodb_client() is aws.dynamodb_client()
    first = aws.dynamodb_client()
    aws.reset_clients()
    assert aws.dynamodb_client() is not first


@pytest.mark.parametrize(("mode", "blocked"), [("open", "false"), ("closed", "true")])
def test_check_answers_with_the_fail_mode(
    faulty_dynamodb: FaultServer,
    make_event: EventFactory,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    blocked: str,
) -> None:
    monkeypatch.setenv("CALLGUARD_FAIL_MODE", mode)
    answer = check_number.handler(make_event(), None)
    assert answer == {"blocked": blocked, "status": "error", "reason": "", "caller_class": "e164"}
    assert faulty_dynamodb.requests == aws.MAX_ATTEMPTS


def test_flag_answers_error(faulty_dynamodb: FaultServer, make_event: EventFactory) -> None:
    answer = flag_number.handler(make_event(), None)
    assert answer == {"result": "error", "status": "", "reason": ""}
    assert faulty_dynamodb.requests == aws.MAX_ATTEMPTS


# ---------------------------------------------------------------- the deadline
@pytest.mark.parametrize(("fault_mode", "remaining_ms"), [("trickle", 900), ("hang", 700)])
@pytest.mark.parametrize(("mode", "blocked"), [("open", "false"), ("closed", "true")])
def test_the_check_answers_by_its_deadline(
    fault_server: FaultServer,
    make_event: EventFactory,
    monkeypatch: pytest.MonkeyPatch,
    log_lines: Any,
    remaining_ms: int,
    mode: str,
    blocked: str,
) -> None:
    # The Lambda has less time left than one slow attempt needs: the deadline ends
    # the read (a trickle would have answered "blocked" seconds later; a hang would
    # have had a second attempt) and no second attempt starts.
    monkeypatch.setenv("CALLGUARD_FAIL_MODE", mode)
    answer = check_number.handler(make_event(), LambdaContext(remaining_ms))
    assert answer == {"blocked": blocked, "status": "error", "reason": "", "caller_class": "e164"}
    assert fault_server.requests == 1
    assert json.loads(log_lines.lines[-1])["error"] == "DeadlineExceeded"


@pytest.mark.parametrize("fault_mode", ["trickle"])
def test_the_flow_time_limit_bounds_the_check(
    fault_server: FaultServer, make_event: EventFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No Lambda context (as in the simulator): the flow's own limit still applies.
    monkeypatch.setenv("CALLGUARD_CHECK_TIME_LIMIT_SECONDS", "1")
    answer = check_number.handler(make_event(), None)
    assert (answer["status"], answer["blocked"]) == ("error", "false")
    assert fault_server.requests == 1


@pytest.mark.parametrize("fault_mode", ["trickle", "hang"])
def test_the_flag_answers_by_its_deadline(
    fault_server: FaultServer, make_event: EventFactory
) -> None:
    answer = flag_number.handler(make_event(), LambdaContext(700))
    assert answer == {"result": "error", "status": "", "reason": ""}
    assert fault_server.requests == 1


def test_throttling_with_retry_after_still_takes_two_attempts(
    make_event: EventFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Retry-After: 5 does not stretch the retry pause past the flow's limit.
    for server in _serve("throttle", monkeypatch):
        answer = check_number.handler(make_event(), LambdaContext(3000))
        assert answer["status"] == "error"
        assert server.requests == aws.MAX_ATTEMPTS


def test_the_deadline_is_the_earlier_of_flow_and_lambda() -> None:
    now = time.perf_counter()
    assert deadline.for_invocation(now, 3, None).at == pytest.approx(now + 2.7)
    assert deadline.for_invocation(now, 3, LambdaContext(60_000)).at == pytest.approx(now + 2.7)
    assert deadline.for_invocation(now, 3, LambdaContext(1000)).at <= now + 0.9
    assert deadline.for_invocation(now, 3, LambdaContext(50)).at == now  # nothing left


def test_an_expired_deadline_refuses_the_call_and_the_timer_is_restored() -> None:
    with pytest.raises(deadline.DeadlineExceeded), deadline.enforced(deadline.Deadline(0.0)):
        pytest.fail("the block must not run")
    before = signal.getsignal(signal.SIGALRM), signal.getitimer(signal.ITIMER_REAL)[1]
    with deadline.enforced(deadline.Deadline(time.perf_counter() + 60)):
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 50  # armed for this block
    assert (signal.getsignal(signal.SIGALRM), signal.getitimer(signal.ITIMER_REAL)[1]) == before


def test_the_deadline_never_raises_into_a_garbage_collector_callback() -> None:
    """Python drops (reports as unraisable) what a gc callback raises: the block would run on."""
    lost: list[BaseException | None] = []
    slow = {"on": False}

    def slow_collection(phase: str, _info: dict[str, int]) -> None:
        if phase == "start" and slow["on"]:
            slow["on"] = False
            time.sleep(0.2)  # the deadline passes in here

    previous_hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: lost.append(unraisable.exc_value)
    gc.callbacks.append(slow_collection)
    callbacks = len(gc.callbacks)
    try:
        with (
            pytest.raises(deadline.DeadlineExceeded),
            deadline.enforced(deadline.Deadline(time.perf_counter() + 0.05)),
        ):
            assert len(gc.callbacks) == callbacks + 2  # first and last while armed
            slow["on"] = True
            gc.collect()
            for _ in range(100):  # the next repeat interrupts ordinary code
                time.sleep(0.01)
            pytest.fail("the deadline did not interrupt the block")
    finally:
        gc.callbacks.remove(slow_collection)
        sys.unraisablehook = previous_hook
    assert lost == []
    assert len(gc.callbacks) == callbacks - 1
