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
            self.write(record.getMessage())
        except Exception:  # logging must never break the handler's answer
            self.handleError(record)

    @staticmethod
    def write(line: str) -> None:
        """Write one line to the current stdout and flush it (Lambda ships it at once)."""
        stream = sys.stdout
        stream.write(line + "\n")
        stream.flush()


#: Libraries whose DEBUG output includes request bodies, hence full phone numbers.
#: Pinned at WARNING so raising the Lambda application log level cannot leak them.
QUIET_LOGGERS: Final = ("botocore", "boto3", "urllib3", "s3transfer")


_DEFAULT_HANDLER: Final = _JsonLineHandler()
#: One encoder for every line: ``json.dumps`` with options builds a new one per call.
_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), default=str)


def _configure() -> None:
    if not any(isinstance(h, _JsonLineHandler) for h in logger.handlers):
        logger.addHandler(_DEFAULT_HANDLER)
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

    This runs on every call's critical path, so it avoids the costly parts of
    ``logging`` while keeping its semantics: the level check is the logger's own,
    and when the logger has only its default stdout handler and no filters the
    line is written directly (no record, no caller lookup, no handler lock), which
    produces exactly what the handler would. When anything else is attached (a
    test, a log shipper, the flow simulator) a record goes through ``logging``.
    """
    if not logger.isEnabledFor(level):
        return
    line = _ENCODER.encode({"level": logging.getLevelName(level), **fields})
    if logger.handlers == [_DEFAULT_HANDLER] and not logger.filters:
        _DEFAULT_HANDLER.write(line)
        return
    logger.handle(logger.makeRecord(LOGGER_NAME, level, __file__, 0, line, (), None))
