"""Unit-suite fixtures: Connect events, handler environment, and the log guard.

The log guard is autouse: every log record that the runtime (``callguard``) or the
AWS SDK (``botocore``, ``boto3``, ``urllib3``) emits during any unit test is
collected and checked for a full phone number at the end of the test. So every
scenario of every test doubles as a "no number in the logs" check.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from runtime_events import EventFactory, LogLines, contact_event

from callguard import aws
from callguard.config import VARIABLES
from callguard.logs import LOGGER_NAME


@pytest.fixture(autouse=True)
def log_lines() -> Iterator[LogLines]:
    """Capture every runtime and SDK log line of the test; fail it if one holds a number."""
    collector = LogLines()
    runtime_logger = logging.getLogger(LOGGER_NAME)
    runtime_logger.addHandler(collector)
    logging.getLogger().addHandler(collector)
    try:
        yield collector
    finally:
        runtime_logger.removeHandler(collector)
        logging.getLogger().removeHandler(collector)
    leaked = collector.numbers()
    assert not leaked, f"full phone number in log lines: {leaked[:3]}"


@pytest.fixture
def handler_env(table_name: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the handlers at the in-process moto table; return the table name."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CALLGUARD_TABLE", table_name)
    aws.reset_clients()
    return table_name


@pytest.fixture
def make_event() -> EventFactory:
    """The :func:`contact_event` builder, as a fixture."""
    return contact_event
