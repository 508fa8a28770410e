"""``callguard outbound validate | preview | template``: exit codes, JSON, masking."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from job_builders import QUESTIONS, write_workbook

from callguard_tools.cli import main


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["outbound", *args])
    return result.exit_code, result.stdout, result.stderr


def test_the_template_writes_a_workbook_that_validates_with_every_question_type(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sample.xlsx"
    code, out, _ = _run("template", str(path))
    assert code == 0 and path.exists()
    code, out, _ = _run("validate", str(path), "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["valid"] and report["errors"] == []
    assert report["questions"] == 7 and report["receivers"] == 3
    code, _, err = _run("template", str(path))
    assert code == 2 and "--force" in err


def test_validate_exit_codes_and_json_shape(tmp_path: Path) -> None:
    good = write_workbook(tmp_path / "good.xlsx")
    assert _run("validate", str(good))[0] == 0
    bad = write_workbook(tmp_path / "bad.xlsx", questions=[*QUESTIONS, ["{{ nope }}", "OK"]])
    code, out, _ = _run("validate", str(bad), "--format", "json")
    report = json.loads(out)
    assert code == 1 and not report["valid"]
    assert report["errors"][0]["location"] == "Questions!A4"
    assert set(report["errors"][0]) >= {"location", "message"}
    assert report["receivers"] == 2 and report["questions"] == 3
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    code, out, _ = _run("validate", str(junk), "--format", "json")
    assert code == 2 and json.loads(out)["errors"][0]["location"] == "junk.xlsx"
    assert _run("validate", str(tmp_path / "missing.json"))[0] == 2


def test_preview_shows_each_message_and_masks_numbers(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "job.xlsx")
    code, out, _ = _run("preview", str(path))
    assert code == 0
    assert "receiver 1 (+852" in out and "91234567" not in out and "61234567" not in out
    assert "Hello Lee &amp; Sons &lt;Ltd&gt;" in out
    code, out, _ = _run("preview", str(path), "--receiver", "2")
    assert code == 0 and "receiver 1 " not in out and "receiver 2 " in out
    code, _, err = _run("preview", str(path), "--receiver", "nobody")
    assert code == 2 and "nobody" in err


def test_the_guide_shows_the_sample_workbook_as_it_is_written() -> None:
    from callguard_tools.outbound.sample import markdown_tables

    guide = (Path(__file__).resolve().parents[2] / "docs" / "outbound-jobs.md").read_text()
    assert markdown_tables() in guide
