"""Rules for keypad input in store mode (the console's "Store customer input" block).

Store mode keeps what the caller keyed in ``$.StoredCustomerInput`` instead of
branching on single digits, which is how a flow collects a code or an account
number. Its contract differs from menu mode in ways a flow author easily gets
wrong, and Connect reports them only when publishing, or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from callguard_tools.flows.model import Action, Flow
from callguard_tools.flows.rules.registry import Problem, flow_rule

#: Most digits a stored input is given here; longer values are surely a typo.
MAX_STORED_DIGITS: Final = 20
#: Keys a caller may press to end input early.
TERMINATORS: Final = frozenset("#*0123456789")
#: DTMFConfiguration keys the flow language reference documents.
DTMF_KEYS: Final = frozenset(
    {"InputTerminationSequence", "DisableCancelKey", "InterdigitTimeLimitSeconds"}
)


def _whole(value: Any, low: int, high: int) -> bool:
    return (
        isinstance(value, str) and value.isascii() and value.isdigit() and low <= int(value) <= high
    )


def _stored(action: Action) -> bool:
    return action.type == "GetParticipantInput" and action.parameters.get("StoreInput") == "True"


def _check_validation(action: Action) -> Iterator[str]:
    validation = action.parameters.get("InputValidation")
    if validation is None:
        return
    custom = validation.get("CustomValidation") if isinstance(validation, Mapping) else None
    if custom is None and isinstance(validation, Mapping) and "PhoneNumberValidation" in validation:
        return
    if not isinstance(custom, Mapping):
        yield "InputValidation needs CustomValidation {MaximumLength} or PhoneNumberValidation"
        return
    maximum = custom.get("MaximumLength")
    if not _whole(maximum, 1, MAX_STORED_DIGITS):
        yield (
            f"InputValidation.CustomValidation.MaximumLength {maximum!r} must be a whole "
            f"number of digits from 1 to {MAX_STORED_DIGITS}, as a string"
        )


def _check_dtmf(action: Action) -> Iterator[str]:
    dtmf = action.parameters.get("DTMFConfiguration")
    if dtmf is None:
        return
    if not isinstance(dtmf, Mapping):
        yield "DTMFConfiguration must be an object"
        return
    for key in sorted(set(dtmf) - DTMF_KEYS):
        yield f"DTMFConfiguration.{key} is not documented (known: {', '.join(sorted(DTMF_KEYS))})"
    terminator = dtmf.get("InputTerminationSequence")
    if terminator is not None and not (
        isinstance(terminator, str) and terminator and set(terminator) <= TERMINATORS
    ):
        yield f"DTMFConfiguration.InputTerminationSequence {terminator!r} must be keypad keys"


@flow_rule("stored-input")
def check_stored_input(flow: Flow) -> Iterator[Problem]:
    """Store mode: no digit conditions, a sane maximum length, documented DTMF settings.

    A timeout is not an error there: Connect takes the success branch and stores
    ``Timeout``, so a flow that waits for ``InputTimeLimitExceeded`` would never
    see it (reported as a warning: the reference is not explicit about it).
    """
    for action in flow.actions:
        if not _stored(action):
            continue
        label = action.identifier or None
        if action.conditions:
            yield Problem(
                "a stored input has no digit conditions; compare $.StoredCustomerInput "
                "afterwards (or let a function judge it)",
                label,
            )
        if "InputValidation" not in action.parameters:
            yield Problem("a stored input needs InputValidation (a maximum length)", label)
        for message in (*_check_validation(action), *_check_dtmf(action)):
            yield Problem(message, label)
        if action.error_target("InputTimeLimitExceeded") is not None:
            yield Problem(
                "in store mode a timeout takes the success branch with $.StoredCustomerInput "
                "= 'Timeout'; this InputTimeLimitExceeded branch may never be taken",
                label,
                "warning",
            )
