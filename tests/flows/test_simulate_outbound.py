"""``callguard flows simulate --flow outbound_call``: a scripted receiver, the outbound flow."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from callguard_tools.flows.simulate_command import simulate_command


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(simulate_command, ["--flow", "outbound_call", *args])
    return result.exit_code, result.output


def test_spoken_answer_completes_the_call() -> None:
    code, output = run("--turn", "yes")
    assert code == 0, output
    assert "receiver says 'yes' -> yes_no bot" in output
    assert output.rstrip().endswith("status: completed\nanswers: 1=yes")


def test_keys_and_a_script_file_play_a_job_in_order(tmp_path: Path) -> None:
    job = {
        "schema_version": 1,
        "configuration": {"greeting": "Hello {{ name }}.", "default_country": "GB"},
        "questions": [
            {"template": "How many tickets?", "type": "Number"},
            {"template": "Will you come?", "type": "Yes/No"},
        ],
        "receivers": [{"id": "7", "phone_number": "+447700900777", "name": "Ann"}],
    }
    job_file = tmp_path / "job.json"
    job_file.write_text(json.dumps(job), encoding="utf-8")
    script = tmp_path / "receiver.txt"
    script.write_text("# the receiver\nkey:2#\n\nno\n", encoding="utf-8")
    code, output = run("--job", str(job_file), "--script-file", str(script))
    assert code == 0, output
    assert "Hello Ann." in output
    assert output.rstrip().endswith("status: completed\nanswers: 1=2, 2=no")


def test_stop_opts_out_and_a_hang_up_leaves_the_call_to_its_events() -> None:
    assert run("--turn", "stop")[1].rstrip().endswith("status: opted_out\nanswers: none")
    code, output = run("--turn", "<hang-up>")
    assert code == 0, output
    assert "status: unresolved (the contact events end it)" in output


def test_an_unknown_receiver_is_named() -> None:
    code, output = run("--receiver", "nobody", "--turn", "yes")
    assert code == 2
    assert "the job has no receiver 'nobody'" in output
