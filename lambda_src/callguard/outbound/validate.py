"""Check a whole job: every template for every receiver, budgets, and unused columns.

Readers report what is wrong with the file; this reports what is wrong with the
job's content. Validation renders every message for every receiver, so a job that
validates never fails to render on a call. The same failure of one template for
many receivers is reported once, naming the first receiver and how many others.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Final

from callguard.outbound.limits import DEFAULT_LIMITS, Limits
from callguard.outbound.model import Job
from callguard.outbound.problems import Problem, error, warning
from callguard.outbound.render import Renderer, RenderError, templates, variables


def validate_job(job: Job, limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
    """Return every problem of ``job``'s content (templates, budgets, unused columns)."""
    problems: list[Problem] = []
    renderer = Renderer(limits)
    messages = templates(job)
    if not messages:
        problems.append(
            error(
                job.config.locations.get("greeting", "configuration"),
                "nothing_to_say",
                "the job has no greeting, no questions and no ending; write at least one",
            )
        )
    usable: list[_Usable] = []
    used: set[str] = set()
    for label, location, text in messages:
        try:
            names = renderer.check(text)
        except RenderError as exc:
            problems.append(error(location, exc.code, f"{label}: {exc}"))
            continue
        used |= names
        usable.append(_Usable(label, location, text, tuple(sorted(names))))
    problems.extend(_render_all(job, usable, renderer, limits))
    for name in job.columns:
        if name not in used:
            problems.append(
                warning(
                    job.config.locations.get(f"column:{name}", "receivers"),
                    "unused_column",
                    f"column {name!r} is not used by any template; it is kept and appears "
                    "in the report"
                    + (
                        ""
                        if name.isidentifier()
                        else " (templates cannot name it: rename it "
                        "with letters, digits and _ only to use it)"
                    ),
                )
            )
    return problems


#: Words in a template that make its output vary between renders with the same values.
_CHANCE: Final = ("random", "lipsum")
#: Most distinct value combinations remembered per template (bounds the memory).
_MEMO_SIZE: Final = 1024


@dataclass(slots=True)
class _Usable:
    """A template that passed :meth:`Renderer.check`, with the variables it reads.

    ``sizes`` remembers the rendered size for each combination of those variables'
    values: a template's output depends on nothing else (the sandbox allows no
    input, and templates with chance in them are never remembered), so receivers
    sharing the values of, say, ``class`` need that message rendered once.
    """

    label: str
    location: str
    text: str
    names: tuple[str, ...]
    sizes: dict[tuple[str, ...], int] = field(default_factory=dict)

    @property
    def memo(self) -> bool:
        """Whether a rendering may be remembered (the template has no chance in it)."""
        return not any(word in self.text for word in _CHANCE)


def _render_all(
    job: Job, messages: list[_Usable], renderer: Renderer, limits: Limits
) -> list[Problem]:
    """Render every message for every receiver; one problem per (place, failure)."""
    failures: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    labels: dict[str, str] = {}
    over_budget: list[tuple[str, int]] = []
    memos = [message.memo for message in messages]
    for receiver in job.receivers:
        values = variables(receiver)
        total = 0
        for message, memo in zip(messages, memos, strict=True):
            location = message.location
            labels[location] = message.label
            key = tuple(values.get(name, "\0") for name in message.names) if memo else ()
            size = message.sizes.get(key) if memo else None
            if size is not None:
                total += size
                continue
            try:
                size = len(renderer.render(message.text, values).encode())
            except RenderError as exc:
                failures[(location, exc.code, str(exc))].append(receiver.id)
                continue
            total += size
            if memo and len(message.sizes) < _MEMO_SIZE and all(n in values for n in message.names):
                message.sizes[key] = size
        if total > limits.max_contact_attribute_bytes:
            over_budget.append((receiver.location or receiver.id, total))
    problems = []
    for (location, code, why), ids in failures.items():
        more = f" (and {len(ids) - 1:,} more)" if len(ids) > 1 else ""
        problems.append(
            error(location, code, f"{labels[location]} for receiver {ids[0]!r}{more}: {why}")
        )
    problems.extend(
        error(
            where,
            "contact_attributes_too_large",
            f"this receiver's messages total {total:,} bytes, over the "
            f"{limits.max_contact_attribute_bytes:,}-byte budget of one contact's attributes; "
            "shorten the templates or the receiver's values",
        )
        for where, total in over_budget
    )
    return problems
