"""Action semantics of the flow walker, on small hand-written flows.

The real callguard flows are covered branch by branch in
``test_simulator_flows.py``; these tests pin down how each action type behaves,
including the paths our own flows do not take.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from callguard_tools.flows.connect_event import Contact
from callguard_tools.flows.lambda_invoke import Fault, LambdaInvoker
from callguard_tools.flows.model import Flow, FlowShapeError, parse_flow
from callguard_tools.flows.simulation import (
    CallScript,
    FlowLibrary,
    SimulationResult,
    Walker,
)
from callguard_tools.flows.transcript import AttributeSet, InputReceived, Note

FN = "arn:aws:lambda:eu-west-2:111122223333:function:fn"
QUEUE = "arn:aws:connect:eu-west-2:111122223333:instance/i/queue/q-1"


def action(
    identifier: str,
    action_type: str,
    parameters: dict[str, Any] | None = None,
    next_action: str | None = None,
    errors: dict[str, str] | None = None,
    conditions: list[tuple[str, str, str]] | None = None,
) -> dict[str, Any]:
    transitions: dict[str, Any] = {}
    if next_action:
        transitions["NextAction"] = next_action
    if errors:
        transitions["Errors"] = [{"ErrorType": k, "NextAction": v} for k, v in errors.items()]
    if conditions:
        transitions["Conditions"] = [
            {"NextAction": target, "Condition": {"Operator": op, "Operands": [operand]}}
            for op, operand, target in conditions
        ]
    return {
        "Identifier": identifier,
        "Type": action_type,
        "Parameters": parameters or {},
        "Transitions": transitions,
    }


@dataclass(frozen=True)
class FlowDoc:
    """A hand-written flow document: its name, type, start and actions by identifier."""

    name: str
    kind: str
    start_action: str
    actions: Mapping[str, Mapping[str, Any]]

    def parsed(self) -> Flow:
        document = {
            "Version": "2019-10-30",
            "StartAction": self.start_action,
            "Actions": list(self.actions.values()),
        }
        return parse_flow(json.dumps(document), self.name, self.kind)


def flow(name: str, *actions: dict[str, Any], kind: str = "CONTACT_FLOW") -> FlowDoc:
    return FlowDoc(
        name=name,
        kind=kind,
        start_action=actions[0]["Identifier"],
        actions={a["Identifier"]: a for a in actions},
    )


def end(identifier: str = "end") -> dict[str, Any]:
    return action(identifier, "DisconnectParticipant")


def say(identifier: str, text: str, next_action: str = "end") -> dict[str, Any]:
    return action(identifier, "MessageParticipant", {"Text": text}, next_action)


def run(
    *flows: FlowDoc,
    handlers: dict[str, Any] | None = None,
    faults: dict[str, Fault] | None = None,
    contact: Contact | None = None,
    script: CallScript | None = None,
    aliases: dict[str, str] | None = None,
) -> SimulationResult:
    library = FlowLibrary()
    for item in flows:
        library.add(
            item.name,
            item.parsed(),
            *[alias for alias, name in (aliases or {}).items() if name == item.name],
        )
    walker = Walker(
        library,
        LambdaInvoker(handlers or {}, faults=faults or {}),
        contact or Contact.inbound("+442079460958"),
        script or CallScript(),
    )
    return walker.run(flows[0].name)


def compare_flow(value: str, operator: str, operand: str) -> FlowDoc:
    return flow(
        "main",
        action("set", "UpdateContactAttributes", {"Attributes": {"v": value}}, "cmp"),
        action(
            "cmp",
            "Compare",
            {"ComparisonValue": "$.Attributes.v"},
            errors={"NoMatchingCondition": "no"},
            conditions=[(operator, operand, "yes")],
        ),
        say("yes", "matched"),
        say("no", "not matched"),
        end(),
    )


@pytest.mark.parametrize(
    ("value", "operator", "operand", "matched"),
    [
        ("true", "Equals", "true", True),
        ("True", "Equals", "true", False),
        ("+4420", "TextStartsWith", "+44", True),
        ("+4420", "TextEndsWith", "20", True),
        ("abcdef", "TextContains", "cd", True),
        ("abcdef", "TextContains", "x", False),
        ("10", "NumberGreaterThan", "9", True),
        ("9", "NumberGreaterThan", "9", False),
        ("9", "NumberGreaterOrEqualTo", "9", True),
        ("3", "NumberLessThan", "4", True),
        ("4", "NumberLessOrEqualTo", "4", True),
        ("abc", "NumberLessThan", "4", False),
        ("1", "Unknown", "1", False),
    ],
)
def test_compare_operators(value: str, operator: str, operand: str, matched: bool) -> None:
    result = run(compare_flow(value, operator, operand))
    assert result.transcript.prompts == ["matched" if matched else "not matched"]
    assert result.outcome.kind == "disconnected"


def test_compare_on_a_missing_value_takes_no_matching_condition() -> None:
    main = flow(
        "main",
        action(
            "cmp",
            "Compare",
            {"ComparisonValue": "$.Attributes.absent"},
            errors={"NoMatchingCondition": "no"},
            conditions=[("Equals", "", "yes")],
        ),
        say("yes", "matched"),
        say("no", "not matched"),
        end(),
    )
    assert run(main).transcript.prompts == ["not matched"]


def test_attributes_resolve_references_and_are_recorded() -> None:
    main = flow(
        "main",
        action(
            "set",
            "UpdateContactAttributes",
            {"Attributes": {"who": "$.CustomerEndpoint.Address", "fixed": "x", "gone": "$.X.y"}},
            "end",
        ),
        end(),
    )
    result = run(main)
    assert result.attributes == {"who": "+442079460958", "fixed": "x", "gone": ""}
    assert [(e.key, e.value) for e in result.transcript.of_type(AttributeSet)] == [
        ("who", "+442079460958"),
        ("fixed", "x"),
        ("gone", ""),
    ]


def test_attributes_over_the_32_kb_budget_take_the_error_branch() -> None:
    main = flow(
        "main",
        action(
            "set",
            "UpdateContactAttributes",
            {"Attributes": {"big": "x" * 33_000}},
            "ok",
            errors={"NoMatchingError": "failed"},
        ),
        say("ok", "stored"),
        say("failed", "too big"),
        end(),
    )
    result = run(main)
    assert result.transcript.prompts == ["too big"]
    assert "big" not in result.attributes


def _lambda_flow(response_type: str = "STRING_MAP", limit: str = "3") -> FlowDoc:
    return flow(
        "main",
        action(
            "fn",
            "InvokeLambdaFunction",
            {
                "LambdaFunctionARN": FN,
                "InvocationTimeLimitSeconds": limit,
                "LambdaInvocationAttributes": {"n": "$.CustomerEndpoint.Address", "k": "v"},
                "ResponseValidation": {"ResponseType": response_type},
            },
            "use",
            errors={"NoMatchingError": "failed"},
        ),
        say("use", "answer $.External.answer"),
        say("failed", "failed, external is '$.External.answer'"),
        end(),
    )


def _answer(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"answer": event["Details"]["Parameters"]["k"]}


def test_lambda_result_is_readable_as_external() -> None:
    result = run(_lambda_flow(), handlers={FN: _answer})
    assert result.transcript.prompts == ["answer v"]
    call = result.transcript.lambda_calls[0]
    assert call.ok
    assert call.parameters == {"n": "+442079460958", "k": "v"}
    assert result.external == {"answer": "v"}


@pytest.mark.parametrize(
    "fault",
    [Fault(raises="boom"), Fault(delay_seconds=4), Fault(response={"answer": 1})],
    ids=["raises", "slower-than-limit", "non-string"],
)
def test_lambda_faults_take_the_error_branch_and_clear_external(fault: Fault) -> None:
    result = run(_lambda_flow(), handlers={FN: _answer}, faults={FN: fault})
    assert result.transcript.prompts == ["failed, external is ''"]
    assert not result.transcript.lambda_calls[0].ok


def test_json_response_type_accepts_nested_values() -> None:
    result = run(
        _lambda_flow("JSON"),
        handlers={FN: _answer},
        faults={FN: Fault(response={"answer": {"nested": "yes"}})},
    )
    assert result.transcript.lambda_calls[0].ok


def test_time_limit_is_capped_at_connects_8_seconds() -> None:
    result = run(
        _lambda_flow(limit="60"), handlers={FN: _answer}, faults={FN: Fault(delay_seconds=9)}
    )
    assert "InvocationTimeLimitSeconds=8" in result.transcript.lambda_calls[0].error


def test_a_malformed_time_limit_takes_the_error_branch() -> None:
    result = run(_lambda_flow(limit="soon"), handlers={FN: _answer})
    assert result.transcript.prompts == ["failed, external is ''"]


def test_asynchronous_invocation_continues_without_a_result() -> None:
    main = _lambda_flow()
    parameters = dict(main.actions["fn"]["Parameters"])
    parameters["InvocationType"] = "ASYNCHRONOUS"
    actions = dict(main.actions)
    actions["fn"] = {**main.actions["fn"], "Parameters": parameters}
    result = run(FlowDoc("main", "CONTACT_FLOW", "fn", actions), handlers={FN: _answer})
    assert result.transcript.prompts == ["answer "]


def _input_flow(store: bool, **extra: Any) -> FlowDoc:
    parameters: dict[str, Any] = {
        "Text": "Press 1",
        "StoreInput": "True" if store else "False",
        "InputTimeLimitSeconds": "5",
        **extra,
    }
    return flow(
        "main",
        action(
            "ask",
            "GetParticipantInput",
            parameters,
            "stored",
            errors={
                "InputTimeLimitExceeded": "timeout",
                "NoMatchingCondition": "other",
                "NoMatchingError": "error",
            },
            conditions=[] if store else [("Equals", "1", "one")],
        ),
        say("one", "you pressed one"),
        say("stored", "you typed $.StoredCustomerInput"),
        say("timeout", "timeout"),
        say("other", "other key"),
        say("error", "invalid"),
        end(),
    )


@pytest.mark.parametrize(
    ("store", "inputs", "heard"),
    [
        (False, ("1",), "you pressed one"),
        (False, ("2",), "other key"),
        (False, (None,), "timeout"),
        (False, (), "timeout"),
        (True, ("1234#",), "you typed 1234"),
        (True, (None,), "timeout"),
    ],
)
def test_participant_input(store: bool, inputs: tuple[str | None, ...], heard: str) -> None:
    extra = {"DTMFConfiguration": {"InputTerminationSequence": "#"}} if store else {}
    result = run(_input_flow(store, **extra), script=CallScript(inputs=inputs))
    assert result.transcript.prompts == ["Press 1", heard]
    assert len(result.transcript.of_type(InputReceived)) == 1


def test_stored_input_longer_than_the_maximum_is_an_error() -> None:
    main = _input_flow(True, InputValidation={"CustomValidation": {"MaximumLength": "3"}})
    result = run(main, script=CallScript(inputs=("12345",)))
    assert result.transcript.prompts == ["Press 1", "invalid"]


def test_stored_input_timeout_without_a_timeout_branch_stores_timeout() -> None:
    main = flow(
        "main",
        action("ask", "GetParticipantInput", {"Text": "Type", "StoreInput": "True"}, "said"),
        say("said", "got $.StoredCustomerInput"),
        end(),
    )
    assert run(main).transcript.prompts == ["Type", "got Timeout"]


def _queue_flow(queue: str = QUEUE) -> FlowDoc:
    return flow(
        "main",
        action("q", "UpdateContactTargetQueue", {"QueueId": queue}, "t", {"NoMatchingError": "e"}),
        action(
            "t",
            "TransferContactToQueue",
            errors={"QueueAtCapacity": "full", "NoMatchingError": "e"},
        ),
        say("full", "queue full"),
        say("e", "queue error"),
        end(),
    )


def test_transfer_ends_the_call_in_the_queue() -> None:
    result = run(_queue_flow())
    assert result.outcome.kind == "transferred"
    assert result.outcome.queue == QUEUE
    assert result.target_queue == QUEUE


def test_a_queue_at_capacity_takes_its_branch() -> None:
    for script in (
        CallScript(all_queues_at_capacity=True),
        CallScript(queues_at_capacity=frozenset({QUEUE})),
        CallScript(queues_at_capacity=frozenset({"q-1"})),
    ):
        result = run(_queue_flow(), script=script)
        assert result.transcript.prompts == ["queue full"]
        assert result.outcome.kind == "disconnected"


def test_a_failing_transfer_takes_the_error_branch() -> None:
    result = run(_queue_flow(), script=CallScript(transfers_fail=True))
    assert result.transcript.prompts == ["queue error"]


def test_an_empty_queue_reference_is_an_error() -> None:
    result = run(_queue_flow("$.Attributes.no_queue"))
    assert result.transcript.prompts == ["queue error"]


def test_transfer_without_a_queue_is_an_error() -> None:
    main = flow(
        "main",
        action("t", "TransferContactToQueue", errors={"NoMatchingError": "e"}),
        say("e", "no queue"),
        end(),
    )
    assert run(main).transcript.prompts == ["no queue"]


def test_a_module_is_entered_and_returns_to_the_caller() -> None:
    module = flow(
        "mod",
        action("set", "UpdateContactAttributes", {"Attributes": {"in_module": "yes"}}, "done"),
        action("done", "EndFlowModuleExecution"),
        kind="CONTACT_FLOW_MODULE",
    )
    main = flow(
        "main",
        action(
            "call",
            "InvokeFlowModule",
            {"FlowModuleId": "module-id"},
            "after",
            {"NoMatchingError": "e"},
        ),
        say("after", "back with $.Attributes.in_module"),
        say("e", "no module"),
        end(),
    )
    result = run(main, module, aliases={"module-id": "mod"})
    assert result.transcript.prompts == ["back with yes"]
    assert result.transcript.visited[:4] == ["main/call", "mod/set", "mod/done", "main/after"]
    notes = [n.text for n in result.transcript.of_type(Note)]
    assert "enters module mod" in notes
    assert "returns from module mod" in notes


def test_a_module_reached_by_arn_is_found_by_its_id() -> None:
    module = flow("mod", action("done", "EndFlowModuleExecution"), kind="CONTACT_FLOW_MODULE")
    main = flow(
        "main",
        action(
            "call",
            "InvokeFlowModule",
            {"FlowModuleId": "arn:aws:connect:eu-west-2:1:instance/i/flow-module/module-id"},
            "after",
            {"NoMatchingError": "e"},
        ),
        say("after", "back"),
        say("e", "no module"),
        end(),
    )
    assert run(main, module, aliases={"module-id": "mod"}).transcript.prompts == ["back"]


def test_an_unknown_module_takes_the_error_branch() -> None:
    main = flow(
        "main",
        action(
            "call", "InvokeFlowModule", {"FlowModuleId": "nope"}, "after", {"NoMatchingError": "e"}
        ),
        say("after", "back"),
        say("e", "no module"),
        end(),
    )
    assert run(main).transcript.prompts == ["no module"]


def test_a_queue_transfer_flow_cannot_invoke_a_module() -> None:
    module = flow("mod", action("done", "EndFlowModuleExecution"), kind="CONTACT_FLOW_MODULE")
    main = flow(
        "main",
        action("call", "InvokeFlowModule", {"FlowModuleId": "mod"}, "after"),
        say("after", "back"),
        end(),
        kind="QUEUE_TRANSFER",
    )
    result = run(main, module)
    assert result.outcome.kind == "error"
    assert "cannot be invoked from a QUEUE_TRANSFER flow" in result.outcome.detail


def test_a_module_run_on_its_own_ends() -> None:
    module = flow("mod", action("done", "EndFlowModuleExecution"), kind="CONTACT_FLOW_MODULE")
    assert run(module).outcome.kind == "ended"


def test_logging_flow_attributes_and_settings_actions_pass_through() -> None:
    main = flow(
        "main",
        action("log", "UpdateFlowLoggingBehavior", {"FlowLoggingBehavior": "Enabled"}, "fa"),
        action(
            "fa",
            "UpdateFlowAttributes",
            {"FlowAttributes": {"greeting": {"Value": "hello"}}},
            "voice",
        ),
        action("voice", "UpdateContactTextToSpeechVoice", {"TextToSpeechVoice": "Amy"}, "say"),
        say("say", "$.FlowAttributes.greeting"),
        end(),
    )
    result = run(main)
    assert result.transcript.prompts == ["hello"]
    assert "flow logging enabled" in [n.text for n in result.transcript.of_type(Note)]


def test_ssml_and_prompt_ids_are_reported_with_their_kind() -> None:
    main = flow(
        "main",
        action("a", "MessageParticipant", {"SSML": "<speak>Hi</speak>"}, "b"),
        action("b", "MessageParticipant", {"PromptId": "arn:prompt/1"}, "end"),
        end(),
    )
    result = run(main)
    assert result.transcript.prompts == ["<speak>Hi</speak>", "arn:prompt/1"]
    lines = result.transcript.render()
    assert "  says (SSML): <speak>Hi</speak>" in lines


@pytest.mark.parametrize(
    ("main", "fragment"),
    [
        (flow("main", action("x", "TransferToFlow", next_action="end"), end()), "not simulated"),
        (flow("main", say("a", "hi", "missing")), "no action 'missing'"),
        (flow("main", action("a", "MessageParticipant", {"Text": "x"})), "no transition for next"),
        (flow("main", say("a", "loop", "a")), "a loop in the flow"),
        (flow("main", action("x", "EndFlowExecution")), ""),
    ],
)
def test_flows_that_cannot_finish_end_in_an_error_outcome(main: FlowDoc, fragment: str) -> None:
    result = run(main, script=CallScript(max_steps=20))
    if fragment:
        assert result.outcome.kind == "error"
        assert fragment in result.outcome.detail
    else:
        assert result.outcome.kind == "ended"


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        (
            action("x", "UpdateContactAttributes", {"Attributes": "$.X"}, "end"),
            "action 'x': Parameters.Attributes must be an object",
        ),
        (
            {**action("x", "MessageParticipant", {"Text": "hi"}), "Transitions": {"Errors": "end"}},
            "action 'x': Transitions.Errors must be a list",
        ),
        (
            action("x", "GetParticipantInput", {"Text": "hi", "DTMFConfiguration": []}, "end"),
            "action 'x': Parameters.DTMFConfiguration must be an object",
        ),
        (
            action(
                "x",
                "GetParticipantInput",
                {"Text": "hi", "InputValidation": {"CustomValidation": {"MaximumLength": "x"}}},
                "end",
            ),
            "MaximumLength must be a whole number",
        ),
    ],
)
def test_a_malformed_flow_is_refused_when_loaded_naming_the_defect(
    bad: dict[str, Any], named: str
) -> None:
    """The walk never meets a malformed action: loading the flow names every defect."""
    with pytest.raises(FlowShapeError, match="main: malformed flow") as refused:
        FlowLibrary().add("main", flow("main", bad, end()).parsed())
    assert named in str(refused.value)
    assert "callguard flows lint" in str(refused.value)


def test_an_unknown_flow_name_is_a_key_error() -> None:
    walker = Walker(FlowLibrary(), LambdaInvoker({}), Contact.inbound(None), CallScript())
    with pytest.raises(KeyError, match="no flow named"):
        walker.run("nope")


def test_transcript_masks_numbers_and_ends_with_the_outcome() -> None:
    main = flow(
        "main",
        action(
            "set",
            "UpdateContactAttributes",
            {"Attributes": {"who": "$.CustomerEndpoint.Address"}},
            "q",
        ),
        *[dict(a) for a in _queue_flow().actions.values()],
    )
    main = FlowDoc("main", "CONTACT_FLOW", "set", main.actions)
    text = "\n".join(run(main).transcript.render(verbose=True))
    assert "+442079460958" not in text
    assert "+4420*****958" in text
    assert text.endswith(f"=> transferred to queue {QUEUE}")
    assert "[main] t (TransferContactToQueue)" in text
