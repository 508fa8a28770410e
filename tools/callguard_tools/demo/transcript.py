"""The demo's printed transcript, as the documentation shows it.

``docs/demo.md`` holds the whole transcript of a run and ``README.md`` its
summary (each step's title and verdict). Both must be what the demo really
prints, so the end-to-end test compares them with a fresh run, line by line,
after :func:`normalise` has replaced what differs between any two runs (the
emulator's port, times, contact ids, spam-challenge codes, the elapsed
seconds). ``python -m callguard_tools.demo --write-transcripts`` rewrites both
blocks from a run whose every step went as expected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

#: The opening of the demo's output: where a transcript starts.
HEADLINE = "callguard demo: Terraform plan and simulated calls, offline, no AWS account"

#: Where each document's transcript block is: the first ```text fence after the marker.
DEMO_DOC_MARKER = "## Transcript"
README_MARKER = "A run on a fresh checkout looks like this."

_FENCE_OPEN = "```text\n"
_FENCE_CLOSE = "```\n"

_PORT = re.compile(r"http://127\.0\.0\.1:\d+")
_TIME = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\b")
#: Random (version 4) contact ids; the demo's fixed ids start with 00000000-0000-.
_CONTACT_ID = re.compile(
    r"\b(?!00000000-0000-)[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\b"
)
_CODE = re.compile(r'"code": "(\d+)"')
#: Outbound job ids: derived from the upload, whose receivers' time zones follow the clock.
_JOB_ID = re.compile(r"\bjob-[0-9a-f]{32}\b")
_ELAPSED = re.compile(r"\(\d+ s\)\.$")


def normalise(lines: Iterable[str]) -> list[str]:
    """Return ``lines`` with what changes from run to run replaced by a placeholder."""
    text = "\n".join(lines)
    text = _PORT.sub("http://127.0.0.1:<port>", text)
    text = _TIME.sub("<time>", text)
    text = _CONTACT_ID.sub("<contact-id>", text)
    text = _JOB_ID.sub("job-<id>", text)
    for code in sorted(set(_CODE.findall(text)), key=len, reverse=True):
        text = re.sub(rf"(?<![\d-]){code}(?![\d-])", "<code>", text)
    return [_ELAPSED.sub("(<n> s).", line) for line in text.splitlines()]


def from_output(output: str) -> list[str]:
    """Return the transcript in ``output``: from the demo's headline to its last line."""
    lines = output.splitlines()
    start = lines.index(HEADLINE)
    return lines[start:]


def summary(transcript: list[str]) -> list[str]:
    """Return the README's form: each step's title and verdict, then the final count."""
    steps = [
        line
        for line in transcript
        if re.match(r"^\[\d+\] ", line) or line.startswith(("    OK: ", "    UNEXPECTED: "))
    ]
    return [*steps, "", transcript[-1]]


def _block_span(text: str, marker: str, source: str) -> tuple[int, int]:
    """Return where the transcript block after ``marker`` starts and ends in ``text``."""
    at = text.find(marker)
    if at < 0:
        raise ValueError(f"{source}: no {marker!r} to find the transcript by")
    start = text.find(_FENCE_OPEN, at)
    end = text.find(_FENCE_CLOSE, start + len(_FENCE_OPEN)) if start >= 0 else -1
    if end < 0:
        raise ValueError(f"{source}: no ```text block after {marker!r}")
    return start + len(_FENCE_OPEN), end


def documented(path: Path, marker: str) -> list[str]:
    """Return the lines of the transcript block that ``path`` shows after ``marker``."""
    text = path.read_text(encoding="utf-8")
    start, end = _block_span(text, marker, str(path))
    return text[start:end].splitlines()


def write(path: Path, marker: str, lines: list[str]) -> None:
    """Replace the transcript block that ``path`` shows after ``marker`` with ``lines``."""
    text = path.read_text(encoding="utf-8")
    start, end = _block_span(text, marker, str(path))
    path.write_text(text[:start] + "\n".join(lines) + "\n" + text[end:], encoding="utf-8")
