"""``make checkov``: the pinned checkov on the HCL and on every environment's offline plan.

checkov lives in its own virtual environment (``.venv-checkov``; its pins conflict with
the development set), so it is run as a program. Offline it would try a vendor API and
print a traceback; ``BC_SKIP_MAPPING=TRUE`` and ``--skip-download`` stop that without
changing results. Any failed check fails the run.

* HCL: ``modules/`` and ``terraform/environments/``; skips are inline
  (``#checkov:skip=CKV_...:reason``) in the resource they concern.
* Plan JSON: one offline plan per environment root (:func:`api.plan_offline`), scanned
  with ``--repo-root-for-plan-enrichment`` so the inline skips apply there too, plus
  the plan-only skips in ``checkov_plan.yaml`` (each with its reason).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from callguard_tools.tfkit import api
from callguard_tools.tfkit.paths import repo_root

PLAN_CONFIG = Path(__file__).with_name("checkov_plan.yaml")
_COMMON = ["--compact", "--quiet", "--skip-download"]


def checkov_env() -> dict[str, str]:
    """Return the environment that keeps checkov offline and quiet."""
    return {
        **os.environ,
        "BC_SKIP_MAPPING": "TRUE",
        "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore",
    }


def scan_hcl(checkov: Path, root: Path) -> subprocess.CompletedProcess[str]:
    """Scan the modules and environment roots as HCL."""
    dirs = [d for d in ("modules", "terraform/environments") if (root / d).is_dir()]
    args = [str(checkov), "--framework", "terraform", *_COMMON]
    for directory in dirs:
        args += ["-d", directory]
    return subprocess.run(  # noqa: S603 - the pinned checkov the Makefile names
        args, cwd=root, env=checkov_env(), capture_output=True, text=True, check=False
    )


def scan_plan(checkov: Path, plan_json: Path, root: Path) -> subprocess.CompletedProcess[str]:
    """Scan one offline plan JSON, with inline skips from the HCL and the plan-only config."""
    args = [
        str(checkov),
        "-f",
        str(plan_json),
        "--framework",
        "terraform_plan",
        "--repo-root-for-plan-enrichment",
        str(root),
        "--config-file",
        str(PLAN_CONFIG),
        *_COMMON,
    ]
    return subprocess.run(  # noqa: S603 - the pinned checkov the Makefile names
        args, cwd=root, env=checkov_env(), capture_output=True, text=True, check=False
    )


def _report(title: str, proc: subprocess.CompletedProcess[str], seconds: float) -> bool:
    ok = proc.returncode == 0
    print(f"{'ok  ' if ok else 'FAIL'} checkov {title} ({seconds:.1f}s)")
    text = proc.stdout.strip()
    if not ok or "Failed checks: 0" not in text:
        print("     " + (text or proc.stderr.strip()).replace("\n", "\n     "))
    return ok


def run_all(checkov: Path) -> int:
    """Run every scan, print a compact report, and return the exit status."""
    if not checkov.is_file():
        print(
            f"checkov: error: {checkov} does not exist (make checkov creates it)", file=sys.stderr
        )
        return 2
    root = repo_root()
    ok = True
    started = time.monotonic()
    ok &= _report("HCL", scan_hcl(checkov, root), time.monotonic() - started)
    for directory in api.terraform_dirs(root):
        if directory.parent.name != "environments":
            continue
        started = time.monotonic()
        try:
            plan = api.plan_offline(directory.name)
        except api.TfkitError as exc:
            print(f"FAIL offline plan of {directory.name}: {exc}")
            ok = False
            continue
        ok &= _report(
            f"plan JSON {directory.name}",
            scan_plan(checkov, plan.json_path, root),
            time.monotonic() - started,
        )
    return 0 if ok else 1
