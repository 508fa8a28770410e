"""What each action type does to a simulated contact: one handler per type, in one table.

:data:`ACTION_HANDLERS` maps an action type (``"InvokeLambdaFunction"``) to an
:class:`~.action_handler.ActionHandler`: ``read`` turns the action's ``Parameters``
into a typed value once, when the flow is compiled (a wrong shape is a
:class:`~.action_handler.ParameterError` then, not a surprise mid-call), and ``run``
performs the action on the :class:`~callguard_tools.flows.simulation.walker.Walker`
and returns the identifier of the next action.

The handlers are written by family, each module with its own ``HANDLERS``:
:mod:`.attribute_actions` (attributes, comparisons, settings), :mod:`.prompt_actions`
(prompts, keypad input), :mod:`.lambda_actions`, :mod:`.lex_actions` (Lex bots, call
progress) and :mod:`.routing_actions` (queues, modules, endings). To simulate a new
action type, write its parameters class and its two functions in its family's
module and add one line to that module's ``HANDLERS``.

Behaviour Connect does not document precisely is chosen conservatively and
stated where it is implemented (a missing reference evaluates to "", the last
Lambda result is cleared when an invocation fails).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from callguard_tools.flows.simulation import (
    attribute_actions,
    lambda_actions,
    lex_actions,
    prompt_actions,
    routing_actions,
)
from callguard_tools.flows.simulation.action_handler import ActionHandler

_FAMILIES: tuple[Mapping[str, ActionHandler[Any]], ...] = (
    attribute_actions.HANDLERS,
    prompt_actions.HANDLERS,
    lambda_actions.HANDLERS,
    lex_actions.HANDLERS,
    routing_actions.HANDLERS,
)


def _one_table(
    families: tuple[Mapping[str, ActionHandler[Any]], ...],
) -> dict[str, ActionHandler[Any]]:
    """Merge the families' tables; an action type claimed by two families is a mistake."""
    table: dict[str, ActionHandler[Any]] = {}
    for family in families:
        claimed = table.keys() & family.keys()
        if claimed:
            raise ValueError(f"action types handled twice: {sorted(claimed)}")
        table.update(family)
    return table


#: Action type -> how the simulator runs it. A type not listed ends the walk with
#: an ``error`` outcome naming it ("not simulated") when a contact reaches it.
ACTION_HANDLERS: Mapping[str, ActionHandler[Any]] = _one_table(_FAMILIES)
