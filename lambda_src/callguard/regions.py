"""The region codes libphonenumber has a numbering plan for (``phonenumbers.SUPPORTED_REGIONS``).

A default country is accepted only if national numbers can be read with it, so
the rule is libphonenumber's own list. It is kept in ``phone_regions.json`` beside
this module because importing ``phonenumbers`` costs a cold start tens of
milliseconds, and the check reads its configuration on every container start
while its E.164 fast path never needs the library. The same file is what
``modules/callguard`` reads to refuse a bad ``settings.default_country`` at plan
time: one list for the functions, the CLI and Terraform.
``tests/unit/test_settings.py`` compares it with the pinned library's list.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Final

#: The file the list lives in (shipped in the zip; read by Terraform too). Read as a
#: package resource, so it also loads when the package is imported from a zip.
REGIONS_FILE: Final = resources.files(__package__ or "callguard").joinpath("phone_regions.json")
#: ISO 3166-1 alpha-2 codes (and libphonenumber's AC, TA, XK) with a numbering plan.
REGIONS: Final = frozenset(json.loads(REGIONS_FILE.read_text(encoding="utf-8")))

#: Codes people write that are not ISO 3166 codes, and the code they mean.
COMMON_MISTAKES: Final = {"UK": "GB", "EN": "GB", "EL": "GR"}
