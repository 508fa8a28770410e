"""The package a user installs: optional extras named when missing, one way to find the
checkout, and the pinned development set holding everything the package declares."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from callguard_tools import build_lambda, installation
from callguard_tools.cli import main
from callguard_tools.installation import (
    CHECKOUT_MARKERS,
    MissingExtraError,
    NotACheckoutError,
    check_extra,
    checkout_root,
    find_checkout,
    import_extra,
    run_script,
)

ROOT = checkout_root()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _name(requirement: str) -> str:
    """The distribution name of a requirement line, normalised (PEP 503)."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


# ---------------------------------------------------------------- the checkout
def test_the_checkout_is_found_from_the_package_and_has_every_marker() -> None:
    assert Path(__file__).resolve().parents[2] == ROOT
    assert all((ROOT / marker).exists() for marker in CHECKOUT_MARKERS)
    assert find_checkout([ROOT / "modules" / "callguard"]) == ROOT


def test_outside_a_checkout_nothing_is_guessed(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'other'\n", encoding="utf-8")

    assert find_checkout([tmp_path / "a" / "b", tmp_path]) is None


@pytest.fixture
def no_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as a plain install would, outside any clone."""
    monkeypatch.setattr(installation, "find_checkout", lambda starts=None: None)


def test_a_command_that_needs_the_flow_templates_says_so(no_checkout: None, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["flows", "diagram", "--output", str(tmp_path)])

    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "reading the shipped flow templates needs a callguard source checkout" in result.output


def test_the_build_says_it_needs_a_checkout(
    no_checkout: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_script(lambda: build_lambda.main([])) == 2

    assert "the Lambda build needs a callguard source checkout" in capsys.readouterr().err


def test_the_terraform_kit_says_it_needs_a_checkout(no_checkout: None) -> None:
    from callguard_tools.tfkit.paths import repo_root

    with pytest.raises(NotACheckoutError, match="offline Terraform kit needs a callguard source"):
        repo_root()


def test_the_deny_list_commands_need_no_checkout(no_checkout: None) -> None:
    result = CliRunner().invoke(main, ["denylist", "add", "not a number"])

    assert result.exit_code == 2
    assert "checkout" not in result.output


# ---------------------------------------------------------------- extras
def test_a_missing_extra_is_named_with_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "moto", None)  # as if moto were not installed

    with pytest.raises(MissingExtraError) as caught:
        import_extra("moto", extra="sim", purpose="callguard flows simulate")
    with pytest.raises(MissingExtraError, match=r"pip install 'callguard\[sim\]'"):
        check_extra("sim", ["moto"], purpose="the local DynamoDB")

    message = caught.value.format_message()
    assert message.startswith("callguard flows simulate needs the 'sim' extra (")
    assert "no module 'moto'" in message
    assert message.endswith("pip install 'callguard[sim]'")


def test_simulate_without_moto_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "moto", None)

    result = CliRunner().invoke(
        main, ["flows", "simulate", "--caller", "+442079460958", "--listed", "+442079460958"]
    )

    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "callguard flows simulate needs the 'sim' extra" in result.output


def test_an_import_error_inside_an_installed_module_is_not_hidden(tmp_path: Path) -> None:
    (tmp_path / "broken_extra_module.py").write_text("from os import nothing_here\n")
    sys.path.insert(0, str(tmp_path))
    try:
        with pytest.raises(ImportError, match="nothing_here"):
            import_extra("broken_extra_module", extra="sim", purpose="x")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("broken_extra_module", None)


def test_the_extras_named_in_messages_are_the_declared_ones() -> None:
    declared = PYPROJECT["project"]["optional-dependencies"]

    assert set(declared) >= {"sim", "tfkit", "dev"}
    for extra in ("sim", "tfkit"):
        assert installation.extra_requirements(extra) == declared[extra]


def test_the_base_install_is_only_the_operator_cli() -> None:
    assert sorted(_name(r) for r in PYPROJECT["project"]["dependencies"]) == [
        "boto3",
        "click",
        "phonenumbers",
    ]


def test_the_pinned_development_set_holds_everything_the_package_declares() -> None:
    """``make venv`` installs requirements/dev.txt with ``--no-deps -e .``, so it must pin all."""
    listed = {
        _name(line)
        for line in (ROOT / "requirements" / "dev.in").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    pinned = {
        _name(line.split("==")[0])
        for line in (ROOT / "requirements" / "dev.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line
    }
    project = PYPROJECT["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for requirements in project["optional-dependencies"].values():
        wanted |= {_name(r) for r in requirements if not r.startswith("callguard[")}

    assert wanted <= listed, sorted(wanted - listed)
    assert wanted <= pinned, sorted(wanted - pinned)
