"""Connect events and log capture for the runtime unit tests (imported by their conftest)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from callguard.logs import LOGGER_NAME

#: Runs of 7+ digits: any full national or E.164 number (masked ones have stars).
FULL_NUMBER = re.compile(r"\d{7,}")
#: Contact and request ids are UUIDs, whose digit groups are not phone numbers.
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
#: The epoch-milliseconds timestamp of an embedded CloudWatch metric, not a phone number.
EMF_TIMESTAMP = re.compile(r'"Timestamp":\d+')
_WATCHED = (LOGGER_NAME, "botocore", "boto3", "urllib3")

CONTACT_ID = "6f1c2a5e-9b1d-4c3e-8a7f-0d2e4b6a8c0e"
INITIAL_CONTACT_ID = "a1b2c3d4-e5f6-4a7b-8c9d-aabbccddeeff"
PREVIOUS_CONTACT_ID = "fedcba98-7654-4321-8fed-cba987654321"
INSTANCE_ARN = (
    "arn:aws:connect:eu-west-2:123456789012:instance/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
)


class LogLines(logging.Handler):
    """Collect formatted records of the watched loggers."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in _WATCHED:
            self.lines.append(record.getMessage())

    def numbers(self) -> list[str]:
        """Lines that contain a full number (after removing UUIDs)."""
        return [
            line
            for line in self.lines
            if FULL_NUMBER.search(EMF_TIMESTAMP.sub("", UUID.sub("", line)))
        ]


EventFactory = Callable[..., dict[str, Any]]


def contact_event(
    address: object = "+442079460958",
    *,
    endpoint_type: str | None = "TELEPHONE_NUMBER",
    channel: str = "VOICE",
    parameters: dict[str, Any] | None = None,
    endpoint: object = ...,
    contact_id: str = CONTACT_ID,
) -> dict[str, Any]:
    """A contact-flow event as Amazon Connect sends it to a Lambda."""
    if endpoint is ...:
        endpoint = {"Address": address, "Type": endpoint_type}
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "Attributes": {},
                "Channel": channel,
                "ContactId": contact_id,
                "InitialContactId": INITIAL_CONTACT_ID,
                "PreviousContactId": PREVIOUS_CONTACT_ID,
                "InitiationMethod": "INBOUND",
                "InstanceARN": INSTANCE_ARN,
                "CustomerEndpoint": endpoint,
                "SystemEndpoint": {"Address": "+441632960000", "Type": "TELEPHONE_NUMBER"},
                "Queue": None,
            },
            "Parameters": parameters or {},
        },
    }
