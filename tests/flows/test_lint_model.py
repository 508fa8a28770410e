"""Parsing flows into the typed model the linter, diagrams and simulator share."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callguard_tools.flows.model import MODULE_TYPE, FlowParseError, load_flow, parse_flow

DOCUMENT = {
    "Version": "2019-10-30",
    "StartAction": "ask",
    "Actions": [
        {
            "Identifier": "ask",
            "Type": "Compare",
            "Parameters": {"ComparisonValue": "$.Attributes.x"},
            "Transitions": {
                "NextAction": "bye",
                "Conditions": [
                    {"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": ["1"]}}
                ],
                "Errors": [{"ErrorType": "NoMatchingCondition", "NextAction": "bye"}],
            },
        },
        {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
    ],
}


def test_bare_document_is_parsed_into_actions_and_transitions() -> None:
    flow = parse_flow(json.dumps(DOCUMENT), "bare.json")
    assert flow.flow_type is None
    assert flow.wrapper is None
    assert flow.name == "bare.json"
    ask = flow.action("ask")
    assert ask is not None
    assert ask.next_action == "bye"
    assert [(c.operator, c.operands) for c in ask.conditions] == [("Equals", ("1",))]
    assert ask.error_target("NoMatchingCondition") == "bye"
    assert ask.error_target("NoMatchingError") is None
    assert list(ask.targets()) == ["bye", "bye", "bye"]
    bye = flow.action("bye")
    assert bye is not None
    assert not bye.has_transitions


def test_wrapper_with_string_content_keeps_name_type_and_content_text() -> None:
    content = json.dumps(DOCUMENT)
    flow = parse_flow(
        json.dumps({"Name": "Main", "Type": "QUEUE_TRANSFER", "Content": content}), "w.json"
    )
    assert (flow.name, flow.flow_type) == ("Main", "QUEUE_TRANSFER")
    assert flow.content_text == content
    assert len(flow.actions) == 2


def test_wrapper_with_object_content_and_explicit_type_override() -> None:
    wrapper = {"Name": "Main", "Type": "CONTACT_FLOW", "Content": DOCUMENT}
    flow = parse_flow(json.dumps(wrapper), "w.json", flow_type="AGENT_TRANSFER")
    assert flow.flow_type == "AGENT_TRANSFER"
    assert json.loads(flow.content_text) == DOCUMENT


@pytest.mark.parametrize(
    ("source", "document"),
    [
        ("x.module.json", DOCUMENT),
        ("x.json", {**DOCUMENT, "Settings": {"InputParameters": []}}),
    ],
)
def test_modules_are_recognised_by_settings_or_file_name(
    source: str, document: dict[str, object]
) -> None:
    flow = parse_flow(json.dumps(document), source)
    assert flow.flow_type == MODULE_TYPE
    assert flow.is_module


def test_malformed_actions_are_kept_leniently() -> None:
    document = {
        "Version": "2019-10-30",
        "StartAction": 7,
        "Actions": [
            "not an action",
            {"Identifier": 5, "Type": "X", "Transitions": {"Errors": "nope", "Conditions": [3]}},
        ],
    }
    flow = parse_flow(json.dumps(document), "odd.json")
    assert [(a.identifier, a.type, a.errors, a.conditions) for a in flow.actions] == [
        ("", "", (), ()),
        ("", "X", (), ()),
    ]
    assert flow.start_action == 7


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"Version": }', "the file is not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"Name": "n", "Content": "{oops"}', "the wrapper's Content is not valid JSON"),
        ('{"Name": "n", "Content": "[1]"}', "Content must be a flow document object"),
    ],
)
def test_unparsable_input_raises_a_positioned_error(text: str, message: str) -> None:
    with pytest.raises(FlowParseError, match=message) as caught:
        parse_flow(text, "in.json")
    assert str(caught.value).startswith("in.json")


def test_load_flow_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(DOCUMENT), encoding="utf-8")
    flow = load_flow(path, "CONTACT_FLOW")
    assert (flow.source, flow.flow_type) == (str(path), "CONTACT_FLOW")


def test_what_the_lenient_parse_skips_is_recorded_not_dropped() -> None:
    document = {
        "Version": "2019-10-30",
        "StartAction": 7,
        "Actions": [
            {
                "Identifier": "a",
                "Type": "MessageParticipant",
                "Parameters": [],
                "Transitions": {"NextAction": 3, "Errors": [{"ErrorType": "NoMatchingError"}, 1]},
            },
            "not an action",
        ],
    }
    flow = parse_flow(json.dumps(document), "odd.json")
    assert flow.shape_problems() == [
        "StartAction must be the identifier (a string) of the first action",
        "action 'a': Transitions.NextAction must be a string",
        "action 'a': Transitions.Errors[1] must be an object",
        "action 'a': Transitions.Errors[0].NextAction must be a string",
        "action 'a': Parameters must be an object",
        "Actions[1]: must be an object",
    ]
    assert parse_flow(json.dumps({**document, "StartAction": "a", "Actions": []})).defects == ()
