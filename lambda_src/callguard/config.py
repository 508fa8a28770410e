"""Handler configuration from ``CALLGUARD_*`` environment variables.

Parsed once per distinct environment (a Lambda container's environment never
changes, tests change it freely) and validated as a whole, so a misconfiguration
is reported with every problem at once instead of one per deployment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

FAIL_OPEN: Final = "open"
FAIL_CLOSED: Final = "closed"
FLAG_BLOCK: Final = "block"
FLAG_REVIEW: Final = "review"

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
)
#: Default days a supervisor's rejection keeps re-flags of a number out of the queue.
DEFAULT_REJECT_SUPPRESSION_DAYS: Final = 30
#: Longest suppression accepted (ten years: "practically never again").
MAX_REJECT_SUPPRESSION_DAYS: Final = 3650
_TOPIC_ARN: Final = re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}")
_TRUE: Final = frozenset({"true", "1", "yes", "on"})
_FALSE: Final = frozenset({"false", "0", "no", "off", ""})
_LOG_LEVELS: Final = frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})


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

    @property
    def fail_closed(self) -> bool:
        """Whether an error blocks the caller (``closed``) rather than letting them through."""
        return self.fail_mode == FAIL_CLOSED


#: The variable names as the process environment stores them on POSIX (bytes).
_ENCODED: Final = tuple(os.fsencode(name) for name in VARIABLES)


def load(environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate the configuration; raise :class:`ConfigError` listing every problem."""
    env = os.environ if environ is None else environ
    return _parse(tuple(env.get(name) for name in VARIABLES))


def current() -> Config:
    """Return the configuration of the running process (cached per distinct environment).

    Runs on every invocation, so it reads the raw environment table that
    ``os.environ`` keeps (``_data``, a dict of bytes on POSIX) instead of eight
    ``os.environ.get`` calls that each encode the key and decode the value; on
    other platforms it falls back to ``os.environ``. Changes made through
    ``os.environ`` (as tests do) land in the same table, so they are seen.
    """
    data = getattr(os.environ, "_data", None)
    if isinstance(data, dict) and os.name == "posix":
        return _parse_raw(tuple(data.get(key) for key in _ENCODED))
    return _parse(tuple(os.environ.get(name) for name in VARIABLES))


@lru_cache(maxsize=16)
def _parse_raw(values: tuple[bytes | None, ...]) -> Config:
    return _parse(tuple(None if v is None else os.fsdecode(v) for v in values))


def fail_closed_from_env() -> bool:
    """Best-effort fail mode when the configuration as a whole is invalid.

    Only an explicit ``closed`` fails closed; anything else keeps calls flowing.
    """
    return (os.environ.get("CALLGUARD_FAIL_MODE") or "").strip().lower() == FAIL_CLOSED


@lru_cache(maxsize=16)
def _parse(values: tuple[str | None, ...]) -> Config:
    raw = dict(zip(VARIABLES, values, strict=True))
    problems: list[str] = []

    table = (raw["CALLGUARD_TABLE"] or "").strip()
    if not table:
        problems.append("CALLGUARD_TABLE is not set (the DynamoDB table name)")

    country = (raw["CALLGUARD_DEFAULT_COUNTRY"] or "").strip().upper() or None
    if country is not None and not (len(country) == 2 and country.isascii() and country.isalpha()):
        problems.append(
            f"CALLGUARD_DEFAULT_COUNTRY={country!r} is not an ISO 3166 alpha-2 code like GB"
        )

    fail_mode = _choice(raw, "CALLGUARD_FAIL_MODE", (FAIL_OPEN, FAIL_CLOSED), problems)
    flag_mode = _choice(raw, "CALLGUARD_FLAG_MODE", (FLAG_BLOCK, FLAG_REVIEW), problems)
    block_anonymous = _flag(raw, "CALLGUARD_BLOCK_ANONYMOUS", problems)
    block_pending = _flag(raw, "CALLGUARD_BLOCK_PENDING", problems)

    reason = " ".join((raw["CALLGUARD_DEFAULT_REASON"] or "").split())[:500] or DEFAULT_REASON

    level = (raw["CALLGUARD_LOG_LEVEL"] or "INFO").strip().upper()
    if level not in _LOG_LEVELS:
        problems.append(
            f"CALLGUARD_LOG_LEVEL={level!r} is not one of {', '.join(sorted(_LOG_LEVELS))}"
        )

    suppression = _days(raw, "CALLGUARD_REJECT_SUPPRESSION_DAYS", problems)
    topic = (raw["CALLGUARD_NOTIFY_TOPIC_ARN"] or "").strip() or None
    if topic is not None and not _TOPIC_ARN.fullmatch(topic):
        problems.append(
            f"CALLGUARD_NOTIFY_TOPIC_ARN={topic!r} is not an SNS topic ARN "
            "(arn:aws:sns:<region>:<account>:<name>)"
        )

    if problems:
        raise ConfigError("invalid callguard configuration: " + "; ".join(problems))
    return Config(
        table=table,
        default_country=country,
        fail_mode=fail_mode,
        block_anonymous=block_anonymous,
        block_pending=block_pending,
        flag_mode=flag_mode,
        default_reason=reason,
        log_level=level,
        reject_suppression_days=suppression,
        notify_topic_arn=topic,
    )


def _choice(
    raw: Mapping[str, str | None], name: str, allowed: tuple[str, str], problems: list[str]
) -> str:
    """Read a two-valued setting; the first allowed value is the default."""
    value = (raw[name] or "").strip().lower() or allowed[0]
    if value not in allowed:
        problems.append(f"{name}={value!r} is not one of {', '.join(allowed)}")
        return allowed[0]
    return value


def _days(raw: Mapping[str, str | None], name: str, problems: list[str]) -> int:
    """Read a whole number of days (unset: the default suppression period)."""
    text = (raw[name] or "").strip()
    if not text:
        return DEFAULT_REJECT_SUPPRESSION_DAYS
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_REJECT_SUPPRESSION_DAYS:
        problems.append(
            f"{name}={text!r} is not a whole number of days 0-{MAX_REJECT_SUPPRESSION_DAYS}"
        )
        return DEFAULT_REJECT_SUPPRESSION_DAYS
    return int(text)


def _flag(raw: Mapping[str, str | None], name: str, problems: list[str]) -> bool:
    """Read a boolean setting (true/false, 1/0, yes/no, on/off; unset is false)."""
    value = (raw[name] or "").strip().lower()
    if value in _TRUE:
        return True
    if value not in _FALSE:
        problems.append(f"{name}={value!r} is not true or false")
    return False
