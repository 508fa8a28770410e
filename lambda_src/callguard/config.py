"""Handler configuration from ``CALLGUARD_*`` environment variables.

Parsed once per distinct environment (a Lambda container's environment never
changes, tests change it freely) and validated as a whole, so a misconfiguration
is reported with every problem at once instead of one per deployment. Each value
is read by the rule for its kind in :mod:`callguard.settings`, which the
challenge functions and the CLI use too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from callguard import settings

FAIL_OPEN: Final = "open"
FAIL_CLOSED: Final = "closed"
FLAG_BLOCK: Final = "block"
FLAG_REVIEW: Final = "review"
FAIL_MODES: Final = (FAIL_OPEN, FAIL_CLOSED)
FLAG_MODES: Final = (FLAG_BLOCK, FLAG_REVIEW)

#: Reason recorded for an agent flag that carries none.
DEFAULT_REASON: Final = "Flagged by an agent"
#: Every variable this module reads.
VARIABLES: Final = (
    "CALLGUARD_TABLE",
    "CALLGUARD_DEFAULT_COUNTRY",
    "CALLGUARD_FAIL_MODE",
    "CALLGUARD_BLOCK_ANONYMOUS",
    "CALLGUARD_BLOCK_PENDING",
    "CALLGUARD_FLAG_MODE",
    "CALLGUARD_DEFAULT_REASON",
    "CALLGUARD_LOG_LEVEL",
    "CALLGUARD_REJECT_SUPPRESSION_DAYS",
    "CALLGUARD_NOTIFY_TOPIC_ARN",
    "CALLGUARD_CHECK_TIME_LIMIT_SECONDS",
    "CALLGUARD_FLAG_TIME_LIMIT_SECONDS",
)
#: Default days a supervisor's rejection keeps re-flags of a number out of the queue.
DEFAULT_REJECT_SUPPRESSION_DAYS: Final = 30
#: Longest suppression accepted (ten years: "practically never again").
MAX_REJECT_SUPPRESSION_DAYS: Final = 3650
#: Seconds the check and flag flows wait for their function by default (the
#: flows' ``InvocationTimeLimitSeconds``); Amazon Connect allows 1-8.
DEFAULT_CHECK_TIME_LIMIT_SECONDS: Final = 3
DEFAULT_FLAG_TIME_LIMIT_SECONDS: Final = 5
MAX_TIME_LIMIT_SECONDS: Final = 8


class ConfigError(ValueError):
    """One or more ``CALLGUARD_*`` variables are missing or invalid (all are listed)."""


@dataclass(frozen=True, slots=True)
class Config:
    """Validated handler settings. Defaults are the safe, least surprising choice."""

    table: str
    default_country: str | None = None
    fail_mode: str = FAIL_OPEN
    block_anonymous: bool = False
    block_pending: bool = False
    flag_mode: str = FLAG_BLOCK
    default_reason: str = DEFAULT_REASON
    log_level: str = "INFO"
    reject_suppression_days: int = DEFAULT_REJECT_SUPPRESSION_DAYS
    notify_topic_arn: str | None = None
    #: How long the flows wait for each function: the functions answer before that.
    check_time_limit_seconds: int = DEFAULT_CHECK_TIME_LIMIT_SECONDS
    flag_time_limit_seconds: int = DEFAULT_FLAG_TIME_LIMIT_SECONDS

    @property
    def fail_closed(self) -> bool:
        """Whether an error blocks the caller (``closed``) rather than letting them through."""
        return self.fail_mode == FAIL_CLOSED


def load(environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate the configuration; raise :class:`ConfigError` listing every problem."""
    env = os.environ if environ is None else environ
    return _parse(tuple(env.get(name) for name in VARIABLES))


def current() -> Config:
    """Return the configuration of the running process (cached per distinct environment).

    Runs on every invocation: reading the ten variables costs microseconds, and
    the parse itself is cached on their values, so a changed environment (as in
    tests) is seen at once.
    """
    return _parse(tuple(os.environ.get(name) for name in VARIABLES))


def fail_closed_from_env() -> bool:
    """Best-effort fail mode when the configuration as a whole is invalid.

    Only a valid ``closed`` fails closed; anything else keeps calls flowing.
    """
    reader = settings.Reader()
    return reader.choice("CALLGUARD_FAIL_MODE", FAIL_MODES, default=FAIL_OPEN) == FAIL_CLOSED


@lru_cache(maxsize=16)
def _parse(values: tuple[str | None, ...]) -> Config:
    reader = settings.Reader({k: v for k, v in zip(VARIABLES, values, strict=True) if v})
    config = Config(
        table=reader.required("CALLGUARD_TABLE", "the DynamoDB table name"),
        default_country=reader.country(),
        fail_mode=reader.choice("CALLGUARD_FAIL_MODE", FAIL_MODES, default=FAIL_OPEN),
        block_anonymous=reader.boolean("CALLGUARD_BLOCK_ANONYMOUS"),
        block_pending=reader.boolean("CALLGUARD_BLOCK_PENDING"),
        flag_mode=reader.choice("CALLGUARD_FLAG_MODE", FLAG_MODES, default=FLAG_BLOCK),
        default_reason=reader.text("CALLGUARD_DEFAULT_REASON") or DEFAULT_REASON,
        log_level=reader.log_level(),
        reject_suppression_days=reader.whole_number(
            "CALLGUARD_REJECT_SUPPRESSION_DAYS",
            0,
            MAX_REJECT_SUPPRESSION_DAYS,
            default=DEFAULT_REJECT_SUPPRESSION_DAYS,
            unit="days",
        ),
        notify_topic_arn=reader.sns_topic_arn("CALLGUARD_NOTIFY_TOPIC_ARN"),
        check_time_limit_seconds=reader.whole_number(
            "CALLGUARD_CHECK_TIME_LIMIT_SECONDS",
            1,
            MAX_TIME_LIMIT_SECONDS,
            default=DEFAULT_CHECK_TIME_LIMIT_SECONDS,
        ),
        flag_time_limit_seconds=reader.whole_number(
            "CALLGUARD_FLAG_TIME_LIMIT_SECONDS",
            1,
            MAX_TIME_LIMIT_SECONDS,
            default=DEFAULT_FLAG_TIME_LIMIT_SECONDS,
        ),
    )
    reader.check(ConfigError, "callguard configuration")
    return config
