"""``make checkov``: the pinned checkov on the HCL and on every environment's offline plan.

checkov lives in its own virtual environment (``.venv-checkov``; its pins conflict with
the development set), so it is run as a program. Offline it would try a vendor API and
print a traceback; ``BC_SKIP_MAPPING=TRUE`` and ``--skip-download`` stop that without
changing results. Any failed check fails the run.

* HCL: ``modules/`` and ``terraform/environments/``; skips are inline
  (``#checkov:skip=CKV_...:reason``) in the resource they concern.
* Plan JSON: one offline plan per environment root (:func:`api.plan_offline`), scanned
  with ``--repo-root-for-plan-enrichment`` so the inline skips apply there too, and with
  ``EVAL_TF_PLAN_AFTER_UNKNOWN=true``: the environment's KMS key is created in the same
  plan, so its ARN is "known after apply"; without this checkov would read the missing
  value as "no encryption" and fail the table, log groups, queue and topic that use it.
  No check is skipped for the plan scan alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from callguard_tools.tfkit import api
from callguard_tools.tfkit.paths import repo_root

_COMMON = ["--compact", "--quiet", "--skip-download"]


def checkov_env() -> dict[str, str]:
    """Return the environment that keeps checkov offline and quiet."""
    return {
        **os.environ,
        "BC_SKIP_MAPPING": "TRUE",
        # Count "(known after apply)" values (the KMS key's ARN) as set in plan JSON.
        "EVAL_TF_PLAN_AFTER_UNKNOWN": "true",
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
    """Scan one offline plan JSON, with the inline skips written in the HCL."""
    args = [
        str(checkov),
        "-f",
        str(plan_json),
        "--framework",
        "terraform_plan",
        "--repo-root-for-plan-enrichment",
        str(root),
        *_COMMON,
    ]
    return subprocess.run(  # noqa: S603 - the pinned checkov the Makefile names
        args, cwd=root, env=checkov_env(), capture_output=True, text=True, check=False
    )


@dataclass
class Outcome:
    """One scan's title, process result (None when its plan failed) and duration."""

    title: str
    proc: subprocess.CompletedProcess[str] | None
    seconds: float
    error: str = ""


def _report(outcome: Outcome) -> bool:
    proc = outcome.proc
    ok = proc is not None and proc.returncode == 0
    print(f"{'ok  ' if ok else 'FAIL'} checkov {outcome.title} ({outcome.seconds:.1f}s)")
    if proc is None:
        print("     " + outcome.error.replace("\n", "\n     "))
        return False
    text = proc.stdout.strip()
    if not ok:
        print("     " + (text or proc.stderr.strip()).replace("\n", "\n     "))
    return ok


def _hcl(checkov: Path, root: Path) -> Outcome:
    started = time.monotonic()
    return Outcome("HCL", scan_hcl(checkov, root), time.monotonic() - started)


def _plan(checkov: Path, root: Path, env: str) -> Outcome:
    started = time.monotonic()
    try:
        plan = api.plan_offline(env)
    except api.TfkitError as exc:
        return Outcome(f"plan JSON {env}", None, time.monotonic() - started, str(exc))
    proc = scan_plan(checkov, plan.json_path, root)
    return Outcome(f"plan JSON {env}", proc, time.monotonic() - started)


def run_all(checkov: Path) -> int:
    """Run every scan (in parallel), print a compact report, and return the exit status."""
    if not checkov.is_file():
        print(
            f"checkov: error: {checkov} does not exist (make checkov creates it)", file=sys.stderr
        )
        return 2
    root = repo_root()
    envs = [d.name for d in api.terraform_dirs(root) if d.parent.name == "environments"]
    with ThreadPoolExecutor(max_workers=1 + len(envs)) as pool:
        futures = [pool.submit(_hcl, checkov, root)]
        futures += [pool.submit(_plan, checkov, root, env) for env in envs]
        outcomes = [f.result() for f in futures]
    results = [_report(outcome) for outcome in outcomes]
    return 0 if all(results) else 1
