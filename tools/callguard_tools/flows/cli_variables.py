"""Template variables on the command line: one meaning for ``lint``, ``render`` and ``simulate``.

``--vars-file FILE`` (a JSON object, for lists and numbers) and then each
``--var NAME=VALUE`` (a string, as with ``terraform -var``) are *overrides*:
each applies to every template that reads the variable, on top of the demo
values when the template is one of ours. A name that no template involved
reads is refused (exit 2) rather than ignored, so a typo never passes silently.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from callguard_tools.flows.render import load_vars_file

F = TypeVar("F", bound=Callable[..., Any])


def variable_options(function: F) -> F:
    """Add the ``--var`` and ``--vars-file`` options every flows command shares."""
    function = click.option(
        "--vars-file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="JSON object of template variables (typed: lists, numbers); overrides.",
    )(function)
    return click.option(
        "--var",
        multiple=True,
        metavar="NAME=VALUE",
        help="Template variable override (repeatable), on top of the demo values.",
    )(function)


def assignments(items: Iterable[str], option: str) -> dict[str, str]:
    """Turn repeated ``NAME=VALUE`` options into a dict (a later name wins)."""
    result: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint=option)
        result[name] = value
    return result


def overrides(var: tuple[str, ...], vars_file: Path | None) -> dict[str, Any]:
    """Read ``--vars-file`` and then ``--var`` into one dict of overrides."""
    given: dict[str, Any] = {}
    if vars_file is not None:
        try:
            given.update(load_vars_file(vars_file))
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--vars-file") from error
    given.update(assignments(var, "--var"))
    return given


def refuse_unread(given: Mapping[str, Any], read: Collection[str], what: str) -> None:
    """Refuse (exit 2) every override that is not a variable of ``what`` (the templates)."""
    unread = sorted(set(given) - set(read))
    if unread:
        raise click.BadParameter(
            f"{', '.join(unread)}: not a variable of {what}", param_hint="--var/--vars-file"
        )


def for_template(
    given: Mapping[str, Any], reads: Collection[str], base: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Return one template's variables: ``base`` (its demo values), then overrides it reads."""
    return {**(base or {}), **{name: value for name, value in given.items() if name in reads}}
