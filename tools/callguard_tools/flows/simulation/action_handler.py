"""The contract every simulated action meets: read its parameters once, then run it.

An :class:`ActionHandler` pairs ``read``, which turns an action's ``Parameters``
into a typed value when the flow is compiled (through a :class:`ParameterReader`,
so a wrong shape is a :class:`ParameterError` then, not a surprise mid-call), with
``run``, which performs the action on the
:class:`~callguard_tools.flows.simulation.walker.Walker` and returns the identifier
of the next action. The handlers themselves live in the ``*_actions`` modules, one
per family of action types; :mod:`.actions` gathers them into one table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from callguard_tools.flows.model import Action

if TYPE_CHECKING:
    from callguard_tools.flows.simulation.walker import Walker

P = TypeVar("P")


class ParameterError(ValueError):
    """A parameter the simulator reads has a shape it cannot run (the message names it)."""


@dataclass(frozen=True)
class ParameterReader:
    """Typed access to one action's ``Parameters``; a wrong shape is a :class:`ParameterError`."""

    parameters: Mapping[str, Any]
    prefix: str = "Parameters."

    def value(self, name: str, default: Any = "") -> Any:
        """Return a value as written: text, or a ``$.`` reference resolved at run time."""
        return self.parameters.get(name, default)

    def text(self, name: str, default: str = "") -> str:
        """Return a setting that must be a string (``"Enabled"``, ``"ASYNCHRONOUS"``, ...)."""
        value = self.parameters.get(name, default)
        if not isinstance(value, str):
            raise ParameterError(f"{self.prefix}{name} must be a string, not {value!r}")
        return value

    def mapping(self, name: str) -> Mapping[str, Any]:
        """Return an object parameter (``{}`` when absent)."""
        value = self.parameters.get(name, {})
        if not isinstance(value, Mapping):
            raise ParameterError(f"{self.prefix}{name} must be an object, not {value!r}")
        return value

    def nested(self, name: str) -> ParameterReader:
        """Return a reader of the object parameter ``name`` (empty when absent)."""
        return ParameterReader(self.mapping(name), f"{self.prefix}{name}.")


@dataclass(frozen=True)
class ActionHandler(Generic[P]):
    """How the simulator runs one action type: read its parameters once, then run it."""

    read: Callable[[ParameterReader], P]
    run: Callable[[Walker, Action, P], str]


def no_parameters(reader: ParameterReader) -> None:
    """Read nothing: the ``read`` of an action whose parameters the simulator ignores."""
    del reader
