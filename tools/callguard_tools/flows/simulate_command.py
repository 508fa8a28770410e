"""``callguard flows simulate``: one contact through the rendered flows, real handlers in-process.

The quickest way to see what a caller (or an agent pressing the flag quick
connect) experiences before anything is deployed::

    callguard flows simulate --caller +442079460958 --listed +442079460958

Without ``--table`` DynamoDB is emulated in-process with moto and nothing can
reach AWS. The engine is :mod:`.simulation`; this module only turns options
into a contact, a script and a function environment, and prints the transcript.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import click

from callguard.store import BLOCKED, DenyList, Entry, StoreError, create_table
from callguard_tools.flows import simulate_outbound
from callguard_tools.flows.cli_variables import (
    assignments,
    for_template,
    overrides,
    refuse_unread,
    variable_options,
)
from callguard_tools.flows.connect_event import DEFAULT_INSTANCE_ARN, WITHHELD_ADDRESS, Contact
from callguard_tools.flows.lambda_invoke import Fault
from callguard_tools.flows.model import FlowParseError, FlowShapeError, load_flow
from callguard_tools.flows.render import TemplateError
from callguard_tools.flows.shipped_templates import TEMPLATES
from callguard_tools.flows.simulation import (
    AGENT_FLAG_FLOW,
    CHALLENGE_MODULE,
    CHECK_MODULE,
    INBOUND_FLOW,
    OUTBOUND_FLOW,
    STATIC_LIST_FLOW,
    CallScript,
    Deployment,
    DeploymentError,
    SimulationResult,
    Simulator,
    function_environment,
)
from callguard_tools.flows.transcript import mask_number
from callguard_tools.outbound_sim.calls import OUTBOUND_TEMPLATE

#: Table the command creates in its in-process emulation when none is given.
SIMULATED_TABLE = "callguard-simulated"

#: Region of the in-process emulation.
SIMULATED_REGION = "eu-west-2"

#: ``--fault`` choices and the misbehaviour each injects into every function.
FAULTS: dict[str, Fault] = {
    "raise": Fault(raises="injected failure"),
    "timeout": Fault(delay_seconds=60.0),
    "non-string": Fault(response={"blocked": True, "status": "clear"}),
}


def _overrides(var: tuple[str, ...], vars_file: Path | None) -> dict[str, dict[str, Any]]:
    """Apply ``--var``/``--vars-file`` to every template that has the variable."""
    given = overrides(var, vars_file)
    refuse_unread(given, {name for entry in TEMPLATES for name in entry.variables}, "any template")
    return {entry.filename: for_template(given, entry.variables, None) for entry in TEMPLATES}


def _seed(store: DenyList, listed: tuple[str, ...]) -> None:
    """Add each ``NUMBER[=STATUS[:REASON]]`` to the emulated table."""
    for item in listed:
        number, _, rest = item.partition("=")
        status, _, reason = rest.partition(":")
        try:
            store.add(
                Entry.new(
                    number,
                    status=status or BLOCKED,
                    reason=reason or "listed for this simulation",
                    source="cli",
                )
            )
        except StoreError as error:
            raise click.BadParameter(f"{item!r}: {error}", param_hint="--listed") from error


@contextlib.contextmanager
def emulated_table(listed: tuple[str, ...]) -> Iterator[dict[str, str]]:
    """Yield the function environment of an in-process moto table seeded with ``listed``."""
    # moto is an optional extra and slow to import: only load it when used.
    from callguard_tools.installation import import_extra  # noqa: PLC0415

    mock_aws = import_extra("moto", extra="sim", purpose="callguard flows simulate").mock_aws

    environment: dict[str, str | None] = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": SIMULATED_REGION,
        "AWS_REGION": SIMULATED_REGION,
        "AWS_PROFILE": None,
        "AWS_ENDPOINT_URL": None,
        "AWS_ENDPOINT_URL_DYNAMODB": None,
        "CALLGUARD_TABLE": SIMULATED_TABLE,
    }
    with function_environment(environment), mock_aws():
        client = boto3.client("dynamodb", region_name=SIMULATED_REGION)
        create_table(client, SIMULATED_TABLE)
        _seed(DenyList(client, SIMULATED_TABLE), listed)
        yield {key: value for key, value in environment.items() if value is not None}


def _add_flow_file(deployment: Deployment, path: Path, module_ids: tuple[str, ...]) -> str:
    """Parse ``path`` into the deployment's library; return the name to enter it by."""
    name = f"file:{path.name}"
    try:
        deployment.library.add(name, load_flow(path))
    except (OSError, FlowParseError, FlowShapeError) as error:
        raise click.BadParameter(str(error), param_hint="--flow-file") from error
    for alias in module_ids:
        deployment.library.aliases[alias] = CHECK_MODULE
    return name


def _contact(
    *,
    caller: str | None,
    withheld: bool,
    no_caller_id: bool,
    channel: str,
    instance_arn: str,
    attribute: tuple[str, ...],
) -> Contact:
    if sum([caller is not None, withheld, no_caller_id]) != 1:
        raise click.UsageError("give exactly one of --caller, --withheld, --no-caller-id")
    return Contact(
        caller=WITHHELD_ADDRESS if withheld else caller,
        instance_arn=instance_arn,
        channel=channel,  # type: ignore[arg-type]  # click.Choice guarantees the literal
        attributes=assignments(attribute, "--attribute"),
    )


def result_as_json(result: SimulationResult) -> dict[str, Any]:
    """Summarise a result for machines, numbers masked as in the text transcript."""
    summary = {
        "outcome": {
            "kind": result.outcome.kind,
            "queue": result.outcome.queue,
            "detail": result.outcome.detail,
        },
        "attributes": result.attributes,
        "prompts": result.transcript.prompts,
        "lambda_calls": [
            {
                "handler": call.handler,
                "ok": call.ok,
                "parameters": call.parameters,
                "response": call.response,
                "error": call.error,
            }
            for call in result.transcript.lambda_calls
        ],
        "actions": result.transcript.visited,
    }
    masked: dict[str, Any] = json.loads(mask_number(json.dumps(summary)))
    return masked


@click.command("simulate")
@click.option(
    "--flow",
    "flow_name",
    type=click.Choice(
        [
            INBOUND_FLOW,
            AGENT_FLAG_FLOW,
            STATIC_LIST_FLOW,
            CHECK_MODULE,
            CHALLENGE_MODULE,
            OUTBOUND_FLOW,
        ]
    ),
    default=INBOUND_FLOW,
    show_default=True,
    help="Flow the contact enters (agent_flag: the quick connect, run on a transferred contact; "
    "outbound_call: a call placed to a receiver, who plays --turn/--script-file).",
)
@click.option(
    "--turn",
    "turns",
    multiple=True,
    metavar="TURN",
    help="Outbound: what the receiver does at the next question, in order: words, "
    "'key:1#' (keypad), '<silence>' or '<hang-up>'.",
)
@click.option(
    "--script-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Outbound: the receiver's turns, one a line (after any --turn).",
)
@click.option(
    "--job",
    "job_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Outbound: the job whose questions are asked (default: one Yes/No question).",
)
@click.option(
    "--receiver", metavar="ID", help="Outbound: the job's receiver called (default: first)."
)
@click.option(
    "--flow-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Enter your own flow instead (bare JSON or a {Name, Type, Content} export); it can "
    "invoke the check module and the functions by the ids in --var.",
)
@click.option(
    "--module-id",
    multiple=True,
    metavar="ID_OR_ARN",
    help="Another id or ARN under which --flow-file invokes the check module.",
)
@click.option("--caller", metavar="ADDRESS", help="Caller id as the carrier sends it (E.164).")
@click.option("--withheld", is_flag=True, help="The caller withheld their number ('anonymous').")
@click.option("--no-caller-id", is_flag=True, help="Connect sends no CustomerEndpoint at all.")
@click.option(
    "--channel",
    type=click.Choice(["VOICE", "CHAT", "TASK", "EMAIL"]),
    default="VOICE",
    show_default=True,
)
@click.option("--instance-arn", default=DEFAULT_INSTANCE_ARN, show_default=True)
@click.option("--attribute", multiple=True, metavar="NAME=VALUE", help="Initial contact attribute.")
@click.option(
    "--input",
    "inputs",
    multiple=True,
    metavar="DIGITS",
    help="Keypad input for the next Get participant input block ('timeout' = none, "
    "'heard' = the digits its prompt read out, e.g. a spam-challenge code).",
)
@click.option("--queue-at-capacity", is_flag=True, help="Every queue is full.")
@click.option(
    "--fault",
    type=click.Choice(sorted(FAULTS)),
    help="Make every function misbehave: raise, answer after the time limit, or answer "
    "with a non-string value.",
)
@variable_options
@click.option(
    "--env",
    "env_vars",
    multiple=True,
    metavar="NAME=VALUE",
    help="Function environment, e.g. CALLGUARD_BLOCK_ANONYMOUS=true.",
)
@click.option(
    "--listed",
    multiple=True,
    metavar="NUMBER[=STATUS[:REASON]]",
    help="Seed the emulated table (only without --table).",
)
@click.option("--table", help="Use this existing table instead of an emulated one.")
@click.option("--endpoint-url", help="DynamoDB endpoint for --table (e.g. a local emulator).")
@click.option("-v", "--verbose", is_flag=True, help="Also list every action and branch.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--expect",
    type=click.Choice(["disconnected", "transferred", "ended", "error"]),
    help="Exit 1 unless the call ends this way.",
)
def simulate_command(  # noqa: PLR0917 - click passes every option as an argument
    flow_name: str,
    turns: tuple[str, ...],
    script_file: Path | None,
    job_file: Path | None,
    receiver: str | None,
    flow_file: Path | None,
    module_id: tuple[str, ...],
    caller: str | None,
    withheld: bool,
    no_caller_id: bool,
    channel: str,
    instance_arn: str,
    attribute: tuple[str, ...],
    inputs: tuple[str, ...],
    queue_at_capacity: bool,
    fault: str | None,
    var: tuple[str, ...],
    vars_file: Path | None,
    env_vars: tuple[str, ...],
    listed: tuple[str, ...],
    table: str | None,
    endpoint_url: str | None,
    verbose: bool,
    as_json: bool,
    expect: str | None,
) -> None:
    """Walk one contact through the rendered flows, calling the real handlers.

    Without --table, DynamoDB is emulated in-process (moto) with an empty table
    that --listed seeds; nothing reaches AWS. With --table the handlers use that
    table with your usual AWS configuration, or --endpoint-url.

    \b
    Examples:
      callguard flows simulate --caller +442079460958
      callguard flows simulate --caller +442079460958 --listed +442079460958
      callguard flows simulate --withheld --env CALLGUARD_BLOCK_ANONYMOUS=true
      callguard flows simulate --caller +442079460958 --fault timeout \\
        --var fail_mode=closed --expect disconnected
      callguard flows simulate --flow agent_flag --caller +442079460958 -v
      callguard flows simulate --caller +442079460958 --vars-file challenge.json \\
        --input 1234 --input heard --expect transferred
      callguard flows simulate --flow-file my-inbound.json --module-id my-module-arn \\
        --caller +442079460958
      callguard flows simulate --flow outbound_call --job job.json \\
        --turn yes --turn key:42# --turn stop
    """
    if flow_name == OUTBOUND_FLOW:
        _outbound(
            turns=turns,
            script_file=script_file,
            job_file=job_file,
            receiver=receiver,
            rendered=_overrides(var, vars_file),
            verbose=verbose,
        )
        return
    contact = _contact(
        caller=caller,
        withheld=withheld,
        no_caller_id=no_caller_id,
        channel=channel,
        instance_arn=instance_arn,
        attribute=attribute,
    )
    if listed and table:
        raise click.UsageError("--listed seeds the emulated table; it cannot be used with --table")
    if endpoint_url and not table:
        raise click.UsageError("--endpoint-url needs --table")
    try:
        deployment = Deployment.render(_overrides(var, vars_file))
    except DeploymentError as error:
        raise click.BadParameter(str(error), param_hint="--var/--vars-file") from error
    except TemplateError as error:
        raise click.ClickException(str(error)) from error
    if flow_file is not None:
        flow_name = _add_flow_file(deployment, flow_file, module_id)
    script = CallScript(
        inputs=tuple(None if item.lower() == "timeout" else item for item in inputs),
        all_queues_at_capacity=queue_at_capacity,
    )
    faults = {arn: FAULTS[fault] for arn in deployment.handlers} if fault else {}

    with contextlib.ExitStack() as stack:
        function_env: dict[str, str | None] = {}
        if table:
            function_env["CALLGUARD_TABLE"] = table
            if endpoint_url:
                function_env["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint_url
        else:
            function_env.update(stack.enter_context(emulated_table(listed)))
        function_env.update(assignments(env_vars, "--env"))
        simulator = Simulator(deployment, environment=function_env, faults=faults)
        if flow_name == AGENT_FLAG_FLOW:
            result = simulator.agent_flag(contact, script)
        else:
            result = simulator.call(flow_name, contact, script)

    _report(result, as_json=as_json, verbose=verbose, expect=expect)


def _outbound(
    *,
    turns: tuple[str, ...],
    script_file: Path | None,
    job_file: Path | None,
    receiver: str | None,
    rendered: dict[str, dict[str, Any]],
    verbose: bool,
) -> None:
    """Play the outbound form: one scripted receiver, then the status and answers stored."""
    job = simulate_outbound.read_job(job_file) if job_file else None
    played = simulate_outbound.play_outbound(
        simulate_outbound.turns_of(turns, script_file),
        job=job,
        receiver_id=receiver,
        overrides=rendered.get(OUTBOUND_TEMPLATE, {}),
    )
    for line in played.simulation.transcript.render(verbose=verbose):
        click.echo(line)
    click.echo(f"status: {played.status or 'unresolved (the contact events end it)'}")
    answers = ", ".join(f"{k}={v}" for k, v in sorted(played.answers.items())) or "none"
    click.echo(mask_number(f"answers: {answers}"))


def _report(result: SimulationResult, *, as_json: bool, verbose: bool, expect: str | None) -> None:
    """Print the transcript (or JSON); exit 1 when ``expect`` names another outcome."""
    if as_json:
        click.echo(json.dumps(result_as_json(result), indent=2, sort_keys=True))
    else:
        for line in result.transcript.render(verbose=verbose):
            click.echo(line)
    if expect and result.outcome.kind != expect:
        click.echo(f"expected {expect}, got {result.outcome.describe()}", err=True)
        sys.exit(1)
