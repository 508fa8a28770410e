"""Each module refuses the inputs an operator gets wrong, with a message that says what.

A throw-away root calls one module with literal arguments; ``terraform validate``
evaluates the module's variable validations, and ``terraform plan`` those that
compare two variables (Terraform evaluates cross-variable rules only when planning).
Every bad case is paired with the message the operator would read, and each module
also has a good call that passes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from plan_helpers import write_stand_in_zip

from callguard_tools.tfkit import api, launcher
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
    "kms_key": {
        "alias_name": '"callguard-test"',
        "account_id": '"111122223333"',
        "region": '"eu-west-2"',
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
}


def _root(tmp_path: Path, module: str, overrides: dict[str, str]) -> Path:
    """Write a root that calls ``module`` with the good call plus ``overrides``."""
    root = tmp_path / "root"
    root.mkdir()
    write_stand_in_zip(root / "callguard.zip")
    source = os.path.relpath(MODULES / module, root)
    arguments = {**GOOD_CALLS[module], **overrides}
    body = "\n".join(f"  {name} = {value}" for name, value in arguments.items())
    (root / "main.tf").write_text(
        f'module "under_test" {{\n  source = "{source}"\n{body}\n}}\n', encoding="utf-8"
    )
    return root


def _validate(tmp_path: Path, module: str, overrides: dict[str, str]) -> api.CheckResult:
    return api.validate_dir(_root(tmp_path, module, overrides))


def _plan(tmp_path: Path, module: str, overrides: dict[str, str]) -> tuple[bool, str]:
    root = _root(tmp_path, module, overrides)
    init = launcher.run(["init", "-input=false", "-no-color"], cwd=root)
    assert init.returncode == 0, init.stderr
    plan = launcher.run(["plan", "-input=false", "-lock=false", "-no-color"], cwd=root)
    return plan.returncode == 0, plan.stdout + plan.stderr


@pytest.mark.parametrize("module", sorted(GOOD_CALLS))
def test_good_call_validates(tmp_path: Path, module: str) -> None:
    result = _validate(tmp_path, module, {})
    assert result.ok, result.message


BAD_CALLS = [
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
        "kms_key", {"account_id": '"1111-2222-3333"'}, "exactly 12 digits", id="account-id"
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
        {"static_blocked_numbers": '[for i in range(101) : format("+4420794%05d", i)]'},
        "at most 100 numbers",
        id="static-over-100",
    ),
    pytest.param(
        "connect_instance",
        {"messages": '{ blocked = "  " }'},
        "must not be empty",
        id="empty-message",
    ),
]


@pytest.mark.parametrize(("module", "overrides", "message"), BAD_CALLS)
def test_bad_call_is_refused_with_a_clear_message(
    tmp_path: Path, module: str, overrides: dict[str, str], message: str
) -> None:
    result = _validate(tmp_path, module, overrides)
    assert not result.ok
    said = " ".join(result.message.split())
    assert message.replace('\\"', '"') in said, said


#: Rules that compare two variables: Terraform checks them when planning.
CROSS_VARIABLE_BAD_CALLS = [
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


@pytest.mark.parametrize(("module", "overrides", "message"), CROSS_VARIABLE_BAD_CALLS)
def test_cross_variable_rule_is_enforced_at_plan(
    tmp_path: Path, module: str, overrides: dict[str, str], message: str
) -> None:
    ok, said = _plan(tmp_path, module, overrides)
    assert not ok
    assert message in " ".join(said.split()), said


def test_good_lambda_call_plans_a_permission_per_instance(tmp_path: Path) -> None:
    ok, said = _plan(tmp_path, "lambda_function", {})
    assert ok, said
    assert 'aws_lambda_permission.connect["support"] will be created' in said
    assert '+ principal           = "connect.amazonaws.com"' in said
    assert '+ source_account      = "111122223333"' in said
