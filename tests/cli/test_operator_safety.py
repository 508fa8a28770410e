"""What a new operator ran into: files the CLI must never destroy or expose, exits that tell
the truth, and messages that say what is wrong (each test failed before its fix)."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner, Result

from callguard.store import DenyList, Entry
from callguard_tools.admin import importer
from callguard_tools.cli import main

RunCli = Callable[..., Result]
WriteFile = Callable[..., Path]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _error_line(result: Result) -> str:
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


# ---------------------------------------------------------------- the rejects file
@pytest.fixture
def mixed_file(write_file: WriteFile) -> Path:
    return write_file("number,reason\n+12125550100,good\nnot-a-number,bad\n", name="in.csv")


@pytest.mark.parametrize("dry_run", [[], ["--dry-run", "--write-rejects"]])
@pytest.mark.parametrize("how", ["same path", "symbolic link", "hard link", "other spelling"])
def test_the_rejects_file_is_never_the_input(
    run_cli: RunCli,
    deny_list: DenyList,
    mixed_file: Path,
    tmp_path: Path,
    how: str,
    dry_run: list[str],
) -> None:
    before = mixed_file.read_bytes()
    target = {
        "same path": mixed_file,
        "other spelling": tmp_path / "." / "in.csv",
        "symbolic link": tmp_path / "link.csv",
        "hard link": tmp_path / "hard.csv",
    }[how]
    if how == "symbolic link":
        target.symlink_to(mixed_file)
    if how == "hard link":
        os.link(mixed_file, target)

    result = run_cli(
        "denylist", "import", str(mixed_file), "--rejects", str(target), "--force", *dry_run
    )

    assert result.exit_code == 2
    assert "is the input file itself" in _error_line(result)
    assert mixed_file.read_bytes() == before
    assert list(deny_list.entries()) == []  # refused before any work


def test_the_rejects_file_is_not_the_file_standard_input_comes_from(mixed_file: Path) -> None:
    """``import - --rejects in.csv < in.csv``: the shell hides the name, the inode does not."""
    before = mixed_file.read_bytes()
    command = Path(sys.executable).with_name("callguard")
    with mixed_file.open("rb") as stdin:
        result = subprocess.run(
            [str(command), "--table", "t", "denylist", "import", "-", "--rejects", str(mixed_file)],
            stdin=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

    assert result.returncode == 2, result.stderr
    assert "is the input file itself" in result.stderr
    assert mixed_file.read_bytes() == before


def test_an_existing_rejects_file_is_replaced_only_with_force(
    run_cli: RunCli, deny_list: DenyList, mixed_file: Path, tmp_path: Path
) -> None:
    rejects = tmp_path / "rejects.csv"
    rejects.write_text("keep me\n", encoding="utf-8")

    refused = run_cli("denylist", "import", str(mixed_file), "--rejects", str(rejects))

    assert refused.exit_code == 2
    assert "already exists; pass --force to replace it" in _error_line(refused)
    assert rejects.read_text(encoding="utf-8") == "keep me\n"
    assert list(deny_list.entries()) == []

    forced = run_cli("denylist", "import", str(mixed_file), "--rejects", str(rejects), "--force")

    assert forced.exit_code == 1
    assert "not-a-number" in rejects.read_text(encoding="utf-8")


def test_write_rejects_needs_a_rejects_file(run_cli: RunCli, mixed_file: Path) -> None:
    result = run_cli("denylist", "import", str(mixed_file), "--dry-run", "--write-rejects")

    assert result.exit_code == 2
    assert "--write-rejects needs --rejects FILE" in _error_line(result)


def test_files_holding_numbers_are_private(
    run_cli: RunCli, deny_list: DenyList, mixed_file: Path, tmp_path: Path
) -> None:
    old_umask = os.umask(0o022)  # the usual umask, which leaves new files world-readable
    try:
        rejects = tmp_path / "rejects.csv"
        export = tmp_path / "export.csv"
        imported = run_cli("denylist", "import", str(mixed_file), "--rejects", str(rejects))
        exported = run_cli("denylist", "export", "--output", str(export))
    finally:
        os.umask(old_umask)

    assert (imported.exit_code, exported.exit_code) == (1, 0)
    assert _mode(rejects) == 0o600
    assert _mode(export) == 0o600


def test_a_rendered_static_list_flow_is_private(tmp_path: Path) -> None:
    from callguard_tools.flows.shipped_templates import flows_dir

    rendered = tmp_path / "static.json"
    old_umask = os.umask(0o022)
    try:
        result = CliRunner().invoke(
            main,
            [
                "flows",
                "render",
                str(flows_dir() / "inbound_static_list.flow.json.tftpl"),
                "--demo-values",
                "--output",
                str(rendered),
            ],
        )
    finally:
        os.umask(old_umask)

    assert result.exit_code == 0, result.output
    assert "+44" in rendered.read_text(encoding="utf-8")  # it holds numbers
    assert _mode(rendered) == 0o600


# ---------------------------------------------------------------- Ctrl-C
@pytest.fixture
def interrupt_second_slice(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Slices of two rows; Ctrl-C arrives while the second slice is being written.

    Yields the list of calls made; clear it to let the next import run through.
    """
    monkeypatch.setattr(importer, "SLICE_SIZE", 2)
    real = DenyList.add_batch
    calls: list[int] = []

    def add_batch(self: DenyList, entries: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, entries, **kwargs)

    monkeypatch.setattr(DenyList, "add_batch", add_batch)
    yield calls


def test_ctrl_c_says_what_was_written_keeps_the_rejects_and_a_rerun_finishes(
    run_cli: RunCli,
    deny_list: DenyList,
    write_file: WriteFile,
    tmp_path: Path,
    interrupt_second_slice: list[int],
) -> None:
    numbers = [f"+1212555010{digit}" for digit in range(5)]
    path = write_file("number\n" + "\n".join([*numbers, "nonsense"]) + "\n")
    rejects = tmp_path / "rejects.csv"

    result = run_cli("denylist", "import", str(path), "--rejects", str(rejects))

    assert result.exit_code == 130
    assert "Aborted!" not in result.output
    assert "interrupted: imported 2 before line 4; lines 4-5 were being written" in result.stdout
    assert "re-running the same import is safe" in result.stderr
    assert [row["line"] for row in csv.DictReader(rejects.open(encoding="utf-8"))] == ["7"]
    assert len(list(deny_list.entries())) == 2

    interrupt_second_slice.extend([1, 1])  # past the interrupting call: no more Ctrl-C
    again = run_cli("denylist", "import", str(path))

    assert again.stdout.strip() == "read 6, imported 3, already listed 2, rejected 1"
    assert sorted(e.phone_number for e in deny_list.entries()) == numbers


# ---------------------------------------------------------------- export, then import
def test_export_then_import_keeps_an_empty_reason_empty(
    run_cli: RunCli, deny_list: DenyList, tmp_path: Path, table_name: str
) -> None:
    assert run_cli("denylist", "add", "+12125550100").exit_code == 0
    export = tmp_path / "export.csv"
    assert run_cli("denylist", "export", "--output", str(export)).exit_code == 0
    deny_list.remove("+12125550100")

    imported = run_cli("denylist", "import", str(export))

    assert imported.exit_code == 0, imported.output
    entry = deny_list.get("+12125550100")
    assert entry is not None
    assert entry.reason == ""


# ---------------------------------------------------------------- add on a listed number
def test_add_on_a_pending_number_exits_3_and_points_at_approve(
    run_cli: RunCli, deny_list: DenyList
) -> None:
    deny_list.add(Entry.new("+12125550100", status="pending", reason="agent flag", source="agent"))

    result = run_cli("denylist", "add", "+12125550100", "--reason", "block it")

    assert result.exit_code == 3
    line = _error_line(result)
    assert "is listed but NOT blocked (pending since" in line
    assert "callguard denylist approve +12125550100" in line
    entry = deny_list.get("+12125550100")
    assert entry is not None and entry.status == "pending"


def test_add_on_a_rejected_number_blocks_it(run_cli: RunCli, deny_list: DenyList) -> None:
    deny_list.add(Entry.new("+12125550100", status="rejected", reason="switchboard"))

    result = run_cli("denylist", "add", "+12125550100", "--reason", "abusive after all")

    assert result.exit_code == 0
    entry = deny_list.get("+12125550100")
    assert entry is not None and entry.status == "blocked"


def test_add_on_a_blocked_number_still_exits_0(run_cli: RunCli, deny_list: DenyList) -> None:
    deny_list.add(Entry.new("+12125550100", reason="first"))

    assert run_cli("denylist", "add", "+12125550100").exit_code == 0


# ---------------------------------------------------------------- list
def test_the_table_shows_rejected_in_full(run_cli: RunCli, deny_list: DenyList) -> None:
    deny_list.add(Entry.new("+12125550100", status="rejected", reason="switchboard"))

    result = run_cli("denylist", "list", "--format", "table")

    assert result.exit_code == 0
    assert "rejected" in result.stdout.splitlines()[1]
    assert "reje..." not in result.stdout


# ---------------------------------------------------------------- messages
@pytest.mark.parametrize("url", ["not-a-url", "http://[::1", "http://127.0.0.1:port", "ftp://x"])
def test_a_bad_endpoint_url_is_one_line_and_exit_2(run_cli: RunCli, url: str) -> None:
    result = run_cli("--endpoint-url", url, "denylist", "check", "+12125550100")

    assert result.exit_code == 2
    assert f"--endpoint-url {url!r} is not" in _error_line(result)


@pytest.mark.parametrize(
    ("expires", "message"),
    [
        ("-5d", "is negative"),
        ("999999999d", "too far in the future (more than 100 years)"),
    ],
)
def test_add_says_what_is_wrong_with_an_expiry(run_cli: RunCli, expires: str, message: str) -> None:
    result = run_cli("denylist", "add", "+12125550100", "--expires", expires)

    assert result.exit_code == 2
    assert message in _error_line(result)
    assert "not understood" not in result.stderr


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("+44 20 7946 0958 1234 5678", "is too long"),
        ("+4420", "is too short"),
        ("+44 20 7946 0958 ext. 123", "has an extension"),
        ("+999123456789", "country code that does not exist"),
        ("+442079460958\N{GRINNING FACE}", "not part of a phone number"),
    ],
)
def test_numbers_say_what_is_wrong(run_cli: RunCli, number: str, message: str) -> None:
    result = run_cli("denylist", "add", number)

    assert result.exit_code == 2
    assert message in _error_line(result)
    assert "no default country" not in result.stderr


def test_00_numbers_need_no_default_country(run_cli: RunCli, deny_list: DenyList) -> None:
    result = run_cli("denylist", "add", "0044 20 7946 0958")

    assert result.exit_code == 0, result.output
    assert deny_list.get("+442079460958") is not None


def test_a_bidirectional_override_in_a_reason_is_refused(run_cli: RunCli) -> None:
    result = run_cli("denylist", "add", "+12125550100", "--reason", "ok\N{RIGHT-TO-LEFT OVERRIDE}")

    assert result.exit_code == 2
    assert "U+202E" in _error_line(result)


def test_history_without_a_usable_hmac_key_is_exit_2_naming_the_output(
    moto_dynamodb: Any,
) -> None:
    boto3.client("logs", region_name="eu-west-2").create_log_group(
        logGroupName="/callguard/callguard-y/audit"
    )

    result = CliRunner().invoke(
        main, ["--table", "callguard-y-denylist", "denylist", "history", "+12125550100"]
    )

    assert result.exit_code == 2
    line = _error_line(result)
    assert "'alias/callguard-y-audit-hash' cannot be used (NotFoundException)" in line
    assert "Terraform output audit.hash_key_arn" in line


def test_history_with_no_derivable_key_names_the_output(moto_dynamodb: Any) -> None:
    result = CliRunner().invoke(
        main,
        ["--table", "t", "denylist", "history", "+12125550100", "--log-group", "/g"],
    )

    assert result.exit_code == 2
    assert "Terraform output audit.hash_key_arn" in _error_line(result)


# ---------------------------------------------------------------- help
def test_help_texts_say_what_the_commands_do() -> None:
    def help_of(*args: str) -> str:
        result = CliRunner().invoke(main, [*args, "--help"], terminal_width=100)
        assert result.exit_code == 0
        return " ".join(result.output.split())

    group = help_of("denylist")
    for word in ("pending", "approve", "reject", "history", "3 nothing changed"):
        assert word in group
    assert "status (blocked, pending or rejected" in help_of("denylist", "import")
    export = help_of("denylist", "export")
    assert "export | callguard --table callguard-prod denylist import -" in export
    assert "review.reject_suppression_days" in help_of("denylist", "reject")
