"""Typed readers for ``CALLGUARD_*`` settings: one function per kind of value, one rule each.

The handlers (:mod:`callguard.config`, :mod:`callguard.challenge`, the audit
handler) and the operator CLI read overlapping settings - the default country,
the log level, whole numbers in a range. Each kind of value is parsed by one
function here, so a value means the same thing wherever it is read and a
rule changes in one place.

Two layers:

- ``parse_*`` functions take the text alone and raise :class:`ValueError`
  saying what is wrong with it ("is not a whole number from 3 to 6"); callers
  that know where the value came from (a CLI option, a variable) name it;
- :class:`Reader` reads variables from an environment, names the variable in
  every problem, and collects all of them, so a misconfiguration is reported
  whole instead of one deployment per problem.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Final, TypeVar

from callguard.regions import COMMON_MISTAKES, REGIONS

#: The variable both the handlers and the CLI read for national numbers.
DEFAULT_COUNTRY: Final = "CALLGUARD_DEFAULT_COUNTRY"
#: The variable every handler reads for its log level.
LOG_LEVEL: Final = "CALLGUARD_LOG_LEVEL"
#: Log levels accepted (the names of :mod:`logging`'s levels).
LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

_TRUE: Final = frozenset({"true", "1", "yes", "on"})
_FALSE: Final = frozenset({"false", "0", "no", "off"})
_TOPIC_ARN: Final = re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}")
#: Longest piece of a bad value quoted back in a message.
_ECHO: Final = 32

_Choice = TypeVar("_Choice", bound=str)
_T = TypeVar("_T")


# ---------------------------------------------------------------- value rules
def parse_bool(text: str) -> bool:
    """Read true/false, 1/0, yes/no or on/off (any case)."""
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError("is not true or false")


def parse_whole_number(text: str, low: int, high: int, unit: str = "") -> int:
    """Read a whole number from ``low`` to ``high`` (ASCII digits only: no sign, no ``²``)."""
    value = text.strip()
    if value.isascii() and value.isdigit() and low <= int(value) <= high:
        return int(value)
    of = f" of {unit}" if unit else ""
    raise ValueError(f"is not a whole number{of} from {low} to {high}")


def parse_choice(text: str, allowed: Sequence[_Choice]) -> _Choice:
    """Read one of ``allowed`` (any case)."""
    value = text.strip().lower()
    for option in allowed:
        if value == option:
            return option
    raise ValueError(f"is not one of {', '.join(allowed)}")


def parse_country(text: str) -> str:
    """Read a default country: an ISO 3166 alpha-2 code libphonenumber has a plan for.

    The same rule in every handler and the CLI; Terraform's validation is to
    accept exactly :data:`callguard.regions.REGIONS` too, so that a value
    accepted at plan time is never refused at run time.
    """
    code = text.strip().upper()
    if code in REGIONS:
        return code
    hint = f" (did you mean {COMMON_MISTAKES[code]}?)" if code in COMMON_MISTAKES else ""
    raise ValueError(
        "is not the ISO 3166 two-letter code of a country with a numbering plan, "
        f"such as GB, US or DE{hint}"
    )


def parse_log_level(text: str) -> str:
    """Read a log level name (any case), returned in upper case."""
    level = text.strip().upper()
    if level in LOG_LEVELS:
        return level
    raise ValueError(f"is not one of {', '.join(LOG_LEVELS)}")


def parse_sns_topic_arn(text: str) -> str:
    """Read an SNS topic ARN (``arn:aws:sns:<region>:<account>:<name>``)."""
    value = text.strip()
    if _TOPIC_ARN.fullmatch(value):
        return value
    raise ValueError("is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)")


def one_line(text: str, limit: int) -> str:
    """Collapse whitespace (newlines included) to single spaces and cut at ``limit``."""
    return " ".join(text.split())[:limit]


def quoted(text: str) -> str:
    """Return ``text`` as a message quotes it: stripped, cut to a readable length."""
    value = text.strip()
    return repr(value if len(value) <= _ECHO else value[:_ECHO] + "...")


# ---------------------------------------------------------------- the reader
class Reader:
    """Reads settings from one environment and collects every problem, each naming its variable.

    Unset and empty (or blank) variables take the default: Terraform leaves out
    unset values, and an operator clearing one expects the default back.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ: Mapping[str, str] = os.environ if environ is None else environ
        self.problems: list[str] = []

    def raw(self, name: str) -> str:
        """Return the variable's text, stripped ("" when unset)."""
        return (self._environ.get(name) or "").strip()

    def text(self, name: str, *, limit: int = 500) -> str:
        """Return free text on one line, at most ``limit`` characters ("" when unset)."""
        return one_line(self.raw(name), limit)

    def required(self, name: str, what: str) -> str:
        """Return a variable that must be set; record a problem saying ``what`` it holds."""
        value = self.raw(name)
        if not value:
            self.problems.append(f"{name} is not set ({what})")
        return value

    def boolean(self, name: str, *, default: bool = False) -> bool:
        """Return a true/false setting (see :func:`parse_bool`)."""
        return self._read(name, parse_bool, default)

    def whole_number(self, name: str, low: int, high: int, *, default: int, unit: str = "") -> int:
        """Return a whole number from ``low`` to ``high`` (see :func:`parse_whole_number`)."""
        return self._read(name, lambda t: parse_whole_number(t, low, high, unit), default)

    def choice(self, name: str, allowed: Sequence[_Choice], *, default: _Choice) -> _Choice:
        """Return one of ``allowed`` (see :func:`parse_choice`)."""
        return self._read(name, lambda t: parse_choice(t, allowed), default)

    def country(self, name: str = DEFAULT_COUNTRY) -> str | None:
        """Return the default country, or ``None`` when unset (see :func:`parse_country`)."""
        return self._read(name, parse_country, None)

    def log_level(self, name: str = LOG_LEVEL) -> str:
        """Return the log level (``INFO`` when unset; see :func:`parse_log_level`)."""
        return self._read(name, parse_log_level, "INFO")

    def sns_topic_arn(self, name: str) -> str | None:
        """Return an SNS topic ARN, or ``None`` when unset (see :func:`parse_sns_topic_arn`)."""
        return self._read(name, parse_sns_topic_arn, None)

    def check(self, error: type[ValueError], what: str) -> None:
        """Raise ``error`` listing every problem found so far, if there is any."""
        if self.problems:
            raise error(f"invalid {what}: " + "; ".join(self.problems))

    def _read(self, name: str, parse: Callable[[str], _T], default: _T) -> _T:
        text = self.raw(name)
        if not text:
            return default
        try:
            return parse(text)
        except ValueError as error:
            self.problems.append(f"{name}={quoted(text)} {error}")
            return default
