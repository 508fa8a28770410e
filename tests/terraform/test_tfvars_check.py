"""Unknown and duplicate keys in terraform.tfvars fail before a plan, naming file, line and key.

Each test plants one defect in a copy of an environment root (its variables.tf is the
real one, so the known keys come from the committed variable types) and runs the
check ``make validate``, ``make plan`` and ``make plan-offline`` run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from callguard_tools.tfkit import __main__ as tfkit_cli
from callguard_tools.tfkit import api, plans, regions, tfvars_check
from callguard_tools.tfkit.paths import repo_root

ENVIRONMENTS = repo_root() / "terraform" / "environments"


def _root_with(tmp_path: Path, env: str, extra: str) -> tuple[Path, int]:
    """Copy ``env``'s root, append ``extra`` to its tfvars; return (tfvars, first new line)."""
    root = api.offline_root(ENVIRONMENTS / env, tmp_path / "tree")
    tfvars = root / "terraform.tfvars"
    text = tfvars.read_text(encoding="utf-8")
    tfvars.write_text(text + extra, encoding="utf-8")
    return tfvars, text.count("\n") + 1


def _messages(tfvars: Path) -> list[str]:
    return [str(p).split(": ", 1)[1] for p in tfvars_check.check_root(tfvars.parent)]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_committed_tfvars_pass(env: str) -> None:
    assert tfvars_check.check_root(ENVIRONMENTS / env) == []


def test_misspelt_key_in_an_object_names_line_and_known_keys(tmp_path: Path) -> None:
    tfvars, first = _root_with(tmp_path, "dev", "\nchallenge = {\n  code_lenght = 5\n}\n")

    problems = tfvars_check.check_root(tfvars.parent)

    assert len(problems) == 1
    text = str(problems[0])
    assert problems[0].path == tfvars
    assert problems[0].line == first + 2
    assert 'unknown key "code_lenght" in challenge (known: code_length, enabled,' in text


def test_documented_wrong_group_is_refused(tmp_path: Path) -> None:
    tfvars, _ = _root_with(tmp_path, "prod", "\nchallenge = {\n  reject_suppression_days = 9\n}\n")

    [said] = _messages(tfvars)

    assert said.startswith('unknown key "reject_suppression_days" in challenge')


def test_duplicate_instance_key_names_the_first_line(tmp_path: Path) -> None:
    block = (
        "\nconnect_instances = {\n"
        "  main = {\n"
        '    instance_id = "0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d"\n'
        '    queue_id    = "7e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"\n'
        "  }\n"
        '  "main" = {\n'
        '    instance_id = "9c8b7a6d-5e4f-4d3c-8b2a-1f0e9d8c7b6a"\n'
        '    queue_id    = "3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a"\n'
        "  }\n"
        "}\n"
    )
    tfvars = api.offline_root(ENVIRONMENTS / "dev", tmp_path / "tree") / "terraform.tfvars"
    tfvars.write_text('aws_region = "eu-west-2"' + block, encoding="utf-8")

    problems = tfvars_check.check_root(tfvars.parent)

    assert [(p.line, p.message) for p in problems] == [
        (7, 'duplicate key "main" in connect_instances (first at line 3)')
    ]


def test_unknown_key_inside_a_map_entry_and_a_list_element(tmp_path: Path) -> None:
    extra = (
        "\nconnect_instances = {\n"
        "  main = {\n"
        '    instance_id = "0b3c7a8e-5f1d-4c2a-9e6b-1d2f3a4b5c6d", queue_id = "x"\n'
        '    mesages = { blocked = "no" }\n'
        "  }\n"
        "}\n"
        'table = { replicas = [{ region_name = "eu-west-1", kms = "k" }] }\n'
    )
    tfvars, first = _root_with(tmp_path, "dev", extra)

    problems = {p.line: p.message for p in tfvars_check.check_root(tfvars.parent)}

    assert problems[first + 1].startswith('duplicate variable "connect_instances"')
    assert problems[first + 4].startswith('unknown key "mesages" in connect_instances["main"]')
    assert problems[first + 7].startswith('unknown key "kms" in table.replicas[0] (known:')


def test_unknown_variable_and_strings_that_look_like_keys(tmp_path: Path) -> None:
    extra = (
        '\nsetings = { log_level = "DEBUG" } # a comment = { not = "a key" }\n'
        "/* block = { comment = 1 } */\n"
        'review = { email_subscriptions = ["a = b@example.com"] }\n'
    )
    tfvars, first = _root_with(tmp_path, "dev", extra)

    problems = tfvars_check.check_root(tfvars.parent)

    assert [(p.line, p.message.split(" (")[0]) for p in problems] == [
        (first + 1, 'unknown variable "setings"')
    ]


def test_known_keys_follow_the_variable_types(tmp_path: Path) -> None:
    tfvars, _ = _root_with(tmp_path, "dev", "\nreview = {\n  escalate_after = 3\n}\n")
    assert len(tfvars_check.check_root(tfvars.parent)) == 1

    variables = tfvars.parent / "variables.tf"
    text = variables.read_text(encoding="utf-8")
    variables.unlink()  # the copy's variables.tf is a link to the real file
    variables.write_text(
        text.replace(
            "reject_suppression_days = optional(number)",
            "reject_suppression_days = optional(number)\n    escalate_after = optional(number)",
        ),
        encoding="utf-8",
    )

    assert tfvars_check.check_root(tfvars.parent) == []


def test_cli_exits_non_zero_and_prints_each_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tfvars, first = _root_with(tmp_path, "dev", "\nfunctions = { memory = 256 }\n")
    monkeypatch.setattr(plans, "environment_root", lambda env: tfvars.parent)

    assert tfkit_cli.main(["check-tfvars", "--env", "dev"]) == 1
    err = capsys.readouterr().err
    assert f'terraform.tfvars:{first + 1}: unknown key "memory" in functions' in err


def test_phone_regions_file_is_current() -> None:
    assert regions.is_current(), "run `python -m callguard_tools.tfkit regions`"
    assert '"GB"' in regions.render()
    assert '"UK"' not in regions.render()
