"""Attributes, comparisons and settings: the actions that read or set what a contact carries.

``UpdateContactAttributes`` writes contact attributes (within Connect's 32 KB
budget), ``Compare`` branches on a value, ``UpdateFlowAttributes`` and
``UpdateFlowLoggingBehavior`` set flow-scoped state, and the settings actions in
:data:`PASS_THROUGH_ACTIONS` change nothing the simulator models.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from callguard_tools.flows.connect_event import is_reference, resolve_value
from callguard_tools.flows.model import Action
from callguard_tools.flows.simulation.action_handler import (
    ActionHandler,
    ParameterReader,
    no_parameters,
)
from callguard_tools.flows.transcript import AttributeSet

if TYPE_CHECKING:
    from callguard_tools.flows.simulation.walker import Walker

#: Contact attributes share one 32 KB budget.
MAX_ATTRIBUTE_BYTES = 32 * 1024

#: Settings actions that change nothing the simulator models: follow ``NextAction``.
PASS_THROUGH_ACTIONS = frozenset(
    {
        "UpdateContactTextToSpeechVoice",
        "UpdateContactRecordingBehavior",
        "UpdateContactEventHooks",
        "UpdateContactRoutingBehavior",
        "UpdateContactCallbackNumber",
    }
)


def _logging(reader: ParameterReader) -> str:
    return reader.text("FlowLoggingBehavior")


def _update_logging(walk: Walker, action: Action, state: str) -> str:
    walk.note(action, f"flow logging {state.lower()}")
    return walk.next(action)


def _flow_attributes(reader: ParameterReader) -> Mapping[str, Any]:
    """``{name: value}``; Connect writes each as ``{"Value": ...}``, older exports bare."""
    given = reader.mapping("FlowAttributes")
    return {
        key: spec.get("Value", "") if isinstance(spec, Mapping) else spec
        for key, spec in given.items()
    }


def _update_flow_attributes(walk: Walker, action: Action, values: Mapping[str, Any]) -> str:
    for key, value in values.items():
        walk.flow_attributes[key] = walk.text(value)
    return walk.next(action)


def _pass_through(walk: Walker, action: Action, parameters: None) -> str:
    del parameters
    return walk.next(action)


@dataclass(frozen=True)
class ContactAttributes:
    """``UpdateContactAttributes``: the values to write and whether a Related contact is named."""

    attributes: Mapping[str, Any]
    related: bool


def _contact_attributes(reader: ParameterReader) -> ContactAttributes:
    return ContactAttributes(
        attributes=reader.mapping("Attributes"),
        related=reader.text("TargetContact", "Current") != "Current",
    )


def _update_contact_attributes(walk: Walker, action: Action, spec: ContactAttributes) -> str:
    if spec.related:
        walk.note(action, "TargetContact Related applied to this contact")
    updated = dict(walk.attributes)
    for key, value in spec.attributes.items():
        resolved = resolve_value(value, walk.namespace())
        if isinstance(resolved, dict | list):
            return walk.error(action, "NoMatchingError")
        updated[key] = "" if resolved is None else str(resolved)
    if len(json.dumps(updated).encode()) > MAX_ATTRIBUTE_BYTES:
        return walk.error(action, "NoMatchingError")
    for key in spec.attributes:
        walk.record(AttributeSet(walk.flow.name, action.identifier, key, updated[key]))
    walk.attributes = updated
    return walk.next(action)


def _comparison_value(reader: ParameterReader) -> Any:
    return reader.value("ComparisonValue")


def _compare(walk: Walker, action: Action, reference: Any) -> str:
    value = resolve_value(reference, walk.namespace()) if is_reference(reference) else reference
    chosen = walk.first_condition(action, value)
    return chosen or walk.error(action, "NoMatchingCondition")


#: The attribute, comparison and settings actions, by type.
HANDLERS: Mapping[str, ActionHandler[Any]] = {
    "UpdateFlowLoggingBehavior": ActionHandler(_logging, _update_logging),
    "UpdateFlowAttributes": ActionHandler(_flow_attributes, _update_flow_attributes),
    "UpdateContactAttributes": ActionHandler(_contact_attributes, _update_contact_attributes),
    "Compare": ActionHandler(_comparison_value, _compare),
    **{name: ActionHandler(no_parameters, _pass_through) for name in PASS_THROUGH_ACTIONS},
}
