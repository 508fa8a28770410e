"""Every ``callguard denylist`` command against an in-process moto table."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner, Result

from callguard.store import DenyList, Entry, create_table
from callguard_tools.cli import main

RunCli = Callable[..., Result]
WriteFile = Callable[..., Path]
#: The principal moto's STS reports for the fake credentials.
MOTO_IDENTITY = "arn:aws:sts::123456789012:user/moto"


# ---------------------------------------------------------------- add
def test_add_normalises_and_records_who_when_and_why(run_cli: RunCli, deny_list: DenyList) -> None:
    result = run_cli("denylist", "add", "+44 20 7946 0958", "--reason", "threatened agent")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("added +442079460958: blocked since ")
    entry = deny_list.get("+442079460958")
    assert entry is not None
    assert (entry.status, entry.reason, entry.source) == ("blocked", "threatened agent", "cli")
    assert entry.flagged_by == MOTO_IDENTITY
    assert entry.created_at.endswith("Z")
    assert entry.expires_at is None


def test_add_with_default_country_and_expiry(run_cli: RunCli, deny_list: DenyList) -> None:
    before = int(time.time())

    result = run_cli(
        "--default-country", "gb", "denylist", "add", "020 7946 0958", "--expires", "30d"
    )

    assert result.exit_code == 0, result.output
    entry = deny_list.get("+442079460958")
    assert entry is not None and entry.expires_at is not None
    assert before + 30 * 86400 <= entry.expires_at <= int(time.time()) + 30 * 86400
    assert "expires " in result.stdout


def test_add_twice_changes_nothing(run_cli: RunCli, deny_list: DenyList) -> None:
    run_cli("denylist", "add", "+442079460958", "--reason", "first")
    first = deny_list.get("+442079460958")

    result = run_cli("denylist", "add", "+442079460958", "--reason", "second")

    assert result.exit_code == 0
    assert "is already listed: blocked since" in result.stdout
    assert "nothing changed" in result.stdout
    assert deny_list.get("+442079460958") == first


def test_add_refuses_bad_numbers_and_expiries_with_exit_2(
    run_cli: RunCli, deny_list: DenyList
) -> None:
    national = run_cli("denylist", "add", "020 7946 0958")
    garbage = run_cli("denylist", "add", "call me maybe")
    past = run_cli("denylist", "add", "+442079460958", "--expires", "2001-01-01")

    assert [national.exit_code, garbage.exit_code, past.exit_code] == [2, 2, 2]
    assert "no default country is set" in national.stderr
    assert "is not in E.164 form" in garbage.stderr
    assert past.stderr.startswith("Error: --expires: expiry '2001-01-01' is not in the future")
    assert list(deny_list.entries()) == []


def test_bad_default_country_is_a_usage_error(run_cli: RunCli) -> None:
    result = run_cli("--default-country", "Britain", "denylist", "add", "020 7946 0958")

    assert result.exit_code == 2
    assert "'--default-country'" in result.stderr
    assert "'Britain' is not the ISO 3166 two-letter code of a country" in result.stderr


# ---------------------------------------------------------------- remove
def test_remove_deletes_and_is_idempotent(run_cli: RunCli, deny_list: DenyList) -> None:
    deny_list.add(Entry.new("+442079460958", reason="x"))

    first = run_cli("denylist", "remove", "+44 20 7946 0958")
    second = run_cli("denylist", "remove", "+442079460958")

    assert first.exit_code == 0
    assert first.stdout.startswith("removed +442079460958 (was blocked since ")
    assert f"by {MOTO_IDENTITY}" in first.stdout
    assert deny_list.get("+442079460958") is None
    assert second.exit_code == 0
    assert second.stdout.strip() == "+442079460958 is not listed; nothing removed"


# ---------------------------------------------------------------- check
def test_check_prints_status_reason_who_when_and_expiry(
    run_cli: RunCli, deny_list: DenyList
) -> None:
    deny_list.add(
        Entry.new(
            "+442079460958",
            reason="fraud ring",
            flagged_by="arn:aws:sts::1:assumed-role/Supervisor/jane",
            expires_at=1_900_000_000,
        )
    )

    result = run_cli("denylist", "check", "+442079460958")

    assert result.exit_code == 0
    lines = dict(line.split(":", 1) for line in result.stdout.splitlines())
    assert lines["status"].strip() == "blocked"
    assert lines["reason"].strip() == "fraud ring"
    assert lines["flagged by"].strip() == "arn:aws:sts::1:assumed-role/Supervisor/jane"
    assert lines["expires"].strip() == "2030-03-17T17:46:40Z"
    assert lines["created"].strip().endswith("Z")


def test_check_not_listed_and_json(run_cli: RunCli, deny_list: DenyList) -> None:
    deny_list.add(Entry.new("+12125550100", status="pending", reason="agent flag"))

    absent = run_cli("denylist", "check", "+442079460958")
    pending = run_cli("denylist", "check", "+1 212 555 0100", "--format", "json")

    assert absent.stdout.strip() == "+442079460958: not listed"
    data = json.loads(pending.stdout)
    assert data["listed"] is True
    assert data["status"] == "pending"
    assert data["reason"] == "agent flag"
    assert data["number"] == "+12125550100"


def test_check_shows_an_expired_entry_as_expired(run_cli: RunCli, deny_list: DenyList) -> None:
    deny_list.client.put_item(
        TableName=deny_list.table_name,
        Item=Entry("+442079460958", "blocked", reason="old", expires_at=1_000).to_item(),
    )

    text = run_cli("denylist", "check", "+442079460958")
    data = json.loads(run_cli("denylist", "check", "+442079460958", "--format", "json").stdout)

    assert "blocked (EXPIRED: no longer applied)" in text.stdout
    assert (data["listed"], data["expired"]) == (False, True)


# ---------------------------------------------------------------- list
def _seed(deny_list: DenyList) -> None:
    deny_list.add(Entry.new("+442079460958", reason="b-first", now=1_800_000_000))
    deny_list.add(Entry.new("+12125550100", status="pending", reason="p", now=1_800_000_100))
    deny_list.add(Entry.new("+33142685300", reason="b-second", now=1_800_000_200))


def test_list_table_oldest_first(run_cli: RunCli, deny_list: DenyList) -> None:
    _seed(deny_list)

    result = run_cli("denylist", "list")

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["NUMBER", "STATUS", "REASON"]
    assert [line.split()[0] for line in lines[1:]] == [
        "+442079460958",
        "+12125550100",
        "+33142685300",
    ]
    assert result.stderr.strip() == "3 entries"


def test_list_by_status_as_csv_and_json(run_cli: RunCli, deny_list: DenyList) -> None:
    _seed(deny_list)

    as_csv = run_cli("denylist", "list", "--status", "blocked", "--format", "csv")
    as_json = run_cli("denylist", "list", "--status", "pending", "--format", "json")

    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [row["number"] for row in rows] == ["+442079460958", "+33142685300"]
    assert {row["status"] for row in rows} == {"blocked"}
    assert [item["phone_number"] for item in json.loads(as_json.stdout)] == ["+12125550100"]


def test_list_of_an_empty_table(run_cli: RunCli) -> None:
    result = run_cli("denylist", "list", "--format", "json")

    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


# ---------------------------------------------------------------- export
def test_export_csv_to_a_file_sorted_by_number(
    run_cli: RunCli, deny_list: DenyList, tmp_path: Path
) -> None:
    _seed(deny_list)
    target = tmp_path / "export.csv"

    result = run_cli("denylist", "export", "--output", str(target))

    assert result.exit_code == 0
    assert result.stderr.strip() == f"exported 3 entries to {target}"
    rows = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
    assert [row["number"] for row in rows] == ["+12125550100", "+33142685300", "+442079460958"]
    assert list(rows[0])[:4] == ["number", "status", "reason", "expires"]
    assert target.stat().st_mode & 0o077 == 0  # phone numbers: readable by the owner only
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


def test_export_json_to_stdout(run_cli: RunCli, deny_list: DenyList) -> None:
    _seed(deny_list)

    result = run_cli("denylist", "export", "--format", "json", "--status", "pending")

    items = json.loads(result.stdout)
    assert [(item["phone_number"], item["status"]) for item in items] == [
        ("+12125550100", "pending")
    ]


# ---------------------------------------------------------------- import
def test_import_summary_identity_and_rerun_changes_nothing(
    run_cli: RunCli, deny_list: DenyList, write_file: WriteFile
) -> None:
    deny_list.add(Entry.new("+442079460958", reason="already there"))
    path = write_file(
        "number,reason,expires\n"
        "+442079460958,dup of table,\n"
        "+12125550100,fraud,30d\n"
        "+33142685300,,\n"
        "rubbish,x,\n"
    )

    first = run_cli("denylist", "import", str(path))
    table_after_first = sorted(deny_list.entries(), key=lambda e: e.phone_number)
    second = run_cli("denylist", "import", str(path))

    assert first.exit_code == 1  # one line rejected
    assert first.stdout.strip() == "read 4, imported 2, already listed 1, rejected 1"
    assert "rejected line 5: phone number" in first.stderr
    assert "written 2 of 2" in first.stderr
    imported = deny_list.get("+12125550100")
    assert imported is not None
    assert (imported.source, imported.flagged_by) == ("import", MOTO_IDENTITY)
    assert imported.expires_at is not None
    untouched = deny_list.get("+442079460958")
    assert untouched is not None and untouched.reason == "already there"
    defaulted = deny_list.get("+33142685300")
    assert defaulted is not None and defaulted.reason == f"imported from {path.name}"
    assert second.stdout.strip() == "read 4, imported 0, already listed 3, rejected 1"
    assert sorted(deny_list.entries(), key=lambda e: e.phone_number) == table_after_first


def test_import_clean_file_exits_0(run_cli: RunCli, write_file: WriteFile) -> None:
    path = write_file("number\n+12125550100\n+12125550101\n")

    result = run_cli("denylist", "import", str(path), "--reason", "carrier report 7")

    assert result.exit_code == 0
    assert result.stdout.strip() == "read 2, imported 2, already listed 0, rejected 0"


def test_import_dry_run_writes_nothing(
    run_cli: RunCli, deny_list: DenyList, write_file: WriteFile, tmp_path: Path
) -> None:
    path = write_file("number\n+12125550100\nnope\n")
    rejects = tmp_path / "rejects.csv"

    result = run_cli("denylist", "import", str(path), "--dry-run", "--rejects", str(rejects))

    assert result.exit_code == 1
    assert result.stdout.strip() == (
        "dry run: read 2, would import 1, already listed 0, rejected 1"
    )
    assert list(deny_list.entries()) == []
    assert not rejects.exists()
    assert "add --write-rejects to write it on a dry run" in result.stderr

    asked = run_cli(
        "denylist", "import", str(path), "--dry-run", "--rejects", str(rejects), "--write-rejects"
    )

    assert asked.exit_code == 1
    assert list(deny_list.entries()) == []
    assert "nope" in rejects.read_text(encoding="utf-8")


def test_import_hostile_file_end_to_end(
    run_cli: RunCli, deny_list: DenyList, write_file: WriteFile, tmp_path: Path
) -> None:
    huge = "7" * (10 * 1024 * 1024)
    path = write_file(
        b"\xef\xbb\xbfnumber,reason\r\n\r\n"
        b"+44 20 7946 0958,one\r\n"
        b"020 7946 0958,dup (national)\r\n"
        b"garbage,x\r\n" + huge.encode() + b",big\r\n"
        b"020 7946 0959,national\r\n"
    )
    rejects = tmp_path / "rejects.csv"

    result = run_cli(
        "--default-country", "GB", "denylist", "import", str(path), "--rejects", str(rejects)
    )

    assert result.exit_code == 1
    assert result.stdout.strip() == "read 5, imported 2, already listed 0, rejected 3"
    assert sorted(e.phone_number for e in deny_list.entries()) == [
        "+442079460958",
        "+442079460959",
    ]
    rows = list(csv.DictReader(rejects.open(encoding="utf-8", newline="")))
    assert [row["line"] for row in rows] == ["4", "5", "6"]
    assert "skipped 1 blank line(s)" in result.stderr


def test_import_malformed_file_is_a_usage_error_and_writes_nothing(
    run_cli: RunCli, deny_list: DenyList, write_file: WriteFile
) -> None:
    path = write_file("+442079460958,fraud\n+12125550100,x\n")

    result = run_cli("denylist", "import", str(path))

    assert result.exit_code == 2
    assert "the header has no 'number' column" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(deny_list.entries()) == []


def test_import_missing_file_is_a_usage_error(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("denylist", "import", str(tmp_path / "absent.csv"))

    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_export_then_import_round_trips(
    run_cli: RunCli, deny_list: DenyList, table_name: str, tmp_path: Path
) -> None:
    deny_list.add(Entry.new("+442079460958", reason='comma, "quotes" and ünïcode'))
    deny_list.add(Entry.new("+12125550100", status="pending", reason="review me"))
    deny_list.add(Entry.new("+33142685300", reason="temporary", expires_at=1_900_000_000))
    exported = tmp_path / "export.csv"
    run_cli("denylist", "export", "--output", str(exported))
    create_table(boto3.client("dynamodb"), "callguard-restore")

    result = CliRunner().invoke(
        main, ["--table", "callguard-restore", "denylist", "import", str(exported)]
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "read 3, imported 3, already listed 0, rejected 0"
    restored = DenyList(boto3.client("dynamodb"), "callguard-restore")

    def facts(store: DenyList) -> list[tuple[str, str, str, int | None]]:
        return sorted((e.phone_number, e.status, e.reason, e.expires_at) for e in store.entries())

    assert facts(restored) == facts(deny_list)


def test_import_from_standard_input(run_cli: RunCli, deny_list: DenyList) -> None:
    result = CliRunner().invoke(
        main,
        ["--table", deny_list.table_name, "denylist", "import", "-"],
        input="number,reason\n+12125550100,piped\n",
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "read 1, imported 1, already listed 0, rejected 0"
    entry = deny_list.get("+12125550100")
    assert entry is not None and entry.reason == "piped"


def test_export_neutralises_spreadsheet_formulas_and_import_restores_them(
    run_cli: RunCli, deny_list: DenyList, tmp_path: Path
) -> None:
    formula = '=HYPERLINK("http://example.invalid","click")'
    deny_list.add(Entry.new("+12125550100", reason=formula))
    deny_list.add(Entry.new("+12125550101", reason="-1 star caller"))
    exported = tmp_path / "export.csv"
    run_cli("denylist", "export", "--output", str(exported))
    create_table(boto3.client("dynamodb"), "callguard-copy")

    cells = {row["number"]: row["reason"] for row in csv.DictReader(exported.open(newline=""))}
    CliRunner().invoke(main, ["--table", "callguard-copy", "denylist", "import", str(exported)])

    assert cells == {"+12125550100": "'" + formula, "+12125550101": "'-1 star caller"}
    copy = DenyList(boto3.client("dynamodb"), "callguard-copy")
    assert {e.phone_number: e.reason for e in copy.entries()} == {
        "+12125550100": formula,
        "+12125550101": "-1 star caller",
    }


def test_add_refuses_reasons_the_store_would_alter(run_cli: RunCli, deny_list: DenyList) -> None:
    too_long = run_cli("denylist", "add", "+12125550100", "--reason", "x" * 501)
    two_lines = run_cli("denylist", "add", "+12125550100", "--reason", "one\ntwo")

    assert (too_long.exit_code, two_lines.exit_code) == (2, 2)
    assert "--reason is 501 characters long (at most 500)" in too_long.stderr
    assert "--reason contains control characters" in two_lines.stderr
    assert list(deny_list.entries()) == []


def test_unknown_default_country_is_a_usage_error(run_cli: RunCli) -> None:
    result = run_cli("--default-country", "ZZ", "denylist", "check", "020 7946 0958")

    assert result.exit_code == 2
    assert "'--default-country': 'ZZ' is not the ISO 3166 two-letter code of a country" in (
        result.stderr
    )


@pytest.mark.parametrize(("value", "hint"), [("UK", "did you mean GB?"), ("XX", "such as GB")])
def test_default_country_follows_the_runtime_rule(run_cli: RunCli, value: str, hint: str) -> None:
    # UK and XX are two letters, yet no numbering plan: refused here as in the handlers.
    result = run_cli("--default-country", value, "denylist", "check", "+442079460958")

    assert result.exit_code == 2
    assert f"{value!r} is not the ISO 3166 two-letter code" in result.stderr
    assert hint in result.stderr


def test_bad_default_country_from_the_environment_names_the_variable(table_name: str) -> None:
    result = CliRunner().invoke(
        main,
        ["--table", table_name, "denylist", "check", "020 7946 0958"],
        env={"CALLGUARD_DEFAULT_COUNTRY": "UK"},
    )

    assert result.exit_code == 2
    assert "CALLGUARD_DEFAULT_COUNTRY='UK' is not the ISO 3166" in result.stderr
    assert "--default-country" not in result.stderr


def test_an_expired_entry_counts_as_absent_for_add_and_import(
    run_cli: RunCli, deny_list: DenyList, write_file: WriteFile
) -> None:
    for number in ("+12125550100", "+12125550101"):
        deny_list.client.put_item(
            TableName=deny_list.table_name,
            Item=Entry(number, "blocked", reason="old", expires_at=1_000).to_item(),
        )

    added = run_cli("denylist", "add", "+12125550100", "--reason", "again")
    imported = run_cli("denylist", "import", str(write_file("number,reason\n+12125550101,new\n")))

    assert added.stdout.startswith("added +12125550100")
    assert imported.stdout.strip() == "read 1, imported 1, already listed 0, rejected 0"
    reasons = {e.phone_number: (e.reason, e.expires_at) for e in deny_list.entries()}
    assert reasons == {"+12125550100": ("again", None), "+12125550101": ("new", None)}
