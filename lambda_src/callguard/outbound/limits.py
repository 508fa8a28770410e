"""Limits that keep a hostile or broken job file from costing memory or time.

One object, with defaults sized for the largest real job (a whole school or clinic:
tens of thousands of receivers) and far below what would hurt a Lambda. Every limit
is documented in docs/outbound-jobs.md; pass a changed copy to the readers to
raise or lower one (``dataclasses.replace(DEFAULT_LIMITS, max_rows=200_000)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Limits:
    """Size limits checked before and while a job file is parsed."""

    #: Largest job file read at all (bytes on disk).
    max_file_bytes: int = 20 * 1024 * 1024
    #: Most members a workbook (or CSV bundle) zip may hold.
    max_zip_members: int = 500
    #: Largest total uncompressed size of a zip's members (zip bomb guard).
    max_uncompressed_bytes: int = 100 * 1024 * 1024
    #: Largest ratio of uncompressed to compressed size of one member.
    max_compression_ratio: int = 200
    #: Most data rows of one sheet or CSV file (receivers included).
    max_rows: int = 100_000
    #: Most columns of one sheet or CSV file.
    max_columns: int = 100
    #: Longest text of one cell or JSON string, in characters.
    max_cell_chars: int = 10_000
    #: Longest template (greeting, ending or question), in characters.
    max_template_chars: int = 4_000
    #: Largest rendered SSML of one message, in UTF-8 bytes.
    max_message_bytes: int = 8_000
    #: Largest spoken text of one message (SSML tags not counted), in characters.
    #: Amazon Polly speaks at most 3,000 billed characters per request.
    max_spoken_chars: int = 3_000
    #: Budget for all of one receiver's rendered messages together, in UTF-8 bytes.
    #: Amazon Connect allows 32,768 bytes of contact attributes per contact; 4 KiB
    #: stay free for the engine's own attributes (ids, task token, answers).
    max_contact_attribute_bytes: int = 32_768 - 4_096


DEFAULT_LIMITS: Final = Limits()
