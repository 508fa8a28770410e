"""Our renderer and real Terraform's templatefile() produce byte-identical flows.

Terraform is what publishes the flows, so it is the reference: one Terraform
configuration with only ``output`` blocks (no provider needed) renders every
template in every configuration we care about, through the project's launcher,
and each output must equal :func:`render_file` on the same variables. Variables
reach Terraform as JSON files decoded with ``jsondecode()``, so strings, numbers
and lists arrive with the same types the Python side sees.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from callguard_tools.flows.render import render_file, render_template
from callguard_tools.flows.shipped_templates import DEMO_VALUES, FLOWS_DIR, STATIC_LIST_MAX_NUMBERS
from callguard_tools.tfkit.launcher import run

TRICKY = 'Don\'t "quote" me \\ <speak>? & \u2028 é 😀\n\tnext line \x01'
SSML = '<speak>We are closed. <break time="500ms"/> Goodbye & thanks.</speak>'

CASES: list[tuple[str, dict[str, Any]]] = [
    ("check_caller.module.json.tftpl", {}),
    ("check_caller.module.json.tftpl", {"fail_mode": "closed"}),
    ("check_caller.module.json.tftpl", {"invocation_timeout_seconds": 4}),
    ("inbound_denylist.flow.json.tftpl", {}),
    ("inbound_denylist.flow.json.tftpl", {"blocked_message": SSML, "error_message": TRICKY}),
    ("inbound_denylist.flow.json.tftpl", {"queue_full_message": TRICKY, "queue_arn": "queue-id-1"}),
    (
        "inbound_denylist.flow.json.tftpl",
        {"challenge_enabled": True, "challenge_module_id": "module-id-2"},
    ),
    ("agent_flag.flow.json.tftpl", {}),
    ("agent_flag.flow.json.tftpl", {"agent_prompt": ""}),
    ("agent_flag.flow.json.tftpl", {"agent_prompt": SSML, "flag_reason": TRICKY}),
    ("spam_challenge.module.json.tftpl", {}),
    (
        "spam_challenge.module.json.tftpl",
        {"fail_mode": "closed", "code_length": 6, "max_attempts": 3, "goodbye_message": SSML},
    ),
    ("spam_challenge.module.json.tftpl", {"challenge_message": TRICKY, "retry_message": TRICKY}),
    ("inbound_static_list.flow.json.tftpl", {}),
    ("outbound_call.flow.json.tftpl", {}),
    (
        "outbound_call.flow.json.tftpl",
        {
            "recording_enabled": True,
            "voicemail_message": SSML,
            "retry_message": TRICKY,
            "max_retries": 3,
            "yes_no_session_attributes": {"x-amz-lex:dtmf:max-length:*:*": "1", "k": TRICKY},
        },
    ),
    ("inbound_static_list.flow.json.tftpl", {"blocked_numbers": ["+447700900123"]}),
    (
        "inbound_static_list.flow.json.tftpl",
        {"blocked_numbers": [f"+{index:015d}" for index in range(STATIC_LIST_MAX_NUMBERS)]},
    ),
]

#: A template exercising the language corners our flows use (strip markers, loops, operators).
SEMANTICS = (
    "A\n%{ for i, n in xs ~}\n   [%{ if i > 0 },%{ endif }${n}]\n%{ endfor ~}\n"
    'B  \n  ${~ "x" ~}  \n C %{~ if true ~}  \n T \n %{~ endif ~}  D\n'
    '$${lit} %%{lit} ${jsonencode(m)} ${x == 3} ${n >= 8 ? "max" : n}\n'
    '%{ for k, v in m }${k}=${jsonencode(v)};%{ endfor }${startswith(s, "<sp")}\n'
)
SEMANTICS_VARS = {"xs": ["a", "b"], "m": {"b": TRICKY, "a": 1.5}, "x": 3, "n": 8, "s": SSML}


@pytest.fixture(scope="module")
def terraform_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Render every case with real Terraform (one apply) and return output name -> value."""
    work = tmp_path_factory.mktemp("templatefile")
    blocks = []
    for index, (filename, overrides) in enumerate(CASES):
        values = {**DEMO_VALUES[filename], **overrides}
        (work / f"case_{index}.json").write_text(json.dumps(values), encoding="utf-8")
        template_path = json.dumps(str(FLOWS_DIR / filename))
        blocks.append(
            f'output "case_{index}" {{\n'
            f'  value = templatefile({template_path}, jsondecode(file("case_{index}.json")))\n'
            "}\n"
        )
    (work / "semantics.tftpl").write_text(SEMANTICS, encoding="utf-8")
    (work / "semantics.json").write_text(json.dumps(SEMANTICS_VARS), encoding="utf-8")
    blocks.append(
        'output "semantics" {\n'
        '  value = templatefile("semantics.tftpl", jsondecode(file("semantics.json")))\n'
        "}\n"
    )
    (work / "main.tf").write_text("\n".join(blocks), encoding="utf-8")
    applied = run(["apply", "-auto-approve", "-input=false", "-no-color"], cwd=work)
    assert applied.returncode == 0, applied.stderr + applied.stdout
    shown = run(["output", "-json", "-no-color"], cwd=work)
    assert shown.returncode == 0, shown.stderr
    outputs = json.loads(shown.stdout)
    return {name: entry["value"] for name, entry in outputs.items()}


@pytest.mark.slow
@pytest.mark.parametrize(("index", "case"), list(enumerate(CASES)), ids=lambda v: str(v)[:48])
def test_render_equals_terraform_templatefile(
    terraform_outputs: dict[str, str], index: int, case: tuple[str, dict[str, Any]]
) -> None:
    filename, overrides = case
    ours = render_file(FLOWS_DIR / filename, {**DEMO_VALUES[filename], **overrides})
    assert ours == terraform_outputs[f"case_{index}"]
    json.loads(ours)  # and it is a JSON document


@pytest.mark.slow
def test_language_corners_equal_terraform(terraform_outputs: dict[str, str]) -> None:
    ours = render_template(SEMANTICS, SEMANTICS_VARS)
    assert ours == terraform_outputs["semantics"]
    assert "\\u003cspeak" in ours  # jsonencode's HTML-safe escaping really was exercised


def test_every_template_is_compared() -> None:
    assert {filename for filename, _ in CASES} == {p.name for p in FLOWS_DIR.glob("*.tftpl")}
