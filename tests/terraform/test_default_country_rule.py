"""settings.default_country follows libphonenumber's region list at plan time, like the runtime."""

from __future__ import annotations

import json
from pathlib import Path

import phonenumbers
import pytest
from plan_helpers import plan_environment, stand_in_zip  # noqa: F401

from callguard_tools.tfkit import api
from callguard_tools.tfkit.paths import repo_root

REGIONS_FILE = repo_root() / "lambda_src" / "callguard" / "phone_regions.json"


def test_region_file_is_libphonenumbers_own_list() -> None:
    """The file Terraform reads is derived from the library, never edited by hand."""
    regions = json.loads(REGIONS_FILE.read_text(encoding="utf-8"))
    assert regions == sorted(phonenumbers.SUPPORTED_REGIONS), (
        "regenerate: python -c 'import json, phonenumbers; "
        "print(json.dumps(sorted(phonenumbers.SUPPORTED_REGIONS)))' > " + str(REGIONS_FILE)
    )


@pytest.mark.parametrize("country", ["UK", "XX", "gb"])
def test_unknown_region_is_refused_at_plan_time(
    country: str,
    tmp_path: Path,
    stand_in_zip: Path,  # noqa: F811
) -> None:
    with pytest.raises(api.TfkitError) as failure:
        plan_environment("dev", tmp_path, stand_in_zip, {"settings": {"default_country": country}})
    said = " ".join(str(failure.value).split())
    assert f'settings.default_country = "{country}" is not a region libphonenumber knows' in said
