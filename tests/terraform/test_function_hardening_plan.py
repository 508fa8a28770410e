"""Execution roles are bound to this account and each function's key use to itself.

* every Lambda trust policy requires ``aws:SourceAccount`` = the environment's account;
* the environment-variable ``kms:Decrypt`` grant holds only with the encryption
  context ``aws:lambda:FunctionArn`` = that function's own ARN;
* ``functions.vpc_config``, ``code_signing_config_arn`` and
  ``permissions_boundary_arn`` in a root's tfvars reach every function, the audit
  function included (the checkov skip reasons point operators at them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plan_helpers import (  # noqa: F401
    deployed_plans,
    deployed_roots,
    of_type,
    plan_environment,
    policy_documents,
    root_variable,
    stand_in_zip,
)

Plan = dict[str, Any]
ACCOUNT_ID = "111122223333"
BOUNDARY = f"arn:aws:iam::{ACCOUNT_ID}:policy/CallguardBoundary"
SIGNING = f"arn:aws:lambda:eu-west-2:{ACCOUNT_ID}:code-signing-config:csc-0123456789abcdef0"


def test_trust_policies_name_the_source_account(deployed_plans: dict[str, Plan]) -> None:  # noqa: F811
    for env, plan in deployed_plans.items():
        account = root_variable(plan, "aws_account_id")
        trusts = [doc for _, kind, doc in policy_documents(plan) if kind == "aws_iam_role"]
        lambda_trusts = [
            s
            for doc in trusts
            for s in doc["Statement"]
            if s["Principal"].get("Service") == "lambda.amazonaws.com"
        ]
        assert len(lambda_trusts) >= 3, env
        for statement in lambda_trusts:
            assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": account}}


def test_environment_decrypt_is_scoped_to_the_function(deployed_plans: dict[str, Plan]) -> None:  # noqa: F811
    plan = deployed_plans["dev"]
    functions = {
        f["address"].rsplit(".aws_lambda_function.", 1)[0]: f["values"]
        for f in of_type(plan, "aws_lambda_function")
    }
    seen = 0
    for address, kind, document in policy_documents(plan):
        if kind != "aws_iam_role_policy":
            continue
        owner = functions[address.rsplit(".aws_iam_role_policy.", 1)[0]]
        for statement in document["Statement"]:
            if statement["Sid"] == "DecryptOwnEnvironment":
                seen += 1
                assert statement["Action"] == ["kms:Decrypt"]
                assert statement["Condition"] == {
                    "StringEquals": {"kms:EncryptionContext:aws:lambda:FunctionArn": owner["arn"]}
                }
    assert seen == len(functions)


def test_hardening_from_tfvars_reaches_every_function(tmp_path: Path, stand_in_zip: Path) -> None:  # noqa: F811
    hardening = {
        "vpc_config": {"subnet_ids": ["subnet-0abc"], "security_group_ids": ["sg-0abc"]},
        "code_signing_config_arn": SIGNING,
        "permissions_boundary_arn": BOUNDARY,
    }
    plan = plan_environment("dev", tmp_path, stand_in_zip, {"functions": hardening})

    functions = of_type(plan, "aws_lambda_function")
    assert len(functions) == 3  # check_number, flag_number, audit
    for function in functions:
        values = function["values"]
        assert values["code_signing_config_arn"] == SIGNING, function["address"]
        assert values["vpc_config"][0]["subnet_ids"] == ["subnet-0abc"], function["address"]
    roles = [
        r for r in of_type(plan, "aws_iam_role") if "lambda" in r["values"]["assume_role_policy"]
    ]
    assert len(roles) == 3
    assert all(r["values"]["permissions_boundary"] == BOUNDARY for r in roles)
