"""``python -m callguard_tools.tfkit validate | plan-offline | check-tfvars | checkov``.

The Makefile's ``validate``, ``plan-offline``, ``plan`` and ``checkov`` targets call
these; each prints a short report and exits non-zero when anything failed. ``validate``
and ``plan-offline`` first check the environments' ``terraform.tfvars`` for unknown
and duplicated keys, which Terraform itself would silently drop.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from callguard_tools.tfkit import api, paths, tfvars_check


def _environments_dir() -> Path:
    return paths.repo_root() / "terraform" / "environments"


def _tfvars_problems(environments: Sequence[str]) -> int:
    """Print every unknown or duplicated tfvars key of ``environments``; return how many."""
    count = 0
    for env in environments:
        for problem in tfvars_check.check_root(_environments_dir() / env):
            print(f"error: {problem}", file=sys.stderr)
            count += 1
    return count


def _all_environments() -> list[str]:
    return sorted(p.name for p in _environments_dir().iterdir() if (p / "main.tf").exists())


def _check_tfvars(args: argparse.Namespace) -> int:
    environments = [args.env] if args.env else _all_environments()
    if not (_environments_dir() / environments[0]).is_dir():
        print(f"check-tfvars: error: no environment {environments[0]!r}", file=sys.stderr)
        return 2
    count = _tfvars_problems(environments)
    print(f"tfvars keys: {count} problem(s) in {', '.join(environments)}")
    return 1 if count else 0


def _validate(_: argparse.Namespace) -> int:
    if _tfvars_problems(_all_environments()):
        print("terraform fmt/validate: not run: fix the tfvars keys above first", file=sys.stderr)
        return 1
    report = api.validate_all()
    for result in report.results:
        mark = "ok  " if result.ok else "FAIL"
        print(f"{mark} {result.target} ({result.seconds:.1f}s)")
        if not result.ok:
            print("     " + result.message.replace("\n", "\n     "))
    verdict = "passed" if report.ok else f"{len(report.failures)} failed"
    print(
        f"terraform fmt/validate: {len(report.results)} checks {verdict} in {report.seconds:.1f}s"
    )
    return 0 if report.ok else 1


def _plan_offline(args: argparse.Namespace) -> int:
    if _tfvars_problems([args.env]):
        return 1
    try:
        result = api.plan_offline(args.env)
    except api.TfkitError as exc:
        print(f"plan-offline: error: {exc}", file=sys.stderr)
        return 1
    actions: dict[str, int] = {}
    for change in result.plan.get("resource_changes", []):
        for action in change["change"]["actions"]:
            actions[action] = actions.get(action, 0) + 1
    summary = ", ".join(f"{n} {a}" for a, n in sorted(actions.items())) or "no changes"
    print(f"offline plan of {args.env}: {summary}")
    print(f"  saved plan: {result.plan_path}")
    print(f"  plan JSON:  {result.json_path}")
    return 0


def _checkov(args: argparse.Namespace) -> int:
    from callguard_tools.tfkit import checkov_scan  # noqa: PLC0415 - only this command

    return checkov_scan.run_all(Path(args.checkov))


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the subcommand and run it."""
    parser = argparse.ArgumentParser(prog="python -m callguard_tools.tfkit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("validate", help="terraform fmt -check, then validate every module and root")
    plan = sub.add_parser("plan-offline", help="saved plan + JSON of an environment root")
    plan.add_argument("--env", required=True, help="environment under terraform/environments/")
    keys = sub.add_parser("check-tfvars", help="unknown or duplicated keys in terraform.tfvars")
    keys.add_argument("--env", help="one environment (default: every one)")
    check = sub.add_parser("checkov", help="checkov on the HCL and on each offline plan JSON")
    check.add_argument("--checkov", required=True, help="path of the pinned checkov executable")
    args = parser.parse_args(argv)
    handlers = {
        "validate": _validate,
        "plan-offline": _plan_offline,
        "check-tfvars": _check_tfvars,
        "checkov": _checkov,
    }
    return handlers[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
