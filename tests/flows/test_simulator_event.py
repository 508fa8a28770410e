"""The Connect event and the ``$.`` references the simulator builds from a contact."""

from __future__ import annotations

import pytest

from callguard_tools.flows.connect_event import (
    WITHHELD_ADDRESS,
    Contact,
    build_event,
    interpolate,
    is_reference,
    resolve_reference,
    resolve_value,
)

INSTANCE = "arn:aws:connect:us-east-1:111122223333:instance/11111111-2222-4333-8444-555555555555"


def test_an_inbound_event_has_the_shape_connect_sends() -> None:
    contact = Contact.inbound("+442079460958", instance_arn=INSTANCE, attributes={"a": "1"})
    event = build_event(contact.contact_data(), {"CustomerNumber": "+442079460958"})
    assert event["Name"] == "ContactFlowEvent"
    data = event["Details"]["ContactData"]
    assert data["CustomerEndpoint"] == {"Address": "+442079460958", "Type": "TELEPHONE_NUMBER"}
    assert data["InitialContactId"] == data["ContactId"]
    assert data["PreviousContactId"] == data["ContactId"]
    assert data["InitiationMethod"] == "INBOUND"
    assert data["InstanceARN"] == INSTANCE
    assert data["Channel"] == "VOICE"
    assert data["Attributes"] == {"a": "1"}
    assert data["Queue"] is None
    assert set(data) == {
        "Attributes",
        "Channel",
        "ContactId",
        "CustomerEndpoint",
        "InitialContactId",
        "InitiationMethod",
        "InstanceARN",
        "MediaStreams",
        "PreviousContactId",
        "Queue",
        "SystemEndpoint",
    }
    assert event["Details"]["Parameters"] == {"CustomerNumber": "+442079460958"}


def test_no_caller_id_means_no_customer_endpoint() -> None:
    data = Contact.inbound(None).contact_data()
    assert data["CustomerEndpoint"] is None


def test_a_withheld_caller_has_connects_anonymous_address() -> None:
    data = Contact.inbound(WITHHELD_ADDRESS).contact_data()
    assert data["CustomerEndpoint"]["Address"] == "anonymous"


def test_a_quick_connect_transfer_chains_the_contact_ids() -> None:
    first = Contact.inbound("+442079460958", attributes={"x": "y"})
    second = first.transferred(queue_arn=INSTANCE + "/queue/q1")
    assert second.contact_id != first.contact_id
    assert second.previous_contact_id == first.contact_id
    assert second.initial_contact_id == first.initial_contact_id
    assert second.initiation_method == "TRANSFER"
    assert second.caller == first.caller
    assert second.attributes == {"x": "y"}
    assert second.contact_data()["Queue"] == {"ARN": INSTANCE + "/queue/q1", "Name": "q1"}
    third = second.transferred()
    assert third.initial_contact_id == first.contact_id
    assert third.previous_contact_id == second.contact_id


def test_live_attributes_and_queue_override_the_starting_ones() -> None:
    contact = Contact.inbound("+442079460958", attributes={"a": "1"})
    data = contact.contact_data({"a": "2"}, "arn:q/queue/abc")
    assert data["Attributes"] == {"a": "2"}
    assert data["Queue"]["ARN"] == "arn:q/queue/abc"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$.CustomerEndpoint.Address", True),
        ("$.Attributes.callguard_blocked", True),
        ("$.Attributes['with space']", True),
        ("$.External.blocked", True),
        ("$.Attributes.Journey >> went_through_module", False),
        ("plain text", False),
        ("$.", False),
        ("", False),
    ],
)
def test_which_values_are_references(text: str, expected: bool) -> None:
    assert is_reference(text) is expected


def test_references_resolve_against_the_namespace() -> None:
    namespace = {
        "CustomerEndpoint": {"Address": "+442079460958"},
        "Attributes": {"with space": "v", "a": "1"},
        "External": {},
    }
    assert resolve_reference("$.CustomerEndpoint.Address", namespace) == "+442079460958"
    assert resolve_reference("$.Attributes['with space']", namespace) == "v"
    assert resolve_reference('$.Attributes["a"]', namespace) == "1"
    assert resolve_reference("$.External.missing", namespace) is None
    assert resolve_reference("$.CustomerEndpoint.Address.deeper", namespace) is None
    assert resolve_value("literal", namespace) == "literal"
    assert resolve_value({"not": "text"}, namespace) == {"not": "text"}


def test_a_missing_endpoint_resolves_to_none() -> None:
    namespace = Contact.inbound(None).contact_data()
    assert resolve_reference("$.CustomerEndpoint.Address", namespace) is None


def test_references_inside_prompt_text_are_replaced() -> None:
    namespace = {"External": {"code": "123"}}
    assert interpolate("Your code is $.External.code.", namespace) == "Your code is 123."
    assert interpolate("Missing: $.External.other!", namespace) == "Missing: !"
