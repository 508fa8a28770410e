"""``make validate``: fmt check, then ``terraform validate`` of every module and root.

Each directory is validated with a throw-away data directory (``TF_DATA_DIR``), so
parallel runs never share ``.terraform`` state and the source tree stays clean, and all
of them talk to one shared stand-in provider process (:func:`shared_provider`).
``terraform test`` of a module (:func:`module_test`) works the same way.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from callguard_tools.tfkit import launcher
from callguard_tools.tfkit.paths import repo_root
from callguard_tools.tfkit.results import (
    CheckResult,
    TfkitError,
    ValidationReport,
    parse_text,
    parse_validate,
    relative,
    strip_noise,
)

_MODULE_CALL = re.compile(r'^\s*module\s+"', re.MULTILINE)


def terraform_dirs(root: Path | None = None) -> list[Path]:
    """Return every module under ``modules/`` and root under ``terraform/environments/``."""
    base = root or repo_root()
    found: list[Path] = []
    for parent in (base / "modules", base / "terraform" / "environments"):
        if parent.is_dir():
            found.extend(d for d in sorted(parent.iterdir()) if any(d.glob("*.tf")))
    return found


def needs_init(directory: Path) -> bool:
    """Return True when ``validate`` needs ``init`` first (module calls, or the real provider)."""
    if launcher.real_provider():
        return True
    return any(_MODULE_CALL.search(p.read_text(encoding="utf-8")) for p in directory.glob("*.tf"))


@contextmanager
def data_dir(extra: Mapping[str, str] | None = None) -> Iterator[dict[str, str]]:
    """Yield an environment whose ``TF_DATA_DIR`` is a fresh temporary directory."""
    with tempfile.TemporaryDirectory(prefix="tfkit-data-") as data:
        yield {**os.environ, **(extra or {}), "TF_DATA_DIR": data}


@contextmanager
def shared_provider() -> Iterator[dict[str, str]]:
    """Run one stand-in provider for many Terraform commands; yield the env that uses it.

    Each Terraform command otherwise starts each provider (a Python process) twice;
    with ``TF_REATTACH_PROVIDERS`` they all talk to this one, which serves both the aws
    and the awscc stand-in. Only for commands that do
    not configure the provider (``validate``): its configuration is per process. With the
    real provider this yields an empty mapping.
    """
    if launcher.real_provider():
        yield {}
        return
    launcher.install()
    process = subprocess.Popen(
        [sys.executable, "-m", "callguard_tools.tfkit.provider", "--reattach"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip() if process.stdout else ""
        if not line.startswith("{"):
            raise TfkitError(f"the stand-in provider did not start (said {line!r})")
        yield {"TF_REATTACH_PROVIDERS": line}
    finally:
        process.terminate()
        process.wait(timeout=10)


def install_args() -> list[str]:
    """Return the command that installs what ``validate`` needs.

    With the stand-in, only local modules need installing and ``terraform get`` does just
    that, faster than ``init``; the real provider needs ``init -backend=false``.
    """
    if launcher.real_provider():
        return ["init", "-backend=false", "-input=false", "-no-color"]
    return ["get", "-no-color"]


def fmt_check(root: Path | None = None) -> CheckResult:
    """Run ``terraform fmt -check -recursive`` over ``modules`` and ``terraform``."""
    base = root or repo_root()
    targets = [t for t in ("modules", "terraform") if (base / t).is_dir()]
    started = time.monotonic()
    if not targets:
        return CheckResult("fmt", ok=True)
    proc = launcher.run(["fmt", "-check", "-recursive", "-no-color", *targets], cwd=base)
    output = strip_noise(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        output = "files need `make fmt`:\n" + output
    return CheckResult(
        "fmt", proc.returncode == 0, output=output, seconds=time.monotonic() - started
    )


def validate_dir(directory: Path, extra_env: Mapping[str, str] | None = None) -> CheckResult:
    """Run ``terraform validate`` in ``directory`` (``init -backend=false`` first if needed)."""
    started = time.monotonic()
    target = relative(directory)
    with data_dir(extra_env) as env:
        if needs_init(directory):
            init = launcher.run(install_args(), cwd=directory, env=env)
            if init.returncode != 0:
                text = strip_noise(init.stderr) or strip_noise(init.stdout)
                return CheckResult(
                    target, False, parse_text(text), seconds=time.monotonic() - started
                )
        proc = launcher.run(["validate", "-json", "-no-color"], cwd=directory, env=env)
    try:
        valid, diagnostics = parse_validate(proc.stdout)
    except json.JSONDecodeError:
        return CheckResult(
            target,
            False,
            output=strip_noise(proc.stdout + proc.stderr),
            seconds=time.monotonic() - started,
        )
    return CheckResult(target, valid, diagnostics, seconds=time.monotonic() - started)


def validate_all(root: Path | None = None, jobs: int | None = None) -> ValidationReport:
    """``make validate``: fmt check, then validate every module and root in parallel."""
    started = time.monotonic()
    base = root or repo_root()
    workers = jobs or max(2, min(4, os.cpu_count() or 2))
    with shared_provider() as provider_env, ThreadPoolExecutor(max_workers=workers) as pool:
        fmt = pool.submit(fmt_check, base)
        validated = list(pool.map(lambda d: validate_dir(d, provider_env), terraform_dirs(base)))
    return ValidationReport([fmt.result(), *validated], time.monotonic() - started)


def module_test(directory: Path, extra_args: Sequence[str] = ()) -> CheckResult:
    """Run ``terraform test`` in a module (``init -backend=false`` first) and report it."""
    started = time.monotonic()
    with data_dir() as env:
        init = launcher.run(
            ["init", "-backend=false", "-input=false", "-no-color"], cwd=directory, env=env
        )
        if init.returncode != 0:
            return CheckResult(
                relative(directory), False, output=strip_noise(init.stdout + init.stderr)
            )
        proc = launcher.run(["test", "-no-color", *extra_args], cwd=directory, env=env)
    return CheckResult(
        relative(directory),
        proc.returncode == 0,
        output=strip_noise(proc.stdout + proc.stderr),
        seconds=time.monotonic() - started,
    )
