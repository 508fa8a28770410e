"""The offline checks can fail: plant one defect at a time in copies of real configuration.

Each defect goes into a temporary copy of ``modules/denylist_table`` or of the ``dev``
root, and the function behind ``make validate`` must fail with Terraform's own message
(summary and detail). The untouched copies pass, so every failure is the defect's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from callguard_tools.tfkit import api
from callguard_tools.tfkit.paths import repo_root

Validate = Callable[[Path], api.CheckResult]

MODULES = repo_root() / "modules"
ENVIRONMENTS = repo_root() / "terraform" / "environments"


@dataclass(frozen=True)
class Defect:
    """One planted defect: where, what to replace, and what Terraform must say."""

    name: str
    file: str
    old: str
    new: str
    summary: str
    detail: str

    def plant(self, directory: Path) -> None:
        """Edit the copy; fail loudly if the anchor text is gone (the module changed)."""
        path = directory / self.file
        text = path.read_text(encoding="utf-8")
        assert self.old in text, f"anchor {self.old!r} not in {self.file}; update the defect"
        path.write_text(text.replace(self.old, self.new, 1), encoding="utf-8")


TABLE = 'resource "aws_dynamodb_table" "this" {\n'

MODULE_DEFECTS = [
    Defect(
        "unknown argument",
        "main.tf",
        TABLE,
        TABLE + "  read_capacity_units = 5\n",
        "Unsupported argument",
        'An argument named "read_capacity_units" is not expected here.',
    ),
    Defect(
        "missing required argument",
        "main.tf",
        TABLE + "  name         = var.name\n",
        TABLE,
        "Missing required argument",
        'The argument "name" is required, but no definition was found.',
    ),
    Defect(
        "misspelt nested block",
        "main.tf",
        "  point_in_time_recovery {",
        "  point_in_time_recovry {",
        "Unsupported block type",
        'Blocks of type "point_in_time_recovry" are not expected here. '
        'Did you mean "point_in_time_recovery"?',
    ),
    Defect(
        "undeclared variable",
        "main.tf",
        "  name         = var.name\n",
        "  name         = var.table_name\n",
        "Reference to undeclared input variable",
        'An input variable with the name "table_name" has not been declared.',
    ),
    Defect(
        "wrong value type",
        "main.tf",
        "  stream_enabled   = true\n",
        '  stream_enabled   = ["yes"]\n',
        "Incorrect attribute value type",
        'Inappropriate value for attribute "stream_enabled": bool required',
    ),
    Defect(
        "misspelt resource type",
        "main.tf",
        'resource "aws_dynamodb_table" "this"',
        'resource "aws_dynamodb_tabel" "this"',
        "Invalid resource type",
        'The provider hashicorp/aws does not support resource type "aws_dynamodb_tabel".',
    ),
    Defect(
        "too many blocks of a max-one block",
        "main.tf",
        TABLE,
        TABLE + "  ttl {\n    enabled = false\n  }\n",
        "Too many ttl blocks",
        'No more than 1 "ttl" blocks are allowed',
    ),
]

ROOT_DEFECTS = [
    Defect(
        "unknown argument",
        "providers.tf",
        'provider "aws" {\n',
        'provider "aws" {\n  regions = ["eu-west-2"]\n',
        "Unsupported argument",
        'An argument named "regions" is not expected here.',
    ),
    Defect(
        "missing required argument",
        "main.tf",
        '  name_prefix = "callguard-${local.environment}"\n',
        "",
        "Missing required argument",
        'The argument "name_prefix" is required, but no definition was found.',
    ),
    Defect(
        "misspelt nested block",
        "providers.tf",
        "  default_tags {",
        "  default_tag {",
        "Unsupported block type",
        'Blocks of type "default_tag" are not expected here. Did you mean "default_tags"?',
    ),
    Defect(
        "undeclared variable",
        "providers.tf",
        "  region = var.aws_region\n",
        "  region = var.region\n",
        "Reference to undeclared input variable",
        'An input variable with the name "region" has not been declared.',
    ),
    Defect(
        "wrong value type",
        "providers.tf",
        'provider "aws" {\n',
        'provider "aws" {\n  max_retries = ["three"]\n',
        "Incorrect attribute value type",
        'Inappropriate value for attribute "max_retries": number required',
    ),
    Defect(
        "misspelt resource type",
        "main.tf",
        'module "callguard" {',
        'resource "aws_sns_topick" "alerts" {\n  name = "callguard-alerts"\n}\n\n'
        'module "callguard" {',
        "Invalid resource type",
        'The provider hashicorp/aws does not support resource type "aws_sns_topick".',
    ),
]


def _messages(result: api.CheckResult) -> str:
    # Terraform wraps long details; compare with whitespace normalised.
    return re.sub(r"\s+", " ", result.message)


@pytest.fixture
def table_copy(module_copy: Callable[[str], Path]) -> Path:
    return module_copy("denylist_table")


@pytest.fixture
def dev_copy(root_copy: Callable[[Path], Path]) -> Path:
    return root_copy(ENVIRONMENTS / "dev")


def test_unmodified_module_copy_passes(table_copy: Path, validate: Validate) -> None:
    result = validate(table_copy)
    assert result.ok, result.message
    assert not [d for d in result.diagnostics if d.severity == "error"]


@pytest.mark.parametrize("defect", MODULE_DEFECTS, ids=lambda d: d.name)
def test_module_defect_fails_with_terraforms_message(
    table_copy: Path, defect: Defect, validate: Validate
) -> None:
    defect.plant(table_copy)
    result = validate(table_copy)
    assert not result.ok
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert any(d.summary == defect.summary for d in errors), result.message
    assert defect.detail in _messages(result)
    if defect.summary == "Invalid resource type":
        assert "make schema" in result.message  # the offline schema holds only used types


def test_unmodified_root_copy_passes(dev_copy: Path, validate: Validate) -> None:
    result = validate(dev_copy)
    assert result.ok, result.message


@pytest.mark.parametrize("defect", ROOT_DEFECTS, ids=lambda d: d.name)
def test_root_defect_fails_with_terraforms_message(
    dev_copy: Path, defect: Defect, validate: Validate
) -> None:
    defect.plant(dev_copy)
    result = validate(dev_copy)
    assert not result.ok
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert any(d.summary == defect.summary for d in errors), result.message
    assert defect.detail in _messages(result)


def test_fmt_check_fails_on_unformatted_code(tmp_path: Path) -> None:
    copy = tmp_path / "modules" / "log_group"
    copy.mkdir(parents=True)
    for source in (MODULES / "log_group").glob("*.tf"):
        (copy / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    assert api.fmt_check(tmp_path).ok
    main = copy / "main.tf"
    main.write_text(main.read_text(encoding="utf-8").replace("  name  ", "  name="), "utf-8")
    result = api.fmt_check(tmp_path)
    assert not result.ok
    assert "modules/log_group/main.tf" in result.message


def test_validate_all_reports_each_directory_and_fails_on_one_defect(tmp_path: Path) -> None:
    tree = tmp_path / "repo"
    for name in ("log_group", "denylist_table"):
        source = MODULES / name
        target = tree / "modules" / name
        target.mkdir(parents=True)
        for path in source.glob("*.tf"):
            (target / path.name).write_text(path.read_text(encoding="utf-8"), "utf-8")
    report = api.validate_all(tree)
    assert report.ok, [r.message for r in report.failures]
    assert report.results[0].target == "fmt"
    assert len(report.results) == 3
    # A misspelt type keeps the file fmt-clean, so only validate can catch it.
    misspelt = next(d for d in MODULE_DEFECTS if d.name == "misspelt resource type")
    misspelt.plant(tree / "modules" / "denylist_table")
    report = api.validate_all(tree)
    assert not report.ok
    assert [r.target.rsplit("/", 1)[-1] for r in report.failures] == ["denylist_table"]
