"""Validation: every problem with its place, all at once, errors and warnings, never a crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from job_builders import CONFIG, QUESTIONS, RECEIVERS, job_json, write_json, write_workbook

from callguard.outbound.assemble import assemble
from callguard.outbound.json_reader import parse_json
from callguard.outbound.limits import DEFAULT_LIMITS
from callguard.outbound.load import load_job
from callguard.outbound.problems import has_errors
from callguard.outbound.validate import validate_job


def test_a_misspelt_variable_names_the_template_cell_and_the_receiver(tmp_path: Path) -> None:
    questions = [*QUESTIONS, ["Goodbye {{ usrname }}", "Message"]]
    _job, problems = load_job(write_workbook(tmp_path / "j.xlsx", questions=questions))
    [problem] = [p for p in problems if p.code == "undefined_variable"]
    assert problem.location == "Questions!A4"
    assert "receiver '1' (and 1 more)" in problem.message
    assert "usrname" in problem.message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    config = [*CONFIG, ["window_start", "nine"], ["greting", "typo"]]
    questions = [*QUESTIONS, ["Pick one", "Multiple Chose"], ["<speak>x</speak>", "OK"]]
    receivers = [*RECEIVERS, ["", "+85251234567", "a", "b"], ["4", "", "c", "d"]]
    job, problems = load_job(
        write_workbook(tmp_path / "j.xlsx", config=config, questions=questions, receivers=receivers)
    )
    found = {(p.code, p.location, p.severity) for p in problems}
    assert {
        ("invalid_window_start", "Configures!B5", "error"),
        ("unknown_key", "Configures!A6", "warning"),
        ("unknown_question_type", "Questions!B4", "error"),
        ("speak_tag", "Questions!A5", "error"),
        ("missing_id", "Receivers!A4", "error"),
        ("missing_phone", "Receivers!B5", "error"),
    } <= found
    assert "did you mean greeting?" in next(p.message for p in problems if p.code == "unknown_key")
    assert job is not None and has_errors(problems)


def test_an_unused_column_is_only_a_warning(tmp_path: Path) -> None:
    receivers = [[*RECEIVERS[0], "class"], *[[*row, "3A"] for row in RECEIVERS[1:]]]
    _job, problems = load_job(write_workbook(tmp_path / "j.xlsx", receivers=receivers))
    assert [(p.code, p.severity, p.location) for p in problems] == [
        ("unused_column", "warning", "Receivers!E1")
    ]
    assert not has_errors(problems)


def test_the_contact_attribute_budget_is_checked_per_receiver(tmp_path: Path) -> None:
    questions = [QUESTIONS[0], *[[f"{{{{ username }}}} {i}", "OK"] for i in range(10)]]
    receivers = [*RECEIVERS, ["9", "+85251234567", "y" * 2990, "d"]]
    _job, problems = load_job(
        write_workbook(tmp_path / "j.xlsx", questions=questions, receivers=receivers)
    )
    [problem] = [p for p in problems if p.code == "contact_attributes_too_large"]
    assert problem.location == "Receivers!A4"


def test_configuration_settings_are_read(tmp_path: Path) -> None:
    config = [
        *CONFIG,
        ["window_start", "08:30"],
        ["window_end", "19:00"],
        ["weekdays", "Mon-Sat"],
        ["holidays", "2026-12-25, 2026-12-26"],
        ["default_timezone", "Asia/Hong_Kong"],
        ["max_attempts", 2],
        ["retry_delay_minutes", "15"],
        ["source_phone_number", "+85230001234"],
    ]
    job, problems = load_job(write_workbook(tmp_path / "j.xlsx", config=config))
    assert job is not None and not has_errors(problems)
    window = job.config.window
    assert (window.start.isoformat(), window.end.isoformat()) == ("08:30:00", "19:00:00")
    assert window.weekdays == frozenset(range(6)) and len(window.holidays) == 2
    assert job.config.retry.max_attempts == 2 and job.config.retry.delay.total_seconds() == 900


def test_json_problems_name_their_path(tmp_path: Path) -> None:
    data = job_json()
    data["receivers"][1]["phone_number"] = "not a number"
    data["questions"][0]["type"] = "Essay"
    _job, problems = load_job(write_json(tmp_path / "j.json", data))
    assert {(p.code, p.location) for p in problems if p.is_error} == {
        ("invalid_phone", "$.receivers[1].phone_number"),
        ("unknown_question_type", "$.questions[0].type"),
    }


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
job_like = st.fixed_dictionaries(
    {},
    optional={
        "schema_version": st.sampled_from([1, 2, "1"]),
        "task_id": json_values,
        "greeting": st.text(max_size=40) | json_values,
        "configuration": st.dictionaries(
            st.sampled_from(
                ["greeting", "phone_prefix", "weekdays", "max_attempts", "deadline", "x"]
            ),
            json_values,
        ),
        "questions": st.lists(
            st.dictionaries(
                st.sampled_from(["template", "type", "question_template", "question_type"]),
                json_values,
            ),
            max_size=3,
        )
        | json_values,
        "receivers": st.lists(
            st.dictionaries(
                st.sampled_from(["id", "phone_number", "name", "timezone"]), json_values
            ),
            max_size=4,
        )
        | json_values,
    },
)


@given(job_like | json_values)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_validator_never_raises_on_arbitrary_input(data: Any) -> None:
    from callguard.outbound.problems import UnreadableJobError

    try:
        raw, problems = parse_json(data, "job", DEFAULT_LIMITS)
    except UnreadableJobError:
        return
    job, more = assemble(raw)
    if job is not None:
        validate_job(job)
    assert all(p.location and p.message for p in [*problems, *more])


def test_bad_configuration_values_name_their_cell(tmp_path: Path) -> None:
    config = [
        ["greeting", "Hi {{ username }}"],
        ["default_country", "XX"],
        ["weekdays", "Funday"],
        ["holidays", "2026-13-01"],
        ["default_timezone", "Europe/Nowhere"],
        ["max_attempts", "eleven"],
        ["source_phone_number", "12345"],
        ["phone_prefix", "+999"],
    ]
    _job, problems = load_job(write_workbook(tmp_path / "c.xlsx", config=config))
    found = {(p.code, p.location) for p in problems}
    assert {
        ("invalid_default_country", "Configures!B2"),
        ("invalid_weekdays", "Configures!B3"),
        ("invalid_holidays", "Configures!B4"),
        ("invalid_default_timezone", "Configures!B5"),
        ("invalid_max_attempts", "Configures!B6"),
        ("invalid_source_phone_number", "Configures!B7"),
        ("invalid_phone_prefix", "Configures!B8"),
    } <= found
