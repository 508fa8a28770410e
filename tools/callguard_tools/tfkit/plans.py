"""Offline plans of environment roots: a same-depth copy with a local backend, then plan.

The roots use a partial S3 backend that cannot be reached offline, so a root is copied
(:func:`offline_root`) next to symlinks of its neighbours - relative module sources and
``path.module`` paths still resolve - with an override file that swaps in a local
backend. :func:`plan_offline` saves the plan and its ``terraform show -json`` under
``build/tfkit/plans/<env>/``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callguard_tools.tfkit import launcher
from callguard_tools.tfkit.paths import repo_root, tfkit_dir
from callguard_tools.tfkit.results import TfkitError, relative, strip_noise

_BACKEND_OVERRIDE = (
    "# Written by callguard_tools.tfkit: an offline plan keeps its state locally.\n"
    'terraform {\n  backend "local" {}\n}\n'
)


@dataclass
class OfflinePlan:
    """A plan against the stand-in provider: the parsed JSON and where it was saved."""

    env: str
    plan: dict[str, Any]
    plan_path: Path
    json_path: Path


def offline_root(
    root_dir: Path, dest: Path, *, base: Path | None = None, local_backend: bool = True
) -> Path:
    """Lay out a plannable copy of ``root_dir`` under ``dest`` and return the copy's path.

    The copy sits at the same depth below ``dest`` as ``root_dir`` below ``base`` (the
    repository when ``root_dir`` is inside it); every neighbour along the way is a
    symlink, so relative module sources and ``path.module`` paths resolve. The root's
    own files are copied (tests may edit them), and, with ``local_backend``, an override
    file replaces its backend with a local one.
    """
    source = root_dir.resolve()
    if base is None:
        repo = repo_root().resolve()
        base = repo if source.is_relative_to(repo) else source.parent
    rel = source.relative_to(base.resolve())
    current_src, current_dst = base.resolve(), dest
    current_dst.mkdir(parents=True, exist_ok=True)
    for part in rel.parts:
        for entry in current_src.iterdir():
            if entry.name not in (part, ".git", ".terraform"):
                (current_dst / entry.name).symlink_to(entry)
        current_src, current_dst = current_src / part, current_dst / part
        current_dst.mkdir()
    for entry in source.iterdir():
        if entry.name in (".terraform", "tfplan") or entry.name.endswith((".tfstate", ".tfplan")):
            continue
        if entry.is_dir():
            shutil.copytree(entry, current_dst / entry.name, symlinks=True)
        else:
            shutil.copy2(entry, current_dst / entry.name)
    if local_backend:
        override = current_dst / "zz_tfkit_backend_override.tf"
        override.write_text(_BACKEND_OVERRIDE, encoding="utf-8")
    return current_dst


def _var_args(variables: Mapping[str, Any] | None) -> list[str]:
    args: list[str] = []
    for name, value in (variables or {}).items():
        text = value if isinstance(value, str) else json.dumps(value)
        args.append(f"-var={name}={text}")
    return args


def _checked(proc: Any, what: str) -> None:
    if proc.returncode != 0:
        # Terraform writes errors to stderr; the plan text before them is noise here.
        said = strip_noise(proc.stderr) or strip_noise(proc.stdout)
        raise TfkitError(f"{what} failed:\n{said}")


def _publish(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` atomically: concurrent plans of one root never mix."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.{time.monotonic_ns()}")
    shutil.copyfile(source, partial)
    partial.replace(target)


def plan_dir(
    directory: Path, out_dir: Path, variables: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Init and plan a laid-out root; publish ``tfplan`` and ``plan.json`` to ``out_dir``."""
    plan_path = directory / "tfplan"
    _checked(launcher.run(["init", "-input=false", "-no-color"], cwd=directory), "terraform init")
    _checked(
        launcher.run(
            [
                "plan",
                "-input=false",
                "-lock=false",
                "-no-color",
                f"-out={plan_path}",
                *_var_args(variables),
            ],
            cwd=directory,
        ),
        "terraform plan",
    )
    shown = launcher.run(["show", "-json", "-no-color", str(plan_path)], cwd=directory)
    _checked(shown, "terraform show -json")
    plan: dict[str, Any] = json.loads(shown.stdout)
    json_path = directory / "plan.json"
    json_path.write_text(json.dumps(plan, indent=2, sort_keys=True), "utf-8")
    _publish(plan_path, out_dir / "tfplan")
    _publish(json_path, out_dir / "plan.json")
    return plan


def environment_root(env: str, root: Path | None = None) -> Path:
    """Return ``terraform/environments/<env>``, or raise naming the environments that exist."""
    base = (root or repo_root()) / "terraform" / "environments"
    directory = base / env
    if not any(directory.glob("*.tf")):
        known = sorted(d.name for d in base.iterdir() if d.is_dir()) if base.is_dir() else []
        raise TfkitError(f"no Terraform root {relative(directory)}; environments: {known}")
    return directory


def plan_offline(
    env: str,
    variables: Mapping[str, Any] | None = None,
    *,
    out_dir: Path | None = None,
) -> OfflinePlan:
    """``make plan-offline ENV=env``: plan the environment root against the stand-in.

    Returns the parsed ``terraform show -json`` plan and the paths of ``tfplan`` and
    ``plan.json`` (by default ``build/tfkit/plans/<env>/``).
    """
    root_dir = environment_root(env)
    target = out_dir or tfkit_dir() / "plans" / env
    work = tfkit_dir() / "work"
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"{env}-", dir=work) as tmp:
        directory = offline_root(root_dir, Path(tmp))
        plan = plan_dir(directory, target, variables)
    return OfflinePlan(env, plan, target / "tfplan", target / "plan.json")
