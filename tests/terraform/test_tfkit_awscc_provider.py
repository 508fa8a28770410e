"""The awscc stand-in: nested attributes plan and apply like the real provider's.

Unit tests call the value functions on the generated awscc schema; the integration test
runs real Terraform (plan, apply, re-plan, destroy) on a scratch bot, version, alias and
Connect association, next to an aws resource, so both stand-ins serve one run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from test_tfkit_provider import _conforms
from tf.types import Unknown

from callguard_tools.tfkit import launcher
from callguard_tools.tfkit.provider import applied_values, planned_values, values
from callguard_tools.tfkit.provider.schema import cty_of, document

CTX = values.Context(region="eu-west-2", account="111122223333")
RESOURCES = document("awscc")["resource_schemas"]
LEX_ID = re.compile(r"^[A-Z0-9]{10}$")
INSTANCE_ARN = (
    "arn:aws:connect:eu-west-2:111122223333:instance/0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"
)


def _nulls(specs: dict[str, Any]) -> dict[str, Any]:
    return dict.fromkeys(specs)


def _object(specs: dict[str, Any], **given: Any) -> dict[str, Any]:
    """Return a nested object as Terraform proposes it: every attribute, unset ones null."""
    return {**_nulls(specs), **given}


def _bot_proposal() -> dict[str, Any]:
    bot = RESOURCES["awscc_lex_bot"]["attributes"]
    locale = bot["bot_locales"][0]["attributes"]
    intent = locale["intents"][0]["attributes"]
    utterance = intent["sample_utterances"][0]["attributes"]
    return _object(
        bot,
        name="cg-yes-no",
        role_arn="arn:aws:iam::111122223333:role/cg-bots",
        idle_session_ttl_in_seconds=300,
        data_privacy={"child_directed": False},
        bot_locales=[
            _object(
                locale,
                locale_id="en_GB",
                nlu_confidence_threshold=0.4,
                intents=[
                    _object(
                        intent,
                        name="OptOut",
                        sample_utterances=[_object(utterance, utterance="stop")],
                    )
                ],
            )
        ],
    )


def test_plan_marks_computed_values_inside_nested_attributes_unknown() -> None:
    block = RESOURCES["awscc_lex_bot"]
    planned = planned_values.plan_create(block, _bot_proposal(), CTX)
    assert planned["bot_id"] is Unknown and planned["arn"] is Unknown
    assert planned["bot_tags"] is Unknown  # optional + computed, not configured
    assert planned["data_privacy"] == {"child_directed": False}
    (locale,) = planned["bot_locales"]
    assert locale["locale_id"] == "en_GB"
    assert locale["voice_settings"] is Unknown
    (intent,) = locale["intents"]
    assert intent["name"] == "OptOut" and intent["description"] is Unknown
    assert intent["sample_utterances"] == [{"utterance": "stop"}]


def test_apply_gives_lex_shaped_ids_and_arns_and_typed_values() -> None:
    block = RESOURCES["awscc_lex_bot"]
    planned = planned_values.plan_create(block, _bot_proposal(), CTX)
    bot = applied_values.apply("awscc_lex_bot", block, planned, CTX)
    assert LEX_ID.match(bot["bot_id"])
    assert bot["arn"] == f"arn:aws:lex:eu-west-2:111122223333:bot/{bot['bot_id']}"
    for name, (spec, _) in block["attributes"].items():
        assert _conforms(bot[name], cty_of(spec)), name
    assert applied_values.apply("awscc_lex_bot", block, planned, CTX) == bot  # deterministic

    alias_block = RESOURCES["awscc_lex_bot_alias"]
    alias = applied_values.apply(
        "awscc_lex_bot_alias",
        alias_block,
        planned_values.plan_create(
            alias_block,
            _object(alias_block["attributes"], bot_id=bot["bot_id"], bot_alias_name="live"),
            CTX,
        ),
        CTX,
    )
    assert alias["arn"] == (
        f"arn:aws:lex:eu-west-2:111122223333:bot-alias/{bot['bot_id']}/{alias['bot_alias_id']}"
    )
    assert alias["bot_alias_status"] == "Available"


def test_update_keeps_computed_values_of_unchanged_set_elements() -> None:
    block = RESOURCES["awscc_lex_bot"]
    applied = applied_values.apply(
        "awscc_lex_bot", block, planned_values.plan_create(block, _bot_proposal(), CTX), CTX
    )
    # Terraform cannot pair set elements whose computed values were filled in, so
    # it proposes the configuration again, computed values null.
    planned = planned_values.plan_update(
        block, {**_bot_proposal(), **_computed(block, applied)}, CTX, applied
    )
    assert planned == applied
    changed = _bot_proposal()
    changed["bot_locales"][0]["intents"][0]["name"] = "StopCalls"
    replanned = planned_values.plan_update(
        block, {**changed, **_computed(block, applied)}, CTX, applied
    )
    (intent,) = replanned["bot_locales"][0]["intents"]
    assert intent["name"] == "StopCalls" and intent["description"] is Unknown


def _computed(block: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    """Top-level computed-only values, which Terraform carries over from the prior state."""
    return {n: state[n] for n, (_, flags) in block["attributes"].items() if flags == "c"}


def test_launcher_serves_both_stand_ins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(launcher.REAL_PROVIDER_ENV, raising=False)
    config = Path(launcher.terraform_env()["TF_CLI_CONFIG_FILE"]).read_text(encoding="utf-8")
    for name in ("aws", "awscc"):
        assert f'"hashicorp/{name}" = "{launcher.provider_dir()}"' in config
        assert os.access(launcher.provider_dir() / f"terraform-provider-{name}", os.X_OK)
    env = {k: v for k, v in os.environ.items() if k != "TF_PLUGIN_MAGIC_COOKIE"}
    proc = subprocess.run(
        [str(launcher.provider_dir() / "terraform-provider-awscc")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 1
    assert "stand-in for the hashicorp/awscc Terraform provider" in proc.stderr


CONFIG = f"""
terraform {{
  required_providers {{
    aws   = {{ source = "hashicorp/aws", version = "6.66.0" }}
    awscc = {{ source = "hashicorp/awscc", version = "1.106.0" }}
  }}
}}

provider "aws" {{
  region              = "eu-west-2"
  allowed_account_ids = ["111122223333"]
}}

provider "awscc" {{
  region = "eu-west-2"
}}

resource "aws_iam_role" "bots" {{
  name               = "cg-bots"
  assume_role_policy = jsonencode({{ Version = "2012-10-17", Statement = [] }})
}}

resource "awscc_lex_bot" "yes_no" {{
  name                        = "cg-yes-no"
  role_arn                    = aws_iam_role.bots.arn
  idle_session_ttl_in_seconds = 300
  data_privacy                = {{ child_directed = false }}
  bot_locales = [{{
    locale_id                = "en_GB"
    nlu_confidence_threshold = 0.4
    intents = [
      {{ name = "OptOut", sample_utterances = [{{ utterance = "stop" }}] }},
      {{ name = "FallbackIntent", parent_intent_signature = "AMAZON.FallbackIntent" }},
    ]
  }}]
}}

resource "awscc_lex_bot_version" "yes_no" {{
  bot_id = awscc_lex_bot.yes_no.bot_id
  bot_version_locale_specification = [{{
    locale_id                  = "en_GB"
    bot_version_locale_details = {{ source_bot_version = "DRAFT" }}
  }}]
}}

resource "awscc_lex_bot_alias" "yes_no" {{
  bot_id         = awscc_lex_bot.yes_no.bot_id
  bot_alias_name = "live"
  bot_version    = awscc_lex_bot_version.yes_no.bot_version
}}

resource "awscc_connect_integration_association" "yes_no" {{
  instance_id      = "{INSTANCE_ARN}"
  integration_type = "LEX_BOT"
  integration_arn  = awscc_lex_bot_alias.yes_no.arn
}}
"""


def _tf(directory: Path, *args: str) -> str:
    proc = launcher.run(list(args), cwd=directory)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_plan_apply_replan_destroy_with_both_providers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(launcher.REAL_PROVIDER_ENV, raising=False)  # applies: stand-ins only
    (tmp_path / "main.tf").write_text(CONFIG, encoding="utf-8")
    _tf(tmp_path, "plan", "-input=false", "-no-color", "-out=tfplan")
    plan = json.loads(_tf(tmp_path, "show", "-json", "tfplan"))
    changes = {c["address"]: c["change"] for c in plan["resource_changes"]}
    bot = changes["awscc_lex_bot.yes_no"]
    assert bot["after_unknown"]["bot_id"] is True
    assert bot["after"]["data_privacy"] == {"child_directed": False}
    assert bot["after_unknown"]["role_arn"] is True  # from the aws stand-in's role

    _tf(tmp_path, "apply", "-input=false", "-no-color", "tfplan")
    shown = json.loads(_tf(tmp_path, "show", "-json"))
    state = {r["address"]: r["values"] for r in shown["values"]["root_module"]["resources"]}
    bot_state = state["awscc_lex_bot.yes_no"]
    alias = state["awscc_lex_bot_alias.yes_no"]
    assert bot_state["role_arn"] == "arn:aws:iam::111122223333:role/cg-bots"
    assert alias["arn"] == (
        f"arn:aws:lex:eu-west-2:123456789012:bot-alias/{bot_state['bot_id']}"
        f"/{alias['bot_alias_id']}"
    )
    association = state["awscc_connect_integration_association.yes_no"]
    assert association["integration_arn"] == alias["arn"]

    replan = launcher.run(["plan", "-input=false", "-no-color", "-detailed-exitcode"], cwd=tmp_path)
    assert replan.returncode == 0, replan.stdout + replan.stderr  # 0 = no changes

    _tf(tmp_path, "destroy", "-auto-approve", "-input=false", "-no-color")
    assert json.loads(_tf(tmp_path, "show", "-json")).get("values") is None
