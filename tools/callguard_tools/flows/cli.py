"""``callguard flows``: lint, render, diagram and simulate contact flows.

``simulate`` lives in :mod:`callguard_tools.flows.simulate_command` and is imported only
when used, so the other commands work (and stay fast) without its dependencies.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import click

from callguard_tools.flows.cli_variables import (
    for_template,
    overrides,
    refuse_unread,
    variable_options,
)
from callguard_tools.flows.diagram import generate_documents
from callguard_tools.flows.lint import (
    FLOW_SUFFIXES,
    expand_paths,
    has_errors,
    lint_path,
    template_variables,
)
from callguard_tools.flows.model import FLOW_TYPES
from callguard_tools.flows.render import TemplateError, parse_template, render_template
from callguard_tools.flows.shipped_templates import DEMO_VALUES

#: Lazily loaded subcommands: name -> "module:attribute".
LAZY_COMMANDS = {"simulate": "callguard_tools.flows.simulate_command:simulate_command"}


class _FlowsGroup(click.Group):
    """A click group that adds the lazily imported commands when their module exists."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        available = {
            name
            for name, target in LAZY_COMMANDS.items()
            if importlib.util.find_spec(target.split(":")[0]) is not None
        }
        return sorted({*super().list_commands(ctx), *available})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = LAZY_COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = target.split(":")
        if importlib.util.find_spec(module_name) is None:
            return None
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


def _files(paths: tuple[Path, ...]) -> list[Path]:
    """Return the files to lint; a directory without a flow file is a usage error, not a pass."""
    for path in paths:
        if path.is_dir() and next(iter(expand_paths([path])), None) is None:
            suffixes = ", ".join(f"*{suffix}" for suffix in FLOW_SUFFIXES)
            raise click.UsageError(f"no flow files ({suffixes}) under {path}")
    return list(expand_paths(paths))


def _lint_variables(files: list[Path], given: dict[str, Any]) -> dict[Path, dict[str, Any]]:
    """Each template's variables under the overrides (templates not listed use their defaults)."""
    if not given:
        return {}
    chosen: dict[Path, dict[str, Any]] = {}
    read: set[str] = set()
    for path in files:
        if path.name.endswith(".tftpl"):
            reads = template_variables(path)
            read |= reads
            chosen[path] = for_template(given, reads, DEMO_VALUES.get(path.name))
    refuse_unread(given, read, "any template in PATHS")
    return chosen


@click.group(cls=_FlowsGroup)
def flows() -> None:
    """Lint, render, diagram and simulate the Amazon Connect flows.

    \b
    Examples:
      callguard flows lint flows/
      callguard flows simulate --caller +442079460958 --listed +442079460958
    """


@flows.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--type",
    "flow_type",
    type=click.Choice(sorted(FLOW_TYPES)),
    help="Flow type of bare documents (wrappers and our templates say it themselves).",
)
@variable_options
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--json", "as_json", is_flag=True, help="Print findings as JSON lines.")
def lint(  # noqa: PLR0917 - click passes every option as an argument
    paths: tuple[Path, ...],
    flow_type: str | None,
    var: tuple[str, ...],
    vars_file: Path | None,
    strict: bool,
    as_json: bool,
) -> None:
    """Check flows, modules and flow templates against the flow-language rules.

    PATHS are files or directories (their *.json and *.tftpl files). Our own
    templates are rendered with their demo values; --var and --vars-file
    override single values, in every template that reads them. Exits 1 when
    any error is found, 2 when PATHS hold no flow file or a variable is read by
    no template.

    \b
    Example:
      callguard flows lint flows/ exported/MainFlow.json
    """
    files = _files(paths)
    variables = _lint_variables(files, overrides(var, vars_file))
    findings = []
    for path in files:
        findings.extend(lint_path(path, variables.get(path), flow_type))
    for finding in findings:
        if as_json:
            click.echo(json.dumps(finding.__dict__, sort_keys=True))
        else:
            click.echo(str(finding))
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    click.echo(f"{len(files)} file(s) checked: {errors} error(s), {warnings} warning(s)", err=True)
    if has_errors(findings) or (strict and warnings):
        sys.exit(1)


@flows.command()
@click.argument(
    "template_path",
    metavar="TEMPLATE",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@variable_options
@click.option(
    "--demo-values", is_flag=True, help="Start from the demo values of one of our templates."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here, not stdout.",
)
def render(
    template_path: Path,
    var: tuple[str, ...],
    vars_file: Path | None,
    demo_values: bool,
    output: Path | None,
) -> None:
    """Render TEMPLATE exactly as Terraform's templatefile() would.

    A variable TEMPLATE does not read is refused (exit 2), as simulate and lint do.

    \b
    Example:
      callguard flows render flows/check_caller.module.json.tftpl \\
        --demo-values --var fail_mode=closed
    """
    base: dict[str, Any] | None = None
    if demo_values:
        if template_path.name not in DEMO_VALUES:
            raise click.BadParameter(
                f"{template_path.name} is not one of our templates", param_hint="--demo-values"
            )
        base = dict(DEMO_VALUES[template_path.name])
    source = template_path.read_text(encoding="utf-8")
    try:
        reads = parse_template(source, str(template_path)).references()
        given = overrides(var, vars_file)
        refuse_unread(given, reads, template_path.name)
        text = render_template(source, for_template(given, reads, base), str(template_path))
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from exc
    if output is None:
        click.echo(text, nl=False)
    else:  # a static-list flow holds full numbers: private, like every file the CLI writes
        from callguard_tools.admin.files import write_private  # noqa: PLC0415

        write_private(output, lambda handle: handle.write(text))


@flows.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("docs/flows"),
    show_default=True,
    help="Directory for the Markdown files.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the files are not current.")
def diagram(output: Path, check: bool) -> None:
    """Write a Mermaid diagram of every flow (rendered with demo values) into OUTPUT.

    \b
    Examples:
      callguard flows diagram --output docs/flows
      callguard flows diagram --output docs/flows --check
    """
    documents = generate_documents()
    if check:
        stale = [
            name
            for name, text in documents.items()
            if not (output / name).is_file() or (output / name).read_text(encoding="utf-8") != text
        ]
        for name in stale:
            click.echo(f"{output / name} is not current; run `make docs`", err=True)
        if stale:
            sys.exit(1)
        click.echo(f"{len(documents)} diagram file(s) are current", err=True)
        return
    output.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (output / name).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output / name}")
