"""The typed settings readers: one rule per kind of value, the same in handlers and CLI."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import phonenumbers
import pytest

from callguard import challenge, config, settings
from callguard.regions import COMMON_MISTAKES, REGIONS, REGIONS_FILE
from callguard.settings import Reader

RUNTIME = Path(__file__).resolve().parents[2] / "lambda_src" / "callguard"


def test_regions_are_the_pinned_libraries_regions() -> None:
    expected = json.dumps(sorted(phonenumbers.SUPPORTED_REGIONS))
    assert json.loads(REGIONS_FILE.read_text(encoding="utf-8")) == sorted(REGIONS)
    assert frozenset(phonenumbers.SUPPORTED_REGIONS) == REGIONS, (
        "phonenumbers changed its regions; replace callguard/phone_regions.json with:\n" + expected
    )
    assert not set(COMMON_MISTAKES) & REGIONS
    assert set(COMMON_MISTAKES.values()) <= REGIONS


@pytest.mark.parametrize(("text", "value"), [("true", True), (" ON ", True), ("0", False)])
def test_parse_bool(text: str, value: bool) -> None:
    assert settings.parse_bool(text) is value


@pytest.mark.parametrize("text", ["perhaps", "2", "tru"])
def test_parse_bool_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="is not true or false"):
        settings.parse_bool(text)


@pytest.mark.parametrize("text", ["-1", "7", "²", "3.0", "", "0x4"])
def test_whole_numbers_are_ascii_digits_in_range(text: str) -> None:
    with pytest.raises(ValueError, match="is not a whole number from 3 to 6"):
        settings.parse_whole_number(text, 3, 6)
    assert settings.parse_whole_number(" 6 ", 3, 6) == 6


def test_choice_returns_the_allowed_spelling() -> None:
    assert settings.parse_choice(" Closed ", ("open", "closed")) == "closed"
    with pytest.raises(ValueError, match="is not one of open, closed"):
        settings.parse_choice("half", ("open", "closed"))


@pytest.mark.parametrize("text", ["UK", "XX", "GBR", "G", "ZZ", "1A", "ĞB"])
def test_country_needs_a_numbering_plan(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 3166 two-letter code of a country"):
        settings.parse_country(text)


def test_country_hints_at_the_code_people_mean() -> None:
    with pytest.raises(ValueError, match=r"did you mean GB\?"):
        settings.parse_country("uk")
    assert settings.parse_country(" gb ") == "GB"


def test_log_level() -> None:
    assert settings.parse_log_level("debug") == "DEBUG"
    with pytest.raises(ValueError, match="is not one of DEBUG, INFO"):
        settings.parse_log_level("loud")


def test_reader_names_every_variable_and_keeps_defaults() -> None:
    reader = Reader(
        {"A": "maybe", "B": "99", "C": "UK", "D": "x" * 100, "CALLGUARD_LOG_LEVEL": " "}
    )
    assert reader.boolean("A", default=True) is True
    assert reader.whole_number("B", 0, 9, default=4, unit="days") == 4
    assert reader.country("C") is None
    assert reader.log_level() == "INFO"  # blank means unset
    assert reader.choice("D", ("a", "b"), default="a") == "a"
    with pytest.raises(ValueError, match="invalid test settings") as caught:
        reader.check(ValueError, "test settings")
    message = str(caught.value)
    assert "A='maybe' is not true or false" in message
    assert "B='99' is not a whole number of days from 0 to 9" in message
    assert "C='UK' is not the ISO 3166" in message
    assert "D='" + "x" * 32 + "...' is not one of a, b" in message  # long values are cut


@pytest.mark.parametrize("country", ["UK", "XX"])
def test_handlers_refuse_what_the_cli_refuses(country: str) -> None:
    # Two letters were enough for the handlers; the rule is now the CLI's too.
    with pytest.raises(config.ConfigError, match=f"CALLGUARD_DEFAULT_COUNTRY='{country}'"):
        config.load({"CALLGUARD_TABLE": "t", "CALLGUARD_DEFAULT_COUNTRY": country})
    with pytest.raises(challenge.ChallengeError, match=f"CALLGUARD_DEFAULT_COUNTRY='{country}'"):
        challenge.settings({"CALLGUARD_DEFAULT_COUNTRY": country})


def _names_environ(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "environ") or (
        isinstance(node, ast.Attribute) and node.attr == "environ"
    )


def test_runtime_reads_no_private_interpreter_attributes() -> None:
    # os.environ._data is a CPython internal; the runtime reads the environment publicly.
    for path in RUNTIME.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and _names_environ(node.value):
                assert not node.attr.startswith("_"), (path, node.attr)
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "getattr":
                target, name = node.args[0], node.args[1]
                private = isinstance(name, ast.Constant) and str(name.value).startswith("_")
                assert not (_names_environ(target) and private), path
