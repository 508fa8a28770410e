"""Any template text either renders or raises TemplateError with a position: never another error.

A broken template must give its author a line and column, not a traceback from
inside the renderer. Examples are derandomized and have no deadline.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from callguard_tools.flows.render import TemplateError, render_template

PIECES = st.sampled_from(
    [
        *'${}%~ "\\\n!=<>&|?:(),.0123e',
        "${",
        "%{",
        "$${",
        "%%{",
        "if ",
        "for ",
        " in ",
        "endif",
        "endfor",
        "else",
        "x",
        "xs",
        "m",
        "n",
        '"a"',
        '"nan"',
        "true",
        "null",
        "jsonencode(",
        "tostring(",
        "length(",
        "startswith(",
        "\\u00e9",
        "1e3",
    ]
)
VARIABLES = {"x": "v", "xs": ["a", 1], "n": 3, "m": {"k": True}}


@settings(max_examples=400, deadline=None, derandomize=True)
@given(text=st.lists(PIECES, max_size=25).map("".join))
def test_any_text_renders_or_fails_with_a_position(text: str) -> None:
    try:
        result = render_template(text, VARIABLES, "fuzz.tftpl")
    except TemplateError as exc:
        assert exc.line >= 1
        assert exc.column >= 1
        assert str(exc).startswith(f"fuzz.tftpl:{exc.line}:{exc.column}: ")
    else:
        assert isinstance(result, str)
