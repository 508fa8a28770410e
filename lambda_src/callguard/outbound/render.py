"""What each receiver hears: templates rendered in a sandbox into escaped SSML.

Jinja2's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` refuses attribute
tricks that reach Python internals and any mutation; :class:`~jinja2.StrictUndefined`
turns a misspelt variable into an error instead of silence; autoescape escapes every
receiver value (``&``, ``<``, ``>``, quotes), and HTML escaping is valid XML escaping,
so user data can never break or inject SSML. The sandbox is not enough alone: the
template's length and the output's size are capped (rendering streams and stops at
the cap), and the only variables are the receiver's own columns plus ``id``.
The author writes the inside of ``<speak>``; this module adds the tag.

Most templates only print columns (``Hello {{ name }}``). Those are rendered by
substitution with Jinja's own escaping (:func:`markupsafe.escape`), and Jinja is
imported only for a template that uses anything more: a 10,000-receiver job then
validates in a fraction of the time and without Jinja's imports (about 5 MiB of
resident memory with the ``hashlib`` it pulls in). The two paths give the same
text; a property test holds them to it on generated templates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final
from xml.parsers import expat

from markupsafe import escape

from callguard.outbound.limits import DEFAULT_LIMITS, Limits
from callguard.outbound.model import Job, Receiver

if TYPE_CHECKING:
    import jinja2

_SPEAK_RE: Final = re.compile(r"<\s*/?\s*speak\b", re.IGNORECASE)
#: A name a template can print: letters, digits and ``_``, not starting with a digit.
_IDENTIFIER: Final = r"[A-Za-z_][A-Za-z0-9_]*"
_IDENTIFIER_RE: Final = re.compile(_IDENTIFIER)
#: Characters XML 1.0 cannot hold, even escaped (control characters, lone surrogates).
_NOT_XML_CHARS: Final = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_NOT_XML_RE: Final = re.compile(f"[{_NOT_XML_CHARS}]")
#: What makes a message need an XML parser: markup, entities, ``\r`` (which XML
#: rewrites) or a character XML cannot hold. Text without any is its own spoken text.
_NEEDS_PARSER_RE: Final = re.compile(f"[<>&\r{_NOT_XML_CHARS}]")
#: ``{{ name }}``: the one construct a template may use and still skip Jinja.
_PLACEHOLDER_RE: Final = re.compile(rf"\{{\{{[ \t]*({_IDENTIFIER})[ \t]*\}}\}}")
#: Names that mean something of their own to Jinja in a plain ``{{ name }}``:
#: constants, ``not`` (an operator), ``self`` (the template), Jinja's globals
#: (``jinja2.defaults.DEFAULT_NAMESPACE``; a test keeps this in step), plus the loop
#: and macro variables for caution. Never substituted; Jinja renders them.
_JINJA_NAMES: Final = frozenset(
    {"true", "false", "none", "True", "False", "None", "not", "self"}
    | {"range", "dict", "lipsum", "cycler", "joiner", "namespace"}
    | {"loop", "super", "caller", "varargs", "kwargs"}
)


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


@dataclass(frozen=True, slots=True)
class _Substitution:
    """A template that only prints columns: literal text around ``{{ name }}`` places."""

    literals: tuple[str, ...]
    names: tuple[str, ...]

    def render(self, values: Mapping[str, str]) -> str:
        """Return the text Jinja would render, each value escaped as Jinja escapes it."""
        parts = [self.literals[0]]
        for name, literal in zip(self.names, self.literals[1:], strict=True):
            parts.append(str(escape(values[name])))
            parts.append(literal)
        return "".join(parts)


def _substitution(text: str) -> _Substitution | None:
    """Return ``text`` as a :class:`_Substitution`, or ``None`` when it needs Jinja.

    Conservative by design: any other brace, a name Jinja gives a meaning of its own,
    a ``\\r`` or a final newline (which Jinja's lexer rewrites) sends the template to Jinja.
    """
    pieces = _PLACEHOLDER_RE.split(text)
    literals, names = tuple(pieces[0::2]), tuple(pieces[1::2])
    if any("{" in part or "}" in part or "\r" in part for part in literals):
        return None
    if text.endswith("\n") or any(name in _JINJA_NAMES for name in names):
        return None
    return _Substitution(literals, names)


class Renderer:
    """Compiles each template once and renders it for any receiver, within :class:`Limits`."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self._jinja_env: jinja2.Environment | None = None
        self._compiled: dict[str, jinja2.Template] = {}
        self._substitutions: dict[str, _Substitution | None] = {}

    @property
    def _env(self) -> jinja2.Environment:
        """The sandbox, created (and Jinja imported) the first time a template needs it."""
        if self._jinja_env is None:
            import jinja2  # noqa: PLC0415 - only templates that do more than print columns
            from jinja2.sandbox import ImmutableSandboxedEnvironment  # noqa: PLC0415

            self._jinja_env = ImmutableSandboxedEnvironment(
                undefined=jinja2.StrictUndefined, autoescape=True, auto_reload=False
            )
        return self._jinja_env

    def _simple(self, text: str) -> _Substitution | None:
        if text not in self._substitutions:
            self._substitutions[text] = _substitution(text)
        return self._substitutions[text]

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
        simple = self._simple(text)
        if simple is not None:
            return set(simple.names)
        import jinja2  # noqa: PLC0415 - see _env
        from jinja2 import meta  # noqa: PLC0415

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
        simple = self._simple(text)
        if simple is not None and all(name in values for name in simple.names):
            if len(text) > self.limits.max_template_chars or _SPEAK_RE.search(text):
                self.check(text)  # raises the same error as the Jinja path
            body = simple.render(values)
            if len(body.encode()) > self.limits.max_message_bytes:
                raise _too_large(self.limits.max_message_bytes)
        else:
            body = self._render_with_jinja(text, values)
        return self._speak(body, values)

    def _render_with_jinja(self, text: str, values: Mapping[str, str]) -> str:
        import jinja2  # noqa: PLC0415 - see _env

        template = self._template(text)
        budget = self.limits.max_message_bytes
        parts: list[str] = []
        size = 0
        try:
            for chunk in template.generate(dict(values)):
                size += len(chunk.encode())
                if size > budget:
                    raise _too_large(budget)
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
        return "".join(parts)

    def _speak(self, body: str, values: Mapping[str, str]) -> str:
        """Wrap ``body`` in ``<speak>``, check it is SSML and within the spoken length."""
        ssml = f"<speak>{body}</speak>"
        try:
            spoken = spoken_text(ssml) if _NEEDS_PARSER_RE.search(body) else body
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


def _too_large(budget: int) -> RenderError:
    return RenderError(
        "output_too_large",
        f"the rendered message is over {budget:,} bytes; shorten the template or the "
        "receiver's values",
    )


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
