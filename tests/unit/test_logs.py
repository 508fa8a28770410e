"""No log line of any scenario contains a full phone number; one line per invocation.

Every unit test already runs under the autouse guard in ``conftest.py``; this
module drives both handlers through every outcome with numbers in several
spellings and checks the captured lines and stdout against each number's digits.
"""

from __future__ import annotations

import json
import logging

import pytest
from runtime_events import EventFactory, LogLines

from callguard import logs
from callguard.handlers import check_number, flag_number
from callguard.store import PENDING, DenyList

SPELLINGS = {
    "+442079460958": "GB",
    "020 7946 0958": "GB",
    "00 44 20 7946 0958": "GB",
    "(212) 555-0100": "US",
    "+1 212-555-0100": "US",
}


def significant_digits(text: str) -> list[str]:
    """Digit strings that would reveal the number (full digits and the national part)."""
    digits = "".join(ch for ch in text if ch.isdigit())
    return [digits, digits[-7:]]


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
@pytest.mark.parametrize("listed", ["absent", "blocked", "pending", "broken"])
def test_no_number_in_any_line(
    deny_list: DenyList,
    make_event: EventFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    log_lines: LogLines,
    spelling: str,
    listed: str,
) -> None:
    monkeypatch.setenv("CALLGUARD_TABLE", deny_list.table_name)
    monkeypatch.setenv("CALLGUARD_DEFAULT_COUNTRY", SPELLINGS[spelling])
    monkeypatch.setenv("CALLGUARD_LOG_LEVEL", "DEBUG")
    e164 = "+442079460958" if SPELLINGS[spelling] == "GB" else "+12125550100"
    if listed in ("blocked", "pending"):
        deny_list.flag(e164, status=listed if listed == PENDING else "blocked")
    if listed == "broken":
        monkeypatch.setenv("CALLGUARD_TABLE", "missing-table")
    invocations = 0
    for event in (
        make_event(spelling),
        make_event("+15550000000", parameters={"CustomerNumber": spelling, "Reason": spelling}),
    ):
        for handler in (check_number.handler, flag_number.handler):
            handler(event, None)
            invocations += 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(log_lines.lines) == invocations
    for line in out + log_lines.lines:
        for digits in significant_digits(spelling) + significant_digits(e164):
            assert digits not in line
    assert all(json.loads(line)["number"].count("*") >= 5 for line in out)


def test_sdk_debug_logging_stays_off(log_lines: LogLines) -> None:
    # Lambda's application log level may be raised to DEBUG on the root logger;
    # botocore must not follow, since its debug lines carry request bodies.
    root = logging.getLogger()
    previous = root.level
    root.setLevel(logging.DEBUG)
    try:
        for name in logs.QUIET_LOGGERS:
            assert not logging.getLogger(name).isEnabledFor(logging.DEBUG)
    finally:
        root.setLevel(previous)


def test_unserializable_fields_do_not_break_logging(capsys: pytest.CaptureFixture[str]) -> None:
    logs.set_level("INFO")

    class Opaque:
        def __str__(self) -> str:
            return "opaque"

    logs.log_invocation(logging.INFO, {"handler": "x", "value": Opaque()})
    expected = {"level": "INFO", "handler": "x", "value": "opaque"}
    assert json.loads(capsys.readouterr().out) == expected


def test_direct_write_matches_the_logging_path(
    log_lines: LogLines, capsys: pytest.CaptureFixture[str]
) -> None:
    fields = {"handler": "check_number", "number": "+4420*****958", "blocked": "true"}
    logs.set_level("INFO")
    logs.log_invocation(logging.INFO, fields)  # collector attached: through logging
    through_logging = capsys.readouterr().out
    runtime_logger = logging.getLogger(logs.LOGGER_NAME)
    runtime_logger.removeHandler(log_lines)
    try:
        logs.log_invocation(logging.INFO, fields)  # default handler only: direct write
        logs.log_invocation(logging.DEBUG, fields)  # below the level: nothing
    finally:
        runtime_logger.addHandler(log_lines)
    direct = capsys.readouterr().out
    assert direct == through_logging
    assert json.loads(direct) == {"level": "INFO", **fields}
    assert len(log_lines.lines) == 1
