"""A throttling or hanging DynamoDB: the handlers answer with the fail mode, within the bound.

The endpoints are local HTTP servers on 127.0.0.1 that count requests. The time
bound is proven without timing anything: the runtime client's per-attempt
timeouts and attempt count are those of :mod:`callguard.aws`, whose composed
worst case is under 3 seconds, and the servers see exactly that many attempts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from runtime_events import EventFactory

from callguard import aws
from callguard.handlers import check_number, flag_number


class FaultServer(ThreadingHTTPServer):
    """An HTTP server that fails every request in a chosen way and counts them."""

    daemon_threads = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), FaultHandler)
        self.mode = mode
        self.requests = 0
        self.lock = threading.Lock()
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class FaultHandler(BaseHTTPRequestHandler):
    server: FaultServer

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.server.lock:
            self.server.requests += 1
        if self.server.mode == "hang":
            self.server.release.wait(30)  # stall until the test ends
            return
        body = (
            b'{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException",'
            b'"message":"Rate of requests exceeds the allowed throughput."}'
        )
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture(params=["throttle", "hang"])
def faulty_dynamodb(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FaultServer]:
    server = FaultServer(request.param)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", server.url)
    monkeypatch.setenv("CALLGUARD_TABLE", "callguard-test")
    aws.reset_clients()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


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
