"""The awscc stand-in makes real Terraform catch defects, as the aws one does.

Each defect goes into a temporary copy of ``modules/outbound_bots`` (its resources are
all ``hashicorp/awscc``), and the function behind ``make validate`` must fail with
Terraform's own message. The untouched copy passes, so every failure is the defect's.
The nested-attribute defect shows the schema is served as the real provider's is:
``data_privacy`` is an attribute (``= { ... }``), and block syntax is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from test_tfkit_defects import Defect

from callguard_tools.tfkit import api

Validate = Callable[[Path], api.CheckResult]

BOT = "  auto_build_bot_locales      = true\n"

DEFECTS = [
    Defect(
        "unknown argument",
        "main.tf",
        BOT,
        BOT + '  bot_colour                  = "red"\n',
        "Unsupported argument",
        'An argument named "bot_colour" is not expected here.',
    ),
    Defect(
        "missing required argument",
        "main.tf",
        "  idle_session_ttl_in_seconds = var.idle_session_ttl_in_seconds\n",
        "",
        "Missing required argument",
        'The argument "idle_session_ttl_in_seconds" is required, but no definition was found.',
    ),
    Defect(
        "wrong value type",
        "main.tf",
        BOT,
        '  auto_build_bot_locales      = ["yes"]\n',
        "Incorrect attribute value type",
        'Inappropriate value for attribute "auto_build_bot_locales": bool required',
    ),
    Defect(
        "block syntax for a nested attribute",
        "main.tf",
        "  data_privacy = {\n",
        "  data_privacy {\n",
        "Unsupported block type",
        'Blocks of type "data_privacy" are not expected here. Did you mean to define '
        'argument "data_privacy"? If so, use the equals sign to assign it a value.',
    ),
    Defect(
        "wrong type inside a nested attribute",
        "main.tf",
        "    child_directed = var.child_directed\n",
        '    child_directed = ["no"]\n',
        "Incorrect attribute value type",
        'Inappropriate value for attribute "data_privacy": attribute "child_directed": '
        "bool required",
    ),
    Defect(
        "missing required attribute inside a nested attribute",
        "main.tf",
        '      bot_version_locale_details = {\n        source_bot_version = "DRAFT"\n      }\n',
        "",
        "Incorrect attribute value type",
        'Inappropriate value for attribute "bot_version_locale_specification": element 0: '
        'attribute "bot_version_locale_details" is required.',
    ),
    Defect(
        "misspelt resource type",
        "main.tf",
        'resource "awscc_lex_bot_alias" "this" {',
        'resource "awscc_lex_bot_aliass" "this" {',
        "Invalid resource type",
        'The provider hashicorp/awscc does not support resource type "awscc_lex_bot_aliass".',
    ),
    Defect(
        "missing required argument of the association",
        "main.tf",
        '  integration_type = "LEX_BOT"\n',
        "",
        "Missing required argument",
        'The argument "integration_type" is required, but no definition was found.',
    ),
]


@pytest.fixture
def bots_copy(module_copy: Callable[[str], Path]) -> Path:
    return module_copy("outbound_bots")


def _messages(result: api.CheckResult) -> str:
    return re.sub(r"\s+", " ", result.message)


def test_unmodified_bots_module_passes(bots_copy: Path, validate: Validate) -> None:
    result = validate(bots_copy)
    assert result.ok, result.message


@pytest.mark.parametrize("defect", DEFECTS, ids=lambda d: d.name)
def test_awscc_defect_fails_with_terraforms_message(
    bots_copy: Path, defect: Defect, validate: Validate
) -> None:
    defect.plant(bots_copy)
    result = validate(bots_copy)
    assert not result.ok
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert any(d.summary == defect.summary for d in errors), result.message
    assert defect.detail in _messages(result)
