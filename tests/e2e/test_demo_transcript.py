"""How the documented demo transcripts are compared with a run, and rewritten from one."""

from __future__ import annotations

from pathlib import Path

import pytest

from callguard_tools.demo import transcript

RUN = [
    transcript.HEADLINE,
    "",
    "[1] A caller rings",
    "    expected: queued",
    '    lambda h({"ContactId": "d200656d-1777-415f-afc7-d27ce9656542"})',
    '      returned {"code": "4132", "ssml": "<say-as>4132</say-as>"}',
    "    queue <instance>/queue/00000000-0000-4000-8000-0000000000b1",
    "    $ callguard --endpoint-url http://127.0.0.1:39417 denylist pending",
    "    +4420*****555  pending since 2026-11-21T06:35:50Z  (1 flag)",
    "    OK: transferred",
    "",
    "1 of 1 steps went as expected (10 s).",
]


def test_what_differs_between_runs_is_replaced_and_nothing_else() -> None:
    normal = transcript.normalise(RUN)
    assert normal[4] == '    lambda h({"ContactId": "<contact-id>"})'
    assert normal[5] == ('      returned {"code": "<code>", "ssml": "<say-as><code></say-as>"}')
    assert normal[6] == RUN[6]  # the demo's fixed ids stay as they are
    assert normal[7] == "    $ callguard --endpoint-url http://127.0.0.1:<port> denylist pending"
    assert normal[8] == "    +4420*****555  pending since <time>  (1 flag)"
    assert normal[-1] == "1 of 1 steps went as expected (<n> s)."
    assert normal[2] == RUN[2]
    # A different outcome is still a difference.
    changed = [*RUN[:9], "    UNEXPECTED: disconnected", *RUN[10:]]
    assert transcript.normalise(changed) != normal


def test_the_summary_keeps_each_step_and_its_verdict() -> None:
    assert transcript.summary(RUN) == [
        "[1] A caller rings",
        "    OK: transferred",
        "",
        "1 of 1 steps went as expected (10 s).",
    ]


def test_a_block_is_read_and_rewritten_in_place(tmp_path: Path) -> None:
    doc = tmp_path / "demo.md"
    doc.write_text("# Demo\n\n## Transcript\n\nA run:\n\n```text\nold\n```\n\nAfter.\n")
    assert transcript.documented(doc, "## Transcript") == ["old"]
    transcript.write(doc, "## Transcript", ["new", "lines"])
    assert transcript.documented(doc, "## Transcript") == ["new", "lines"]
    assert doc.read_text().endswith("```\n\nAfter.\n")


def test_a_document_without_its_block_is_a_clear_error(tmp_path: Path) -> None:
    doc = tmp_path / "demo.md"
    doc.write_text("# Demo\n")
    with pytest.raises(ValueError, match="no '## Transcript'"):
        transcript.documented(doc, "## Transcript")
