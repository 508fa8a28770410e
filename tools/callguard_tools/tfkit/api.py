"""What ``make validate`` and ``make plan-offline`` do, as functions tests and the demo call.

* :func:`fmt_check` - ``terraform fmt -check -recursive`` over ``modules/`` and ``terraform/``;
* :func:`validate_dir` / :func:`validate_all` - ``terraform validate`` of every module and
  environment root, each with a throw-away data directory (``TF_DATA_DIR``) so parallel
  runs never share ``.terraform`` state and the source tree stays clean;
* :func:`offline_root` - a temporary copy of an environment root, laid out at the same
  depth as in the repository (its neighbours are symlinks, so ``../../../modules`` and
  ``path.module`` paths resolve) and with its S3 backend overridden by a local one;
* :func:`plan_offline` - a saved plan and its ``terraform show -json`` under
  ``build/tfkit/plans/<env>/``.

Every Terraform command runs in its own process through :mod:`.launcher`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from callguard_tools.tfkit import launcher
from callguard_tools.tfkit.paths import repo_root, tfkit_dir

#: Terraform's warning that dev_overrides are active: expected offline, so not shown.
_DEV_OVERRIDES = "Provider development overrides are in effect"
_MODULE_CALL = re.compile(r'^\s*module\s+"', re.MULTILINE)
_BACKEND_OVERRIDE = (
    "# Written by callguard_tools.tfkit: an offline plan keeps its state locally.\n"
    'terraform {\n  backend "local" {}\n}\n'
)


class TfkitError(RuntimeError):
    """A toolkit operation could not run (missing root, failed init, bad plan output)."""


@dataclass(frozen=True)
class Diagnostic:
    """One Terraform diagnostic, as ``validate -json`` reports it."""

    severity: str
    summary: str
    detail: str = ""
    filename: str = ""
    line: int = 0

    def render(self) -> str:
        """Return ``severity: summary (file:line): detail`` on one paragraph."""
        where = f" ({self.filename}:{self.line})" if self.filename else ""
        detail = f"\n    {self.detail}" if self.detail else ""
        return f"{self.severity}: {self.summary}{where}{detail}"


@dataclass
class CheckResult:
    """The outcome of one check (fmt, or validate of one directory)."""

    target: str
    ok: bool
    diagnostics: list[Diagnostic] = field(default_factory=list)
    output: str = ""
    seconds: float = 0.0

    @property
    def message(self) -> str:
        """Return everything Terraform said, for humans and for assertions."""
        parts = [d.render() for d in self.diagnostics]
        if self.output:
            parts.append(self.output)
        return "\n".join(parts)


@dataclass
class ValidationReport:
    """The outcome of ``make validate``: fmt plus one result per directory."""

    results: list[CheckResult]
    seconds: float

    @property
    def ok(self) -> bool:
        """Return True when every check passed."""
        return all(r.ok for r in self.results)

    @property
    def failures(self) -> list[CheckResult]:
        """Return the failed checks."""
        return [r for r in self.results if not r.ok]


@dataclass
class OfflinePlan:
    """A plan against the stand-in provider: the parsed JSON and where it was saved."""

    env: str
    plan: dict[str, Any]
    plan_path: Path
    json_path: Path


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(repo_root()))
    except ValueError:
        return str(path)


def _strip_noise(text: str) -> str:
    """Drop the dev-overrides warning from human output; keep everything else.

    The warning is a header and three blank-line separated paragraphs (boxed with
    ``╷ │ ╵`` when Terraform draws boxes); its wrapping differs between commands.
    """
    if _DEV_OVERRIDES not in text:
        return text.strip()
    kept: list[str] = []
    blanks = -1  # -1: not inside the warning
    for line in text.splitlines():
        bare = line.strip(" ╷│")
        if _DEV_OVERRIDES in line:
            blanks = 0
            while kept and kept[-1].strip(" ╷│") == "":
                kept.pop()
            continue
        if blanks >= 0:
            if line.strip() == "╵":
                blanks = -1
            elif not bare:
                blanks += 1
                if blanks == 3:
                    blanks = -1
            continue
        kept.append(line)
    return "\n".join(kept).strip()


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
def _data_dir(extra: Mapping[str, str] | None = None) -> Iterator[dict[str, str]]:
    """Yield an environment whose ``TF_DATA_DIR`` is a fresh temporary directory."""
    with tempfile.TemporaryDirectory(prefix="tfkit-data-") as data:
        yield {**os.environ, **(extra or {}), "TF_DATA_DIR": data}


@contextmanager
def shared_provider() -> Iterator[dict[str, str]]:
    """Run one stand-in provider for many Terraform commands; yield the env that uses it.

    Each Terraform command otherwise starts the provider (a Python process) twice;
    with ``TF_REATTACH_PROVIDERS`` they all talk to this one. Only for commands that do
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


def _install_args() -> list[str]:
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
    output = _strip_noise(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        output = "files need `make fmt`:\n" + output
    return CheckResult(
        "fmt", proc.returncode == 0, output=output, seconds=time.monotonic() - started
    )


#: Added to "Invalid resource type" errors: the offline schema holds only used types.
SCHEMA_HINT = (
    "If the type exists in hashicorp/aws, the offline schema may just lack it: "
    "run `make schema` and commit tools/callguard_tools/tfkit/aws_schema.json."
)


def _detail(diagnostic: dict[str, Any]) -> str:
    detail = str(diagnostic.get("detail", ""))
    summary = diagnostic.get("summary", "")
    if summary in ("Invalid resource type", "Invalid data source") and not launcher.real_provider():
        return f"{detail}\n{SCHEMA_HINT}".strip()
    return detail


def _parse_validate(stdout: str) -> tuple[bool, list[Diagnostic]]:
    data = json.loads(stdout)
    diagnostics = [
        Diagnostic(
            severity=d.get("severity", "error"),
            summary=d.get("summary", ""),
            detail=_detail(d),
            filename=(d.get("range") or {}).get("filename", ""),
            line=((d.get("range") or {}).get("start") or {}).get("line", 0),
        )
        for d in data.get("diagnostics", [])
        if _DEV_OVERRIDES not in d.get("summary", "")
    ]
    return bool(data.get("valid")), diagnostics


def _parse_text(text: str) -> list[Diagnostic]:
    """Split Terraform's human output (``-no-color``) into diagnostics.

    ``get``/``init`` have no JSON output, but some configuration errors (a module call
    missing an argument) surface there first.
    """
    diagnostics: list[Diagnostic] = []
    header = re.compile(r"^[│ ]*(Error|Warning): (.+)$")
    current: list[str] = []
    for line in text.splitlines():
        match = header.match(line)
        if match:
            current = []
            diagnostics.append(Diagnostic(match.group(1).lower(), match.group(2).strip()))
            continue
        if diagnostics:
            current.append(line.strip(" │╷╵"))
            last = diagnostics[-1]
            diagnostics[-1] = Diagnostic(last.severity, last.summary, "\n".join(current).strip())
    if not diagnostics and text:
        diagnostics.append(Diagnostic("error", "terraform failed", text))
    return diagnostics


def validate_dir(directory: Path, extra_env: Mapping[str, str] | None = None) -> CheckResult:
    """Run ``terraform validate`` in ``directory`` (``init -backend=false`` first if needed)."""
    started = time.monotonic()
    target = _relative(directory)
    with _data_dir(extra_env) as env:
        if needs_init(directory):
            init = launcher.run(_install_args(), cwd=directory, env=env)
            if init.returncode != 0:
                text = _strip_noise(init.stderr) or _strip_noise(init.stdout)
                return CheckResult(
                    target, False, _parse_text(text), seconds=time.monotonic() - started
                )
        proc = launcher.run(["validate", "-json", "-no-color"], cwd=directory, env=env)
    try:
        valid, diagnostics = _parse_validate(proc.stdout)
    except json.JSONDecodeError:
        return CheckResult(
            target,
            False,
            output=_strip_noise(proc.stdout + proc.stderr),
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


# ------------------------------------------------------------------ offline roots and plans


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
        said = _strip_noise(proc.stderr) or _strip_noise(proc.stdout)
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
        raise TfkitError(f"no Terraform root {_relative(directory)}; environments: {known}")
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


def module_test(directory: Path, extra_args: Sequence[str] = ()) -> CheckResult:
    """Run ``terraform test`` in a module (``init -backend=false`` first) and report it."""
    started = time.monotonic()
    with _data_dir() as env:
        init = launcher.run(
            ["init", "-backend=false", "-input=false", "-no-color"], cwd=directory, env=env
        )
        if init.returncode != 0:
            return CheckResult(
                _relative(directory), False, output=_strip_noise(init.stdout + init.stderr)
            )
        proc = launcher.run(["test", "-no-color", *extra_args], cwd=directory, env=env)
    return CheckResult(
        _relative(directory),
        proc.returncode == 0,
        output=_strip_noise(proc.stdout + proc.stderr),
        seconds=time.monotonic() - started,
    )
