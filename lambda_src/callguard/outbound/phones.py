"""Receivers' phone numbers: E.164 from whatever a spreadsheet or a system wrote.

Parsing is the project's own (:func:`callguard.numbers.to_e164`); this module adds
what only call jobs have:

- The job's ``phone_prefix`` (``+852``) or ``default_country`` (``HK``) gives the
  region for national numbers; a prefix is turned into its main region.
- Spreadsheets store numbers typed without a ``+`` as *number cells*, and CSV
  exports write them as ``12345678.0`` or ``8.5212345678E10``; both come back as
  exact digits (decimal arithmetic, never a float).
- A number cell has lost any leading zero. It is accepted when its digits are a
  valid national number of the region, or a valid international number that
  already holds the country code. When neither holds but the digits with a ``0``
  in front are a valid national number, the zero was lost: that is an error naming
  the cell, never a guess, because ``0`` + digits and digits may both be real
  numbers of different people.
"""

from __future__ import annotations

import re
from typing import Final

import phonenumbers

from callguard import numbers
from callguard.outbound.problems import Problem, error
from callguard.outbound.tables import Cell

#: ``12345678.0``, ``8.5212345678E10``, ``85212345678``: what a CSV export makes of a number cell.
_NUMERIC_TEXT_RE: Final = re.compile(r"[0-9]+(\.[0-9]*)?([eE]\+?[0-9]+)?")


def region_for(phone_prefix: str | None, default_country: str | None) -> str | None:
    """Return the region of national numbers: the country, else the prefix's main region."""
    if default_country:
        return default_country.upper()
    if phone_prefix:
        digits = phone_prefix.strip().lstrip("+")
        if digits.isdigit():
            region = phonenumbers.region_code_for_country_code(int(digits))
            if region != phonenumbers.UNKNOWN_REGION:
                return str(region)
    return None


def is_region(code: str) -> bool:
    """Return whether ``code`` is an ISO 3166 alpha-2 region libphonenumber knows (``GB``)."""
    return code in phonenumbers.SUPPORTED_REGIONS


def prefix_is_valid(phone_prefix: str) -> bool:
    """Return whether ``phone_prefix`` (``+852`` or ``852``) is a known country calling code."""
    digits = phone_prefix.strip().lstrip("+")
    return digits.isdigit() and (
        phonenumbers.region_code_for_country_code(int(digits)) != phonenumbers.UNKNOWN_REGION
    )


def _digits_of_numeric_text(text: str) -> str | None:
    """Exact digits of ``12345678.0`` / ``8.5212345678E10``; ``None`` if not a whole number."""
    if _NUMERIC_TEXT_RE.fullmatch(text) is None:
        return None
    if text.isdigit():
        return str(int(text))
    import decimal  # noqa: PLC0415 - only exported number cells (12345678.0, 8.5E10) need it

    try:
        value = decimal.Decimal(text)
    except decimal.InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None
    if value != value.to_integral_value():
        return None
    return str(int(value))


def normalise(cell: Cell, region: str | None) -> tuple[str | None, Problem | None]:
    """Return (E.164, None) or (None, the problem naming ``cell``)."""
    text = cell.text.strip()
    where = cell.location
    if not text:
        return None, error(
            where, "missing_phone", "the phone number is empty; fill in the receiver's number"
        )
    digits = _digits_of_numeric_text(text)
    if digits is not None and (cell.numeric or not text.isdigit()):
        return _from_number_cell(digits, region, where)
    try:
        return numbers.to_e164(text, region), None
    except numbers.NumberError as exc:
        hint = (
            "write it as +<country code><number>, or set phone_prefix or default_country "
            "in the configuration"
            if region is None
            else "check the digits, or write it as +<country code><number>"
        )
        return None, error(where, "invalid_phone", f"{exc}; {hint}")


def _from_number_cell(
    digits: str, region: str | None, where: str
) -> tuple[str | None, Problem | None]:
    if region is None:
        e164 = numbers.valid_e164("+" + digits, None)
        if e164 is not None:
            return e164, None
        return None, error(
            where,
            "invalid_phone",
            f"the number cell {numbers.mask(digits)} has no country code and the "
            "configuration sets no phone_prefix or default_country; set one, or format the "
            "column as Text and write +<country code><number>",
        )
    national = numbers.valid_e164(digits, region)
    if national is not None:
        return national, None
    international = numbers.valid_e164("+" + digits, None)
    if international is not None:
        return international, None
    masked = numbers.mask(digits)
    if numbers.valid_e164("0" + digits, region) is not None:
        return None, error(
            where,
            "lost_leading_zero",
            f"the number cell {masked} is not a valid {region} number, but would be with a "
            "leading 0: the spreadsheet dropped it. Format the column as Text and type the "
            "number with its 0, or write it as +<country code><number>",
        )
    return None, error(
        where,
        "invalid_phone",
        f"the number cell {masked} is not a valid {region} number; check the digits, or "
        "write it as +<country code><number>",
    )
