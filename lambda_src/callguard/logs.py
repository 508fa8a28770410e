"""Structured logging: one JSON object per line, phone numbers always masked.

The handlers write exactly one line per invocation through :func:`log_invocation`.
The ``callguard`` logger writes to stdout on its own handler (no propagation), so
the line stays a plain JSON object under both of Lambda's log formats and
CloudWatch Logs Insights discovers its fields. Callers pass numbers only through
:func:`callguard.numbers.mask`; fields are typed values, never free text taken
from the event.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from typing import Final

LOGGER_NAME: Final = "callguard"
logger = logging.getLogger(LOGGER_NAME)


class _JsonLineHandler(logging.Handler):
    """Write the record's message (already JSON) as one line to the *current* stdout.

    Looking up ``sys.stdout`` per record (instead of binding it once) keeps the
    handler correct when stdout is replaced, as test runners and some hosts do.
    """

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stream = sys.stdout
            stream.write(record.getMessage() + "\n")
            stream.flush()
        except Exception:  # logging must never break the handler's answer
            self.handleError(record)


#: Libraries whose DEBUG output includes request bodies, hence full phone numbers.
#: Pinned at WARNING so raising the Lambda application log level cannot leak them.
QUIET_LOGGERS: Final = ("botocore", "boto3", "urllib3", "s3transfer")


def _configure() -> None:
    if not any(isinstance(h, _JsonLineHandler) for h in logger.handlers):
        logger.addHandler(_JsonLineHandler())
    logger.propagate = False
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


_configure()


def set_level(level: str) -> None:
    """Apply ``CALLGUARD_LOG_LEVEL`` (cheap when unchanged)."""
    numeric = logging.getLevelName(level)
    if isinstance(numeric, int) and logger.level != numeric:
        logger.setLevel(numeric)


def log_invocation(level: int, fields: Mapping[str, object]) -> None:
    """Emit one JSON line with ``fields`` (values must already be safe to log).

    The record is built directly instead of through ``logger.log`` to skip the
    caller lookup (a stack walk) that ``logging`` does for every message: the line
    is on every call's critical path and its location is always this function.
    """
    if logger.isEnabledFor(level):
        payload = {"level": logging.getLevelName(level), **fields}
        message = json.dumps(payload, separators=(",", ":"), default=str)
        logger.handle(logger.makeRecord(LOGGER_NAME, level, __file__, 0, message, (), None))
