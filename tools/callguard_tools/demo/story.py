"""The demo's shared state and tools: one story that every group of steps plays into.

:class:`Story` holds what one run of the demo shares (the emulator's endpoint,
the functions' environment, the verdicts so far) and the means every step
uses: a simulator of the rendered flows, the table the functions write, the
installed ``callguard`` CLI run in a subprocess (:meth:`Story.cli`), and the
printing and judging of a step. The step modules (:mod:`.scenarios`,
:mod:`.challenge_steps`, :mod:`.review_steps`, :mod:`.audit_steps`) import it;
it imports none of them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from callguard.store import DenyList
from callguard_tools.demo.local_aws import DEMO_REGION, aws_environment
from callguard_tools.flows.lambda_invoke import Fault
from callguard_tools.flows.simulation import Deployment, SimulationResult, Simulator
from callguard_tools.flows.transcript import mask_number

#: How long one CLI run may take before the step fails.
CLI_TIMEOUT_SECONDS = 120

#: Variables never passed to the CLI: they could select a real account, or another table.
_NOT_FOR_THE_CLI = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "CALLGUARD_TABLE")

#: Used when no plan supplied the functions' environment.
DEFAULT_FUNCTION_ENVIRONMENT: Mapping[str, str] = {
    "CALLGUARD_TABLE": "callguard-demo-denylist",
    "CALLGUARD_DEFAULT_COUNTRY": "GB",
    "CALLGUARD_FAIL_MODE": "open",
    "CALLGUARD_FLAG_MODE": "block",
    "CALLGUARD_BLOCK_ANONYMOUS": "false",
    "CALLGUARD_BLOCK_PENDING": "false",
}

_MODULE = "check_caller.module.json.tftpl"

Echo = Callable[[str], None]

#: The instance part of a Connect ARN, shortened in the printed story for readability.
_INSTANCE_PREFIX = re.compile(r"arn:aws:connect:[a-z0-9-]+:\d{12}:instance/[0-9a-f-]+/")


def readable(line: str) -> str:
    """Shorten Connect ARNs to their last part and mask phone numbers, for printing."""
    return mask_number(_INSTANCE_PREFIX.sub("<instance>/", line))


@dataclass(frozen=True)
class CliRun:
    """One run of the ``callguard`` CLI: the options it was given first, exit code and output."""

    options: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Standard output then standard error, as a terminal would show them."""
        return self.stdout + self.stderr

    def lines(self) -> list[str]:
        """Return the non-empty output lines, indented for the transcript."""
        return [f"  {line}" for line in self.output.splitlines() if line]


def cli_command() -> list[str]:
    """Return the installed ``callguard`` console script (or its entry point via Python)."""
    script = Path(sys.executable).with_name("callguard")
    if script.exists():
        return [str(script)]
    found = shutil.which("callguard")
    if found:
        return [found]
    return [sys.executable, "-c", "from callguard_tools.cli import main; main()"]


@dataclass(frozen=True)
class Verdict:
    """One step of the demo: what was expected, and whether it happened."""

    title: str
    expected: str
    ok: bool
    actual: str
    lines: tuple[str, ...] = ()


@dataclass
class Story:
    """The shared state of one demo run: endpoint, table, functions and what happened so far."""

    endpoint_url: str
    function_environment: Mapping[str, str]
    planned_flows: Mapping[str, str] = field(default_factory=dict)
    echo: Echo = print
    verbose: bool = False
    verdicts: list[Verdict] = field(default_factory=list)
    deployment: Deployment = field(default_factory=Deployment.render)

    @property
    def table(self) -> str:
        """The table the functions use (the planned name when a plan was made)."""
        return self.function_environment["CALLGUARD_TABLE"]

    def environment(self, changes: Mapping[str, str] | None = None) -> dict[str, str | None]:
        """Return the functions' environment on the local endpoint, with ``changes``.

        A profile the user has selected is removed (``None``): with the fake
        credentials and endpoint it could only fail, or worse, select an account.
        """
        return {
            "AWS_PROFILE": None,
            "AWS_DEFAULT_PROFILE": None,
            **aws_environment(self.endpoint_url),
            **self.function_environment,
            **(changes or {}),
        }

    def client(self, service: str) -> Any:
        """Return a boto3 client of ``service`` on the emulator, with its fake credentials."""
        session = boto3.session.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
            region_name=DEMO_REGION,
        )
        return session.client(service, endpoint_url=self.endpoint_url)  # type: ignore[call-overload]

    def store(self) -> DenyList:
        """Return a store on the demo table, to check what the functions and CLI wrote."""
        return DenyList(self.client("dynamodb"), self.table)

    def cli(self, args: list[str]) -> CliRun:
        """Run the installed ``callguard`` against the emulator and the demo table.

        The endpoint, table and region options come first (:attr:`CliRun.options`);
        the environment is ours minus anything that selects an account, plus the
        emulator's fake credentials.
        """
        options = ["--endpoint-url", self.endpoint_url, "--table", self.table]
        options += ["--region", DEMO_REGION]
        environment = {k: v for k, v in os.environ.items() if k not in _NOT_FOR_THE_CLI}
        done = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
            [*cli_command(), *options, *args],
            env={**environment, **aws_environment(self.endpoint_url)},
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_SECONDS,
            check=False,
        )
        return CliRun(tuple(options), done.returncode, done.stdout, done.stderr)

    def simulator(
        self,
        *,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
        faults: Mapping[str, Fault] | None = None,
        environment: Mapping[str, str] | None = None,
    ) -> Simulator:
        """Return a simulator of the rendered flows with the functions' environment.

        The module is rendered with the functions' fail mode, as an instance
        without its own ``fail_mode`` gets it from Terraform: whether a failure
        reaches the flow as a Lambda error (module branch) or as a ``status``
        of ``error`` (handler), the caller is then treated the same way.
        """
        function_env = {**self.function_environment, **(environment or {})}
        fail_mode = function_env.get("CALLGUARD_FAIL_MODE", "open")
        rendered = {
            _MODULE: {"fail_mode": fail_mode, **(overrides or {}).get(_MODULE, {})},
            **{name: dict(v) for name, v in (overrides or {}).items() if name != _MODULE},
        }
        deployment = Deployment.render(rendered)
        return Simulator(
            deployment,
            environment=self.environment(environment),
            faults={
                deployment.function_arn(variable): fault
                for variable, fault in (faults or {}).items()
            },
        )

    # ------------------------------------------------------------ reporting
    def step(self, title: str, expected: str) -> None:
        """Announce a step."""
        self.echo("")
        self.echo(f"[{len(self.verdicts) + 1}] {title}")
        self.echo(f"    expected: {expected}")

    def judge(self, title: str, expected: str, ok: bool, actual: str, lines: list[str]) -> Verdict:
        """Print the transcript and verdict of a step and record it."""
        for line in lines:
            self.echo(readable(f"  {line}"))
        self.echo(readable(f"    {'OK' if ok else 'UNEXPECTED'}: {actual}"))
        verdict = Verdict(title, expected, ok, actual, tuple(lines))
        self.verdicts.append(verdict)
        return verdict

    def call(
        self,
        title: str,
        expected: str,
        play: Callable[[], SimulationResult],
        check: Callable[[SimulationResult], tuple[bool, str]],
    ) -> SimulationResult:
        """Play one simulated contact and judge it."""
        self.step(title, expected)
        result = play()
        ok, actual = check(result)
        self.judge(title, expected, ok, actual, result.transcript.render(verbose=self.verbose))
        if not ok and _answered_error(result):
            self.echo(
                "    hint: a function answered with an error. If no outage was meant here, the "
                "local emulator may have answered slower than the function's DynamoDB timeouts "
                "(a busy machine); run the demo again to tell a slow machine from a defect."
            )
        return result


def _answered_error(result: SimulationResult) -> bool:
    """Whether any function call failed or answered ``status`` ``error``."""
    return any(
        not call.ok or call.response.get("status") == "error"
        for call in result.transcript.lambda_calls
    )


# ---------------------------------------------------------------- checks


def transferred_to(queue: str) -> Callable[[SimulationResult], tuple[bool, str]]:
    """Check: the contact ended in ``queue``."""

    def check(result: SimulationResult) -> tuple[bool, str]:
        outcome = result.outcome
        ok = outcome.kind == "transferred" and outcome.queue == queue
        status = result.attributes.get("callguard_status", "")
        return ok, f"{outcome.describe()} (callguard_status={status!r})"

    return check


def refused_with(message: str) -> Callable[[SimulationResult], tuple[bool, str]]:
    """Check: the caller heard ``message`` and was disconnected, never queued."""

    def check(result: SimulationResult) -> tuple[bool, str]:
        ok = (
            result.outcome.kind == "disconnected"
            and message in result.transcript.prompts
            and result.target_queue is None
        )
        status = result.attributes.get("callguard_status", "")
        return ok, f"heard {result.transcript.prompts!r}, {result.outcome.describe()} " + (
            f"(callguard_status={status!r})"
        )

    return check
