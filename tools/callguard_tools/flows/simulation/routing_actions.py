"""Where a contact goes: queues and transfers, flow modules, and the endings of a walk.

``UpdateContactTargetQueue`` and ``TransferContactToQueue`` route to a queue (or
take the capacity and error branches the script asks for), ``InvokeFlowModule``
and ``EndFlowModuleExecution`` enter and leave a module of the
:class:`~callguard_tools.flows.simulation.library.FlowLibrary`, and
``DisconnectParticipant`` and ``EndFlowExecution`` end the walk.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from callguard_tools.flows.model import FLOW_TYPES, MODULE_TYPE, Action
from callguard_tools.flows.simulation.action_handler import (
    ActionHandler,
    ParameterReader,
    no_parameters,
)
from callguard_tools.flows.transcript import Outcome

if TYPE_CHECKING:
    from callguard_tools.flows.simulation.walker import Walker

#: Flow types that cannot invoke flow modules: the flow language reference says
#: InvokeFlowModule "only supports Inbound flow types" (inbound flows, and modules).
FLOW_TYPES_WITHOUT_MODULES = FLOW_TYPES - {"CONTACT_FLOW", MODULE_TYPE}


def _queue_id(reader: ParameterReader) -> Any:
    return reader.value("QueueId")


def _update_target_queue(walk: Walker, action: Action, queue_id: Any) -> str:
    queue = walk.text(queue_id)
    if not queue:
        return walk.error(action, "NoMatchingError")
    walk.target_queue = queue
    walk.note(action, f"working queue set to {queue}")
    return walk.next(action)


def _transfer_to_queue(walk: Walker, action: Action, parameters: None) -> str:
    del parameters
    queue = walk.target_queue
    if not queue:
        return walk.error(action, "NoMatchingError")
    if walk.script.at_capacity(queue):
        walk.note(action, f"queue {queue} is at capacity")
        return walk.error(action, "QueueAtCapacity")
    if walk.script.transfers_fail:
        walk.note(action, f"transfer to {queue} fails")
        return walk.error(action, "NoMatchingError")
    return walk.leave(Outcome("transferred", queue=queue))


# ---------------------------------------------------------------- modules and endings


def _module_id(reader: ParameterReader) -> Any:
    return reader.value("FlowModuleId")


def _invoke_flow_module(walk: Walker, action: Action, module_id: Any) -> str:
    kind = walk.flow.kind
    if kind in FLOW_TYPES_WITHOUT_MODULES:
        return walk.leave(
            Outcome(
                "error",
                detail=f"{walk.flow.name}/{action.identifier}: flow modules cannot be invoked "
                f"from a {kind} flow (Connect would not publish it)",
            )
        )
    key = walk.text(module_id)
    if not key:
        walk.note(action, "FlowModuleId is empty: no module to invoke")
        return walk.error(action, "NoMatchingError")
    module = walk.library.find(key)
    if module is None:
        walk.note(action, f"no module {key!r}")
        return walk.error(action, "NoMatchingError")
    return walk.enter_module(action, module)


def _end_flow_module(walk: Walker, action: Action, parameters: None) -> str:
    del parameters
    return walk.return_from_module(action)


def _disconnect(walk: Walker, action: Action, parameters: None) -> str:
    del action, parameters
    return walk.leave(Outcome("disconnected"))


def _end_flow(walk: Walker, action: Action, parameters: None) -> str:
    del action, parameters
    return walk.leave(Outcome("ended"))


#: The queue, module and ending actions, by type.
HANDLERS: Mapping[str, ActionHandler[Any]] = {
    "UpdateContactTargetQueue": ActionHandler(_queue_id, _update_target_queue),
    "TransferContactToQueue": ActionHandler(no_parameters, _transfer_to_queue),
    "InvokeFlowModule": ActionHandler(_module_id, _invoke_flow_module),
    "EndFlowModuleExecution": ActionHandler(no_parameters, _end_flow_module),
    "DisconnectParticipant": ActionHandler(no_parameters, _disconnect),
    "EndFlowExecution": ActionHandler(no_parameters, _end_flow),
}
