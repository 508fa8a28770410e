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

    assert "instance_id is an ARN; pass only the UUID" in said


def test_queue_arn_instead_of_id_is_refused(
    tmp_path: Path,
    stand_in_zip: Path,  # noqa: F811
    instances: dict[str, Any],
) -> None:
    key = sorted(instances)[0]
    queue = instances[key]["queue_id"]
    instances[key]["queue_id"] = f"arn:aws:connect:eu-west-2:111122223333:instance/x/queue/{queue}"

    said = _plan_error(tmp_path, stand_in_zip, {"connect_instances": instances})

    assert "must be UUIDs, not ARNs or phone numbers" in said


def test_account_id_must_be_twelve_digits(tmp_path: Path, stand_in_zip: Path) -> None:  # noqa: F811
    said = _plan_error(tmp_path, stand_in_zip, {"aws_account_id": "12345"})

    assert "aws_account_id must be exactly 12 digits" in said


def test_function_timeout_over_connect_limit_is_refused(
    tmp_path: Path,
    stand_in_zip: Path,  # noqa: F811
) -> None:
    said = _plan_error(tmp_path, stand_in_zip, {"functions": {"timeout": 9}})

    assert "Amazon Connect waits at most 8 s" in said


def test_bad_instance_fail_mode_names_the_instance_once(
    tmp_path: Path,
    stand_in_zip: Path,  # noqa: F811
    instances: dict[str, Any],
) -> None:
    key = sorted(instances)[-1]
    instances[key]["fail_mode"] = "Closed"

    said = _plan_error(tmp_path, stand_in_zip, {"connect_instances": instances})

    assert f'connect_instances["{key}"].fail_mode must be open, closed' in said
    assert said.count("fail_mode must") == 1, said
    assert "modules/callguard" not in said


def test_bad_challenge_settings_are_reported_once_each(
    tmp_path: Path,
    stand_in_zip: Path,  # noqa: F811
) -> None:
    challenge = {"enabled": True, "max_attempts": 9, "timeout_seconds": 12, "fail_mode": "Closed"}

    said = _plan_error(tmp_path, stand_in_zip, {"challenge": challenge})

    assert said.count("challenge.max_attempts must be a whole number from 1 to 5") == 1, said
    assert said.count("challenge.timeout_seconds must be whole seconds from 1 to 8") == 1, said
    assert said.count("challenge.fail_mode must be open, closed") == 1, said
    assert "modules/" not in said


@pytest.mark.parametrize("country", ["UK", "XX", "gb"])
def test_default_country_must_be_a_region_libphonenumber_knows(
    tmp_path: Path,
    stand_in_zip: Path,  # noqa: F811
    country: str,
) -> None:
    said = _plan_error(tmp_path, stand_in_zip, {"settings": {"default_country": country}})

    assert f'settings.default_country (CALLGUARD_DEFAULT_COUNTRY) = "{country}" is not' in said


def test_answer_hints_for_an_unknown_question_type_are_refused(
    tmp_path: Path,
    stand_in_zip: Path,  # noqa: F811
) -> None:
    outbound = {
        "enabled": True,
        "instance": "support",
        "source_phone_number": "+442079460000",
        "source_phone_number_id": "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
        "answer_hints": {"date": "Key in the date.", "dates": "A typo.", "yes-no": "Another."},
    }

    said = _plan_error(tmp_path, stand_in_zip, {"outbound": outbound})

    expected = (
        "outbound.answer_hints may name only the question types ok, yes_no, "
        "multiple_choice, number, date and time; not dates, yes-no."
    )
    assert said.count(expected) == 1, said
    assert "modules/" not in said
