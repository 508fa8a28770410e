"""Unknown and duplicated tfvars keys are errors before plan (Terraform drops them silently)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from callguard_tools.tfkit import __main__ as tfkit_main
from callguard_tools.tfkit import tfvars_check

REPO = Path(__file__).resolve().parents[2]
DEV = REPO / "terraform" / "environments" / "dev"


@pytest.fixture
def dev_copy(tmp_path: Path) -> Path:
    """A copy of the dev root's variables and tfvars (links resolved) to plant defects in."""
    root = tmp_path / "dev"
    root.mkdir()
    for name in ("variables.tf", "terraform.tfvars"):
        shutil.copyfile(DEV / name, root / name)
    return root


def _plant(root: Path, old: str, new: str) -> None:
    path = root / "terraform.tfvars"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in the dev tfvars any more: update the test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(root: Path, needle: str, occurrence: int = 1) -> int:
    lines = (root / "terraform.tfvars").read_text(encoding="utf-8").splitlines()
    hits = [number for number, line in enumerate(lines, start=1) if needle in line]
    return hits[occurrence - 1]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_shipped_environments_are_clean(env: str) -> None:
    assert tfvars_check.check_root(REPO / "terraform" / "environments" / env) == []


def test_misspelt_key_in_an_object_variable(dev_copy: Path) -> None:
    _plant(dev_copy, "settings = {", "challenge = {\n  code_lenght = 5\n}\n\nsettings = {")
    problems = tfvars_check.check_root(dev_copy)
    assert [p.line for p in problems] == [_line_of(dev_copy, "code_lenght")]
    message = str(problems[0])
    assert "terraform.tfvars:" in message
    assert "unknown key 'code_lenght' in challenge" in message
    assert "code_length" in message  # the known keys are listed


def test_documented_name_under_the_wrong_variable(dev_copy: Path) -> None:
    _plant(
        dev_copy,
        '  log_level       = "DEBUG"',
        '  log_level = "DEBUG"\n  reject_suppression_days = 7',
    )
    problems = tfvars_check.check_root(dev_copy)
    assert len(problems) == 1
    assert "unknown key 'reject_suppression_days' in settings" in problems[0].message


def test_duplicate_instance_key(dev_copy: Path) -> None:
    _plant(
        dev_copy,
        "  sales = {",
        '  support = {\n    instance_id = "x"\n    queue_id = "y"\n  }\n\n  sales = {',
    )
    problems = tfvars_check.check_root(dev_copy)
    assert len(problems) == 1
    first, second = _line_of(dev_copy, "support = {"), _line_of(dev_copy, "support = {", 2)
    assert problems[0].line == second
    assert f"duplicate key 'support' in connect_instances (first at line {first})" in (
        problems[0].message
    )


def test_unknown_key_inside_a_map_of_objects(dev_copy: Path) -> None:
    _plant(dev_copy, '    fail_mode   = "closed"', '    failmode = "closed"')
    problems = tfvars_check.check_root(dev_copy)
    assert len(problems) == 1
    assert "unknown key 'failmode' in connect_instances[\"sales\"]" in problems[0].message


def test_unknown_key_deep_inside_nested_objects_and_lists(dev_copy: Path) -> None:
    _plant(
        dev_copy,
        "table = {",
        'table = {\n  replicas = [{ region_name = "eu-west-1", pitr = true }]',
    )
    problems = tfvars_check.check_root(dev_copy)
    assert len(problems) == 1
    assert "unknown key 'pitr' in table.replicas[0]" in problems[0].message


def test_unknown_and_repeated_variables(dev_copy: Path) -> None:
    _plant(dev_copy, "tags = {", 'aws_regoin = "eu-west-1"\naws_region = "eu-west-1"\n\ntags = {')
    messages = [p.message for p in tfvars_check.check_root(dev_copy)]
    assert any("unknown variable 'aws_regoin'" in m for m in messages)
    assert any("variable 'aws_region' is set twice" in m for m in messages)


def test_known_keys_come_from_the_variable_types(dev_copy: Path) -> None:
    """A key the root's variables.tf declares is accepted: no second list to keep in step."""
    _plant(dev_copy, "settings = {", "settings = {\n  brand_new_setting = true")
    assert len(tfvars_check.check_root(dev_copy)) == 1
    variables = dev_copy / "variables.tf"
    text = variables.read_text(encoding="utf-8")
    declared, count = re.subn(
        r"(\n\s*log_level\s*=\s*optional\([^\n]*\))",
        r"\1\n    brand_new_setting = optional(bool)",
        text,
        count=1,
    )
    assert count == 1
    variables.write_text(declared, encoding="utf-8")
    assert tfvars_check.check_root(dev_copy) == []


def test_comments_heredocs_and_quoted_keys_are_read(dev_copy: Path) -> None:
    _plant(
        dev_copy,
        "tags = {",
        'tags = {\n  # a comment = {\n  "Cost Center" = "x" // trailing\n  Note = <<-EOT\n'
        "    text with = and { braces\n  EOT\n  /* block = comment */",
    )
    assert tfvars_check.check_root(dev_copy) == []


def test_unreadable_file_is_reported_not_crashed(dev_copy: Path) -> None:
    _plant(dev_copy, "tags = {", "tags = {{{")
    problems = tfvars_check.check_root(dev_copy)
    assert len(problems) == 1
    assert "cannot be read" in problems[0].message


def test_command_exits_1_naming_the_problem(
    dev_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _plant(dev_copy, "settings = {", 'settings = {\n  fail_mod = "open"')
    (dev_copy / "main.tf").write_text("", encoding="utf-8")
    environments = dev_copy.parent
    monkeypatch.setattr(tfkit_main, "_environments_dir", lambda: environments)
    assert tfkit_main.main(["check-tfvars", "--env", "dev"]) == 1
    assert "unknown key 'fail_mod' in settings" in capsys.readouterr().err
    assert tfkit_main.main(["check-tfvars", "--env", "nosuch"]) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("string", "scalar"),
        ("${map(string)}", "map"),
        ('${object({a = optional(string, "x,y)"), b = list(object({c = number}))})}', "object"),
        ("${tuple([string, number])}", "list"),
    ],
)
def test_type_parser(text: str, expected: str) -> None:
    node = tfvars_check.parse_type(text)
    assert node.kind == expected
    if expected == "object":
        assert set(node.attributes) == {"a", "b"}
        inner = node.attributes["b"].element
        assert inner is not None
        assert set(inner.attributes) == {"c"}
