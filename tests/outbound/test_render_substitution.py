"""Templates that only print columns skip Jinja, and must render exactly as Jinja does.

The renderer substitutes ``{{ name }}`` itself when a template holds nothing else
(see :mod:`callguard.outbound.render`). These tests generate templates that mix
placeholders with braces, Jinja syntax, names Jinja treats specially, markup and line
ends, and check that each renders to the same SSML, or fails with the same problem
code, as a renderer made to send every template through Jinja.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callguard.outbound import render
from callguard.outbound.limits import DEFAULT_LIMITS
from callguard.outbound.render import Renderer, RenderError

#: Names a template may print: ordinary ones, ones Jinja gives a meaning, keywords.
NAMES = ("name", "class", "id", "true", "None", "not", "self", "loop", "range", "if", "_x")
_PIECES = st.one_of(
    st.text(alphabet="ab &<>'\"{}%#-\n\r\t.", max_size=6),
    st.builds(
        lambda left, name, right: f"{{{{{left}{name}{right}}}}}",
        st.sampled_from(["", " ", "  ", "\t", "-"]),
        st.sampled_from(NAMES),
        st.sampled_from(["", " ", "\t", "-"]),
    ),
)
templates = st.lists(_PIECES, max_size=6).map("".join)
values = st.dictionaries(
    st.sampled_from(NAMES), st.text(alphabet="xy &<>'\"{}\n\r\x01", max_size=5), max_size=6
)


def _outcome(renderer: Renderer, text: str, data: Mapping[str, str]) -> str:
    try:
        return renderer.render(text, data)
    except RenderError as exc:
        return f"error:{exc.code}"


def _jinja_only(monkeypatch: pytest.MonkeyPatch) -> Renderer:
    monkeypatch.setattr(render, "_substitution", lambda _text: None)
    return Renderer()


@given(text=templates, data=values)
@settings(max_examples=400, deadline=None)
def test_substitution_renders_what_jinja_renders(text: str, data: dict[str, str]) -> None:
    expected_renderer = Renderer()
    with pytest.MonkeyPatch.context() as patch:
        jinja = _jinja_only(patch)
        expected = _outcome(jinja, text, data)
        expected_names = _names(jinja, text)
    assert _outcome(expected_renderer, text, data) == expected
    assert _names(expected_renderer, text) == expected_names


def _names(renderer: Renderer, text: str) -> set[str] | str:
    try:
        return renderer.check(text)
    except RenderError as exc:
        return f"error:{exc.code}"


def test_plain_placeholders_are_substituted_and_escaped() -> None:
    ssml = Renderer().render("Hi {{ name }}, class {{class}}.", {"name": "A & <B>", "class": "3"})
    assert ssml == "<speak>Hi A &amp; &lt;B&gt;, class 3.</speak>"


@pytest.mark.parametrize(
    "text",
    [
        "{{ name|upper }}",  # a filter
        "{% if name %}x{% endif %}",  # a statement
        "{{ true }}",  # a constant
        "{{ self }}",  # the template itself
        "Press {1}",  # a lone brace
        "Hello {{ name }}\n",  # Jinja drops the final newline
    ],
)
def test_anything_more_than_columns_goes_to_jinja(text: str) -> None:
    assert render._substitution(text) is None


def test_the_size_limit_holds_on_both_paths() -> None:
    big = {"name": "x" * (DEFAULT_LIMITS.max_message_bytes + 1)}
    for text in ("{{ name }}", "{{ name|lower }}"):
        with pytest.raises(RenderError) as caught:
            Renderer().render(text, big)
        assert caught.value.code == "output_too_large"


def test_a_job_that_only_prints_columns_never_imports_jinja() -> None:
    """The memory the benchmark measures depends on it: Jinja costs about 5 MiB."""
    program = (
        "import sys\n"
        "from callguard.outbound.render import Renderer\n"
        "r = Renderer()\n"
        "assert r.check('Hello {{ name }}') == {'name'}\n"
        "r.render('Hello {{ name }}', {'name': 'Ann'})\n"
        "print('jinja2' in sys.modules)\n"
        "r.render('{{ name|upper }}', {'name': 'Ann'})\n"
        "print('jinja2' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "True"]


def test_jinja_s_global_names_are_never_substituted() -> None:
    from jinja2.defaults import DEFAULT_NAMESPACE

    assert set(DEFAULT_NAMESPACE) <= render._JINJA_NAMES
