"""The shipped flows under simulation: a simulator on moto's table, and what its outcomes must be.

:func:`simulator` renders the shipped templates as Terraform would (demo values
plus a test's overrides) and plays contacts through them with the real handlers,
against the table a test's fixture created; :func:`assert_transferred` and
:func:`assert_blocked` state the two ways an inbound caller can leave, and
:data:`FUNCTION_FAULTS` every way the check or flag function can fail.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from callguard_tools.flows.lambda_invoke import Fault
from callguard_tools.flows.shipped_templates import DEMO_VALUES
from callguard_tools.flows.simulation import Deployment, SimulationResult, Simulator

CALLER = "+442079460958"
OTHER = "+442079460123"

MODULE = "check_caller.module.json.tftpl"
INBOUND = "inbound_denylist.flow.json.tftpl"

BLOCKED_MESSAGE = str(DEMO_VALUES[INBOUND]["blocked_message"])

#: Each way the check or flag function can fail as Connect sees it.
FUNCTION_FAULTS = {
    "raises": Fault(raises="simulated crash"),
    "timeout": Fault(delay_seconds=30.0),
    "non-string": Fault(response={"blocked": True, "status": "blocked"}),
    "nested": Fault(response={"blocked": {"value": "true"}}),
}


def simulator(
    table_name: str,
    *,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    environment: Mapping[str, str] | None = None,
    faults: Mapping[str, Fault] | None = None,
) -> Simulator:
    deployment = Deployment.render(overrides)
    return Simulator(
        deployment,
        environment={"CALLGUARD_TABLE": table_name, **(environment or {})},
        faults={
            deployment.function_arn(variable): fault for variable, fault in (faults or {}).items()
        },
    )


def assert_transferred(result: SimulationResult, sim: Simulator) -> None:
    assert result.outcome.kind == "transferred", result.transcript.render(verbose=True)
    assert result.outcome.queue == sim.deployment.queue_arn
    assert BLOCKED_MESSAGE not in result.transcript.prompts


def assert_blocked(result: SimulationResult) -> None:
    assert result.outcome.kind == "disconnected", result.transcript.render(verbose=True)
    assert result.transcript.prompts == [BLOCKED_MESSAGE]
    assert result.attributes["callguard_blocked"] == "true"
    assert result.attributes["blockedStatus"] == "match"
