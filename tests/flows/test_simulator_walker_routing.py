"""Walker semantics of where a contact goes: input, queues, modules, endings, refused flows.

On small hand-written flows (:mod:`walker_helpers`): what the caller hears and
keys (``MessageParticipant``, ``GetParticipantInput``), queues and transfers, flow
modules, the ways a walk ends or cannot finish, flows refused when loaded, and the
transcript. What a contact carries (comparisons, attributes, Lambda results) is in
``test_simulator_walker_data.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from walker_helpers import FlowDoc, action, end, flow, run, say

from callguard_tools.flows.connect_event import Contact
from callguard_tools.flows.lambda_invoke import LambdaInvoker
from callguard_tools.flows.model import FlowShapeError
from callguard_tools.flows.simulation import CallScript, FlowLibrary, Walker
from callguard_tools.flows.transcript import InputReceived, Note

QUEUE = "arn:aws:connect:eu-west-2:111122223333:instance/i/queue/q-1"


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


def test_each_action_type_has_one_family() -> None:
    from callguard_tools.flows.simulation import actions

    families = actions._FAMILIES
    assert set(actions.ACTION_HANDLERS) == {t for family in families for t in family}
    assert sum(len(family) for family in families) == len(actions.ACTION_HANDLERS)
    with pytest.raises(ValueError, match="handled twice: \\['Compare'\\]"):
        actions._one_table((families[0], {"Compare": families[0]["Compare"]}))
