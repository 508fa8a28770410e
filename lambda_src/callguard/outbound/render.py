"""What each receiver hears: templates rendered in a sandbox into escaped SSML.

Jinja2's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` refuses attribute
tricks that reach Python internals and any mutation; :class:`~jinja2.StrictUndefined`
turns a misspelt variable into an error instead of silence; autoescape escapes every
receiver value (``&``, ``<``, ``>``, quotes), and HTML escaping is valid XML escaping,
so user data can never break or inject SSML. The sandbox is not enough alone: the
template's length and the output's size are capped (rendering streams and stops at
the cap), and the only variables are the receiver's own columns plus ``id``.
The author writes the inside of ``<speak>``; this module adds the tag.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from xml.parsers import expat

import jinja2
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from callguard.outbound.limits import DEFAULT_LIMITS, Limits
from callguard.outbound.model import Job, Receiver

_SPEAK_RE: Final = re.compile(r"<\s*/?\s*speak\b", re.IGNORECASE)
_IDENTIFIER_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Characters XML 1.0 cannot hold, even escaped (control characters, lone surrogates).
_NOT_XML_RE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class RenderError(ValueError):
    """A template could not be rendered for a receiver; the message says why and how to fix it.

    ``code`` is the problem code the validator reports (``undefined_variable``,
    ``sandbox``, ``output_too_large``, ``invalid_ssml``, ...).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Message:
    """One rendered message: what it is (``greeting``, ``Q1 (Yes/No)``), where, and its SSML."""

    label: str
    location: str
    ssml: str


def variables(receiver: Receiver) -> dict[str, str]:
    """Return the template variables of ``receiver``: its columns (usable names only) and ``id``."""
    values = {
        name: value for name, value in receiver.columns.items() if _IDENTIFIER_RE.fullmatch(name)
    }
    values["id"] = receiver.id
    return values


def spoken_text(ssml: str) -> str:
    """Return the words of ``ssml`` without its tags (what the spoken-length limit counts).

    Parses with expat directly, refusing any DTD or entity declaration (what defusedxml
    guards against) without building a tree: validation parses every message of every
    receiver. Raises :class:`SsmlError` when ``ssml`` is not well-formed XML.
    """
    words: list[str] = []
    parser = expat.ParserCreate()
    parser.CharacterDataHandler = words.append
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    try:
        parser.Parse(ssml, True)
    except expat.ExpatError as exc:
        raise SsmlError(str(exc)) from None
    return "".join(words)


class SsmlError(ValueError):
    """Text that is not well-formed SSML (XML), or that declares a DTD or entities."""


def _refuse_dtd(*_args: object) -> None:
    raise SsmlError("DTDs and entity declarations are not allowed")


class Renderer:
    """Compiles each template once and renders it for any receiver, within :class:`Limits`."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self._env = ImmutableSandboxedEnvironment(
            undefined=jinja2.StrictUndefined, autoescape=True, auto_reload=False
        )
        self._compiled: dict[str, jinja2.Template] = {}

    def check(self, text: str) -> set[str]:
        """Check a template's text; return the variable names it uses.

        Raises :class:`RenderError` for a template that is too long, writes ``<speak>``
        or is not valid Jinja.
        """
        if len(text) > self.limits.max_template_chars:
            raise RenderError(
                "template_too_long",
                f"the template has {len(text):,} characters, over the limit of "
                f"{self.limits.max_template_chars:,}; shorten it or split it into questions",
            )
        if _SPEAK_RE.search(text):
            raise RenderError(
                "speak_tag",
                "do not write <speak> or </speak>: every message is wrapped in <speak> "
                "for you; remove the tag",
            )
        try:
            parsed = self._env.parse(text)
        except jinja2.TemplateSyntaxError as exc:
            raise RenderError(
                "template_syntax",
                f"the template is not valid Jinja (line {exc.lineno}: {exc.message}); "
                "check the {{ }} and {% %} pairs",
            ) from None
        return set(meta.find_undeclared_variables(parsed))

    def _template(self, text: str) -> jinja2.Template:
        compiled = self._compiled.get(text)
        if compiled is None:
            self.check(text)
            compiled = self._env.from_string(text)
            self._compiled[text] = compiled
        return compiled

    def render(self, text: str, values: Mapping[str, str]) -> str:
        """Render ``text`` with ``values`` into one ``<speak>...</speak>`` SSML message."""
        template = self._template(text)
        budget = self.limits.max_message_bytes
        parts: list[str] = []
        size = 0
        try:
            for chunk in template.generate(dict(values)):
                size += len(chunk.encode())
                if size > budget:
                    raise RenderError(
                        "output_too_large",
                        f"the rendered message is over {budget:,} bytes; shorten the "
                        "template or the receiver's values",
                    )
                parts.append(chunk)
        except jinja2.UndefinedError as exc:
            raise RenderError(
                "undefined_variable",
                f"{exc.message}: the template uses a variable that is not a receiver "
                f"column; use one of: {', '.join(sorted(values))}",
            ) from None
        except jinja2.exceptions.SecurityError as exc:
            raise RenderError(
                "sandbox",
                f"the template tries something the sandbox forbids ({exc}); templates may "
                "only print receiver columns and use simple filters",
            ) from None
        except RenderError:
            raise
        except Exception as exc:
            raise RenderError(
                "render_failed",
                f"the template failed: {type(exc).__name__}: {exc}; simplify the expression",
            ) from None
        ssml = f"<speak>{''.join(parts)}</speak>"
        try:
            spoken = spoken_text(ssml)
        except SsmlError as exc:
            bad = next((k for k, v in values.items() if _NOT_XML_RE.search(v)), None)
            if bad is not None:
                raise RenderError(
                    "invalid_character",
                    f"the receiver's {bad} holds a control character that speech cannot "
                    "carry; remove it from the cell",
                ) from None
            raise RenderError(
                "invalid_ssml",
                f"the template's text is not valid SSML ({exc}); write & as 'and' or "
                "&amp;, and < as &lt;, or close every tag you open",
            ) from None
        if len(spoken) > self.limits.max_spoken_chars:
            raise RenderError(
                "spoken_too_long",
                f"the message speaks {len(spoken):,} characters, over the limit of "
                f"{self.limits.max_spoken_chars:,}; shorten it",
            )
        return ssml


def templates(job: Job) -> list[tuple[str, str, str]]:
    """(label, location, template) of every message of ``job``, in the order it is spoken."""
    found: list[tuple[str, str, str]] = []
    if job.config.greeting.strip():
        where = job.config.locations.get("greeting", "configuration")
        found.append(("greeting", where, job.config.greeting))
    found.extend((q.header, q.location, q.template) for q in job.questions)
    if job.config.ending.strip():
        where = job.config.locations.get("ending", "configuration")
        found.append(("ending", where, job.config.ending))
    return found


def render_messages(
    job: Job, receiver: Receiver, renderer: Renderer | None = None
) -> list[Message]:
    """Return every message ``receiver`` hears, in order (raises :class:`RenderError`)."""
    renderer = renderer or Renderer()
    values = variables(receiver)
    return [
        Message(label, location, renderer.render(text, values))
        for label, location, text in templates(job)
    ]
