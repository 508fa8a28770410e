"""The Amazon Connect contact-flow event, read defensively.

Connect calls a Lambda with ``{"Details": {"ContactData": {...}, "Parameters":
{...}}, "Name": "ContactFlowEvent"}``. Nothing in it is trusted: every field may be
absent, null, of the wrong type or huge (the handlers are fuzzed with arbitrary
events), so each accessor returns a bounded string or an empty value, never raises.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from callguard.numbers import MISSING, NON_TELEPHONE, Caller, classify, classify_endpoint

#: Longest id or name kept from an event; Connect ids are 36-character UUIDs.
MAX_ID_LENGTH: Final = 256
#: Channels without a keypad (and, mostly, without a telephone number).
NON_VOICE_CHANNELS: Final = frozenset({"CHAT", "TASK", "EMAIL"})
#: Parameter names the flag handler accepts for the flagging agent's identity.
AGENT_PARAMETERS: Final = ("FlaggedBy", "AgentUsername", "AgentUserName", "AgentARN", "AgentId")

_UUID_RE: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


@dataclass(frozen=True, slots=True)
class ContactEvent:
    """The parts of a contact-flow event the handlers use."""

    contact_id: str = ""
    initial_contact_id: str = ""
    previous_contact_id: str = ""
    instance_arn: str = ""
    channel: str = ""
    customer_endpoint: object = None
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def parameter(self, name: str, limit: int = MAX_ID_LENGTH) -> str:
        """Return a contact-flow parameter as a bounded string ("" when absent or not a string)."""
        return text(self.parameters.get(name), limit)

    def agent(self) -> str:
        """Return the flagging agent's identity, from the first agent parameter that is set."""
        for name in AGENT_PARAMETERS:
            value = self.parameter(name)
            if value:
                return value
        return ""

    def loggable_contact_id(self) -> str:
        """Return the contact id if it is a UUID (safe to log), else ""."""
        return self.contact_id if _UUID_RE.fullmatch(self.contact_id) else ""

    def instance_id(self) -> str:
        """Return the Connect instance id from ``InstanceARN`` ("" when absent or malformed)."""
        return instance_id(self.instance_arn)

    def has_keypad(self) -> bool:
        """Tell whether the customer can key in digits (a voice contact, not chat, task, email)."""
        return self.channel.upper() not in NON_VOICE_CHANNELS

    def caller(
        self, default_country: str | None, *, parameter: str = "", keypad: bool = False
    ) -> Caller:
        """Classify who the customer is: the one rule every handler uses.

        The flow's ``parameter`` (``CustomerNumber``) wins when it is set, else
        ``CustomerEndpoint``. A contact on a channel without a keypad is
        :data:`~callguard.numbers.NON_TELEPHONE` when it has no telephone endpoint
        (a web chat) - or always, with ``keypad``, for handlers that need the
        customer to key in digits (an SMS chat has a number but no keypad).
        """
        if not self.has_keypad() and keypad:
            return Caller(NON_TELEPHONE)
        given = self.parameters.get(parameter) if parameter else None
        if isinstance(given, str) and given.strip():
            return classify(given, default_country)
        caller = classify_endpoint(self.customer_endpoint, default_country)
        if caller.caller_class == MISSING and not self.has_keypad():
            return Caller(NON_TELEPHONE)
        return caller


def parse_event(event: object) -> ContactEvent:
    """Extract a :class:`ContactEvent` from anything; malformed parts become empty."""
    details = _mapping(_mapping(event).get("Details"))
    data = _mapping(details.get("ContactData"))
    return ContactEvent(
        contact_id=text(data.get("ContactId")),
        initial_contact_id=text(data.get("InitialContactId")),
        previous_contact_id=text(data.get("PreviousContactId")),
        instance_arn=text(data.get("InstanceARN")),
        channel=text(data.get("Channel"), 32),
        customer_endpoint=data.get("CustomerEndpoint"),
        parameters=_mapping(details.get("Parameters")),
    )


def instance_id(arn: str) -> str:
    """Return the instance UUID of a Connect instance ARN, or "" if ``arn`` is not one.

    The id (not the ARN) is what operators see in the console, and it is the same
    in every log line and metric dimension that names an instance.
    """
    _, marker, tail = arn.rpartition(":instance/")
    return tail.lower() if marker and _UUID_RE.fullmatch(tail) else ""


def text(value: object, limit: int = MAX_ID_LENGTH) -> str:
    """``value`` if it is a string of at most ``limit`` characters (stripped), else ""."""
    if isinstance(value, str) and len(value) <= limit:
        return value.strip()
    return ""


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
