"""``callguard denylist pending|approve|reject`` against an in-process moto table."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from callguard.store import BLOCKED, PENDING, REJECTED, DenyList
from callguard_tools.admin.review import EXIT_NOT_PENDING

RunCli = Callable[..., Result]
MOTO_IDENTITY = "arn:aws:sts::123456789012:user/moto"
NUMBER = "+442079460958"
OTHER = "+14155550123"
AGENT_CONTACT = "6f1c2a5e-9b1d-4c3e-8a7f-0d2e4b6a8c0e"
CALLER_CONTACT = "fedcba98-7654-4321-8fed-cba987654321"
INSTANCE = "arn:aws:connect:eu-west-2:123456789012:instance/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"


def agent_flag(deny_list: DenyList, number: str = NUMBER, contact: str = AGENT_CONTACT) -> None:
    deny_list.flag(
        number,
        status=PENDING,
        reason="abusive caller",
        flagged_by="jdoe",
        contact_id=contact,
        previous_contact_id=CALLER_CONTACT,
        instance_arn=INSTANCE,
    )


# ---------------------------------------------------------------- pending
def test_pending_lists_oldest_first_with_everything_a_reviewer_needs(
    run_cli: RunCli, deny_list: DenyList
) -> None:
    agent_flag(deny_list)
    agent_flag(deny_list, contact="0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d")
    deny_list.flag(OTHER, status=BLOCKED, reason="not for review")

    result = run_cli("denylist", "pending")

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"{NUMBER}  pending since ")
    assert "(2 flags, last " in out
    for expected in (
        "reason:          abusive caller",
        "flagged by:      jdoe (source agent)",
        f"agent contact:   {AGENT_CONTACT}",
        f"caller contact:  {CALLER_CONTACT}",
        "also flagged in: 0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d",
        f"instance:        {INSTANCE}",
    ):
        assert expected in out, expected
    assert OTHER not in out
    assert "1 number waiting for review" in result.stderr


def test_pending_json_is_oldest_first(run_cli: RunCli, deny_list: DenyList) -> None:
    agent_flag(deny_list, OTHER)
    agent_flag(deny_list, NUMBER)
    data = json.loads(run_cli("denylist", "pending", "--format", "json").stdout)
    assert [d["number"] for d in data][:1] == [OTHER]
    assert {d["number"] for d in data} == {OTHER, NUMBER}
    assert data[0]["flag_contact_ids"] == [AGENT_CONTACT]
    assert data[0]["previous_decision"] is None


def test_pending_when_nothing_waits(run_cli: RunCli) -> None:
    result = run_cli("denylist", "pending")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "0 numbers waiting for review" in result.stderr


def test_pending_limit(run_cli: RunCli, deny_list: DenyList) -> None:
    agent_flag(deny_list, OTHER)
    agent_flag(deny_list, NUMBER)
    data = json.loads(run_cli("denylist", "pending", "--limit", "1", "--format", "json").stdout)
    assert len(data) == 1


# ---------------------------------------------------------------- approve
def test_approve_blocks_and_records_reviewer_time_and_note(
    run_cli: RunCli, deny_list: DenyList
) -> None:
    agent_flag(deny_list)

    result = run_cli("denylist", "approve", "+44 20 7946 0958", "--note", "abusive on 3 calls")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"approved {NUMBER} (reason 'abusive caller', 1 flag) by ")
    assert "blocked from now on" in result.stdout
    entry = deny_list.get(NUMBER)
    assert entry is not None
    assert (entry.status, entry.reviewed_by, entry.review_note) == (
        BLOCKED,
        MOTO_IDENTITY,
        "abusive on 3 calls",
    )
    assert entry.reviewed_at.endswith("Z")
    assert list(deny_list.pending()) == []


# ---------------------------------------------------------------- reject
def test_reject_keeps_the_number_as_rejected(run_cli: RunCli, deny_list: DenyList) -> None:
    agent_flag(deny_list)

    result = run_cli("denylist", "reject", NUMBER, "--note", "shared switchboard")

    assert result.exit_code == 0, result.output
    assert "calls go through" in result.stdout
    entry = deny_list.get(NUMBER)
    assert entry is not None
    assert (entry.status, entry.review_note, entry.reviewed_by) == (
        REJECTED,
        "shared switchboard",
        MOTO_IDENTITY,
    )
    listed = run_cli("denylist", "list", "--status", "rejected", "--format", "json")
    assert [e["phone_number"] for e in json.loads(listed.stdout)] == [NUMBER]
    shown = run_cli("denylist", "check", NUMBER).stdout
    assert "status:       rejected" in shown and "review note:  shared switchboard" in shown


# ---------------------------------------------------------------- the losing decision
@pytest.mark.parametrize(("first", "second"), [("reject", "approve"), ("approve", "reject")])
def test_a_second_decision_is_refused_with_who_decided_first(
    run_cli: RunCli, deny_list: DenyList, first: str, second: str
) -> None:
    agent_flag(deny_list)
    getattr(deny_list, first)(NUMBER, reviewer="arn:aws:sts::123456789012:assumed-role/Sup/sam")

    result = run_cli("denylist", second, NUMBER, "--note", "too late")

    assert result.exit_code == EXIT_NOT_PENDING == 3
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert message.startswith(f"Error: not recorded: {NUMBER} was already ")
    assert "by assumed-role/Sup/sam at " in message
    entry = deny_list.get(NUMBER)
    assert entry is not None and entry.review_note == ""  # the first decision stands


def test_deciding_a_blocked_or_absent_number_exits_3(run_cli: RunCli, deny_list: DenyList) -> None:
    deny_list.flag(NUMBER, status=BLOCKED)
    blocked = run_cli("denylist", "reject", NUMBER)
    assert blocked.exit_code == 3
    assert "is blocked, not pending" in blocked.stderr
    absent = run_cli("denylist", "approve", OTHER)
    assert absent.exit_code == 3
    assert f"{OTHER} is not listed, so there is nothing to approve" in absent.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--note", "x" * 501), "--note is 501 characters long"),
        (("--note", "line\nbreak"), "control characters"),
    ],
)
def test_bad_notes_are_refused_before_any_write(
    run_cli: RunCli, deny_list: DenyList, args: tuple[str, ...], message: str
) -> None:
    agent_flag(deny_list)
    result = run_cli("denylist", "approve", NUMBER, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert deny_list.get(NUMBER).status == PENDING  # type: ignore[union-attr]


def test_a_bad_number_is_a_usage_error(run_cli: RunCli) -> None:
    result = run_cli("denylist", "reject", "not-a-number")
    assert result.exit_code == 2


def test_help_lists_the_review_commands(run_cli: RunCli) -> None:
    out = run_cli("denylist", "--help").stdout
    for command in ("pending", "approve", "reject"):
        assert command in out


# ---------------------------------------------------------------- export and import
def test_export_carries_the_decision_and_imports_again(
    run_cli: RunCli, deny_list: DenyList, tmp_path: Path
) -> None:
    agent_flag(deny_list)
    deny_list.reject(NUMBER, reviewer="sam", note="=shared line")
    exported = run_cli("denylist", "export").stdout
    [row] = list(csv.DictReader(io.StringIO(exported)))
    assert (row["status"], row["reviewed_by"], row["review_note"]) == (
        REJECTED,
        "sam",
        "'=shared line",  # formula-escaped like every free-text cell
    )
    assert row["reviewed_at"].endswith("Z")
    deny_list.remove(NUMBER)
    source = tmp_path / "export.csv"
    source.write_text(exported, encoding="utf-8")
    result = run_cli("denylist", "import", str(source))
    assert result.exit_code == 0, result.output
    assert deny_list.get(NUMBER).status == REJECTED  # type: ignore[union-attr]
