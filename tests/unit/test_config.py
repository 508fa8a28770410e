"""Configuration from CALLGUARD_* variables: defaults, parsing, all problems at once."""

from __future__ import annotations

import pytest

from callguard import config
from callguard.config import Config, ConfigError


def test_defaults() -> None:
    assert config.load({"CALLGUARD_TABLE": "t"}) == Config(table="t")
    loaded = config.load({"CALLGUARD_TABLE": "t"})
    assert not loaded.fail_closed and loaded.default_country is None


def test_every_setting_parsed() -> None:
    loaded = config.load(
        {
            "CALLGUARD_TABLE": " t ",
            "CALLGUARD_DEFAULT_COUNTRY": "gb",
            "CALLGUARD_FAIL_MODE": "Closed",
            "CALLGUARD_BLOCK_ANONYMOUS": "yes",
            "CALLGUARD_BLOCK_PENDING": "1",
            "CALLGUARD_FLAG_MODE": "REVIEW",
            "CALLGUARD_DEFAULT_REASON": " Spam\ncaller ",
            "CALLGUARD_LOG_LEVEL": "debug",
        }
    )
    assert loaded == Config(
        table="t",
        default_country="GB",
        fail_mode="closed",
        block_anonymous=True,
        block_pending=True,
        flag_mode="review",
        default_reason="Spam caller",
        log_level="DEBUG",
    )
    assert loaded.fail_closed


def test_all_problems_reported_together() -> None:
    with pytest.raises(ConfigError) as caught:
        config.load(
            {
                "CALLGUARD_DEFAULT_COUNTRY": "GBR",
                "CALLGUARD_FAIL_MODE": "half",
                "CALLGUARD_BLOCK_ANONYMOUS": "perhaps",
                "CALLGUARD_BLOCK_PENDING": "2",
                "CALLGUARD_FLAG_MODE": "now",
                "CALLGUARD_LOG_LEVEL": "loud",
            }
        )
    message = str(caught.value)
    for name in (
        "CALLGUARD_TABLE",
        "CALLGUARD_DEFAULT_COUNTRY",
        "CALLGUARD_FAIL_MODE",
        "CALLGUARD_BLOCK_ANONYMOUS",
        "CALLGUARD_BLOCK_PENDING",
        "CALLGUARD_FLAG_MODE",
        "CALLGUARD_LOG_LEVEL",
    ):
        assert name in message


def test_current_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLGUARD_TABLE", "one")
    assert config.current().table == "one"
    monkeypatch.setenv("CALLGUARD_TABLE", "two")
    assert config.current().table == "two"


@pytest.mark.parametrize(
    ("value", "closed"),
    [("closed", True), (" CLOSED ", True), ("open", False), ("bogus", False), (None, False)],
)
def test_fail_mode_fallback(
    monkeypatch: pytest.MonkeyPatch, value: str | None, closed: bool
) -> None:
    if value is None:
        monkeypatch.delenv("CALLGUARD_FAIL_MODE", raising=False)
    else:
        monkeypatch.setenv("CALLGUARD_FAIL_MODE", value)
    assert config.fail_closed_from_env() is closed
