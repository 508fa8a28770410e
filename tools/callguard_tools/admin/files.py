"""Files the CLI writes: created readable by the owner only, replaced atomically.

Exports, rejects files and rendered flows hold full phone numbers, which are
personal data, so every file the CLI writes goes through :func:`write_private`:
a temporary file in the same directory (``mkstemp`` creates it mode 0600),
renamed over the target only once it is complete. A failed or interrupted write
never leaves a truncated file that looks complete, and never a copy others can
read. A symbolic link at the target is replaced, never written through.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO, TypeVar

#: Mode of every file the CLI writes: read and write for the owner only.
PRIVATE_MODE = 0o600

_Result = TypeVar("_Result")


def write_private(path: Path, write: Callable[[TextIO], _Result]) -> _Result:
    """Call ``write`` with a UTF-8 text handle for ``path``; return what it returns.

    The handle writes ``\\n`` as is (``newline=""``), as the csv module expects.
    """
    return _write_private(path, lambda fd: os.fdopen(fd, "w", encoding="utf-8", newline=""), write)


def write_private_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` as :func:`write_private` does (a downloaded report)."""
    _write_private(path, lambda fd: os.fdopen(fd, "wb"), lambda handle: handle.write(data))


def _write_private(
    path: Path, open_descriptor: Callable[[int], Any], write: Callable[[Any], _Result]
) -> _Result:
    descriptor, temporary = tempfile.mkstemp(dir=path.resolve().parent, prefix=f".{path.name}.")
    try:
        os.fchmod(descriptor, PRIVATE_MODE)  # mkstemp's mode already; said once more on purpose
        with open_descriptor(descriptor) as handle:
            result = write(handle)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return result


def same_file(path: Path, other: Path | int) -> bool:
    """Tell whether ``path`` names the file ``other`` is: through symbolic or hard links too.

    ``other`` is a path or an open file descriptor (standard input redirected
    from a file, ``< in.csv``). Compares device and inode (``os.stat`` follows
    symbolic links), so ``./in.csv``, ``link-to-in.csv`` and a hard link of it are
    all the same file. A path that does not exist is no file at all.
    """
    try:
        one = path.stat()
        two = os.fstat(other) if isinstance(other, int) else other.stat()
    except FileNotFoundError:
        return False
    return (one.st_dev, one.st_ino) == (two.st_dev, two.st_ino)
