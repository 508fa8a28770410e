"""audit_trail and monitoring refuse the inputs an operator gets wrong, saying what.

One throw-away root calls each module once per case with literal arguments; one
``terraform validate -json`` evaluates every variable rule, and each diagnostic is
matched to its module call through the snippet Terraform quotes. The good calls must
validate and plan cleanly on their own.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from plan_helpers import plan_environment, stand_in_zip, write_stand_in_zip  # noqa: F401

from callguard_tools.tfkit import api, launcher
from callguard_tools.tfkit.paths import repo_root

MODULES = repo_root() / "modules"
KEY_ARN = "arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TABLE_ARN = "arn:aws:dynamodb:eu-west-2:111122223333:table/callguard-test-denylist"
INSTANCE_ID = "0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
INSTANCE_ARN = f"arn:aws:connect:eu-west-2:111122223333:instance/{INSTANCE_ID}"

GOOD_CALLS: dict[str, dict[str, str]] = {
    "audit_trail": {
        "name_prefix": '"callguard-test"',
        "table_arn": f'"{TABLE_ARN}"',
        "stream_arn": f'"{TABLE_ARN}/stream/2026-11-01T00:00:00.000"',
        "kms_key_arn": f'"{KEY_ARN}"',
        "lambda_zip_path": '"callguard.zip"',
    },
    "monitoring": {
        "name_prefix": '"callguard-test"',
        "log_groups": (
            '{ check_number = "/aws/lambda/callguard-test-check-number", '
            'flag_number = "/aws/lambda/callguard-test-flag-number", '
            'audit_events = "/callguard/callguard-test/audit", '
            'audit_function = "/aws/lambda/callguard-test-audit" }'
        ),
        "function_names": (
            '{ check_number = "callguard-test-check-number", audit = "callguard-test-audit" }'
        ),
        "table_name": '"callguard-test-denylist"',
        "audit_failure_queue_name": '"callguard-test-audit-failures"',
        "connect_instances": f'{{ support = "{INSTANCE_ID}" }}',
    },
}

BAD_CALLS = [
    pytest.param("audit_trail", {"retention_in_days": "30"}, "at least a year", id="short-trail"),
    pytest.param("audit_trail", {"maximum_retry_attempts": "-1"}, "bounded", id="endless-retry"),
    pytest.param(
        "audit_trail", {"maximum_record_age_in_seconds": "-1"}, "bounded", id="endless-age"
    ),
    pytest.param(
        "audit_trail", {"hash_key_arn": '"alias/callguard-hash"'}, "KMS key ARN", id="hash-alias"
    ),
    pytest.param(
        "audit_trail", {"table_arn": '"callguard-test-denylist"'}, "table ARN", id="table-name"
    ),
    pytest.param("audit_trail", {"timeout": "5"}, "10-900 seconds", id="audit-timeout"),
    pytest.param(
        "monitoring",
        {"function_names": '{ check_number = "x" }'},
        "must contain check_number and audit",
        id="no-audit-function",
    ),
    pytest.param(
        "monitoring",
        {"alarms": '{ sns_topic_arns = ["oncall"] }'},
        "SNS topic ARNs",
        id="topic-name",
    ),
    pytest.param(
        "monitoring",
        {"alarms": "{ duration_threshold_ratio = 1.5 }"},
        "at most 1",
        id="ratio-over-one",
    ),
    pytest.param(
        "monitoring",
        {"connect_instances": f'{{ support = "{INSTANCE_ARN}" }}'},
        "instance UUIDs",
        id="instance-arn",
    ),
    pytest.param("monitoring", {"check_timeout_seconds": "9"}, "1-8", id="check-timeout-9"),
]


def _cases(params: list[Any]) -> list[tuple[str, str, dict[str, str]]]:
    return [(param.id, param.values[0], param.values[1]) for param in params]


def _call_name(case_id: str) -> str:
    return "case_" + re.sub(r"[^a-z0-9]+", "_", case_id.lower())


def _write_root(root: Path, cases: list[tuple[str, str, dict[str, str]]]) -> None:
    root.mkdir(parents=True)
    write_stand_in_zip(root / "callguard.zip")
    blocks = []
    for case_id, module, overrides in cases:
        source = os.path.relpath(MODULES / module, root)
        body = "\n".join(f"  {k} = {v}" for k, v in {**GOOD_CALLS[module], **overrides}.items())
        blocks.append(f'module "{_call_name(case_id)}" {{\n  source = "{source}"\n{body}\n}}\n')
    (root / "main.tf").write_text("\n".join(blocks), encoding="utf-8")


def _errors_by_call(output: str) -> dict[str, list[str]]:
    messages = []
    for line in output.splitlines() or [output]:
        try:
            messages.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    if not messages:
        messages = [json.loads(output)]
    grouped: dict[str, list[str]] = {}
    for message in messages:
        diagnostics = list(message.get("diagnostics", []))
        if "diagnostic" in message:
            diagnostics.append(message["diagnostic"])
        for diagnostic in diagnostics:
            if diagnostic.get("severity") != "error":
                continue
            context = (diagnostic.get("snippet") or {}).get("context") or ""
            match = re.search(r'module "([^"]+)"', context)
            text = " ".join(
                f"{diagnostic.get('summary', '')} {diagnostic.get('detail', '')}".split()
            )
            grouped.setdefault(match.group(1) if match else "(none)", []).append(text)
    return grouped


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    root = tmp_path_factory.mktemp("observability") / "root"
    cases: list[tuple[str, str, dict[str, str]]] = [(f"good-{m}", m, {}) for m in GOOD_CALLS]
    cases += _cases(BAD_CALLS)
    _write_root(root, cases)
    got = launcher.run(["get", "-no-color"], cwd=root)
    assert got.returncode == 0, got.stderr
    proc = launcher.run(["validate", "-json", "-no-color"], cwd=root)
    return _errors_by_call(proc.stdout)


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    root = tmp_path_factory.mktemp("observability-plan") / "root"
    _write_root(root, [(f"good-{m}", m, {}) for m in GOOD_CALLS])
    init = launcher.run(["init", "-input=false", "-no-color"], cwd=root)
    assert init.returncode == 0, init.stderr
    proc = launcher.run(["plan", "-input=false", "-lock=false", "-json"], cwd=root)
    return _errors_by_call(proc.stdout)


@pytest.mark.parametrize("module", sorted(GOOD_CALLS))
def test_good_call_validates_and_plans(
    validated: dict[str, list[str]], planned: dict[str, list[str]], module: str
) -> None:
    assert validated.get(_call_name(f"good-{module}"), []) == []
    assert planned == {}


@pytest.mark.parametrize(("module", "overrides", "message"), BAD_CALLS)
def test_bad_call_is_refused_with_a_clear_message(
    validated: dict[str, list[str]],
    request: pytest.FixtureRequest,
    module: str,
    overrides: dict[str, str],
    message: str,
) -> None:
    case = request.node.callspec.id
    assert module in GOOD_CALLS and overrides
    errors = validated.get(_call_name(case), [])
    assert errors, f"{case}: no error"
    assert any(message in e for e in errors), errors


# ------------------------------------------------------------------ the roots' own inputs


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"audit": {"retention_in_days": 90}}, "audit.retention_in_days must be at least a year"),
        ({"audit": {"maximum_retry_attempts": -1}}, "retries are bounded"),
        ({"monitoring": {"sns_topic_arns": ["contact-center-oncall"]}}, "not names"),
    ],
    ids=["short-retention", "endless-retries", "topic-name"],
)
def test_roots_refuse_bad_audit_and_monitoring_settings(
    tmp_path: Path,
    stand_in_zip: Path,  # noqa: F811
    variables: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(api.TfkitError) as failure:
        plan_environment("dev", tmp_path, stand_in_zip, variables)
    assert message in " ".join(str(failure.value).split())
