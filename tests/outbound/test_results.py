"""Result records: statuses, answer normalisation, JSON Lines round trip and its problems."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callguard.outbound.model import QuestionType
from callguard.outbound.results import (
    Attempt,
    CallStatus,
    ReceiverResult,
    ResultFormatError,
    normalise_answer,
    read_jsonl,
    write_jsonl,
)

T = dt.datetime(2026, 12, 7, 10, 15, 2, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        (QuestionType.YES_NO, " Yes ", "yes"),
        (QuestionType.YES_NO, "n", "no"),
        (QuestionType.YES_NO, False, "no"),
        (QuestionType.OK, "Okay", "ok"),
        (QuestionType.MULTIPLE_CHOICE, "c", "C"),
        (QuestionType.NUMBER, "42", 42),
        (QuestionType.NUMBER, "3.0", 3),
        (QuestionType.NUMBER, 2.5, 2.5),
        (QuestionType.DATE, "2026-12-24", "2026-12-24"),
        (QuestionType.DATE, dt.date(2026, 1, 2), "2026-01-02"),
        (QuestionType.DATE, "2026-12-24T00:00:00", "2026-12-24"),
        (QuestionType.TIME, "9:05", "09:05"),
        (QuestionType.TIME, "14:30:00", "14:30"),
        (QuestionType.TIME, dt.time(7, 45), "07:45"),
    ],
)
def test_answers_are_normalised(kind: QuestionType, raw: object, expected: object) -> None:
    value = normalise_answer(kind, raw)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        (QuestionType.YES_NO, "maybe", "yes or no"),
        (QuestionType.MULTIPLE_CHOICE, "F", "A-E"),
        (QuestionType.NUMBER, "nan", "finite"),
        (QuestionType.NUMBER, True, "a number"),
        (QuestionType.DATE, "24/12/2026", "2026-12-24"),
        (QuestionType.TIME, "25:00", "14:30"),
        (QuestionType.MESSAGE, "yes", "no answer"),
    ],
)
def test_bad_answers_say_what_was_expected(kind: QuestionType, raw: object, message: str) -> None:
    with pytest.raises(ResultFormatError, match=message):
        normalise_answer(kind, raw)


def result(receiver: str, *attempts: Attempt) -> ReceiverResult:
    return ReceiverResult("job-1", receiver, attempts)


def test_final_status_is_the_last_attempts_and_partial_answers_are_kept() -> None:
    partial = Attempt(1, CallStatus.PARTIAL, T, T, "c-1", answers=MappingProxyType({1: "yes"}))
    again = Attempt(2, CallStatus.NO_ANSWER, T, T, "c-2")
    r = result("s1", partial, again)
    assert r.status is CallStatus.NO_ANSWER
    assert r.dial_attempts == 2
    assert dict(r.answers) == {1: "yes"}
    assert r.last_call is again
    screened = result("s2", Attempt(1, CallStatus.DO_NOT_CALL, source="agent"))
    assert screened.dial_attempts == 0 and screened.last_call is None
    with pytest.raises(ValueError, match="no attempts"):
        ReceiverResult("job-1", "s3", ())


def test_json_lines_round_trip() -> None:
    results = [
        result(
            "s1",
            Attempt(
                1, CallStatus.FAILED, T, None, None, error_type="DestinationNotAllowedException"
            ),
            Attempt(
                2, CallStatus.COMPLETED, T, T, "c-9", answers=MappingProxyType({1: "yes", 3: 4})
            ),
        ),
        result("s2", Attempt(1, CallStatus.DO_NOT_CALL, source="import")),
    ]
    out = io.StringIO()
    assert write_jsonl(results, out) == 3
    first = json.loads(out.getvalue().splitlines()[1])
    assert first["started_at"] == "2026-12-07T10:15:02Z"
    assert first["answers"] == {"1": "yes", "3": 4}
    parsed = read_jsonl(out.getvalue().splitlines())
    assert parsed.problems == []
    assert parsed.for_job("job-1") == {"s1": results[0], "s2": results[1]}


def test_every_bad_line_is_reported_with_its_number() -> None:
    good = json.dumps(
        {"version": 1, "job_id": "j", "receiver_id": "r", "attempt": 1, "status": "busy"}
    )
    conflicting = good.replace("busy", "no_answer")
    lines = [
        good,
        "",
        "{not json",
        json.dumps({"version": 2}),
        good.replace('"busy"', '"dropped"'),
        good.replace('"attempt": 1', '"attempt": 0'),
        good[:-1] + ', "extra": 1}',
        good,  # repeated exactly: counted once
        conflicting,
        good.replace("}", ', "answers": {"x": "yes"}}'),
        good.replace("}", ', "started_at": "2026-12-07T10:00:00"}'),
    ]
    parsed = read_jsonl(lines)
    assert [p.split(":")[0] for p in parsed.problems] == [
        "results line 3",
        "results line 4",
        "results line 5",
        "results line 6",
        "results line 7",
        "results line 9",
        "results line 10",
        "results line 11",
    ]
    assert "not one of completed" in parsed.problems[2]
    assert "'extra'" in parsed.problems[4]
    assert "differs from line 1" in parsed.problems[5]
    assert "UTC offset" in parsed.problems[7]
    assert list(parsed.for_job("j")) == ["r"]


@given(st.text(max_size=30))
def test_normalising_text_never_raises_anything_but_a_format_error(text: str) -> None:
    forms = {
        QuestionType.YES_NO: r"yes|no",
        QuestionType.OK: r"ok",
        QuestionType.MULTIPLE_CHOICE: r"[A-E]",
        QuestionType.DATE: r"\d{4}-\d{2}-\d{2}",
        QuestionType.TIME: r"\d{2}:\d{2}",
    }
    for kind in QuestionType:
        try:
            value = normalise_answer(kind, text)
        except ResultFormatError:
            continue
        if kind is QuestionType.NUMBER:
            assert isinstance(value, int | float)
        else:
            assert re.fullmatch(forms[kind], str(value)), (kind, value)
