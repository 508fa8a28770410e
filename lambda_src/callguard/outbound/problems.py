"""One problem type for everything wrong with a job: where, what, and how to fix it.

Readers and the validator collect problems instead of raising, so a user sees every
problem of a file at once. An :data:`ERROR` makes the job invalid (nothing is called);
a :data:`WARNING` does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

ERROR: Final = "error"
WARNING: Final = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: ``location`` is a cell (``receivers!B7``), sheet or JSON path (``$.x``).

    ``code`` is a stable short name (``formula_cell``, ``undefined_variable``) the docs
    explain; ``message`` says what is wrong and how to fix it, and never holds a
    full phone number.
    """

    location: str
    message: str
    code: str
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        """True when this problem makes the job invalid."""
        return self.severity == ERROR

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        """Return the JSON form printed by ``callguard outbound validate --format json``."""
        return {"location": self.location, "code": self.code, "message": self.message}


def error(location: str, code: str, message: str) -> Problem:
    """Return an error at ``location``."""
    return Problem(location, message, code, ERROR)


def warning(location: str, code: str, message: str) -> Problem:
    """Return a warning at ``location``."""
    return Problem(location, message, code, WARNING)


def has_errors(problems: Iterable[Problem]) -> bool:
    """Return whether any problem is an error."""
    return any(p.is_error for p in problems)


class UnreadableJobError(Exception):
    """The file cannot be read as a job at all (not a workbook, hostile, wrong format).

    Carries the :class:`Problem` that says why, so callers report it like any other.
    """

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem
