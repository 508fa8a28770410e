"""Refuse a hostile zip before anything parses it: not a zip, too many members, a bomb.

Both workbooks (an ``.xlsx`` is a zip of XML files) and CSV bundles go through here.
The sizes checked are the ones the zip's central directory declares; a member that
lies about its size is caught later by :func:`read_member`, which never reads more
than the declared size allows.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from callguard.outbound.limits import Limits
from callguard.outbound.problems import UnreadableJobError, error


def open_checked(path: Path, limits: Limits, what: str) -> zipfile.ZipFile:
    """Open ``path`` as a zip after checking its size, member count and uncompressed size."""
    where = path.name
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise UnreadableJobError(
            error(
                where,
                "file_too_large",
                f"the file is {size:,} bytes, over the limit of {limits.max_file_bytes:,}; "
                "split the job into smaller files",
            )
        )
    if not zipfile.is_zipfile(path):
        raise UnreadableJobError(
            error(
                where,
                "file_not_zip",
                f"the file is not a {what} (it is not a zip archive); save it again as "
                "an Excel Workbook (.xlsx)"
                if what == "workbook"
                else f"the file is not a {what}",
            )
        )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableJobError(
            error(where, "file_not_zip", f"the {what} is damaged ({exc}); save it again")
        ) from None
    infos = archive.infolist()
    total = sum(info.file_size for info in infos)
    if len(infos) > limits.max_zip_members:
        archive.close()
        raise UnreadableJobError(
            error(
                where,
                "file_zip_bomb",
                f"the {what} holds {len(infos):,} files, over the limit of "
                f"{limits.max_zip_members:,}; it is not a plain job file",
            )
        )
    ratio_hit = next(
        (
            info
            for info in infos
            if info.file_size > 1024 * 1024
            and info.file_size > limits.max_compression_ratio * max(info.compress_size, 1)
        ),
        None,
    )
    if total > limits.max_uncompressed_bytes or ratio_hit is not None:
        archive.close()
        raise UnreadableJobError(
            error(
                where,
                "file_zip_bomb",
                f"the {what} unpacks to {total:,} bytes (limit "
                f"{limits.max_uncompressed_bytes:,}, at most "
                f"{limits.max_compression_ratio}x per member); it was refused unread",
            )
        )
    return archive
