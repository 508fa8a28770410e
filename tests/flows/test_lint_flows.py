"""Our flows lint clean in every configuration; template rules; `callguard flows lint`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from callguard_tools.flows.cli import flows
from callguard_tools.flows.lint import expand_paths, lint_path, lint_template, lint_text
from callguard_tools.flows.render import render_file
from callguard_tools.flows.shipped_templates import (
    DEMO_VALUES,
    FLOWS_DIR,
    STATIC_LIST_MAX_NUMBERS,
    TEMPLATES,
    template,
)

SSML = '<speak>Sorry & goodbye. <break time="1s"/> "Quoted" \\ back</speak>'

VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("check_caller.module.json.tftpl", {}),
    ("check_caller.module.json.tftpl", {"fail_mode": "closed"}),
    ("check_caller.module.json.tftpl", {"invocation_timeout_seconds": 8}),
    ("check_caller.module.json.tftpl", {"invocation_timeout_seconds": "1"}),
    ("inbound_denylist.flow.json.tftpl", {}),
    ("inbound_denylist.flow.json.tftpl", {"blocked_message": SSML, "error_message": SSML}),
    ("inbound_denylist.flow.json.tftpl", {"queue_full_message": "Line one\nline two\ttabbed"}),
    ("agent_flag.flow.json.tftpl", {}),
    ("agent_flag.flow.json.tftpl", {"agent_prompt": ""}),
    ("agent_flag.flow.json.tftpl", {"agent_prompt": SSML, "success_message": SSML}),
    ("inbound_static_list.flow.json.tftpl", {}),
    ("inbound_static_list.flow.json.tftpl", {"blocked_numbers": ["+447700900123"]}),
    (
        "inbound_static_list.flow.json.tftpl",
        {"blocked_numbers": [f"+1{index:014d}" for index in range(STATIC_LIST_MAX_NUMBERS)]},
    ),
]


def test_every_shipped_template_is_in_the_catalogue() -> None:
    shipped = {path.name for path in FLOWS_DIR.glob("*.tftpl")}
    assert shipped == {entry.filename for entry in TEMPLATES}
    for entry in TEMPLATES:
        assert set(DEMO_VALUES[entry.filename]) == set(entry.variables)


@pytest.mark.parametrize(("filename", "overrides"), VARIANTS, ids=lambda v: str(v)[:40])
def test_our_flows_lint_without_any_finding(filename: str, overrides: dict[str, Any]) -> None:
    entry = template(filename)
    assert entry is not None
    values = {**DEMO_VALUES[filename], **overrides}
    findings = lint_template(
        entry.path.read_text(encoding="utf-8"), filename, values, entry.flow_type
    )
    assert findings == [], [str(f) for f in findings]


def test_static_list_at_its_maximum_stays_far_inside_connect_limits() -> None:
    numbers = [f"+{index:015d}" for index in range(STATIC_LIST_MAX_NUMBERS)]
    entry = template("inbound_static_list.flow.json.tftpl")
    assert entry is not None
    text = render_file(entry.path, {**DEMO_VALUES[entry.filename], "blocked_numbers": numbers})
    conditions = json.loads(text)["Actions"][1]["Transitions"]["Conditions"]
    assert [c["Condition"]["Operands"] for c in conditions] == [[n] for n in numbers]
    assert len(text) < 256_000 // 10


def test_module_fail_mode_decides_the_error_attributes() -> None:
    entry = template("check_caller.module.json.tftpl")
    assert entry is not None
    for mode, blocked, status in (("open", "false", "nomatch"), ("closed", "true", "match")):
        document = json.loads(
            render_file(entry.path, {**DEMO_VALUES[entry.filename], "fail_mode": mode})
        )
        fail = next(a for a in document["Actions"] if a["Identifier"] == "apply-fail-mode")
        attributes = fail["Parameters"]["Attributes"]
        assert (attributes["callguard_blocked"], attributes["blockedStatus"]) == (blocked, status)
        assert attributes["callguard_status"] == "error"


def test_agent_prompt_empty_leaves_the_prompt_out() -> None:
    entry = template("agent_flag.flow.json.tftpl")
    assert entry is not None
    document = json.loads(
        render_file(entry.path, {**DEMO_VALUES[entry.filename], "agent_prompt": ""})
    )
    identifiers = [action["Identifier"] for action in document["Actions"]]
    assert "play-agent-prompt" not in identifiers
    assert document["Actions"][0]["Transitions"]["NextAction"] == "invoke-flag-function"


def test_ssml_messages_are_sent_as_ssml() -> None:
    entry = template("inbound_denylist.flow.json.tftpl")
    assert entry is not None
    document = json.loads(
        render_file(entry.path, {**DEMO_VALUES[entry.filename], "blocked_message": SSML})
    )
    blocked = next(a for a in document["Actions"] if a["Identifier"] == "play-blocked-message")
    assert blocked["Parameters"] == {"SSML": SSML}
    error = next(a for a in document["Actions"] if a["Identifier"] == "play-error-message")
    assert set(error["Parameters"]) == {"Text"}


def test_flows_that_handle_the_caller_number_keep_flow_logs_off() -> None:
    """Connect's flow logs record Lambda parameters and compared values in full: no numbers."""
    for entry in TEMPLATES:
        text = render_file(entry.path, DEMO_VALUES[entry.filename])
        document = json.loads(text)
        first = document["Actions"][0]
        assert first["Identifier"] == document["StartAction"]
        assert (
            first["Type"] == "UpdateFlowLoggingBehavior" or entry.flow_type == "CONTACT_FLOW_MODULE"
        )
        logging = first["Parameters"].get("FlowLoggingBehavior")
        if "$.CustomerEndpoint.Address" in text:
            assert logging == "Disabled", entry.filename
        elif entry.flow_type != "CONTACT_FLOW_MODULE":
            assert logging == "Enabled", entry.filename


# ----------------------------------------------------------------------------- template rules


def _copy(tmp_path: Path, filename: str, old: str, new: str) -> Path:
    source = FLOWS_DIR / filename
    text = source.read_text(encoding="utf-8")
    assert old in text
    target = tmp_path / filename
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def test_unbound_placeholder_is_reported_with_position_and_action(tmp_path: Path) -> None:
    path = _copy(
        tmp_path,
        "inbound_denylist.flow.json.tftpl",
        '"Attributes": {"callguard_pending_review": "true"}',
        '"Attributes": {"callguard_pending_review": ${jsonencode(pending_flag)}}',
    )
    findings = lint_path(path)
    assert {(f.rule, f.severity) for f in findings} == {("placeholders-bound", "error")}
    assert findings[0].action == "mark-pending-review"
    assert "'pending_flag'" in findings[0].message
    assert "line " in findings[0].message


def test_literal_arn_in_a_template_is_an_error(tmp_path: Path) -> None:
    path = _copy(
        tmp_path,
        "inbound_denylist.flow.json.tftpl",
        "${jsonencode(queue_arn)}",
        '"arn:aws:connect:eu-west-2:111122223333:instance/i/queue/q"',
    )
    findings = lint_path(path)
    errors = [f for f in findings if f.severity == "error"]
    assert [(f.rule, f.action) for f in errors] == [("no-literal-arns", "set-working-queue")]
    warnings = [f for f in findings if f.severity == "warning"]
    assert [(f.rule, "queue_arn" in f.message) for f in warnings] == [("placeholders-bound", True)]


def test_unsupported_template_syntax_is_reported(tmp_path: Path) -> None:
    path = _copy(
        tmp_path, "inbound_denylist.flow.json.tftpl", "jsonencode(queue_arn)", "upper(queue_arn)"
    )
    findings = lint_path(path)
    assert [(f.rule, f.severity) for f in findings] == [("template-syntax", "error")]
    assert "upper()" in findings[0].message


def test_unknown_template_without_variables_reports_every_placeholder(tmp_path: Path) -> None:
    path = tmp_path / "custom.flow.json.tftpl"
    shutil.copyfile(FLOWS_DIR / "inbound_static_list.flow.json.tftpl", path)
    findings = lint_path(path)
    names = {f.message.split("'")[1] for f in findings if f.rule == "placeholders-bound"}
    assert names == {"blocked_numbers", "blocked_message", "queue_arn"}


# ----------------------------------------------------------------------------- documents, wrappers

EXPORT = {
    "Name": "Example export",
    "Type": "CONTACT_FLOW",
    "Description": "An exported flow in the Name/Type/Content wrapper",
    "Content": json.dumps(
        {
            "Version": "2019-10-30",
            "StartAction": "Set voice",
            "Metadata": {"entryPointPosition": {"x": 40, "y": 40}},
            "Actions": [
                {
                    "Identifier": "Set voice",
                    "Type": "UpdateContactMediaStreamingBehavior",
                    "Parameters": {"TextToSpeechVoice": "Amy"},
                    "Transitions": {"NextAction": "Greeting#1"},
                },
                {
                    "Identifier": "Greeting#1",
                    "Type": "MessageParticipant",
                    "Parameters": {"Text": "Hello"},
                    "Transitions": {
                        "NextAction": "Bye",
                        "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "Bye"}],
                    },
                },
                {
                    "Identifier": "Bye",
                    "Type": "DisconnectParticipant",
                    "Parameters": {},
                    "Transitions": {},
                },
            ],
        }
    ),
}


def test_wrapper_with_unknown_action_and_friendly_names_passes_with_a_warning() -> None:
    findings = lint_text(json.dumps(EXPORT), "export.json")
    assert [(f.rule, f.severity, f.action) for f in findings] == [
        ("unknown-action", "warning", "Set voice")
    ]


def test_wrapper_type_drives_flow_type_rules() -> None:
    wrapper = {**EXPORT, "Type": "QUEUE_TRANSFER"}
    content = json.loads(wrapper["Content"])
    content["Actions"][1]["Type"] = "InvokeFlowModule"
    content["Actions"][1]["Parameters"] = {"FlowModuleId": "$.Attributes.module"}
    wrapper["Content"] = json.dumps(content)
    findings = lint_text(json.dumps(wrapper), "export.json")
    assert {f.rule for f in findings if f.severity == "error"} == {"flow-type"}


def test_wrapper_with_unknown_flow_type_is_an_envelope_error() -> None:
    findings = lint_text(json.dumps({**EXPORT, "Type": "CONTACT_FLOWS"}), "export.json")
    assert {f.rule for f in findings if f.severity == "error"} == {"envelope"}


# ----------------------------------------------------------------------------- the command


def test_cli_lint_of_our_flows_exits_zero() -> None:
    result = CliRunner().invoke(flows, ["lint", str(FLOWS_DIR)])
    assert result.exit_code == 0, result.output
    checked = len(list(expand_paths([FLOWS_DIR])))
    assert checked >= 5  # every shipped template, the spam-challenge module included
    assert f"{checked} file(s) checked: 0 error(s), 0 warning(s)" in result.output


def test_cli_lint_exits_one_and_names_file_action_rule(tmp_path: Path) -> None:
    path = _copy(
        tmp_path, "check_caller.module.json.tftpl", "tostring(invocation_timeout_seconds)", '"12"'
    )
    result = CliRunner().invoke(flows, ["lint", str(path)])
    assert result.exit_code == 1
    assert f"{path}: error [lambda-timeout] action 'invoke-check-function':" in result.output


def test_cli_lint_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(EXPORT), encoding="utf-8")
    assert CliRunner().invoke(flows, ["lint", str(path)]).exit_code == 0
    assert CliRunner().invoke(flows, ["lint", "--strict", str(path)]).exit_code == 1


def test_cli_lint_json_output_and_variables(tmp_path: Path) -> None:
    values = tmp_path / "values.json"
    values.write_text(
        json.dumps({**DEMO_VALUES["check_caller.module.json.tftpl"]}), encoding="utf-8"
    )
    result = CliRunner().invoke(
        flows,
        [
            "lint",
            "--json",
            "--vars-file",
            str(values),
            "--var",
            "invocation_timeout_seconds=20",
            str(FLOWS_DIR / "check_caller.module.json.tftpl"),
        ],
    )
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert [(r["rule"], r["action"]) for r in records] == [
        ("lambda-timeout", "invoke-check-function")
    ]


def test_cli_lint_rejects_a_malformed_var() -> None:
    result = CliRunner().invoke(flows, ["lint", "--var", "no-equals-sign", str(FLOWS_DIR)])
    assert result.exit_code == 2
    assert "NAME=VALUE" in result.output


def test_directories_expand_to_flow_files_only(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")
    (tmp_path / "b.json.tftpl").write_text("{}", encoding="utf-8")
    (tmp_path / "notes.md").write_text("#", encoding="utf-8")
    assert [p.name for p in expand_paths([tmp_path])] == ["a.json", "b.json.tftpl"]
