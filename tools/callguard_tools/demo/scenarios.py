"""The demo's story: simulated calls through the real flows, handlers, table and CLI.

Each step plays one moment of a contact center's day and states what must
happen; :func:`play_calls` runs them in order against a DynamoDB endpoint (the
demo's local ``moto_server``) and returns every step's verdict, so both
``make demo`` and the end-to-end test fail when any outcome differs.

The story: an unknown caller is queued; the agent flags them through the quick
connect; their next call is refused; a supervisor removes them with the
``callguard`` CLI and they are queued again; a withheld caller is handled by the
anonymous-caller policy; the table goes down and the fail mode decides. The
other groups of steps (spam challenge, review, audit) follow from their own
modules; all of them play into one :class:`~.story.Story`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from callguard.store import create_table
from callguard_tools.demo.audit_steps import audit_steps
from callguard_tools.demo.challenge_steps import spam_challenge_steps
from callguard_tools.demo.local_aws import aws_environment, dead_endpoint
from callguard_tools.demo.review_steps import review_steps
from callguard_tools.demo.story import (
    DEFAULT_FUNCTION_ENVIRONMENT,
    Echo,
    Story,
    Verdict,
    refused_with,
    transferred_to,
)
from callguard_tools.environ import patched_environ
from callguard_tools.flows.connect_event import WITHHELD_ADDRESS, Contact
from callguard_tools.flows.lambda_invoke import Fault
from callguard_tools.flows.model import parse_flow
from callguard_tools.flows.shipped_templates import DEMO_VALUES
from callguard_tools.flows.simulation import Deployment, FlowLibrary, SimulationResult, Simulator
from callguard_tools.flows.transcript import mask_number

#: The caller of the story (a number reserved for drama in the UK plan).
CALLER = "+442079460958"

_INBOUND = "inbound_denylist.flow.json.tftpl"
_FLAG = "agent_flag.flow.json.tftpl"

__all__ = ["CALLER", "DEFAULT_FUNCTION_ENVIRONMENT", "Verdict", "play_calls"]


# ---------------------------------------------------------------- the story


def _supervisor_removes(story: Story) -> None:
    title = "A supervisor removes the number with the callguard CLI"
    expected = "the CLI exits 0 and the table no longer lists the number"
    story.step(title, expected)
    done = story.cli(["denylist", "remove", CALLER])
    shown = " ".join(["$ callguard", *done.options, "denylist", "remove", CALLER])
    lines = [f"  {mask_number(shown)}"]
    lines += done.lines()
    listed = story.store().get(CALLER)
    ok = done.code == 0 and listed is None
    actual = f"exit code {done.code}, " + (
        "number no longer listed" if listed is None else f"still listed as {listed.status}"
    )
    story.judge(title, expected, ok, actual, lines)


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
    library.add("planned_static_list", parsed)
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
