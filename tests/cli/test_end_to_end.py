"""The installed ``callguard`` command against a real ``moto_server`` on loopback.

This is how an operator would try the tool without AWS: a separate process, real
HTTP, ``--endpoint-url``. It proves the console script, argument parsing, the
boto3 session and the store work together outside the test process.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from callguard.store import create_table

TABLE = "callguard-e2e"


def _callguard() -> str:
    beside_python = Path(sys.executable).with_name("callguard")
    found = str(beside_python) if beside_python.exists() else shutil.which("callguard")
    assert found, "the callguard console script is not installed"
    return found


@pytest.fixture
def endpoint(moto_server_clean: str) -> str:
    client = boto3.client("dynamodb", endpoint_url=moto_server_clean, region_name="eu-west-2")
    create_table(client, TABLE)
    return moto_server_clean


def _run(endpoint: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_callguard(), "--endpoint-url", endpoint, "--table", TABLE, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_operator_session_against_moto_server(endpoint: str, tmp_path: Path) -> None:
    feed = tmp_path / "carrier-report.csv"
    feed.write_bytes(
        b"\xef\xbb\xbfnumber,reason,expires\r\n"
        b"+44 20 7946 0958,fraud ring,90d\r\n"
        b"020 7946 0959,spoofed caller id,\r\n"
        b"+442079460958,duplicate,\r\n"
        b"not a number,x,\r\n"
    )
    rejects = tmp_path / "rejects.csv"

    added = _run(endpoint, "denylist", "add", "+1 212 555 0100", "--reason", "abuse", cwd=tmp_path)
    imported = _run(
        endpoint,
        *("--default-country", "GB", "denylist", "import", str(feed), "--rejects", str(rejects)),
        cwd=tmp_path,
    )
    again = _run(endpoint, "--default-country", "GB", "denylist", "import", str(feed), cwd=tmp_path)
    checked = _run(endpoint, "denylist", "check", "+442079460958", "--format", "json", cwd=tmp_path)
    listed = _run(endpoint, "denylist", "list", cwd=tmp_path)
    removed = _run(endpoint, "denylist", "remove", "+12125550100", cwd=tmp_path)
    exported = _run(endpoint, "denylist", "export", cwd=tmp_path)

    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("added +12125550100: blocked")
    assert imported.returncode == 1  # two lines rejected
    assert imported.stdout.strip() == "read 4, imported 2, already listed 0, rejected 2"
    assert "rejected line 4: duplicate of line 2" in imported.stderr
    assert "rejected line 5: phone number" in imported.stderr
    assert "Traceback" not in imported.stderr
    assert [row["line"] for row in csv.DictReader(rejects.open(encoding="utf-8"))] == ["4", "5"]
    assert again.stdout.strip() == "read 4, imported 0, already listed 2, rejected 2"
    data = json.loads(checked.stdout)
    assert (data["status"], data["reason"], data["source"]) == ("blocked", "fraud ring", "import")
    assert data["flagged_by"].startswith("arn:aws:")
    assert data["expires"] is not None
    assert len(listed.stdout.splitlines()) == 4  # header and three entries
    assert removed.returncode == 0
    numbers = [row["number"] for row in csv.DictReader(exported.stdout.splitlines())]
    assert numbers == ["+442079460958", "+442079460959"]


def test_missing_table_against_moto_server(moto_server_clean: str, tmp_path: Path) -> None:
    result = _run(moto_server_clean, "denylist", "list", cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip().startswith(f"Error: table '{TABLE}' not found")
    assert "Traceback" not in result.stderr


def test_progress_bar_on_a_terminal(endpoint: str, tmp_path: Path) -> None:
    """With a terminal on stderr the import draws a bar instead of plain progress lines."""
    import os
    import pty

    feed = tmp_path / "numbers.csv"
    feed.write_text("number\n" + "".join(f"+1202555{i:04d}\n" for i in range(300)))
    controller, terminal = pty.openpty()
    process = subprocess.Popen(  # our own console script, fixed arguments
        [
            _callguard(),
            "--endpoint-url",
            endpoint,
            "--table",
            TABLE,
            "denylist",
            "import",
            str(feed),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
        cwd=tmp_path,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closes when the process exits
            break
        if not chunk:
            break
        shown += chunk
    stdout, _ = process.communicate(timeout=120)
    os.close(controller)

    assert process.returncode == 0
    assert stdout.decode().strip() == "read 300, imported 300, already listed 0, rejected 0"
    assert b"importing" in shown
    assert b"written " not in shown
