"""Reading the Amazon Connect event defensively."""

from __future__ import annotations

from runtime_events import CONTACT_ID, INSTANCE_ARN, contact_event

from callguard.connect import parse_event, text


def test_parse_a_real_shape() -> None:
    contact = parse_event(contact_event(parameters={"AgentARN": "arn:agent", "Reason": "r"}))
    assert contact.contact_id == CONTACT_ID
    assert contact.instance_arn == INSTANCE_ARN
    assert contact.channel == "VOICE"
    assert contact.agent() == "arn:agent"
    assert contact.parameter("Reason") == "r"
    assert contact.loggable_contact_id() == CONTACT_ID


def test_agent_parameters_in_order() -> None:
    contact = parse_event(contact_event(parameters={"AgentId": "id", "FlaggedBy": "sup"}))
    assert contact.agent() == "sup"
    assert parse_event(contact_event()).agent() == ""


def test_malformed_parts_become_empty() -> None:
    contact = parse_event(
        {"Details": {"ContactData": {"ContactId": 5, "Channel": ["VOICE"]}, "Parameters": "x"}}
    )
    assert (contact.contact_id, contact.channel, dict(contact.parameters)) == ("", "", {})
    assert parse_event(None) == parse_event([]) == parse_event({"Details": "x"})


def test_non_uuid_contact_ids_are_not_logged() -> None:
    event = contact_event()
    event["Details"]["ContactData"]["ContactId"] = "+442079460958"
    assert parse_event(event).loggable_contact_id() == ""


def test_text_bounds() -> None:
    assert text(" a ") == "a"
    assert text("a" * 300) == ""
    assert text(None) == text(3) == ""
