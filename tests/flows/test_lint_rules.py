"""Each lint rule alone: plant one defect in a copy of our flows, assert that exact rule fires.

The unmodified flows produce no finding at all (see ``test_lint_flows.py``), so
any error here comes from the planted defect; asserting the *set* of rules that
report errors proves both that the rule catches the defect and that no other
rule mistakes it for something else.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from callguard_tools.flows.lint import lint_text
from callguard_tools.flows.render import render_file
from callguard_tools.flows.rules import RULES, Finding
from callguard_tools.flows.shipped_templates import DEMO_VALUES, template

MODULE = "check_caller.module.json.tftpl"
INBOUND = "inbound_denylist.flow.json.tftpl"
FLAG = "agent_flag.flow.json.tftpl"
STATIC = "inbound_static_list.flow.json.tftpl"
CHALLENGE = "spam_challenge.module.json.tftpl"
OUTBOUND = "outbound_call.flow.json.tftpl"

Doc = dict[str, Any]


def rendered(filename: str, **overrides: Any) -> Doc:
    """Our template rendered with its demo values (and overrides), as a fresh dict."""
    entry = template(filename)
    assert entry is not None
    values = {**DEMO_VALUES[filename], **overrides}
    document: Doc = json.loads(render_file(entry.path, values))
    return document


def lint_doc(filename: str, document: Doc) -> list[Finding]:
    entry = template(filename)
    assert entry is not None
    return lint_text(json.dumps(document, indent=2), f"copy-of-{filename}", entry.flow_type)


def error_rules(findings: list[Finding]) -> set[str]:
    return {finding.rule for finding in findings if finding.severity == "error"}


def find(document: Doc, identifier: str) -> Doc:
    for action in document["Actions"]:
        if action["Identifier"] == identifier:
            assert isinstance(action, dict)
            return action
    raise AssertionError(f"no action {identifier}")


def rename(document: Doc, old: str, new: str) -> Doc:
    """Rename an action everywhere it is referenced (so only the name itself is at fault)."""
    text = json.dumps(document).replace(f'"{old}"', json.dumps(new))
    result: Doc = json.loads(text)
    return result


def disconnect_action(identifier: str) -> Doc:
    return {
        "Identifier": identifier,
        "Type": "DisconnectParticipant",
        "Parameters": {},
        "Transitions": {},
    }


# ----------------------------------------------------------------------------- defects
# Each entry: (rule expected, template, mutation, action the finding must name or None).


def _version(doc: Doc) -> Doc:
    doc["Version"] = "2019-10-29"
    return doc


def _actions_not_list(doc: Doc) -> Doc:
    doc["Metadata"] = "positions"
    return doc


def _action_without_parameters(doc: Doc) -> Doc:
    del find(doc, "end-module")["Parameters"]
    return doc


def _start(doc: Doc) -> Doc:
    doc["StartAction"] = "no-such-action"
    return doc


def _duplicate(doc: Doc) -> Doc:
    doc["Actions"].append(disconnect_action("disconnect"))
    return doc


def _forbidden_char(doc: Doc) -> Doc:
    return rename(doc, "disconnect", "dis:connect")


def _too_long(doc: Doc) -> Doc:
    return rename(doc, "disconnect", "d" * 51)


def _reserved(doc: Doc) -> Doc:
    return rename(doc, "disconnect", "constructor")


def _bad_operator(doc: Doc) -> Doc:
    find(doc, "route-on-blocked")["Transitions"]["Conditions"][0]["Condition"]["Operator"] = (
        "Matches"
    )
    return doc


def _numeric_operand(doc: Doc) -> Doc:
    find(doc, "route-on-blocked")["Transitions"]["Conditions"][0]["Condition"]["Operands"] = [1]
    return doc


def _errors_not_list(doc: Doc) -> Doc:
    find(doc, "mark-pending-review")["Transitions"]["Errors"] = {
        "NoMatchingError": "set-working-queue"
    }
    return doc


def _conditions_on_message(doc: Doc) -> Doc:
    find(doc, "play-blocked-message")["Transitions"]["Conditions"] = [
        {"NextAction": "disconnect", "Condition": {"Operator": "Equals", "Operands": ["x"]}}
    ]
    return doc


def _dangling(doc: Doc) -> Doc:
    find(doc, "transfer-to-queue")["Transitions"]["Errors"][1]["NextAction"] = "play-sorry"
    return doc


def _orphan(doc: Doc) -> Doc:
    doc["Actions"].append(disconnect_action("orphan-disconnect"))
    return doc


def _no_next(doc: Doc) -> Doc:
    del find(doc, "mark-pending-review")["Transitions"]["NextAction"]
    return doc


def _loop(doc: Doc) -> Doc:
    find(doc, "route-on-flag-result")["Transitions"]["Conditions"].append(
        {"NextAction": "loop-a", "Condition": {"Operator": "Equals", "Operands": ["invalid"]}}
    )
    for name, other in (("loop-a", "loop-b"), ("loop-b", "loop-a")):
        doc["Actions"].append(
            {
                "Identifier": name,
                "Type": "UpdateContactAttributes",
                "Parameters": {"Attributes": {"x": "y"}, "TargetContact": "Current"},
                "Transitions": {
                    "NextAction": other,
                    "Errors": [{"ErrorType": "NoMatchingError", "NextAction": other}],
                },
            }
        )
    return doc


def _loop_left_only_on_error(doc: Doc) -> Doc:
    """The endless loop above, but each step's error branch leaves it for the disconnect."""
    doc = _loop(doc)
    for name in ("loop-a", "loop-b"):
        find(doc, name)["Transitions"]["Errors"] = [
            {"ErrorType": "NoMatchingError", "NextAction": "disconnect"}
        ]
    return doc


def _lex_alias_not_an_arn(doc: Doc) -> Doc:
    find(doc, "ask-date")["Parameters"]["LexV2Bot"]["AliasArn"] = "my-date-bot"
    return doc


def _call_status_unknown(doc: Doc) -> Doc:
    conditions = find(doc, "check-call-status")["Transitions"]["Conditions"]
    conditions[0]["Condition"]["Operands"] = ["Busy"]
    return doc


def _loop_on_a_compare_result(doc: Doc) -> Doc:
    """A Loop block whose conditions are a Compare's values, not ContinueLooping/DoneLooping."""
    action = find(doc, "route-bot")
    action["Type"] = "Loop"
    action["Parameters"] = {"LoopCount": "3"}
    action["Transitions"]["Errors"] = []
    return doc


def _missing_error(doc: Doc) -> Doc:
    find(doc, "invoke-check-function")["Transitions"]["Errors"] = []
    return doc


def _undefined_error(doc: Doc) -> Doc:
    find(doc, "play-blocked-message")["Transitions"]["Errors"].append(
        {"ErrorType": "QueueAtCapacity", "NextAction": "disconnect"}
    )
    return doc


def _duplicate_error(doc: Doc) -> Doc:
    find(doc, "play-blocked-message")["Transitions"]["Errors"].append(
        {"ErrorType": "NoMatchingError", "NextAction": "disconnect"}
    )
    return doc


def _terminal_with_next(doc: Doc) -> Doc:
    find(doc, "disconnect")["Transitions"] = {"NextAction": "disconnect"}
    return doc


def _module_in_queue_transfer(doc: Doc) -> Doc:
    prompt = find(doc, "play-agent-prompt")
    prompt["Type"] = "InvokeFlowModule"
    prompt["Parameters"] = {"FlowModuleId": "$.Attributes.module"}
    return doc


def _end_module_in_contact_flow(doc: Doc) -> Doc:
    find(doc, "disconnect")["Type"] = "EndFlowModuleExecution"
    return doc


def _number_timeout(doc: Doc) -> Doc:
    find(doc, "invoke-check-function")["Parameters"]["InvocationTimeLimitSeconds"] = 3
    return doc


def _bool_attribute(doc: Doc) -> Doc:
    find(doc, "mark-pending-review")["Parameters"]["Attributes"]["callguard_pending_review"] = True
    return doc


def _missing_queue(doc: Doc) -> Doc:
    find(doc, "set-working-queue")["Parameters"] = {}
    return doc


def _text_and_ssml(doc: Doc) -> Doc:
    find(doc, "play-blocked-message")["Parameters"]["SSML"] = "<speak>Goodbye.</speak>"
    return doc


def _comparison_not_path(doc: Doc) -> Doc:
    find(doc, "route-on-blocked")["Parameters"]["ComparisonValue"] = "callguard_blocked"
    return doc


def _bad_logging(doc: Doc) -> Doc:
    find(doc, "enable-flow-logging")["Parameters"]["FlowLoggingBehavior"] = "On"
    return doc


def _response_type(doc: Doc) -> Doc:
    find(doc, "invoke-flag-function")["Parameters"]["ResponseValidation"] = {"ResponseType": "XML"}
    return doc


def _stored_length(doc: Doc) -> Doc:
    validation = find(doc, "collect-code")["Parameters"]["InputValidation"]
    validation["CustomValidation"]["MaximumLength"] = "0"
    return doc


def _timeout(value: str) -> Callable[[Doc], Doc]:
    def mutate(doc: Doc) -> Doc:
        find(doc, "invoke-check-function")["Parameters"]["InvocationTimeLimitSeconds"] = value
        return doc

    return mutate


def _too_many_actions(doc: Doc) -> Doc:
    chain = [f"note-{index}" for index in range(245)]
    first_target = find(doc, "disable-flow-logging")["Transitions"]["NextAction"]
    find(doc, "disable-flow-logging")["Transitions"]["NextAction"] = chain[0]
    for index, name in enumerate(chain):
        following = chain[index + 1] if index + 1 < len(chain) else first_target
        doc["Actions"].append(
            {
                "Identifier": name,
                "Type": "UpdateContactAttributes",
                "Parameters": {"Attributes": {"step": str(index)}},
                "Transitions": {
                    "NextAction": following,
                    "Errors": [{"ErrorType": "NoMatchingError", "NextAction": following}],
                },
            }
        )
    return doc


def _too_long_content(doc: Doc) -> Doc:
    find(doc, "play-blocked-message")["Parameters"]["Text"] = "Goodbye. " * 28_500
    return doc


DEFECTS: list[tuple[str, str, str, Callable[[Doc], Doc], str | None]] = [
    ("version", "envelope", MODULE, _version, None),
    ("metadata-not-object", "envelope", INBOUND, _actions_not_list, None),
    ("action-without-parameters", "envelope", MODULE, _action_without_parameters, "end-module"),
    ("start-action-missing", "start-action", MODULE, _start, None),
    ("duplicate-identifier", "identifiers", INBOUND, _duplicate, "disconnect"),
    ("forbidden-character", "identifiers", INBOUND, _forbidden_char, "dis:connect"),
    ("identifier-too-long", "identifiers", INBOUND, _too_long, "d" * 51),
    ("reserved-identifier", "identifiers", INBOUND, _reserved, "constructor"),
    ("unknown-operator", "transition-shape", INBOUND, _bad_operator, "route-on-blocked"),
    ("numeric-operand", "transition-shape", INBOUND, _numeric_operand, "route-on-blocked"),
    ("errors-not-a-list", "transition-shape", INBOUND, _errors_not_list, "mark-pending-review"),
    (
        "conditions-on-message",
        "transition-shape",
        INBOUND,
        _conditions_on_message,
        "play-blocked-message",
    ),
    ("dangling-target", "transition-targets", INBOUND, _dangling, "transfer-to-queue"),
    ("orphan", "reachable", INBOUND, _orphan, "orphan-disconnect"),
    ("no-next-action", "paths-terminate", INBOUND, _no_next, "mark-pending-review"),
    ("endless-loop", "paths-terminate", FLAG, _loop, "loop-a"),
    (
        "loop-left-only-on-error",
        "loop-exits-only-on-error",
        FLAG,
        _loop_left_only_on_error,
        "loop-a",
    ),
    ("missing-error-branch", "error-branches", MODULE, _missing_error, "invoke-check-function"),
    ("undefined-error-type", "error-branches", INBOUND, _undefined_error, "play-blocked-message"),
    ("duplicate-error-branch", "error-branches", INBOUND, _duplicate_error, "play-blocked-message"),
    ("terminal-with-next", "terminal-transitions", INBOUND, _terminal_with_next, "disconnect"),
    ("module-in-queue-transfer", "flow-type", FLAG, _module_in_queue_transfer, "play-agent-prompt"),
    ("end-module-in-contact-flow", "flow-type", INBOUND, _end_module_in_contact_flow, "disconnect"),
    ("number-not-string", "parameters", MODULE, _number_timeout, "invoke-check-function"),
    ("bool-not-string", "parameters", INBOUND, _bool_attribute, "mark-pending-review"),
    ("missing-required-parameter", "parameters", INBOUND, _missing_queue, "set-working-queue"),
    ("text-and-ssml", "parameters", INBOUND, _text_and_ssml, "play-blocked-message"),
    ("comparison-not-jsonpath", "parameters", INBOUND, _comparison_not_path, "route-on-blocked"),
    ("logging-enum", "parameters", INBOUND, _bad_logging, "enable-flow-logging"),
    ("response-type-enum", "parameters", FLAG, _response_type, "invoke-flag-function"),
    ("timeout-9", "lambda-timeout", MODULE, _timeout("9"), "invoke-check-function"),
    ("timeout-0", "lambda-timeout", MODULE, _timeout("0"), "invoke-check-function"),
    ("timeout-fraction", "lambda-timeout", MODULE, _timeout("2.5"), "invoke-check-function"),
    ("too-many-actions", "size-limits", STATIC, _too_many_actions, None),
    ("content-too-long", "size-limits", INBOUND, _too_long_content, None),
    ("stored-length-0", "stored-input", CHALLENGE, _stored_length, "collect-code"),
    ("lex-alias-not-arn", "lex-bot", OUTBOUND, _lex_alias_not_an_arn, "ask-date"),
    ("call-status-unknown", "call-status-conditions", OUTBOUND, _call_status_unknown, None),
    ("loop-on-compare-values", "loop-conditions", OUTBOUND, _loop_on_a_compare_result, "route-bot"),
]


@pytest.mark.parametrize(
    ("rule", "filename", "mutate", "action"),
    [
        pytest.param(rule, filename, mutate, action, id=name)
        for name, rule, filename, mutate, action in DEFECTS
    ],
)
def test_planted_defect_fires_exactly_its_rule(
    rule: str, filename: str, mutate: Callable[[Doc], Doc], action: str | None
) -> None:
    document = mutate(copy.deepcopy(rendered(filename)))
    findings = lint_doc(filename, document)
    assert error_rules(findings) == {rule}, [str(f) for f in findings]
    hits = [f for f in findings if f.rule == rule]
    assert all(f.source == f"copy-of-{filename}" for f in hits)
    if action is not None:
        assert action in {f.action for f in hits}
        assert any(f"action {action!r}" in str(f) and f"[{rule}]" in str(f) for f in hits)


def test_every_flow_rule_has_a_planted_defect() -> None:
    planted = {rule for _, rule, _, _, _ in DEFECTS}
    warning_rules = {name for name, rule in RULES.items() if rule.severity == "warning"}
    assert set(RULES) - warning_rules == planted


def test_unknown_action_type_is_a_warning_not_an_error() -> None:
    document = rendered(INBOUND)
    find(document, "mark-pending-review")["Type"] = "UpdateSomethingNewer"
    findings = lint_doc(INBOUND, document)
    assert error_rules(findings) == set()
    assert [(f.rule, f.severity, f.action) for f in findings] == [
        ("unknown-action", "warning", "mark-pending-review")
    ]


def test_module_without_settings_is_a_warning() -> None:
    document = rendered(MODULE)
    del document["Settings"]
    findings = lint_doc(MODULE, document)
    assert [(f.rule, f.severity) for f in findings] == [("module-settings", "warning")]


def test_undocumented_parameter_is_a_warning() -> None:
    document = rendered(INBOUND)
    find(document, "set-working-queue")["Parameters"]["Priority"] = "1"
    findings = lint_doc(INBOUND, document)
    assert [(f.rule, f.severity, f.action) for f in findings] == [
        ("parameters", "warning", "set-working-queue")
    ]


def test_whisper_flows_need_no_error_branches() -> None:
    """Connect offers no error branch on whisper blocks, so none is required there."""
    document = {
        "Version": "2019-10-30",
        "StartAction": "say-queue",
        "Actions": [
            {
                "Identifier": "say-queue",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "$.Queue.Name"},
                "Transitions": {"NextAction": "end", "Errors": [], "Conditions": []},
            },
            {"Identifier": "end", "Type": "EndFlowExecution", "Parameters": {}, "Transitions": {}},
        ],
    }
    assert lint_text(json.dumps(document), "whisper.json", "AGENT_WHISPER") == []
    findings = lint_text(json.dumps(document), "whisper.json", "CONTACT_FLOW")
    assert error_rules(findings) == {"error-branches"}


def test_a_block_without_transitions_is_a_dead_end() -> None:
    """In a whisper flow (no error branches needed) a message with no transitions is a dead end."""
    document = {
        "Version": "2019-10-30",
        "StartAction": "say-queue",
        "Actions": [
            {
                "Identifier": "say-queue",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "$.Queue.Name"},
                "Transitions": {},
            },
        ],
    }
    findings = lint_text(json.dumps(document), "whisper.json", "AGENT_WHISPER")
    assert error_rules(findings) == {"paths-terminate"}
    assert findings[0].action == "say-queue"


def test_asynchronous_lambda_may_wait_longer() -> None:
    document = rendered(MODULE)
    parameters = find(document, "invoke-check-function")["Parameters"]
    parameters["InvocationType"] = "ASYNCHRONOUS"
    parameters["InvocationTimeLimitSeconds"] = "60"
    assert lint_doc(MODULE, document) == []
    parameters["InvocationTimeLimitSeconds"] = "61"
    assert error_rules(lint_doc(MODULE, document)) == {"lambda-timeout"}


def test_not_json_is_reported_with_its_position() -> None:
    findings = lint_text('{"Version": "2019-10-30",\n  "Actions": [}', "broken.json")
    assert len(findings) == 1
    assert findings[0].rule == "json"
    assert "line 2" in findings[0].message
    assert str(findings[0]).startswith("broken.json: error [json]")


def test_top_level_must_be_an_object() -> None:
    findings = lint_text("[1, 2]", "list.json")
    assert [(f.rule, f.severity) for f in findings] == [("json", "error")]
