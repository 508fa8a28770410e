"""The launcher: pinned Terraform, the stand-in wiring, and the real-provider switch."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from callguard_tools.tfkit import api, checkov_scan, launcher, results


def _fake_binary(tmp_path: Path, name: str, body: str) -> Path:
    script = tmp_path / name
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return script


def test_runs_the_pinned_terraform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(launcher.TERRAFORM_ENV, raising=False)
    proc = launcher.run(["version", "-json"])
    assert proc.returncode == 0, proc.stderr
    version = json.loads(proc.stdout)["terraform_version"]
    major, minor, _ = (int(p) for p in version.split("."))
    assert (major, minor) >= (1, 10)  # the project's required_version


def test_wrapper_script_is_a_terraform_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(launcher.TERRAFORM_ENV, raising=False)
    launcher.install()
    wrapper = launcher.wrapper_path()
    assert os.access(wrapper, os.X_OK)
    proc = subprocess.run([str(wrapper), "version"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    assert re.match(r"Terraform v1\.\d+\.\d+", proc.stdout)


def test_cli_config_overrides_hashicorp_aws_with_the_stand_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(launcher.REAL_PROVIDER_ENV, raising=False)
    env = launcher.terraform_env()
    config = Path(env["TF_CLI_CONFIG_FILE"]).read_text(encoding="utf-8")
    assert f'"hashicorp/aws" = "{launcher.provider_dir()}"' in config
    assert "dev_overrides" in config
    assert os.access(launcher.provider_dir() / "terraform-provider-aws", os.X_OK)
    assert env["CHECKPOINT_DISABLE"] == "1"  # never call HashiCorp's version service


def test_callguard_terraform_names_the_binary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_binary(tmp_path, "terraform", 'echo "fake $* cfg=$TF_CLI_CONFIG_FILE"')
    monkeypatch.setenv(launcher.TERRAFORM_ENV, str(fake))
    monkeypatch.delenv(launcher.REAL_PROVIDER_ENV, raising=False)
    proc = launcher.run(["validate", "-json"])
    assert proc.stdout.startswith("fake validate -json cfg=")
    assert proc.stdout.strip().endswith("terraformrc")
    # The module entry point (what the Makefile runs) hands over to the same binary.
    module = subprocess.run(
        [sys.executable, "-m", "callguard_tools.tfkit.launcher", "fmt", "-check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert module.stdout.startswith("fake fmt -check cfg=")


def test_real_provider_switch_drops_the_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(launcher.REAL_PROVIDER_ENV, "1")
    monkeypatch.delenv("TF_CLI_CONFIG_FILE", raising=False)
    assert "TF_CLI_CONFIG_FILE" not in launcher.terraform_env()
    module = tmp_path / "m"
    module.mkdir()
    (module / "main.tf").write_text('variable "x" {\n  type = string\n}\n', encoding="utf-8")
    assert api.needs_init(module)  # the real provider is installed by init
    # A user's own CLI configuration (mirror, plugin cache) is left alone.
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", "/etc/terraformrc")
    assert launcher.terraform_env()["TF_CLI_CONFIG_FILE"] == "/etc/terraformrc"


def test_stand_in_refuses_to_run_outside_terraform() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TF_PLUGIN_MAGIC_COOKIE"}
    proc = subprocess.run(
        [str(launcher.provider_dir() / "terraform-provider-aws")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 1
    assert "Terraform starts it" in proc.stderr
    assert proc.stdout == ""


def test_dev_override_warning_is_dropped_from_messages() -> None:
    text = (
        "Warning: Provider development overrides are in effect\n\n"
        "The following provider development overrides are set in the CLI\nconfiguration:\n"
        " - hashicorp/aws in /x\n\nThe behavior may therefore not match any released\n"
        "version of the provider.\n\nError: Unsupported argument\n\n"
        '  on main.tf line 3:\n\nAn argument named "x" is not expected here.\n'
    )
    kept = results.strip_noise(text)
    assert kept.startswith("Error: Unsupported argument")
    assert "development overrides" not in kept
    (diagnostic,) = results.parse_text(kept)
    assert diagnostic.summary == "Unsupported argument"
    assert 'An argument named "x" is not expected here.' in diagnostic.detail


def test_checkov_runs_offline_quietly_and_with_plan_enrichment(tmp_path: Path) -> None:
    fake = _fake_binary(
        tmp_path,
        "checkov",
        'echo "$* unknown=$EVAL_TF_PLAN_AFTER_UNKNOWN mapping=$BC_SKIP_MAPPING"; exit 1',
    )
    hcl = checkov_scan.scan_hcl(fake, tmp_path)
    assert hcl.returncode == 1  # a failed check fails the run
    assert "--framework terraform" in hcl.stdout
    assert "--skip-download" in hcl.stdout
    assert hcl.stdout.strip().endswith("mapping=TRUE")
    plan = checkov_scan.scan_plan(fake, tmp_path / "plan.json", tmp_path)
    assert f"--repo-root-for-plan-enrichment {tmp_path}" in plan.stdout
    # Known-after-apply key ARNs count as set, so no check needs a plan-only skip.
    assert "unknown=true" in plan.stdout
    assert "--config-file" not in plan.stdout
    assert "--skip-check" not in plan.stdout
