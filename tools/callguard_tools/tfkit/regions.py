"""``terraform/shared/phone_regions.tf``: the regions libphonenumber knows, for plan-time checks.

The functions and the operator CLI accept a default country only when libphonenumber
has metadata for it (``phonenumbers.SUPPORTED_REGIONS``). Terraform cannot ask the
library, so this module writes that set into a ``locals`` block the roots validate
``settings.default_country`` against; a test fails when the file is stale, and
``python -m callguard_tools.tfkit regions`` rewrites it.
"""

from __future__ import annotations

from pathlib import Path

import phonenumbers

from callguard_tools.tfkit.paths import repo_root

#: Where the generated file lives; every environment root links to it.
RELATIVE_PATH = Path("terraform/shared/phone_regions.tf")

_PER_LINE = 12


def render() -> str:
    """Return the file's text for the installed phonenumbers release."""
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    rows = [
        "    " + ", ".join(f'"{r}"' for r in regions[i : i + _PER_LINE]) + ","
        for i in range(0, len(regions), _PER_LINE)
    ]
    version = getattr(phonenumbers, "__version__", "unknown")
    return (
        f"# Generated from phonenumbers {version} by `python -m callguard_tools.tfkit regions`;\n"
        "# do not edit. The ISO 3166 alpha-2 regions libphonenumber has metadata for: the\n"
        "# only values settings.default_country (CALLGUARD_DEFAULT_COUNTRY) may take.\n"
        "locals {\n"
        "  phone_regions = [\n" + "\n".join(rows) + "\n  ]\n}\n"
    )


def path(root: Path | None = None) -> Path:
    """Return the generated file's path in the checkout ``root`` (default: this one)."""
    return (root or repo_root()) / RELATIVE_PATH


def write(root: Path | None = None) -> bool:
    """Rewrite the file when it differs; return True when it changed."""
    target = path(root)
    text = render()
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return False
    target.write_text(text, encoding="utf-8")
    return True


def is_current(root: Path | None = None) -> bool:
    """Return True when the committed file matches the installed library."""
    target = path(root)
    return target.is_file() and target.read_text(encoding="utf-8") == render()
