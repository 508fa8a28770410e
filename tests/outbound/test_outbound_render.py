"""Rendering: sandboxed, strict, escaped into valid SSML, and capped."""

from __future__ import annotations

import dataclasses
import re
from types import MappingProxyType

import defusedxml.ElementTree as SafeET
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callguard.outbound.limits import DEFAULT_LIMITS
from callguard.outbound.model import Job, JobConfig, Question, QuestionType, Receiver
from callguard.outbound.render import Renderer, RenderError, render_messages, spoken_text


def _receiver(**columns: str) -> Receiver:
    return Receiver(id="r1", phone="+85291234567", columns=MappingProxyType(columns))


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_any_user_data_renders_into_valid_ssml_or_a_clear_error(value: str) -> None:
    try:
        ssml = Renderer().render("Hello {{ name }}!", {"name": value, "id": "1"})
    except RenderError as exc:
        # Only characters XML cannot carry at all are refused, and named as such.
        assert exc.code == "invalid_character" and _NOT_XML.search(value)
        return
    root = SafeET.fromstring(ssml)
    assert root.tag == "speak"
    assert list(root) == []  # user data never becomes an element
    # XML parsers normalise line ends (\r\n and \r become \n); nothing else changes.
    expected = f"Hello {value}!".replace("\r\n", "\n").replace("\r", "\n")
    assert "".join(root.itertext()) == expected


def test_ampersand_and_angle_brackets_are_escaped() -> None:
    ssml = Renderer().render("Dear {{ n }}", {"n": "Tom & <b>Jerry</b>"})
    assert ssml == "<speak>Dear Tom &amp; &lt;b&gt;Jerry&lt;/b&gt;</speak>"


def test_the_author_may_use_ssml_tags_but_not_speak() -> None:
    renderer = Renderer()
    assert (
        renderer.render('Wait<break time="1s"/>now', {})
        == '<speak>Wait<break time="1s"/>now</speak>'
    )
    with pytest.raises(RenderError) as caught:
        renderer.render("<speak>Hi</speak>", {})
    assert caught.value.code == "speak_tag"


def test_a_misspelt_variable_is_an_error() -> None:
    with pytest.raises(RenderError) as caught:
        Renderer().render("Hi {{ usrname }}", {"username": "x", "id": "1"})
    assert caught.value.code == "undefined_variable"
    assert "usrname" in str(caught.value) and "username" in str(caught.value)


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ name.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{% set x = [] %}{{ x.append(1) }}",
    ],
)
def test_sandbox_escapes_are_errors(template: str) -> None:
    with pytest.raises(RenderError) as caught:
        Renderer().render(template, {"name": "x"})
    assert caught.value.code in {"sandbox", "undefined_variable"}


def test_output_size_is_capped_while_rendering() -> None:
    with pytest.raises(RenderError) as caught:
        Renderer().render("{% for i in range(99999) %}{{ name }}{% endfor %}", {"name": "x" * 50})
    assert caught.value.code == "output_too_large"


def test_template_length_and_spoken_length_are_capped() -> None:
    limits = dataclasses.replace(DEFAULT_LIMITS, max_template_chars=10, max_spoken_chars=5)
    with pytest.raises(RenderError, match="limit of 10"):
        Renderer(limits).render("x" * 11, {})
    with pytest.raises(RenderError) as caught:
        Renderer(limits).render("abcdef", {})
    assert caught.value.code == "spoken_too_long"


def test_a_raw_ampersand_in_the_template_is_invalid_ssml() -> None:
    with pytest.raises(RenderError) as caught:
        Renderer().render("Tom & Jerry", {})
    assert caught.value.code == "invalid_ssml"


def test_only_the_receivers_columns_and_id_are_variables() -> None:
    job = Job(
        id="j",
        config=JobConfig(greeting="{{ id }}:{{ name }}"),
        questions=(Question(1, "{{ phone }}", QuestionType.OK, "questions!A2"),),
        receivers=(),
    )
    with pytest.raises(RenderError) as caught:
        render_messages(job, _receiver(name="Ann"))
    assert caught.value.code == "undefined_variable"
    job = dataclasses.replace(job, questions=())
    assert [m.ssml for m in render_messages(job, _receiver(name="Ann"))] == [
        "<speak>r1:Ann</speak>"
    ]
    assert spoken_text("<speak>a<break/>b</speak>") == "ab"
