"""The demo's story: simulated calls through the real flows, handlers, table and CLI.

Each step plays one moment of a contact center's day and states what must
happen; :func:`play_calls` runs them in order against a DynamoDB endpoint (the
demo's local ``moto_server``) and returns every step's verdict, so both
``make demo`` and the end-to-end test fail when any outcome differs.

The story: an unknown caller is queued; the agent flags them through the quick
connect; their next call is refused; a supervisor removes them with the
``callguard`` CLI and they are queued again; a withheld caller is handled by the
anonymous-caller policy; the table goes down and the fail mode decides.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from callguard.store import DenyList, create_table
from callguard_tools.demo.audit_steps import audit_steps
from callguard_tools.demo.challenge_steps import spam_challenge_steps
from callguard_tools.demo.local_aws import DEMO_REGION, aws_environment, dead_endpoint
from callguard_tools.demo.review_steps import review_steps
from callguard_tools.environ import patched_environ
from callguard_tools.flows.connect_event import WITHHELD_ADDRESS, Contact
from callguard_tools.flows.shipped_templates import DEMO_VALUES
from callguard_tools.flows.lambda_invoke import Fault
from callguard_tools.flows.model import parse_flow
from callguard_tools.flows.simulation import Deployment, Simulator, sim_flow
from callguard_tools.flows.transcript import mask_number
from callguard_tools.flows.walker import FlowLibrary, SimulationResult

#: The caller of the story (a number reserved for drama in the UK plan).
CALLER = "+442079460958"

#: Used when no plan supplied the functions' environment.
DEFAULT_FUNCTION_ENVIRONMENT: Mapping[str, str] = {
    "CALLGUARD_TABLE": "callguard-demo-denylist",
    "CALLGUARD_DEFAULT_COUNTRY": "GB",
    "CALLGUARD_FAIL_MODE": "open",
    "CALLGUARD_FLAG_MODE": "block",
    "CALLGUARD_BLOCK_ANONYMOUS": "false",
    "CALLGUARD_BLOCK_PENDING": "false",
}

_INBOUND = "inbound_denylist.flow.json.tftpl"
_MODULE = "check_caller.module.json.tftpl"
_FLAG = "agent_flag.flow.json.tftpl"

Echo = Callable[[str], None]

#: The instance part of a Connect ARN, shortened in the printed story for readability.
_INSTANCE_PREFIX = re.compile(r"arn:aws:connect:[a-z0-9-]+:\d{12}:instance/[0-9a-f-]+/")


def readable(line: str) -> str:
    """Shorten Connect ARNs to their last part and mask phone numbers, for printing."""
    return mask_number(_INSTANCE_PREFIX.sub("<instance>/", line))


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
    last_contact: Contact | None = None

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

    def store(self) -> DenyList:
        """Return a store on the demo table, to check what the functions and CLI wrote."""
        session = boto3.session.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - moto's fake credentials
            region_name=DEMO_REGION,
        )
        client = session.client("dynamodb", endpoint_url=self.endpoint_url)
        return DenyList(client, self.table)

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
        self.last_contact = result.contact
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


# ---------------------------------------------------------------- the story


def _cli_command() -> list[str]:
    """Return the installed ``callguard`` console script (or its entry point via Python)."""
    script = Path(sys.executable).with_name("callguard")
    if script.exists():
        return [str(script)]
    found = shutil.which("callguard")
    if found:
        return [found]
    return [sys.executable, "-c", "from callguard_tools.cli import main; main()"]


def _supervisor_removes(story: Story) -> None:
    title = "A supervisor removes the number with the callguard CLI"
    expected = "the CLI exits 0 and the table no longer lists the number"
    story.step(title, expected)
    args = [
        "--endpoint-url",
        story.endpoint_url,
        "--table",
        story.table,
        "--region",
        DEMO_REGION,
        "denylist",
        "remove",
        CALLER,
    ]
    shown = mask_number(" ".join(["$ callguard", *args]))
    done = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [*_cli_command(), *args],
        env={**_base_environment(), **aws_environment(story.endpoint_url)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [f"  {shown}"]
    lines += [f"  {line}" for line in (done.stdout + done.stderr).splitlines() if line]
    listed = story.store().get(CALLER)
    ok = done.returncode == 0 and listed is None
    actual = f"exit code {done.returncode}, " + (
        "number no longer listed" if listed is None else f"still listed as {listed.status}"
    )
    story.judge(title, expected, ok, actual, lines)


def _base_environment() -> dict[str, str]:
    """Return our environment minus anything that could select a real account."""
    import os  # noqa: PLC0415 - only the subprocess step needs it

    drop = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "CALLGUARD_TABLE")
    return {key: value for key, value in os.environ.items() if key not in drop}


def _agent_flags(story: Story, on_call: Contact) -> None:
    sim = story.simulator()
    success = str(DEMO_VALUES[_FLAG]["success_message"])

    def check(result: SimulationResult) -> tuple[bool, str]:
        entry = story.store().get(CALLER)
        ok = (
            result.attributes.get("callguard_flag_result") == "flagged"
            and success in result.transcript.prompts
            and entry is not None
            and entry.status == "blocked"
            and entry.source == "agent"
            and entry.previous_contact_id == on_call.contact_id
        )
        stored = "not stored" if entry is None else f"stored as {entry.status} by {entry.source}"
        return ok, f"agent heard {result.transcript.prompts[-1:]!r}; number {stored}"

    story.call(
        "The agent presses the 'flag caller' quick connect during that call",
        "the flag function blocks the number and the agent hears the confirmation",
        lambda: sim.agent_flag(on_call),
        check,
    )


def _planned_static_flow(story: Story) -> None:
    """Walk a call through a flow exactly as Terraform planned it (when the plan has one)."""
    if not story.planned_flows:
        return
    address, content = sorted(story.planned_flows.items())[0]
    parsed = parse_flow(content, address, "CONTACT_FLOW")
    library = FlowLibrary()
    library.add(sim_flow(parsed, "planned_static_list"))
    deployment = Deployment(values=story.deployment.values, library=library, handlers={})
    sim = Simulator(deployment, environment=story.environment())
    numbers = [
        condition.operands[0]
        for action in parsed.actions
        for condition in action.conditions
        if condition.operands
    ]

    def check(result: SimulationResult) -> tuple[bool, str]:
        ok = result.outcome.kind == "disconnected" and not result.transcript.lambda_calls
        return (
            ok,
            f"{result.outcome.describe()}, {len(result.transcript.lambda_calls)} Lambda calls",
        )

    instance = re.search(r'instances\["([^"]+)"\]', address)
    where = f"the {instance.group(1)} instance's" if instance else "a"
    story.call(
        f"A listed caller rings {where} static-list flow, exactly as Terraform planned it",
        "refused by the flow's own comparison: no Lambda, no table",
        lambda: sim.call("planned_static_list", Contact.inbound(str(numbers[0]))),
        check,
    )


def play_calls(
    endpoint_url: str,
    function_environment: Mapping[str, str] | None = None,
    planned_flows: Mapping[str, str] | None = None,
    echo: Echo = print,
    *,
    verbose: bool = False,
) -> list[Verdict]:
    """Create the table on ``endpoint_url`` and play the story; return every verdict.

    ``verbose`` prints every action, branch and handler log line of each call.

    The whole story runs with fake credentials and no profile, so neither the
    functions nor the checks can pick up the user's AWS configuration.
    """
    safe: dict[str, str | None] = {"AWS_PROFILE": None, "AWS_DEFAULT_PROFILE": None}
    with patched_environ({**safe, **aws_environment(endpoint_url)}):
        return _play(endpoint_url, function_environment, planned_flows, echo, verbose)


def _play(
    endpoint_url: str,
    function_environment: Mapping[str, str] | None,
    planned_flows: Mapping[str, str] | None,
    echo: Echo,
    verbose: bool,
) -> list[Verdict]:
    story = Story(
        endpoint_url=endpoint_url,
        function_environment=dict(function_environment or DEFAULT_FUNCTION_ENVIRONMENT),
        planned_flows=dict(planned_flows or {}),
        echo=echo,
        verbose=verbose,
    )
    create_table(story.store().client, story.table)
    queue = story.deployment.queue_arn
    blocked_message = str(DEMO_VALUES[_INBOUND]["blocked_message"])
    caller = mask_number(CALLER)

    first = story.call(
        f"An unknown caller ({caller}) rings the support line",
        "the check finds nothing; the call is transferred to the working queue",
        lambda: story.simulator().inbound(CALLER),
        transferred_to(queue),
    )
    _agent_flags(story, first.contact)
    story.call(
        "The same caller rings again",
        "the blocked message, then disconnected before reaching a queue",
        lambda: story.simulator().inbound(CALLER),
        refused_with(blocked_message),
    )
    _supervisor_removes(story)
    story.call(
        "The caller rings once more",
        "routed to the working queue again",
        lambda: story.simulator().inbound(CALLER),
        transferred_to(queue),
    )
    story.call(
        "A caller with a withheld number rings (policy: CALLGUARD_BLOCK_ANONYMOUS=false)",
        "status anonymous; let through to the queue",
        lambda: story.simulator(environment={"CALLGUARD_BLOCK_ANONYMOUS": "false"}).inbound(
            WITHHELD_ADDRESS
        ),
        transferred_to(queue),
    )
    story.call(
        "The same withheld caller, with the policy switched to CALLGUARD_BLOCK_ANONYMOUS=true",
        "status anonymous; refused",
        lambda: story.simulator(environment={"CALLGUARD_BLOCK_ANONYMOUS": "true"}).inbound(
            WITHHELD_ADDRESS
        ),
        refused_with(blocked_message),
    )
    dead = dead_endpoint()
    outage = {"AWS_ENDPOINT_URL": dead, "AWS_ENDPOINT_URL_DYNAMODB": dead}
    story.call(
        "DynamoDB is unreachable; fail mode open (CALLGUARD_FAIL_MODE=open)",
        "the check answers status error within its time limit; the caller is let through",
        lambda: story.simulator(environment={"CALLGUARD_FAIL_MODE": "open", **outage}).inbound(
            CALLER
        ),
        transferred_to(queue),
    )
    story.call(
        "DynamoDB is unreachable; fail mode closed (CALLGUARD_FAIL_MODE=closed)",
        "the check answers status error and blocked; the caller is refused",
        lambda: story.simulator(environment={"CALLGUARD_FAIL_MODE": "closed", **outage}).inbound(
            CALLER
        ),
        refused_with(blocked_message),
    )
    story.call(
        "The check function answers too late (10 s, simulated, against its 3 s limit); "
        "fail mode closed",
        "Connect takes the module's error branch; the module's fail mode refuses the caller",
        lambda: story.simulator(
            environment={"CALLGUARD_FAIL_MODE": "closed"},
            faults={"check_function_arn": Fault(delay_seconds=10.0)},
        ).inbound(CALLER),
        refused_with(blocked_message),
    )
    spam_challenge_steps(story)
    review_steps(story)
    audit_steps(story, CALLER)
    _planned_static_flow(story)
    return story.verdicts
