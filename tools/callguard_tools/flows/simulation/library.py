"""The flows a simulation can enter, each checked and compiled once, before any call.

A :class:`SimFlow` is a parsed :class:`~callguard_tools.flows.model.Flow` whose
actions have been paired with their handler from
:data:`~callguard_tools.flows.simulation.actions.ACTION_HANDLERS` and whose
parameters have been read into that handler's typed form. A flow the simulator
cannot run (a malformed transition, an ``Attributes`` that is not an object)
is refused here with a :class:`~callguard_tools.flows.model.FlowShapeError`
naming every defect, so the walk itself never meets a malformed action.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from callguard_tools.flows.model import Action, Flow, FlowShapeError
from callguard_tools.flows.simulation.action_handler import (
    ActionHandler,
    ParameterError,
    ParameterReader,
)
from callguard_tools.flows.simulation.actions import ACTION_HANDLERS

#: The kind of a flow that does not say what it is (a bare document).
DEFAULT_KIND = "CONTACT_FLOW"


@dataclass(frozen=True)
class Step:
    """One action ready to run: the action, its handler (None: not simulated) and parameters."""

    action: Action
    handler: ActionHandler[Any] | None
    parameters: Any


@dataclass(frozen=True)
class SimFlow:
    """A flow compiled for the walker, under the name the simulation knows it by.

    ``kind`` is the Connect flow type (``CONTACT_FLOW``, ``QUEUE_TRANSFER``,
    ``CONTACT_FLOW_MODULE``, ...); ``steps`` maps each identifier to its
    :class:`Step` (the first action, when an identifier is used twice).
    """

    name: str
    flow: Flow
    steps: Mapping[str, Step]

    @property
    def kind(self) -> str:
        """The flow type, ``CONTACT_FLOW`` when the document does not say."""
        return self.flow.flow_type or DEFAULT_KIND

    @property
    def start_action(self) -> str:
        """The identifier of the first action (well-formed flows only are compiled)."""
        return str(self.flow.start_action)

    @classmethod
    def compile(cls, name: str, flow: Flow) -> SimFlow:
        """Check ``flow`` and read every action's parameters for its handler.

        Raises:
            FlowShapeError: the document, a transition or a parameter the
                simulator reads has the wrong shape (every defect is named).

        """
        problems = flow.shape_problems()
        steps: dict[str, Step] = {}
        for action in flow.actions:
            handler = ACTION_HANDLERS.get(action.type)
            parameters: Any = None
            if handler is not None:
                try:
                    parameters = handler.read(ParameterReader(action.parameters))
                except ParameterError as error:
                    problems.append(f"{action.label}: {error}")
            steps.setdefault(action.identifier, Step(action, handler, parameters))
        if problems:
            raise FlowShapeError(flow.source, tuple(problems))
        return cls(name=name, flow=flow, steps=steps)


@dataclass
class FlowLibrary:
    """Flows by name, plus the ids and ARNs other flows use to reach them (modules)."""

    flows: dict[str, SimFlow] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, flow: Flow, *aliases: str) -> SimFlow:
        """Compile ``flow`` under ``name`` and any ids/ARNs that refer to it.

        Raises:
            FlowShapeError: the simulator cannot run ``flow`` (see :meth:`SimFlow.compile`).

        """
        compiled = SimFlow.compile(name, flow)
        self.flows[name] = compiled
        for alias in aliases:
            self.aliases[alias] = name
        return compiled

    def find(self, key: str) -> SimFlow | None:
        """Return the flow named ``key``, or the one the id/ARN ``key`` refers to."""
        name = self.aliases.get(key, key)
        found = self.flows.get(name)
        if found is None and "/" in key:
            # An ARN whose last segment is a registered id.
            tail = key.rsplit("/", 1)[-1]
            found = self.flows.get(self.aliases.get(tail, tail))
        return found
