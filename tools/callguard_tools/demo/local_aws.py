"""A local AWS emulation for the demo: ``moto_server`` on loopback, and an environment for it.

The demo must run on a machine with no AWS account and must never reach a real
one, whatever credentials the user happens to have. So every client it creates
(the handlers in-process, the ``callguard`` CLI in a subprocess) gets fake
credentials and an endpoint on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

from callguard_tools.installation import check_extra

#: How long ``moto_server`` may take to answer its first request (normally ~0.3 s).
STARTUP_WAIT_SECONDS = 30.0

DEMO_REGION = "eu-west-2"

#: Variables that select an AWS account or endpoint; never passed to the emulator.
_ACCOUNT_SELECTORS = frozenset(
    {
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_ENDPOINT_URL_STS",
    }
)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def dead_endpoint() -> str:
    """Return an endpoint URL on loopback where nothing listens: every connection is refused.

    The demo points the check function at it to show what a DynamoDB outage does.
    """
    return f"http://127.0.0.1:{free_port()}"


def aws_environment(endpoint_url: str, region: str = DEMO_REGION) -> dict[str, str]:
    """Environment variables that send every AWS SDK call to ``endpoint_url``.

    Fake static credentials replace any profile or SSO session the user has, and
    ``AWS_ENDPOINT_URL`` redirects every service (DynamoDB, and STS, which the
    CLI calls to record who made a change).
    """
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint_url,
        "AWS_ENDPOINT_URL_STS": endpoint_url,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    }


@dataclass(frozen=True)
class MotoServer:
    """A running ``moto_server`` and the URL it answers on."""

    process: subprocess.Popen[bytes]
    endpoint_url: str

    def reset(self) -> None:
        """Forget every resource (moto's ``/moto-api/reset``)."""
        url = f"{self.endpoint_url}/moto-api/reset"
        request = urllib.request.Request(url, method="POST")  # noqa: S310 - loopback URL we built
        with urllib.request.urlopen(request, timeout=5):  # noqa: S310
            pass


def _wait_until_ready(process: subprocess.Popen[bytes], endpoint_url: str) -> None:
    deadline = time.monotonic() + STARTUP_WAIT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with code {process.returncode} on start")
        try:
            with urllib.request.urlopen(  # noqa: S310 - loopback URL we built
                f"{endpoint_url}/moto-api/", timeout=1
            ):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    raise RuntimeError(
        f"moto_server did not answer on {endpoint_url} within {STARTUP_WAIT_SECONDS:g} s"
    )


@contextlib.contextmanager
def moto_server() -> Iterator[MotoServer]:
    """Start ``moto_server`` on a free loopback port; stop it (and only it) on exit."""
    check_extra("sim", ["moto", "flask", "flask_cors"], purpose="the local DynamoDB (moto_server)")
    port = free_port()
    endpoint_url = f"http://127.0.0.1:{port}"
    # moto uses botocore itself: a profile of the user's would break it, so it
    # gets the same fake credentials as every other client of the demo.
    environment = {k: v for k, v in os.environ.items() if k not in _ACCOUNT_SELECTORS}
    environment.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": DEMO_REGION,
        }
    )
    process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )
    try:
        _wait_until_ready(process, endpoint_url)
        yield MotoServer(process, endpoint_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
