"""Local HTTP endpoints that fail like a sick DynamoDB: throttle, hang or trickle.

One place for the fault servers used both by the unit tests (which count the
attempts each fault gets and check the answer) and by ``make bench`` (which
times the handlers' answers under each fault). Each server listens on
127.0.0.1 on a free port and counts the requests it sees.

- ``throttle``: every request gets DynamoDB's ``ThrottlingException`` with
  ``Retry-After: 5`` (as DynamoDB's front end may send; botocore ignores it,
  and the handler's deadline must not let it stretch the answer);
- ``hang``: the request is read, then nothing is sent until the server stops;
- ``trickle``: a 200 answer whose body (a listed number) comes a byte every
  :data:`TRICKLE_PAUSE` seconds, which resets a read timeout with each byte.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Final, Literal

FaultMode = Literal["throttle", "hang", "trickle"]
#: Every fault, in the order reports list them.
MODES: Final[tuple[FaultMode, ...]] = ("throttle", "hang", "trickle")

#: What the trickling server sends, a byte at a time: a complete answer would block.
LISTED: Final = json.dumps(
    {"Item": {"status": {"S": "blocked"}, "reason": {"S": "fraud"}}}
).encode()
#: Seconds between two trickled bytes: well under the read timeout, so no attempt times out.
TRICKLE_PAUSE: Final = 0.1
#: Seconds a hanging request waits at most (the server's stop releases it sooner).
HANG_SECONDS: Final = 30.0
THROTTLE_BODY: Final = (
    b'{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException",'
    b'"message":"Rate of requests exceeds the allowed throughput."}'
)


class FaultServer(ThreadingHTTPServer):
    """An HTTP server that fails every request in the chosen ``mode`` and counts them."""

    daemon_threads = True

    def __init__(self, mode: FaultMode) -> None:
        super().__init__(("127.0.0.1", 0), FaultHandler)
        self.mode: FaultMode = mode
        self.requests = 0
        self.lock = threading.Lock()
        #: Set when the server stops: hanging and trickling requests end then.
        self.release = threading.Event()

    @property
    def url(self) -> str:
        """The endpoint URL to give a client (``AWS_ENDPOINT_URL_DYNAMODB``)."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def reset_count(self) -> None:
        """Start counting requests from zero (between two measured calls)."""
        with self.lock:
            self.requests = 0


class FaultHandler(BaseHTTPRequestHandler):
    """Answers every POST (all DynamoDB calls are POSTs) with the server's fault."""

    server: FaultServer

    def do_POST(self) -> None:
        """Read the request, count it, then fail it."""
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.server.lock:
            self.server.requests += 1
        if self.server.mode == "hang":
            self.server.release.wait(HANG_SECONDS)
            return
        if self.server.mode == "trickle":
            self._trickle()
            return
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(THROTTLE_BODY)))
        self.send_header("Retry-After", "5")
        self.end_headers()
        self.wfile.write(THROTTLE_BODY)

    def _trickle(self) -> None:
        """Answer at once, then send the body one byte per pause (seconds in all)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(LISTED)))
        self.end_headers()
        self.wfile.flush()
        for index in range(len(LISTED)):
            if self.server.release.wait(TRICKLE_PAUSE):
                return
            try:
                self.wfile.write(LISTED[index : index + 1])
                self.wfile.flush()
            except OSError:  # the client gave up: what the deadline is for
                return

    def log_message(self, format: str, *args: object) -> None:
        """Keep test and bench output quiet."""


@contextmanager
def serving(mode: FaultMode) -> Iterator[FaultServer]:
    """Run a :class:`FaultServer` in a background thread for the ``with`` block."""
    server = FaultServer(mode)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
