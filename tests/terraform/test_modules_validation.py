"""Each module refuses the inputs an operator gets wrong, with a message that says what.

One throw-away root calls every module once per case, with literal arguments:
``terraform validate`` evaluates the modules' variable validations for all of them in
one run, and ``terraform plan`` those that compare two variables (Terraform evaluates
cross-variable rules only when planning). Each diagnostic names the module call it
belongs to, so every bad case is checked against its own message, and each module's
good call must produce none.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from plan_helpers import write_stand_in_zip

from callguard_tools.flows.shipped_templates import STATIC_LIST_MAX_NUMBERS
from callguard_tools.tfkit import launcher
from callguard_tools.tfkit.paths import repo_root

MODULES = repo_root() / "modules"

INSTANCE_ID = "0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
INSTANCE_ARN = f"arn:aws:connect:eu-west-2:111122223333:instance/{INSTANCE_ID}"
KEY_ARN = "arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
FUNCTION_ARN = "arn:aws:lambda:eu-west-2:111122223333:function:callguard-test-{}"
QUEUE_ID = "7e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"

#: A complete, valid call per module; cases override single arguments.
GOOD_CALLS: dict[str, dict[str, str]] = {
    "log_group": {"name": '"/aws/lambda/callguard-test"'},
    "denylist_table": {"name": '"callguard-test-denylist"'},
    "challenge_counters": {"name": '"callguard-test-challenge-failures"'},
    "kms_key": {
        "alias_name": '"callguard-test"',
    },
    "lambda_function": {
        "function_name": '"callguard-test-check-number"',
        "zip_path": '"callguard.zip"',
        "handler": '"callguard.handlers.check_number.handler"',
        "connect_instance_arns": f'{{ support = "{INSTANCE_ARN}" }}',
        "policy_statements": (
            '[{ sid = "Read", actions = ["dynamodb:GetItem"], '
            'resources = ["arn:aws:dynamodb:eu-west-2:111122223333:table/t"] }]'
        ),
    },
    "connect_instance": {
        "name_prefix": '"callguard-test"',
        "instance_id": f'"{INSTANCE_ID}"',
        "instance_arn": f'"{INSTANCE_ARN}"',
        "check_function": (
            f'{{ name = "callguard-test-check", arn = "{FUNCTION_ARN.format("check")}" }}'
        ),
        "flag_function": (
            f'{{ name = "callguard-test-flag", arn = "{FUNCTION_ARN.format("flag")}" }}'
        ),
        "queue_id": f'"{QUEUE_ID}"',
    },
    "outbound": {
        "name_prefix": '"callguard-test"',
        "region": '"eu-west-2"',
        "account_id": '"111122223333"',
        "kms_key_arn": f'"{KEY_ARN}"',
        "log_group_prefix": '"/callguard/callguard-test/"',
        "denylist_table_name": '"callguard-test-denylist"',
        "denylist_table_arn": '"arn:aws:dynamodb:eu-west-2:111122223333:table/callguard-test"',
        "lambda_zip_path": '"callguard.zip"',
        "functions": (
            '{ runtime = "python3.13", architecture = "arm64", log_retention_in_days = 365 }'
        ),
        "instance_id": f'"{INSTANCE_ID}"',
        "source_phone_number": '"+442079460000"',
        "source_phone_number_id": '"5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"',
    },
}


def _call_name(case_id: str) -> str:
    return "case_" + re.sub(r"[^a-z0-9]+", "_", case_id.lower())


def _write_root(root: Path, cases: list[tuple[str, str, dict[str, str]]]) -> Path:
    """Write a root with one module block per (case id, module, overrides)."""
    root.mkdir(parents=True)
    write_stand_in_zip(root / "callguard.zip")
    blocks = []
    for case_id, module, overrides in cases:
        source = os.path.relpath(MODULES / module, root)
        arguments = {**GOOD_CALLS[module], **overrides}
        body = "\n".join(f"  {name} = {value}" for name, value in arguments.items())
        blocks.append(f'module "{_call_name(case_id)}" {{\n  source = "{source}"\n{body}\n}}\n')
    (root / "main.tf").write_text("\n".join(blocks), encoding="utf-8")
    return root


def _by_call(diagnostics: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Group error diagnostics by the module call their snippet points into."""
    grouped: dict[str, list[str]] = {}
    for diagnostic in diagnostics:
        if diagnostic.get("severity") != "error":
            continue
        context = (diagnostic.get("snippet") or {}).get("context") or ""
        match = re.search(r'module "([^"]+)"', context)
        name = match.group(1) if match else "(no module)"
        text = " ".join(f"{diagnostic.get('summary', '')} {diagnostic.get('detail', '')}".split())
        grouped.setdefault(name, []).append(text)
    return grouped


def _run_json(args: list[str], cwd: Path) -> list[dict[str, Any]]:
    """Run Terraform with -json and return its diagnostics (validate or plan output)."""
    proc = launcher.run(args, cwd=cwd)
    try:  # validate -json: one document
        messages = [json.loads(proc.stdout)]
    except json.JSONDecodeError:  # plan -json: one message per line
        messages = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    diagnostics: list[dict[str, Any]] = []
    for message in messages:
        diagnostics.extend(message.get("diagnostics", []))
        if "diagnostic" in message:
            diagnostics.append(message["diagnostic"])
    return diagnostics


def _validate_all(root: Path, cases: list[tuple[str, str, dict[str, str]]]) -> dict[str, list[str]]:
    _write_root(root, cases)
    get = launcher.run(["get", "-no-color"], cwd=root)
    assert get.returncode == 0, get.stderr
    return _by_call(_run_json(["validate", "-json", "-no-color"], root))


def _plan_all(root: Path, cases: list[tuple[str, str, dict[str, str]]]) -> dict[str, list[str]]:
    _write_root(root, cases)
    init = launcher.run(["init", "-input=false", "-no-color"], cwd=root)
    assert init.returncode == 0, init.stderr
    return _by_call(_run_json(["plan", "-input=false", "-lock=false", "-json"], root))


#: The connect_instance ``challenge`` argument with some fields replaced.
def _challenge(**fields: str) -> dict[str, str]:
    base = {
        "challenge_function": (
            f'{{ name = "callguard-test-challenge", arn = "{FUNCTION_ARN.format("challenge")}" }}'
        ),
        "verify_function": (
            f'{{ name = "callguard-test-verify", arn = "{FUNCTION_ARN.format("verify")}" }}'
        ),
        **fields,
    }
    return {"challenge": "{ " + ", ".join(f"{k} = {v}" for k, v in base.items()) + " }"}


BAD_CALLS = [
    pytest.param(
        "connect_instance",
        _challenge(code_length="7"),
        "code_length must be a whole number from 3 to 6",
        id="challenge-code-length",
    ),
    pytest.param(
        "connect_instance",
        _challenge(max_attempts="0"),
        "max_attempts must be a whole number from 1 to 5",
        id="challenge-attempts",
    ),
    pytest.param(
        "connect_instance",
        _challenge(fail_mode='"sometimes"'),
        "challenge.fail_mode must be open or closed",
        id="challenge-fail-mode",
    ),
    pytest.param(
        "connect_instance",
        _challenge(messages='{ prompt = "<speak>Enter the code</speak>" }'),
        "prompt is plain text",
        id="challenge-ssml-prompt",
    ),
    pytest.param(
        "connect_instance",
        _challenge(verify_function='{ name = "v", arn = "callguard-test-verify" }'),
        "unqualified Lambda function ARNs",
        id="challenge-function-name-as-arn",
    ),
    pytest.param(
        "challenge_counters",
        {"point_in_time_recovery_days": "0"},
        "from 1 to 35",
        id="counters-pitr",
    ),
    pytest.param(
        "log_group", {"retention_in_days": "42"}, "retention_in_days must be", id="retention"
    ),
    pytest.param(
        "log_group",
        {"kms_key_arn": '"alias/callguard"'},
        "not a key id or alias",
        id="log-key-alias",
    ),
    pytest.param(
        "denylist_table",
        {"name": '"no spaces allowed"'},
        "DynamoDB table name rules",
        id="table-name",
    ),
    pytest.param(
        "denylist_table", {"point_in_time_recovery_days": "36"}, "1 to 35", id="pitr-window"
    ),
    pytest.param(
        "denylist_table",
        {"replicas": '[{ region_name = "us-west-2", kms_key_arn = "' + KEY_ARN + '" }]'},
        "in that replica's own region",
        id="replica-key-region",
    ),
    pytest.param(
        "denylist_table",
        {"replicas": '[{ region_name = "us-west-2" }, { region_name = "us-west-2" }]'},
        "same region twice",
        id="replica-twice",
    ),
    pytest.param(
        "lambda_function",
        {
            "policy_statements": '[{ sid = "All", actions = ["dynamodb:*"], '
            'resources = ["arn:aws:dynamodb:eu-west-2:111122223333:table/t"] }]'
        },
        "wildcards are not allowed",
        id="wildcard-action",
    ),
    pytest.param(
        "lambda_function",
        {
            "policy_statements": '[{ sid = "All", actions = ["dynamodb:GetItem"], '
            'resources = ["*"] }]'
        },
        'bare \\"*\\" is not allowed',
        id="star-resource",
    ),
    pytest.param(
        "lambda_function", {"runtime": '"python3.9"'}, "python3.11 or newer", id="old-runtime"
    ),
    pytest.param(
        "lambda_function",
        {"connect_instance_arns": f'{{ support = "{INSTANCE_ID}" }}'},
        "Connect instance ARNs",
        id="instance-id-as-arn",
    ),
    pytest.param(
        "lambda_function",
        {"environment_variables": '{ AWS_REGION = "eu-west-2" }'},
        "reserved AWS_ prefix",
        id="reserved-env",
    ),
    pytest.param(
        "lambda_function",
        {"permissions_boundary_arn": '"CallguardBoundary"'},
        "must be an IAM policy ARN",
        id="boundary-name",
    ),
    pytest.param(
        "connect_instance",
        {"flows_dir": '"templates-that-do-not-exist"'},
        "flows_dir must contain",
        id="flows-dir",
    ),
    pytest.param(
        "connect_instance",
        {"instance_id": f'"{INSTANCE_ARN}"'},
        "not the ARN itself",
        id="instance-arn-as-id",
    ),
    pytest.param(
        "connect_instance", {"check_timeout_seconds": "9"}, "Connect's limit", id="check-timeout"
    ),
    pytest.param("connect_instance", {"fail_mode": '"maybe"'}, "open or closed", id="fail-mode"),
    pytest.param(
        "connect_instance",
        {"static_blocked_numbers": '["+442079460958", "+442079460958"]'},
        "must not repeat",
        id="static-duplicate",
    ),
    pytest.param(
        "connect_instance",
        {
            "static_blocked_numbers": (
                f'[for i in range({STATIC_LIST_MAX_NUMBERS + 1}) : format("+4420794%05d", i)]'
            )
        },
        f"at most {STATIC_LIST_MAX_NUMBERS} numbers",
        id="static-over-100",
    ),
    pytest.param(
        "connect_instance",
        {"messages": '{ blocked = "  " }'},
        "must not be empty",
        id="empty-message",
    ),
    pytest.param(
        "outbound",
        {"answer_hints": '{ date = "Key it in.", dates = "A typo." }'},
        "answer_hints may name only the question types ok, yes_no, multiple_choice, "
        "number, date and time; not dates.",
        id="outbound-answer-hint-type",
    ),
]


#: Rules that compare two variables: Terraform checks them when planning.
CROSS_VARIABLE_BAD_CALLS = [
    pytest.param(
        "denylist_table",
        {"kms_key_arn": f'"{KEY_ARN}"', "replicas": '[{ region_name = "us-west-2" }]'},
        "needs a customer managed key for every replica",
        id="replica-without-key",
    ),
    pytest.param(
        "lambda_function", {"timeout": "9"}, "Connect's synchronous limit", id="timeout-over-8"
    ),
    pytest.param(
        "connect_instance",
        {"instance_arn": f'"{INSTANCE_ARN[:-1]}0"'},
        "name different instances",
        id="id-arn-mismatch",
    ),
    pytest.param(
        "connect_instance",
        {"phone_number_flow": '"static"'},
        "needs static_blocked_numbers",
        id="static-flow-without-numbers",
    ),
]


#: Values at the edge of what a rule allows: they must pass.
BOUNDARY_GOOD_CALLS = [
    pytest.param(
        "connect_instance",
        {
            "static_blocked_numbers": (
                f'[for i in range({STATIC_LIST_MAX_NUMBERS}) : format("+4420794%05d", i)]'
            ),
            "phone_number_flow": '"static"',
        },
        id="static-at-max",
    ),
    pytest.param("connect_instance", {"check_timeout_seconds": "8"}, id="check-timeout-8"),
    pytest.param("log_group", {"retention_in_days": "0"}, id="retention-forever"),
    pytest.param("denylist_table", {"point_in_time_recovery_days": "1"}, id="pitr-one-day"),
    pytest.param(
        "outbound",
        {"answer_hints": '{ date = "Key it in.", time = "Key it in." }'},
        id="outbound-some-answer-hints",
    ),
    pytest.param("connect_instance", _challenge(), id="challenge-defaults"),
    pytest.param(
        "connect_instance",
        _challenge(code_length="3", max_attempts="5", timeout_seconds="8", fail_mode='"closed"'),
        id="challenge-at-limits",
    ),
    pytest.param(
        "connect_instance", _challenge(code_length="6", max_attempts="1"), id="challenge-long-code"
    ),
]


def _cases(params: list[Any]) -> list[tuple[str, str, dict[str, str]]]:
    return [(param.id, param.values[0], param.values[1]) for param in params]


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Errors per module call from one validate of every good and bad call."""
    good: list[tuple[str, str, dict[str, str]]] = [
        (f"good-{module}", module, {}) for module in GOOD_CALLS
    ]
    cases = good + _cases(BAD_CALLS) + _cases(BOUNDARY_GOOD_CALLS)
    return _validate_all(tmp_path_factory.mktemp("validate") / "root", cases)


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Errors per module call from one plan of the good calls and the cross-variable cases."""
    good: list[tuple[str, str, dict[str, str]]] = [
        (f"good-{module}", module, {}) for module in GOOD_CALLS
    ]
    cases = good + _cases(CROSS_VARIABLE_BAD_CALLS)
    return _plan_all(tmp_path_factory.mktemp("plan") / "root", cases)


@pytest.mark.parametrize("module", sorted(GOOD_CALLS))
def test_good_call_validates(validated: dict[str, list[str]], module: str) -> None:
    assert validated.get(_call_name(f"good-{module}"), []) == []


@pytest.mark.parametrize("module", sorted(GOOD_CALLS))
def test_good_call_plans(planned: dict[str, list[str]], module: str) -> None:
    assert planned.get(_call_name(f"good-{module}"), []) == []


@pytest.mark.parametrize(("module", "overrides"), BOUNDARY_GOOD_CALLS)
def test_boundary_value_is_accepted(
    request: pytest.FixtureRequest,
    validated: dict[str, list[str]],
    module: str,
    overrides: dict[str, str],
) -> None:
    assert validated.get(_call_name(request.node.callspec.id), []) == [], (module, overrides)


@pytest.mark.parametrize(("module", "overrides", "message"), BAD_CALLS)
def test_bad_call_is_refused_with_a_clear_message(
    request: pytest.FixtureRequest,
    validated: dict[str, list[str]],
    module: str,
    overrides: dict[str, str],
    message: str,
) -> None:
    errors = validated.get(_call_name(request.node.callspec.id), [])
    assert errors, f"{module} accepted {overrides}"
    assert any(message.replace('\\"', '"') in error for error in errors), errors


@pytest.mark.parametrize(("module", "overrides", "message"), CROSS_VARIABLE_BAD_CALLS)
def test_cross_variable_rule_is_enforced_at_plan(
    request: pytest.FixtureRequest,
    planned: dict[str, list[str]],
    module: str,
    overrides: dict[str, str],
    message: str,
) -> None:
    errors = planned.get(_call_name(request.node.callspec.id), [])
    assert errors, f"{module} accepted {overrides}"
    assert any(message in error for error in errors), errors


def test_no_error_outside_the_cases(
    validated: dict[str, list[str]], planned: dict[str, list[str]]
) -> None:
    assert "(no module)" not in validated
    assert "(no module)" not in planned


def test_lambda_module_alone_grants_each_connect_instance(tmp_path: Path) -> None:
    """Used without the composition, the module writes the Connect invoke permission."""
    root = _write_root(tmp_path / "root", [("alone", "lambda_function", {})])
    init = launcher.run(["init", "-input=false", "-no-color"], cwd=root)
    assert init.returncode == 0, init.stderr
    plan = launcher.run(["plan", "-input=false", "-lock=false", "-no-color"], cwd=root)
    assert plan.returncode == 0, plan.stderr
    assert 'aws_lambda_permission.connect["support"] will be created' in plan.stdout
    said = " ".join(plan.stdout.split())
    assert '+ principal = "connect.amazonaws.com"' in said
    assert f'+ source_arn = "{INSTANCE_ARN}"' in said
    assert '+ source_account = "111122223333"' in said
