"""``make demo`` end to end: every call scenario goes as the demo says it will.

The scenarios run the real flows, handlers, table (a ``moto_server`` on
loopback) and the installed ``callguard`` CLI; the last test runs the whole
demo, Terraform plan included, exactly as ``make demo`` does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from callguard_tools.demo import __main__ as demo_main
from callguard_tools.demo import transcript
from callguard_tools.demo.local_aws import aws_environment, dead_endpoint
from callguard_tools.demo.local_aws import moto_server as local_moto_server
from callguard_tools.demo.plan import summarize
from callguard_tools.demo.scenarios import CALLER, DEFAULT_FUNCTION_ENVIRONMENT, Verdict, play_calls
from callguard_tools.demo.story import Story
from callguard_tools.environ import patched_environ

REPO = Path(__file__).resolve().parents[2]


def test_every_demo_call_goes_as_expected(moto_server_clean: str) -> None:
    printed: list[str] = []
    verdicts = play_calls(moto_server_clean, echo=printed.append)
    assert [v.title for v in verdicts if not v.ok] == []
    assert len(verdicts) == 23
    text = "\n".join(printed)
    # The story as the README tells it, in order.
    for fragment in (
        "rings the support line",
        "quick connect",
        "The same caller rings again",
        "$ callguard --endpoint-url",
        "denylist remove",
        "withheld number",
        "DynamoDB is unreachable; fail mode open",
        "DynamoDB is unreachable; fail mode closed",
        "answers too late",
        "keys in the code they hear",
        "a robocaller that presses nothing",
        "Review mode (CALLGUARD_FLAG_MODE=review)",
        "denylist pending",
        "denylist reject",
        "a moment too late",
        "The audit function records the story's changes",
        "history: added, removed",
    ):
        assert fragment in text
    assert CALLER not in text  # numbers are masked in everything the demo prints
    assert "+4420*****958" in text
    # Every step's title and promise stands, as a whole line, in docs/demo.md's transcript
    # (the full transcript, plan included, is compared by test_make_demo_passes_on_this_checkout).
    documented = transcript.documented(REPO / "docs" / "demo.md", transcript.DEMO_DOC_MARKER)
    for line in printed:
        if line.startswith("[") or line.startswith("    expected: "):
            assert line in documented, f"docs/demo.md is stale: {line}"


def test_a_selected_aws_profile_cannot_reach_the_demo(
    moto_server_clean: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user's profile (which the fake config cannot resolve) changes nothing."""
    monkeypatch.setenv("AWS_PROFILE", "production-admin")
    verdicts = play_calls(moto_server_clean, echo=lambda line: None)
    assert [v.title for v in verdicts if not v.ok] == []


def test_a_step_that_goes_differently_is_reported(moto_server_clean: str) -> None:
    """Review mode flags callers as pending, so the 'refused on the next call' step fails."""
    environment = {**DEFAULT_FUNCTION_ENVIRONMENT, "CALLGUARD_FLAG_MODE": "review"}
    verdicts = play_calls(moto_server_clean, environment, echo=lambda line: None)
    failed = {v.title: v.actual for v in verdicts if not v.ok}
    assert "The agent presses the 'flag caller' quick connect during that call" in failed
    assert "The same caller rings again" in failed
    assert "pending" in failed["The agent presses the 'flag caller' quick connect during that call"]


def test_an_unexpected_error_answer_comes_with_a_hint(moto_server_clean: str) -> None:
    """A function that cannot run (here: a bad setting) fails steps; the demo says why it may."""
    environment = {**DEFAULT_FUNCTION_ENVIRONMENT, "CALLGUARD_FAIL_MODE": "sometimes"}
    printed: list[str] = []
    verdicts = play_calls(moto_server_clean, environment, echo=printed.append)
    assert any(not v.ok for v in verdicts)
    assert any(line.startswith("    hint: a function answered with an error") for line in printed)


def test_the_demo_exits_non_zero_when_any_step_is_unexpected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def one_bad_step(*args: object, **kwargs: object) -> list[Verdict]:
        return [
            Verdict("good", "x", True, "x"),
            Verdict("bad", "blocked", False, "transferred"),
        ]

    monkeypatch.setattr(demo_main, "play_calls", one_bad_step)
    monkeypatch.setattr(demo_main, "outbound_steps", lambda story: None)
    result = CliRunner().invoke(demo_main.main, ["--skip-terraform"])
    assert result.exit_code == 1
    assert "1 of 2 steps went as expected" in result.output


def test_an_unexpected_outbound_step_fails_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    def good_step(*args: object, **kwargs: object) -> list[Verdict]:
        return [Verdict("good", "x", True, "x")]

    def outbound_differs(story: Story) -> None:
        story.step("Outbound: the report", "completed")
        story.judge("Outbound: the report", "completed", False, "partial", [])

    monkeypatch.setattr(demo_main, "play_calls", good_step)
    monkeypatch.setattr(demo_main, "outbound_steps", outbound_differs)
    result = CliRunner().invoke(demo_main.main, ["--skip-terraform"])
    assert result.exit_code == 1
    assert "[2] Outbound: the report" in result.output
    assert "1 of 2 steps went as expected" in result.output


def test_the_plan_summary_reuses_the_planned_function_environment() -> None:
    plan = {
        "resource_changes": [
            {
                "mode": "managed",
                "type": "aws_lambda_function",
                "address": "module.f.aws_lambda_function.this",
                "change": {
                    "actions": ["create"],
                    "after": {
                        "handler": "callguard.handlers.check_number.handler",
                        "environment": [{"variables": {"CALLGUARD_TABLE": "t-dev"}}],
                    },
                },
            },
            {
                "mode": "managed",
                "type": "aws_connect_contact_flow",
                "address": "module.x.aws_connect_contact_flow.static",
                "change": {"actions": ["create"], "after": {"content": "{}"}},
            },
            {
                "mode": "managed",
                "type": "aws_connect_contact_flow",
                "address": "module.x.aws_connect_contact_flow.unknown",
                "change": {"actions": ["delete", "create"], "after": {}},
            },
            {"mode": "data", "type": "aws_region", "change": {"actions": ["read"]}},
        ]
    }
    summary = summarize("dev", plan)
    assert summary.ok
    assert summary.headline() == "Plan: 3 to add, 0 to change, 1 to destroy."
    assert summary.resource_types == {"aws_lambda_function": 1, "aws_connect_contact_flow": 2}
    assert summary.function_environment == {"CALLGUARD_TABLE": "t-dev"}
    assert summary.planned_flows == {"module.x.aws_connect_contact_flow.static": "{}"}


@pytest.mark.slow
def test_make_demo_passes_on_this_checkout() -> None:
    """Run the whole demo as ``make demo`` does (after ``make build``, which makes the zip)."""
    done = subprocess.run(
        [sys.executable, "-m", "callguard_tools.demo"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "Plan: " in done.stdout
    assert "CALLGUARD_TABLE=callguard-dev-denylist" in done.stdout
    finished = re.search(r"(\d+) of (\d+) steps went as expected", done.stdout)
    assert finished is not None
    assert finished.group(1) == finished.group(2)
    assert int(finished.group(2)) >= 11  # Terraform + ten calls (+ a planned static flow)
    # docs/demo.md and the README show this very run, line by line, but for what differs
    # between any two runs (ports, times, contact ids, challenge codes, elapsed seconds).
    run = transcript.normalise(transcript.from_output(done.stdout))
    hint = "stale transcript: run `python -m callguard_tools.demo --write-transcripts`"
    demo_doc = transcript.documented(REPO / "docs" / "demo.md", transcript.DEMO_DOC_MARKER)
    assert transcript.normalise(demo_doc) == run, hint
    readme = transcript.documented(REPO / "README.md", transcript.README_MARKER)
    assert transcript.normalise(readme) == transcript.summary(run), hint
    saved = re.search(r"saved plan JSON: (\S+)", done.stdout)
    assert saved is not None
    plan = json.loads((REPO / saved.group(1)).read_text(encoding="utf-8"))
    if summarize("dev", plan).planned_flows:
        assert "static-list flow, exactly as Terraform planned it" in done.stdout


def test_patched_environ_sets_removes_and_restores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLGUARD_DEMO_A", "before")
    monkeypatch.delenv("CALLGUARD_DEMO_B", raising=False)
    with patched_environ({"CALLGUARD_DEMO_A": None, "CALLGUARD_DEMO_B": "during"}):
        assert "CALLGUARD_DEMO_A" not in os.environ
        assert os.environ["CALLGUARD_DEMO_B"] == "during"
    assert os.environ["CALLGUARD_DEMO_A"] == "before"
    assert "CALLGUARD_DEMO_B" not in os.environ


def test_the_demo_environment_can_only_reach_loopback() -> None:
    environment = aws_environment("http://127.0.0.1:9")
    endpoints = {k: v for k, v in environment.items() if k.startswith("AWS_ENDPOINT_URL")}
    assert endpoints == {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:9",
        "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9",
    }
    assert environment["AWS_ACCESS_KEY_ID"] == "testing"
    assert environment["AWS_CONFIG_FILE"] == os.devnull
    assert dead_endpoint().startswith("http://127.0.0.1:")


def test_the_demo_moto_server_starts_answers_and_stops() -> None:
    with local_moto_server() as server:
        assert server.endpoint_url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{server.endpoint_url}/moto-api/", timeout=5) as answer:
            assert answer.status == 200
        server.reset()
        process = server.process
    assert process.poll() is not None
