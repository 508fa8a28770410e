"""The stand-in provider: plan like the real one, apply deterministic realistic values.

Unit tests call the value functions directly; the integration tests run real Terraform
(plan, apply, re-plan, destroy, ``terraform test``) on a scratch configuration.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from tf.types import Unknown

from callguard_tools.tfkit import launcher
from callguard_tools.tfkit.provider import (
    applied_values,
    datasources,
    planned_values,
    policy_document,
    values,
)
from callguard_tools.tfkit.provider.schema import document

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
CTX = values.Context(region="eu-west-2", account="111122223333", default_tags={"App": "cg"})
RESOURCES = document()["resource_schemas"]
DATA = document()["data_source_schemas"]
INSTANCE_ID = "0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"


def _proposed(type_name: str, **config: Any) -> dict[str, Any]:
    """Return a proposed new state: every attribute null except the given config."""
    block = RESOURCES[type_name]
    state: dict[str, Any] = dict.fromkeys(block["attributes"])
    for name, spec in block.get("blocks", {}).items():
        state[name] = None if spec["nesting"] == "single" else []
    state.update(config)
    return state


# ------------------------------------------------------------------ unit: plan and apply


def test_plan_leaves_computed_unknown_and_knows_region_and_tags() -> None:
    block = RESOURCES["aws_dynamodb_table"]
    planned = planned_values.plan_create(block, _proposed("aws_dynamodb_table", name="t"), CTX)
    assert planned["arn"] is Unknown
    assert planned["stream_arn"] is Unknown
    assert planned["name"] == "t"
    assert planned["range_key"] is None  # optional, not computed: stays null
    assert planned["region"] == "eu-west-2"
    assert planned["tags_all"] == {"App": "cg"}


def test_plan_marks_computed_attributes_inside_blocks_unknown() -> None:
    block = RESOURCES["aws_dynamodb_table"]
    proposed = _proposed(
        "aws_dynamodb_table",
        name="t",
        point_in_time_recovery=[{"enabled": True, "recovery_period_in_days": None}],
    )
    planned = planned_values.plan_create(block, proposed, CTX)
    assert planned["point_in_time_recovery"][0]["recovery_period_in_days"] is Unknown
    assert planned["point_in_time_recovery"][0]["enabled"] is True


def test_apply_fills_realistic_deterministic_values() -> None:
    block = RESOURCES["aws_connect_contact_flow"]
    proposed = _proposed("aws_connect_contact_flow", instance_id=INSTANCE_ID, name="inbound")
    planned = planned_values.plan_create(block, proposed, CTX)
    applied = applied_values.apply("aws_connect_contact_flow", block, planned, CTX)
    assert UUID.match(applied["contact_flow_id"])
    assert applied["arn"] == (
        f"arn:aws:connect:eu-west-2:111122223333:instance/{INSTANCE_ID}"
        f"/contact-flow/{applied['contact_flow_id']}"
    )
    assert applied["id"] == f"{INSTANCE_ID}:{applied['contact_flow_id']}"
    assert applied_values.apply("aws_connect_contact_flow", block, planned, CTX) == applied
    other = planned_values.plan_create(block, {**proposed, "name": "other"}, CTX)
    assert (
        applied_values.apply("aws_connect_contact_flow", block, other, CTX)["contact_flow_id"]
        != (applied["contact_flow_id"])
    )


def test_apply_lambda_function_arns() -> None:
    block = RESOURCES["aws_lambda_function"]
    proposed = _proposed(
        "aws_lambda_function", function_name="cg-check", role="arn:aws:iam::1:role/r"
    )
    applied = applied_values.apply(
        "aws_lambda_function", block, planned_values.plan_create(block, proposed, CTX), CTX
    )
    arn = "arn:aws:lambda:eu-west-2:111122223333:function:cg-check"
    assert applied["arn"] == arn
    assert applied["invoke_arn"] == (
        f"arn:aws:apigateway:eu-west-2:lambda:path/2015-03-31/functions/{arn}/invocations"
    )
    assert applied["qualified_arn"] == f"{arn}:$LATEST"
    assert not any(v is Unknown for v in applied.values())


ACCOUNT = "eu-west-2:111122223333"


@pytest.mark.parametrize(
    ("type_name", "config", "attribute", "expected"),
    [
        ("aws_dynamodb_table", {"name": "t"}, "arn", f"arn:aws:dynamodb:{ACCOUNT}:table/t"),
        (
            "aws_iam_role",
            {"name": "r", "assume_role_policy": "{}"},
            "arn",
            "arn:aws:iam::111122223333:role/r",
        ),
        (
            "aws_cloudwatch_log_group",
            {"name": "/aws/lambda/f"},
            "arn",
            f"arn:aws:logs:{ACCOUNT}:log-group:/aws/lambda/f",
        ),
        (
            "aws_sqs_queue",
            {"name": "q"},
            "url",
            "https://sqs.eu-west-2.amazonaws.com/111122223333/q",
        ),
        ("aws_sns_topic", {"name": "alerts"}, "arn", f"arn:aws:sns:{ACCOUNT}:alerts"),
        (
            "aws_kms_alias",
            {"name": "alias/cg", "target_key_id": "k"},
            "arn",
            f"arn:aws:kms:{ACCOUNT}:alias/cg",
        ),
    ],
)
def test_apply_arn_shapes(
    type_name: str, config: dict[str, Any], attribute: str, expected: str
) -> None:
    block = RESOURCES[type_name]
    planned = planned_values.plan_create(block, _proposed(type_name, **config), CTX)
    assert applied_values.apply(type_name, block, planned, CTX)[attribute] == expected


def test_partition_follows_region() -> None:
    assert values.Context(region="cn-north-1").partition == "aws-cn"
    assert values.Context(region="us-gov-west-1").arn("sqs", "q").startswith("arn:aws-us-gov:")


# ------------------------------------------------------------------ unit: data sources


def _read(type_name: str, **config: Any) -> dict[str, Any]:
    block = DATA[type_name]
    state: dict[str, Any] = dict.fromkeys(block["attributes"])
    for name in block.get("blocks", {}):
        state[name] = []
    state.update(config)
    return datasources.read(type_name, block, state, CTX)


def test_data_sources_answer_from_arguments() -> None:
    assert _read("aws_caller_identity")["account_id"] == "111122223333"
    assert _read("aws_region")["region"] == "eu-west-2"
    assert _read("aws_partition")["dns_suffix"] == "amazonaws.com"
    instance = _read("aws_connect_instance", instance_id=INSTANCE_ID)
    assert instance["arn"] == f"arn:aws:connect:eu-west-2:111122223333:instance/{INSTANCE_ID}"
    assert instance["status"] == "ACTIVE"
    by_alias = _read("aws_connect_instance", instance_alias="acme")
    assert UUID.match(by_alias["instance_id"])
    assert by_alias == _read("aws_connect_instance", instance_alias="acme")
    queue = _read("aws_connect_queue", instance_id=INSTANCE_ID, name="Support")
    assert queue["arn"].startswith(
        f"arn:aws:connect:eu-west-2:111122223333:instance/{INSTANCE_ID}/queue/"
    )
    assert UUID.match(queue["queue_id"])


def test_policy_document_renders_like_the_provider() -> None:
    config = {
        "statement": [
            {
                "sid": "Read",
                "effect": None,
                "actions": ["dynamodb:Query", "dynamodb:GetItem"],
                "resources": ["arn:aws:dynamodb:eu-west-2:1:table/t"],
                "principals": [],
                "condition": [
                    {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["1"]}
                ],
            },
            {
                "sid": None,
                "effect": "Allow",
                "actions": ["sts:AssumeRole"],
                "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
            },
        ]
    }
    pretty, minified = policy_document.render(config)
    assert json.loads(pretty) == json.loads(minified)
    assert json.loads(minified) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Read",
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                "Resource": "arn:aws:dynamodb:eu-west-2:1:table/t",
                "Condition": {"StringEquals": {"aws:SourceAccount": "1"}},
            },
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "lambda.amazonaws.com"},
            },
        ],
    }
    assert pretty.startswith('{\n  "Version"')


# ------------------------------------------------------------------ integration: real Terraform

CONFIG = """
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.66"
    }
  }
}

provider "aws" {
  region              = "eu-west-2"
  allowed_account_ids = ["111122223333"]
  default_tags {
    tags = { Application = "callguard" }
  }
}

data "aws_connect_instance" "this" {
  instance_id = "0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "fn" {
  name               = "cg-check"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_dynamodb_table" "denylist" {
  name         = "cg-denylist"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "phone_number"
  attribute {
    name = "phone_number"
    type = "S"
  }
  point_in_time_recovery {
    enabled = true
  }
  tags = { Table = "denylist" }
}

resource "aws_connect_contact_flow" "inbound" {
  instance_id = data.aws_connect_instance.this.instance_id
  name        = "cg-inbound"
  type        = "CONTACT_FLOW"
  content     = jsonencode({ Version = "2019-10-30", StartAction = "x", Actions = [] })
}

output "table_arn" { value = aws_dynamodb_table.denylist.arn }
output "flow_arn" { value = aws_connect_contact_flow.inbound.arn }
output "role_arn" { value = aws_iam_role.fn.arn }
"""


def _tf(directory: Path, *args: str) -> str:
    proc = launcher.run(list(args), cwd=directory)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # These tests apply: always against the stand-in, even when the suite runs with
    # CALLGUARD_REAL_PROVIDER=1 (they would otherwise create real resources).
    monkeypatch.delenv(launcher.REAL_PROVIDER_ENV, raising=False)
    (tmp_path / "main.tf").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def _resources(shown: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    return {r["address"]: r for r in shown[key]["root_module"]["resources"]}


def test_plan_apply_replan_destroy(scratch: Path) -> None:
    _tf(scratch, "plan", "-input=false", "-no-color", "-out=tfplan")
    plan = json.loads(_tf(scratch, "show", "-json", "tfplan"))
    changes = {c["address"]: c["change"] for c in plan["resource_changes"]}
    table = changes["aws_dynamodb_table.denylist"]
    assert table["after_unknown"]["arn"] is True
    assert table["after"]["region"] == "eu-west-2"
    assert table["after"]["tags_all"] == {"Application": "callguard", "Table": "denylist"}
    assert table["after"]["point_in_time_recovery"][0]["enabled"] is True
    pitr_unknown = table["after_unknown"]["point_in_time_recovery"][0]
    assert pitr_unknown["recovery_period_in_days"] is True  # computed inside a block
    role = changes["aws_iam_role.fn"]["after"]
    assert json.loads(role["assume_role_policy"])["Statement"][0]["Action"] == "sts:AssumeRole"

    _tf(scratch, "apply", "-input=false", "-no-color", "tfplan")
    state = _resources(json.loads(_tf(scratch, "show", "-json")), "values")
    flow = state["aws_connect_contact_flow.inbound"]["values"]
    assert UUID.match(flow["contact_flow_id"])
    assert flow["arn"] == (
        f"arn:aws:connect:eu-west-2:111122223333:instance/{INSTANCE_ID}"
        f"/contact-flow/{flow['contact_flow_id']}"
    )
    assert state["aws_iam_role.fn"]["values"]["arn"] == "arn:aws:iam::111122223333:role/cg-check"

    replan = launcher.run(["plan", "-input=false", "-no-color", "-detailed-exitcode"], cwd=scratch)
    assert replan.returncode == 0, replan.stdout + replan.stderr  # 0 = no changes

    _tf(scratch, "destroy", "-auto-approve", "-input=false", "-no-color")
    assert json.loads(_tf(scratch, "show", "-json")).get("values") is None


def test_terraform_test_with_mock_and_with_stand_in(scratch: Path) -> None:
    tests = scratch / "tests"
    tests.mkdir()
    (tests / "mocked.tftest.hcl").write_text(
        'mock_provider "aws" {}\n\n'
        'run "plans_with_mocks" {\n  command = plan\n'
        "  assert {\n"
        '    condition     = aws_dynamodb_table.denylist.hash_key == "phone_number"\n'
        '    error_message = "hash key"\n  }\n}\n',
        encoding="utf-8",
    )
    (scratch / "where.tf").write_text('locals { where = "eu-west-2:111122223333" }\n', "utf-8")
    (tests / "applied.tftest.hcl").write_text(
        'run "applies_against_the_stand_in" {\n  command = apply\n'
        "  assert {\n"
        "    condition     = output.table_arn == "
        '"arn:aws:dynamodb:${local.where}:table/cg-denylist"\n'
        '    error_message = "table arn: ${output.table_arn}"\n  }\n}\n',
        encoding="utf-8",
    )
    proc = launcher.run(["test", "-no-color"], cwd=scratch)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed, 0 failed" in proc.stdout


# ------------------------------------------------------------------ unit: the servicer


def test_servicer_configures_from_known_values_only() -> None:
    from tf.gen import tfplugin_pb2 as pb
    from tf.utils import to_dynamic_value

    from callguard_tools.tfkit.provider.server import StandInProvider

    servicer = StandInProvider()
    config = dict.fromkeys(document()["provider"]["attributes"])
    config.update(
        region="ap-southeast-2",
        allowed_account_ids=["444455556666", Unknown],
        default_tags=[{"tags": {"Team": "voice", "Pending": Unknown}}],
    )
    response = servicer.ConfigureProvider(
        pb.ConfigureProvider.Request(config=to_dynamic_value(config)), None
    )
    assert not response.diagnostics
    assert servicer.ctx == values.Context("ap-southeast-2", "444455556666", {"Team": "voice"})


def test_servicer_reports_failures_as_diagnostics() -> None:
    from tf.gen import tfplugin_pb2 as pb
    from tf.utils import to_dynamic_value

    from callguard_tools.tfkit.provider.server import StandInProvider

    response = StandInProvider().PlanResourceChange(
        pb.PlanResourceChange.Request(
            type_name="aws_not_in_schema", proposed_new_state=to_dynamic_value({"a": 1})
        ),
        None,
    )
    (diagnostic,) = response.diagnostics
    assert diagnostic.severity == pb.Diagnostic.ERROR
    assert "aws_not_in_schema" in diagnostic.summary


# ------------------------------------------------------------------ every type, every value


def _conforms(value: Any, cty: Any) -> bool:  # noqa: PLR0911 - one return per type
    """Return True when ``value`` is a known value of cty type ``cty`` (or null)."""
    if value is None:
        return True
    if value is Unknown:
        return False
    if cty == "string":
        return isinstance(value, str)
    if cty == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if cty == "bool":
        return isinstance(value, bool)
    kind, inner = cty
    if kind in ("list", "set"):
        return isinstance(value, list) and all(_conforms(v, inner) for v in value)
    if kind == "map":
        return isinstance(value, dict) and all(_conforms(v, inner) for v in value.values())
    return isinstance(value, dict) and all(_conforms(value.get(k), t) for k, t in inner.items())


def _minimal(block: dict[str, Any]) -> dict[str, Any]:
    """Return a proposed state with every required argument and required block set."""
    state: dict[str, Any] = {}
    for name, (cty, flags) in block["attributes"].items():
        state[name] = applied_values.synthesize(name, cty, "seed") if flags == "r" else None
        if flags == "r" and name.endswith("_arn"):  # inputs users give as ARNs
            state[name] = CTX.arn("sns", name)
    for name, spec in block.get("blocks", {}).items():
        if spec.get("min_items"):
            item = _minimal(spec["block"])
            state[name] = item if spec["nesting"] == "single" else [item]
        else:
            state[name] = None if spec["nesting"] == "single" else []
    return state


def _check_known(block: dict[str, Any], state: dict[str, Any], where: str) -> None:
    for name, (cty, _) in block["attributes"].items():
        assert _conforms(state[name], cty), f"{where}.{name} = {state[name]!r} is not {cty}"
    for name, spec in block.get("blocks", {}).items():
        items = state[name]
        for item in [items] if spec["nesting"] == "single" and items else items or []:
            _check_known(spec["block"], item, f"{where}.{name}")


@pytest.mark.parametrize("type_name", sorted(RESOURCES))
def test_every_resource_type_plans_and_applies_to_known_typed_values(type_name: str) -> None:
    block = RESOURCES[type_name]
    planned = planned_values.plan_create(block, _minimal(block), CTX)
    applied = applied_values.apply(type_name, block, planned, CTX)
    _check_known(block, applied, type_name)
    if "arn" in block["attributes"] and block["attributes"]["arn"][1] == "c":
        assert applied["arn"].startswith("arn:aws:"), applied["arn"]


@pytest.mark.parametrize("type_name", sorted(DATA))
def test_every_data_source_reads_to_known_typed_values(type_name: str) -> None:
    block = DATA[type_name]
    state = datasources.read(type_name, block, _minimal(block), CTX)
    _check_known(block, state, type_name)
