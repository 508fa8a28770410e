"""The environment roots refuse the values operators most often get wrong.

Each case plans the dev root offline with its committed tfvars and one variable
replaced, and checks the message Terraform prints.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from plan_helpers import plan_environment, root_plans, root_variable, stand_in_zip  # noqa: F401

from callguard_tools.tfkit import api

Plan = dict[str, Any]


def _plan_error(tmp_path: Path, zip_path: Path, variables: dict[str, Any]) -> str:
    with pytest.raises(api.TfkitError) as failure:
        plan_environment("dev", tmp_path, zip_path, variables)
    return " ".join(str(failure.value).split())


@pytest.fixture
def instances(root_plans: dict[str, Plan]) -> dict[str, Any]:  # noqa: F811
    return copy.deepcopy(root_variable(root_plans["dev"], "connect_instances"))


def test_instance_arn_instead_of_id_is_refused(
    tmp_path: Path,
    stand_in_zip: Path,  # noqa: F811
    instances: dict[str, Any],
) -> None:
    key = sorted(instances)[0]
    instance_id = instances[key]["instance_id"]
    instances[key]["instance_id"] = f"arn:aws:connect:eu-west-2:111122223333:instance/{instance_id}"

    said = _plan_error(tmp_path, stand_in_zip, {"connect_instances": instances})

    # The message names the instance and is printed once (one rule, in modules/callguard).
    assert f'connect_instances["{key}"].instance_id: pass only the instance UUID' in said
    assert "never an ARN" in said
    assert said.count("Invalid value for variable") == 1


def test_queue_arn_instead_of_id_is_refused(
    tmp_path: Path,
    stand_in_zip: Path,  # noqa: F811
    instances: dict[str, Any],
) -> None:
    key = sorted(instances)[0]
    queue = instances[key]["queue_id"]
    instances[key]["queue_id"] = f"arn:aws:connect:eu-west-2:111122223333:instance/x/queue/{queue}"

    said = _plan_error(tmp_path, stand_in_zip, {"connect_instances": instances})

    assert f'connect_instances["{key}"]: queue_id, flag_queue_id and phone_number_ids' in said
    assert "must be UUIDs, not ARNs or phone numbers" in said
    assert said.count("Invalid value for variable") == 1


def test_account_id_must_be_twelve_digits(tmp_path: Path, stand_in_zip: Path) -> None:  # noqa: F811
    said = _plan_error(tmp_path, stand_in_zip, {"aws_account_id": "12345"})

    assert "aws_account_id must be exactly 12 digits" in said


def test_function_timeout_over_connect_limit_is_refused(
    tmp_path: Path,
    stand_in_zip: Path,  # noqa: F811
) -> None:
    said = _plan_error(tmp_path, stand_in_zip, {"functions": {"timeout": 9}})

    assert "Amazon Connect waits at most 8 s" in said
