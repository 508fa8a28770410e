"""Simulate contacts through Amazon Connect flows, calling the real handlers in-process.

Connect has no local emulator, so this package plays one contact at a time
through flow documents the way Connect runs them. The public API:

* :class:`Deployment` renders callguard's shipped templates (as Terraform
  does) and knows which handler serves each function ARN;
* :class:`Simulator` plays a contact through a deployment under the functions'
  environment, and returns a :class:`SimulationResult`;
* :class:`CallScript` says what the world does meanwhile (keypad input, full
  queues);
* :class:`FlowLibrary` holds the flows a walk can enter, each compiled once
  (:class:`SimFlow`), for callers that bring their own flow documents.

Inside: :mod:`.library` compiles a parsed flow (refusing a malformed one with
a :class:`~callguard_tools.flows.model.FlowShapeError`), :mod:`.actions` holds
one handler per action type in :data:`~.actions.ACTION_HANDLERS` (written by
family in the ``*_actions`` modules, to the contract of :mod:`.action_handler`),
and :mod:`.walker` is the engine that runs them. ``callguard flows simulate``
(:mod:`callguard_tools.flows.simulate_command`) and ``make demo`` are built on it.
"""

from __future__ import annotations

from callguard_tools.flows.simulation.deployment import (
    AGENT_FLAG_FLOW,
    CHALLENGE_MODULE,
    CHECK_MODULE,
    HANDLER_FOR_VARIABLE,
    INBOUND_FLOW,
    OUTBOUND_FLOW,
    STATIC_LIST_FLOW,
    Deployment,
    DeploymentError,
    Simulator,
    function_environment,
)
from callguard_tools.flows.simulation.library import FlowLibrary, SimFlow
from callguard_tools.flows.simulation.script import (
    HANG_UP,
    REPEAT_HEARD_DIGITS,
    SILENCE,
    CallScript,
    SimulationResult,
    Turn,
    press,
    say,
)
from callguard_tools.flows.simulation.walker import Walker

__all__ = [
    "AGENT_FLAG_FLOW",
    "CHALLENGE_MODULE",
    "CHECK_MODULE",
    "HANDLER_FOR_VARIABLE",
    "HANG_UP",
    "INBOUND_FLOW",
    "OUTBOUND_FLOW",
    "REPEAT_HEARD_DIGITS",
    "SILENCE",
    "STATIC_LIST_FLOW",
    "CallScript",
    "Deployment",
    "DeploymentError",
    "FlowLibrary",
    "SimFlow",
    "SimulationResult",
    "Simulator",
    "Turn",
    "Walker",
    "function_environment",
    "press",
    "say",
]
