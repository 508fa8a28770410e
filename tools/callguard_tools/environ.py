"""Temporarily set process environment variables, restoring them afterwards.

The runtime reads its configuration (``CALLGUARD_*``, AWS endpoints and
credentials) from the environment, as a Lambda container does; the demo, the
simulator and the benchmarks run the real handlers in-process under a chosen
environment through this one helper.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping


@contextlib.contextmanager
def patched_environ(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, for ``None``, remove) environment variables, restoring them afterwards."""
    saved = {key: os.environ.get(key) for key in values}
    try:
        _apply(values)
        yield
    finally:
        _apply(saved)


def _apply(values: Mapping[str, str | None]) -> None:
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
