"""The rendered callguard flows, and calls played through them with the real handlers.

:class:`Deployment` renders the shipped templates exactly as Terraform does
(:mod:`~callguard_tools.flows.render`, with the demo values of
:mod:`~callguard_tools.flows.shipped_templates` plus overrides), parses them
once into the typed model, and knows which handler serves each function ARN.
:class:`Simulator` walks contacts through them (:mod:`.walker`): each
``InvokeLambdaFunction`` runs ``callguard.handlers.<name>.handler`` in-process
with the event Connect would send, under the environment the function would
have in Lambda (``CALLGUARD_*``), against whatever DynamoDB endpoint that
environment names. ``callguard flows simulate`` and ``make demo`` are built on it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from callguard import aws
from callguard_tools.environ import patched_environ
from callguard_tools.flows.connect_event import Contact
from callguard_tools.flows.lambda_invoke import Fault, Handler, LambdaInvoker
from callguard_tools.flows.model import parse_flow
from callguard_tools.flows.render import render_template
from callguard_tools.flows.shipped_templates import (
    DEMO_CHALLENGE_MODULE_ARN,
    DEMO_VALUES,
    OUTBOUND_BOTS,
    TEMPLATES,
    FlowTemplate,
)
from callguard_tools.flows.simulation.library import FlowLibrary
from callguard_tools.flows.simulation.script import CallScript, SimulationResult
from callguard_tools.flows.simulation.walker import BotDirectory, Walker
from callguard_tools.outbound_sim.lex import deployed_bots

#: The handler each template's function variable is served by.
HANDLER_FOR_VARIABLE: Mapping[str, str] = {
    "check_function_arn": "callguard.handlers.check_number.handler",
    "flag_function_arn": "callguard.handlers.flag_number.handler",
    "challenge_function_arn": "callguard.handlers.challenge_code.handler",
    "verify_function_arn": "callguard.handlers.verify_code.handler",
    "call_step_function_arn": "callguard.outbound.handlers.call_step.handler",
    "record_answer_function_arn": "callguard.outbound.handlers.record_answer.handler",
    "finish_function_arn": "callguard.outbound.handlers.finish_call.handler",
}

#: Flow names (template stems) the simulator and the command know.
CHECK_MODULE = "check_caller"
INBOUND_FLOW = "inbound_denylist"
AGENT_FLAG_FLOW = "agent_flag"
STATIC_LIST_FLOW = "inbound_static_list"
CHALLENGE_MODULE = "spam_challenge"
OUTBOUND_FLOW = "outbound_call"

_INBOUND_TEMPLATE = "inbound_denylist.flow.json.tftpl"
_OUTBOUND_TEMPLATE = "outbound_call.flow.json.tftpl"


class DeploymentError(KeyError):
    """The values asked for do not make a deployment (the message says why).

    An unknown template or variable, or a combination the flows cannot run (the
    challenge switched on without its module's id). A ``KeyError`` for callers
    that treat it as a failed lookup; its text is the plain message.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _challenge_without_module(inbound: Mapping[str, Any]) -> bool:
    """Whether the inbound flow would invoke the challenge module with an empty id."""
    enabled = inbound.get("challenge_enabled")
    return (enabled is True or enabled == "true") and not inbound.get("challenge_module_id")


@dataclass(frozen=True)
class Deployment:
    """The callguard flows as one instance would publish them, and the functions they call.

    ``values`` holds each template's variables (file name -> variables);
    ``handlers`` maps every function ARN the flows reference to its handler (a
    dotted name, or a callable: tests swap in spies).
    """

    values: Mapping[str, Mapping[str, Any]]
    library: FlowLibrary
    handlers: dict[str, str | Handler]
    bots: BotDirectory | None = None

    @classmethod
    def render(
        cls,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
        templates: tuple[FlowTemplate, ...] = TEMPLATES,
    ) -> Deployment:
        """Render every template with its demo values, updated by ``overrides`` per file.

        The check module is registered under the id/ARN the inbound flow's
        ``check_module_id`` names, so ``InvokeFlowModule`` finds it as Connect would.

        Raises:
            TemplateError: a template does not render with the given values.
            DeploymentError: an override names a template or variable that does
                not exist, or turns the challenge on without ``challenge_module_id``.

        """
        overrides = overrides or {}
        unknown_files = set(overrides) - {t.filename for t in templates}
        if unknown_files:
            raise DeploymentError(f"no template(s) named {', '.join(sorted(unknown_files))}")
        values: dict[str, dict[str, Any]] = {}
        library = FlowLibrary()
        handlers: dict[str, str | Handler] = {}
        for entry in templates:
            merged = dict(DEMO_VALUES[entry.filename])
            extra = dict(overrides.get(entry.filename, {}))
            unknown = set(extra) - set(entry.variables)
            if unknown:
                raise DeploymentError(
                    f"{entry.filename} has no variable(s) {', '.join(sorted(unknown))}"
                )
            merged.update(extra)
            values[entry.filename] = merged
            if entry.filename == _INBOUND_TEMPLATE and _challenge_without_module(merged):
                raise DeploymentError(
                    "challenge_enabled is true but challenge_module_id is empty: the inbound "
                    "flow would invoke no module; give the spam-challenge module's id or ARN, "
                    f"for example challenge_module_id={DEMO_CHALLENGE_MODULE_ARN}"
                )
            text = render_template(entry.path.read_text(encoding="utf-8"), merged, str(entry.path))
            library.add(entry.stem, parse_flow(text, entry.filename, entry.flow_type))
            for variable, handler in HANDLER_FOR_VARIABLE.items():
                if variable in merged:
                    handlers[str(merged[variable])] = handler
        inbound = values.get(_INBOUND_TEMPLATE, {})
        module_id = inbound.get("check_module_id")
        if module_id:
            library.aliases[str(module_id)] = CHECK_MODULE
        challenge_id = inbound.get("challenge_module_id")
        if challenge_id:
            library.aliases[str(challenge_id)] = CHALLENGE_MODULE
        outbound = values.get(_OUTBOUND_TEMPLATE)
        bots = None
        if outbound is not None:
            aliases = {str(outbound[f"{bot}_bot_alias_arn"]): bot for bot in OUTBOUND_BOTS}
            bots = BotDirectory(aliases, deployed_bots())
        return cls(values=values, library=library, handlers=handlers, bots=bots)

    def value(self, filename: str, name: str) -> Any:
        """Return one template variable as rendered (e.g. the inbound flow's ``queue_arn``)."""
        return self.values[filename][name]

    @property
    def queue_arn(self) -> str:
        """The working queue the inbound flow transfers to."""
        return str(self.value(_INBOUND_TEMPLATE, "queue_arn"))

    def function_arn(self, variable: str) -> str:
        """Return the ARN a function variable (``check_function_arn``, ...) names."""
        for values in self.values.values():
            if variable in values:
                return str(values[variable])
        raise KeyError(variable)


@contextlib.contextmanager
def function_environment(environment: Mapping[str, str | None]) -> Iterator[None]:
    """Run with the functions' environment, as a fresh Lambda container would see it.

    The runtime caches its DynamoDB client per container; it is dropped on the
    way in and out so an endpoint change (a dead table, another emulator) takes
    effect, and no other code inherits the simulated one.
    """
    aws.reset_clients()
    try:
        with patched_environ(environment):
            yield
    finally:
        aws.reset_clients()


@dataclass
class Simulator:
    """Plays contacts through a :class:`Deployment` with the real handlers.

    ``environment`` is what the functions' Lambda configuration would set
    (``CALLGUARD_TABLE``, ``CALLGUARD_FAIL_MODE``, ``AWS_ENDPOINT_URL_DYNAMODB``
    for a local emulator, ...); ``faults`` injects misbehaviour per function ARN.
    """

    deployment: Deployment
    environment: Mapping[str, str | None] = field(default_factory=dict)
    faults: dict[str, Fault] = field(default_factory=dict)

    def call(
        self,
        flow: str,
        contact: Contact,
        script: CallScript | None = None,
    ) -> SimulationResult:
        """Walk ``contact`` through ``flow`` (a template stem such as ``inbound_denylist``)."""
        invoker = LambdaInvoker(dict(self.deployment.handlers), faults=dict(self.faults))
        walker = Walker(
            self.deployment.library,
            invoker,
            contact,
            script or CallScript(),
            bots=self.deployment.bots,
        )
        with function_environment(self.environment):
            return walker.run(flow)

    def inbound(
        self, caller: str | None, script: CallScript | None = None, **contact: Any
    ) -> SimulationResult:
        """Play an inbound call from ``caller`` through the deny-list flow."""
        return self.call(INBOUND_FLOW, Contact.inbound(caller, **contact), script)

    def outbound(self, contact: Contact, script: CallScript | None = None) -> SimulationResult:
        """Play an outbound call (``Contact.outbound``) through the outbound flow."""
        return self.call(OUTBOUND_FLOW, contact, script)

    def agent_flag(self, on_call: Contact, script: CallScript | None = None) -> SimulationResult:
        """Play the agent pressing the flag quick connect during ``on_call``.

        Connect transfers the contact: the QUEUE_TRANSFER flow runs with a new
        contact id whose PreviousContactId is the call the agent was on.
        """
        transferred = on_call.transferred(queue_arn=self.deployment.queue_arn)
        return self.call(AGENT_FLAG_FLOW, transferred, script)
