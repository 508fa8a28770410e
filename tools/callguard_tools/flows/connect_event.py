"""The contact a simulated call carries, and the Lambda event Amazon Connect builds from it.

Amazon Connect has no local emulator, so the simulator has to reproduce the two
things our handlers and flows actually read: the ``ContactFlowEvent`` a Lambda
receives (``Details.ContactData`` and ``Details.Parameters``) and the JSONPath
references (``$.CustomerEndpoint.Address``, ``$.Attributes.x``, ``$.External.x``)
that flow actions resolve against the live contact. Both are built here from one
:class:`Contact`, so a handler sees exactly what the flow would have passed it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, replace
from typing import Any, Literal

#: Channels a contact can arrive on (Connect's ``Channel`` values).
Channel = Literal["VOICE", "CHAT", "TASK", "EMAIL"]

#: How the contact started (Connect's ``InitiationMethod`` values).
InitiationMethod = Literal["INBOUND", "OUTBOUND", "TRANSFER", "CALLBACK", "API", "QUEUE_TRANSFER"]

#: The address Connect reports for a caller who withheld their number.
WITHHELD_ADDRESS = "anonymous"

#: A JSONPath reference as flows write them: ``$.`` then dotted or bracketed segments.
_REFERENCE = re.compile(
    r"^\$\.(?:[A-Za-z0-9_\-]+|\[(?:'[^']*'|\"[^\"]*\")\])"
    r"(?:\.[A-Za-z0-9_\-]+|\[(?:'[^']*'|\"[^\"]*\")\])*$"
)
#: A reference embedded in prompt text ("Your code is $.External.code.").
_EMBEDDED_REFERENCE = re.compile(r"\$\.[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_\-]+)*")
_SEGMENT = re.compile(r"\.([A-Za-z0-9_\-]+)|\[(?:'([^']*)'|\"([^\"]*)\")\]")

DEFAULT_INSTANCE_ARN = (
    "arn:aws:connect:eu-west-2:111122223333:instance/00000000-0000-4000-8000-000000000001"
)
DEFAULT_SYSTEM_ADDRESS = "+442079460000"


def new_contact_id() -> str:
    """Return a fresh contact id shaped like Connect's (a random UUID)."""
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Contact:
    """Everything about one contact that a flow or a Lambda can observe.

    ``caller`` is the customer's address as the carrier delivered it: an E.164
    number, :data:`WITHHELD_ADDRESS` for a withheld caller id, any other raw
    string to exercise the handler's parsing, or ``None`` when Connect sends no
    ``CustomerEndpoint`` at all (chat, tasks, some SIP trunks).
    """

    caller: str | None
    instance_arn: str = DEFAULT_INSTANCE_ARN
    channel: Channel = "VOICE"
    initiation_method: InitiationMethod = "INBOUND"
    contact_id: str = field(default_factory=new_contact_id)
    initial_contact_id: str = ""
    previous_contact_id: str = ""
    system_address: str | None = DEFAULT_SYSTEM_ADDRESS
    attributes: dict[str, str] = field(default_factory=dict)
    queue_arn: str | None = None

    def __post_init__(self) -> None:
        # On a first leg Connect reports the contact's own id as both the initial
        # and the previous contact (as in the event example of the Lambda guide).
        if not self.initial_contact_id:
            object.__setattr__(self, "initial_contact_id", self.contact_id)
        if not self.previous_contact_id:
            object.__setattr__(self, "previous_contact_id", self.contact_id)

    @classmethod
    def inbound(
        cls,
        caller: str | None,
        *,
        instance_arn: str = DEFAULT_INSTANCE_ARN,
        channel: Channel = "VOICE",
        attributes: dict[str, str] | None = None,
    ) -> Contact:
        """Create a new inbound contact from ``caller`` (``None`` = no customer endpoint)."""
        return cls(
            caller=caller,
            instance_arn=instance_arn,
            channel=channel,
            attributes=dict(attributes or {}),
        )

    @classmethod
    def outbound(
        cls,
        destination: str,
        *,
        contact_id: str | None = None,
        instance_arn: str = DEFAULT_INSTANCE_ARN,
        attributes: dict[str, str] | None = None,
    ) -> Contact:
        """Return an outbound call Connect placed to ``destination`` (StartOutboundVoiceContact).

        The customer endpoint is the number dialled; the dialer's attributes (job,
        receiver, attempt) come with it.
        """
        return cls(
            caller=destination,
            instance_arn=instance_arn,
            initiation_method="OUTBOUND",
            contact_id=contact_id or new_contact_id(),
            attributes=dict(attributes or {}),
        )

    def transferred(self, *, queue_arn: str | None = None) -> Contact:
        """Return the contact a quick-connect transfer creates from this one.

        Connect gives the transferred leg a new ContactId, keeps the
        InitialContactId, records this contact as PreviousContactId, carries the
        attributes over and reports the same customer endpoint. This is the
        contact a QUEUE_TRANSFER flow (the agent's "flag caller" quick connect)
        runs with.
        """
        return replace(
            self,
            contact_id=new_contact_id(),
            initial_contact_id=self.initial_contact_id,
            previous_contact_id=self.contact_id,
            initiation_method="TRANSFER",
            attributes=dict(self.attributes),
            queue_arn=queue_arn if queue_arn is not None else self.queue_arn,
        )

    def customer_endpoint(self) -> dict[str, str] | None:
        """``ContactData.CustomerEndpoint`` as Connect sends it."""
        if self.caller is None:
            return None
        return {"Address": self.caller, "Type": "TELEPHONE_NUMBER"}

    def system_endpoint(self) -> dict[str, str] | None:
        """``ContactData.SystemEndpoint``: the number the customer dialled."""
        if self.system_address is None:
            return None
        return {"Address": self.system_address, "Type": "TELEPHONE_NUMBER"}

    def queue(self) -> dict[str, Any] | None:
        """``ContactData.Queue``: set once the contact has a target queue."""
        if self.queue_arn is None:
            return None
        return {"ARN": self.queue_arn, "Name": self.queue_arn.rsplit("/", 1)[-1]}

    def contact_data(
        self,
        attributes: dict[str, str] | None = None,
        queue_arn: str | None = None,
    ) -> dict[str, Any]:
        """Return ``Details.ContactData`` with the live ``attributes`` and target queue.

        Exactly the fields the Lambda developer guide's example event and the
        admin guide document; a handler that relies on anything else would be
        relying on something this simulation cannot vouch for.
        """
        contact = self if queue_arn is None else replace(self, queue_arn=queue_arn)
        return {
            "Attributes": dict(self.attributes if attributes is None else attributes),
            "Channel": self.channel,
            "ContactId": self.contact_id,
            "CustomerEndpoint": self.customer_endpoint(),
            "InitialContactId": self.initial_contact_id,
            "InitiationMethod": self.initiation_method,
            "InstanceARN": self.instance_arn,
            "MediaStreams": {"Customer": {"Audio": None}},
            "PreviousContactId": self.previous_contact_id,
            "Queue": contact.queue(),
            "SystemEndpoint": self.system_endpoint(),
        }


def build_event(contact_data: dict[str, Any], parameters: dict[str, Any]) -> dict[str, Any]:
    """Build the ``ContactFlowEvent`` an ``InvokeLambdaFunction`` action sends."""
    return {
        "Details": {"ContactData": contact_data, "Parameters": dict(parameters)},
        "Name": "ContactFlowEvent",
    }


def is_reference(value: object) -> bool:
    """Whether a parameter value is a whole JSONPath reference such as ``$.Attributes.x``."""
    return isinstance(value, str) and bool(_REFERENCE.match(value))


def _segments(reference: str) -> list[str]:
    rest = reference[1:]
    found: list[str] = []
    position = 0
    for match in _SEGMENT.finditer(rest):
        if match.start() != position:
            raise ValueError(f"malformed reference {reference!r}")
        found.append(next(group for group in match.groups() if group is not None))
        position = match.end()
    if position != len(rest) or not found:
        raise ValueError(f"malformed reference {reference!r}")
    return found


def resolve_reference(reference: str, namespace: dict[str, Any]) -> Any:
    """Resolve ``$.A.B`` against ``namespace``; ``None`` when any segment is missing.

    ``namespace`` is the contact as a flow sees it: ContactData's fields plus
    ``External`` (the last Lambda result), ``StoredCustomerInput`` and
    ``FlowAttributes``.
    """
    current: Any = namespace
    for segment in _segments(reference):
        if not isinstance(current, dict) or segment not in current:
            return None
        current = current[segment]
    return current


def resolve_value(value: Any, namespace: dict[str, Any]) -> Any:
    """Evaluate a parameter value as Connect does: a whole reference is resolved, text kept."""
    if is_reference(value):
        return resolve_reference(value, namespace)
    return value


def interpolate(text: str, namespace: dict[str, Any]) -> str:
    """Replace references embedded in prompt text with their values ("" when missing)."""

    def _substitute(match: re.Match[str]) -> str:
        found = resolve_reference(match.group(0), namespace)
        return "" if found is None else str(found)

    return _EMBEDDED_REFERENCE.sub(_substitute, text)
