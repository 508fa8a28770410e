"""Hand-written flow documents for the walker tests, and the one way they are walked.

:func:`action` and :func:`flow` write a flow document the way Connect exports one
(with :func:`say` and :func:`end` for the commonest actions); :func:`run` compiles
the flows into a :class:`~callguard_tools.flows.simulation.FlowLibrary` and walks
the first of them, with the handlers, faults, contact and script a test gives.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from callguard_tools.flows.connect_event import Contact
from callguard_tools.flows.lambda_invoke import Fault, LambdaInvoker
from callguard_tools.flows.model import Flow, parse_flow
from callguard_tools.flows.simulation import (
    CallScript,
    FlowLibrary,
    SimulationResult,
    Walker,
)


def action(
    identifier: str,
    action_type: str,
    parameters: dict[str, Any] | None = None,
    next_action: str | None = None,
    errors: dict[str, str] | None = None,
    conditions: list[tuple[str, str, str]] | None = None,
) -> dict[str, Any]:
    transitions: dict[str, Any] = {}
    if next_action:
        transitions["NextAction"] = next_action
    if errors:
        transitions["Errors"] = [{"ErrorType": k, "NextAction": v} for k, v in errors.items()]
    if conditions:
        transitions["Conditions"] = [
            {"NextAction": target, "Condition": {"Operator": op, "Operands": [operand]}}
            for op, operand, target in conditions
        ]
    return {
        "Identifier": identifier,
        "Type": action_type,
        "Parameters": parameters or {},
        "Transitions": transitions,
    }


@dataclass(frozen=True)
class FlowDoc:
    """A hand-written flow document: its name, type, start and actions by identifier."""

    name: str
    kind: str
    start_action: str
    actions: Mapping[str, Mapping[str, Any]]

    def parsed(self) -> Flow:
        document = {
            "Version": "2019-10-30",
            "StartAction": self.start_action,
            "Actions": list(self.actions.values()),
        }
        return parse_flow(json.dumps(document), self.name, self.kind)


def flow(name: str, *actions: dict[str, Any], kind: str = "CONTACT_FLOW") -> FlowDoc:
    return FlowDoc(
        name=name,
        kind=kind,
        start_action=actions[0]["Identifier"],
        actions={a["Identifier"]: a for a in actions},
    )


def end(identifier: str = "end") -> dict[str, Any]:
    return action(identifier, "DisconnectParticipant")


def say(identifier: str, text: str, next_action: str = "end") -> dict[str, Any]:
    return action(identifier, "MessageParticipant", {"Text": text}, next_action)


def run(
    *flows: FlowDoc,
    handlers: dict[str, Any] | None = None,
    faults: dict[str, Fault] | None = None,
    contact: Contact | None = None,
    script: CallScript | None = None,
    aliases: dict[str, str] | None = None,
) -> SimulationResult:
    library = FlowLibrary()
    for item in flows:
        library.add(
            item.name,
            item.parsed(),
            *[alias for alias, name in (aliases or {}).items() if name == item.name],
        )
    walker = Walker(
        library,
        LambdaInvoker(handlers or {}, faults=faults or {}),
        contact or Contact.inbound("+442079460958"),
        script or CallScript(),
    )
    return walker.run(flows[0].name)
