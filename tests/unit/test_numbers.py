"""callguard.numbers: the E.164 fast path, national formats, classes, masking."""

from __future__ import annotations

import subprocess
import sys

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callguard import numbers
from callguard.numbers import (
    E164,
    MISSING,
    NON_TELEPHONE,
    TOO_LONG,
    UNPARSABLE,
    WITHHELD,
    Caller,
    NumberError,
    classify,
    classify_endpoint,
    mask,
    to_e164,
)

e164_numbers = st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True)
#: Regions whose example numbers libphonenumber knows (geographic regions only).
regions = st.sampled_from(
    sorted(r for r in phonenumbers.SUPPORTED_REGIONS if phonenumbers.example_number(r))
)
number_types = st.sampled_from(
    [phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE]
)


@given(e164_numbers)
def test_normalizing_e164_is_the_identity(number: str) -> None:
    keypad_words = {"+266696687", "+7378742833", "+8656696", "+86282452253", "+7748283", "+2562533"}
    expected = Caller(WITHHELD) if number in keypad_words else Caller(E164, number)
    assert classify(number) == expected
    assert classify(number, "GB") == expected


@given(regions, number_types)
def test_national_and_international_spellings_agree(region: str, kind: int) -> None:
    example = phonenumbers.example_number_for_type(region, kind)
    if example is None:
        example = phonenumbers.example_number(region)
    assert example is not None  # the strategy only draws regions that have one
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(
        example, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    assert classify(national, region) == Caller(E164, e164)
    assert classify(international, region) == Caller(E164, e164)
    assert classify(international) == Caller(E164, e164)
    assert classify(e164, region) == Caller(E164, e164)


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("(212) 555-0100", "US", "+12125550100"),
        ("212.555.0100", "us", "+12125550100"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("00 44 20 7946 0958", "GB", "+442079460958"),
        ("011 44 20 7946 0958", "US", "+442079460958"),
        ("+44 (0)20 7946 0958", None, "+442079460958"),
        ("  +442079460958  ", None, "+442079460958"),
    ],
)
def test_human_formats(text: str, country: str | None, expected: str) -> None:
    assert classify(text, country) == Caller(E164, expected)
    assert to_e164(text, country) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, MISSING),
        ("", MISSING),
        ("   ", MISSING),
        ("anonymous", WITHHELD),
        ("Anonymous", WITHHELD),
        ("RESTRICTED", WITHHELD),
        ("unavailable", WITHHELD),
        ("Private", WITHHELD),
        ("+266696687", WITHHELD),
        ("+7378742833", WITHHELD),
        ("sip:alice@example.com", NON_TELEPHONE),
        ("alice@example.com", NON_TELEPHONE),
        ("1" * 65, TOO_LONG),
        ("+" + "1" * 200, TOO_LONG),
        ("hello", UNPARSABLE),
        ("+0123456789", UNPARSABLE),
        ("+1234", UNPARSABLE),
        (12125550100, UNPARSABLE),
        (["+12125550100"], UNPARSABLE),
        ("+1 212 555 0100 0000 0000", UNPARSABLE),
    ],
)
def test_classes(raw: object, expected: str) -> None:
    assert classify(raw, "US").caller_class == expected
    assert classify(raw, "US").e164 == ""


def test_national_format_without_default_country_is_unparsable() -> None:
    assert classify("020 7946 0958").caller_class == UNPARSABLE
    with pytest.raises(NumberError, match="no default country") as caught:
        to_e164("020 7946 0958")
    assert caught.value.caller_class == UNPARSABLE
    assert "7946 0958" not in str(caught.value)


def test_unknown_default_country_is_unparsable() -> None:
    assert classify("020 7946 0958", "XX").caller_class == UNPARSABLE


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("anonymous", "withheld"),
        ("", "empty"),
        ("x" * 80, "longer than"),
        ("sip:a@b", "not a telephone"),
        ("12", "is too short"),
        ("hello", "not a valid"),
    ],
)
def test_to_e164_says_why(raw: str, message: str) -> None:
    with pytest.raises(NumberError, match=message):
        to_e164(raw, "GB")


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ({"Address": "+442079460958", "Type": "TELEPHONE_NUMBER"}, Caller(E164, "+442079460958")),
        ({"Address": "+442079460958"}, Caller(E164, "+442079460958")),
        ({"Address": "anonymous", "Type": "TELEPHONE_NUMBER"}, Caller(WITHHELD)),
        ({"Address": "a@b", "Type": "EMAIL_ADDRESS"}, Caller(NON_TELEPHONE)),
        ({"Address": None, "Type": "TELEPHONE_NUMBER"}, Caller(MISSING)),
        ({}, Caller(MISSING)),
        (None, Caller(MISSING)),
        ("+442079460958", Caller(UNPARSABLE)),
    ],
)
def test_classify_endpoint(endpoint: object, expected: Caller) -> None:
    assert classify_endpoint(endpoint) == expected


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("+442079460958", "+4420*****958"),
        ("+12125550100", "+121******00"),
        ("+6831234", "+68****4"),
        ("(212) 555-0100", "(21*) ***-**00"),
        ("020 7946 0958", "02* **** **58"),
        ("abc", "abc"),
        ("12345", "*****"),
        (None, "<none>"),
        (42, "<int>"),
        ("9" * 100, "<100 chars>"),
    ],
)
def test_mask(value: object, masked: str) -> None:
    assert mask(value) == masked


@given(e164_numbers)
def test_mask_never_reveals_the_whole_number(number: str) -> None:
    masked = mask(number)
    assert len(masked) == len(number)
    assert masked.count("*") >= max(3, (len(number) - 1) // 3)
    assert number[1:] not in masked


@given(st.text(max_size=80))
def test_classify_never_raises(text: str) -> None:
    caller = classify(text, "GB")
    assert caller.caller_class in numbers.CALLER_CLASSES
    assert caller.is_number == bool(caller.e164)


def test_fast_path_does_not_import_phonenumbers() -> None:
    code = (
        "import sys; from callguard.numbers import classify, classify_endpoint;"
        "classify('+442079460958'); classify('anonymous'); classify(None);"
        "classify_endpoint({'Address': '+12125550100', 'Type': 'TELEPHONE_NUMBER'});"
        "assert 'phonenumbers' not in sys.modules;"
        "classify('020 7946 0958', 'GB'); assert 'phonenumbers' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("raw", "country", "message"),
    [
        # Too long or too short says so, with or without a default country.
        ("+44 20 7946 0958 1234 5678", None, r"is too long \(20 digits; at most 15\)"),
        ("123456789012345678", None, r"is too long \(18 digits"),
        ("+44 20 7946 09581", None, "is too long$"),
        ("+4420", None, "is too short$"),
        ("020 79", "GB", "is too short|local number"),
        # Extensions are refused, never dropped.
        ("+44 20 7946 0958 ext. 123", None, "has an extension"),
        ("+442079460958 x12", None, "has an extension"),
        ("+442079460958;ext=12", None, "has an extension|not part of a phone number"),
        # A country code that no country has, also in E.164 form.
        ("+999123456789", None, "country code that does not exist"),
        ("+9991234567", "GB", "country code that does not exist"),
        # An emoji is refused wherever it stands.
        ("+442079460958\N{GRINNING FACE}", None, r"not part of a phone number \(U\+1F600\)"),
        ("\N{GRINNING FACE}+442079460958", None, r"not part of a phone number \(U\+1F600\)"),
        ("+44207946\N{RIGHT-TO-LEFT OVERRIDE}0958", None, r"\(U\+202E\)"),
    ],
)
def test_to_e164_names_the_real_problem(raw: str, country: str | None, message: str) -> None:
    with pytest.raises(NumberError, match=message) as caught:
        to_e164(raw, country)

    assert "no default country" not in str(caught.value)
    assert "7946" not in str(caught.value)  # never the whole number
    if not numbers.is_e164(raw):  # E.164 shapes take the call path's fast path, see below
        assert classify(raw, country).caller_class == UNPARSABLE


@pytest.mark.parametrize("text", ["0044 20 7946 0958", "00442079460958", " 00 44 20 7946 0958"])
@pytest.mark.parametrize("country", [None, "GB", "US"])
def test_00_is_the_international_prefix_without_a_default_country(
    text: str, country: str | None
) -> None:
    assert to_e164(text, country) == "+442079460958"


def test_the_call_path_keeps_accepting_any_e164_shape() -> None:
    """Connect's caller ids take the fast path: no country-code look-up on a call."""
    assert classify("+999123456789") == Caller(E164, "+999123456789")


@given(regions, number_types)
def test_valid_e164_accepts_every_region_s_example_numbers(region: str, kind: int) -> None:
    example = phonenumbers.example_number_for_type(region, kind) or phonenumbers.example_number(
        region
    )
    assert example is not None
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    assert numbers.valid_e164(national, region) == e164
    assert numbers.valid_e164(e164) == e164


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("+85201234567", None),  # possible length, but no Hong Kong range starts with 0
        ("612345678", "IT"),  # Rome without its 0
        ("+266696687", None),  # a withheld caller id spelt on the keypad
        ("not a number", "GB"),
        ("private", "GB"),  # a withheld word, never read as keypad letters
        ("sip:+442079460958", None),  # not a telephone number
    ],
)
def test_valid_e164_refuses_what_is_only_possible_or_not_a_number(
    text: str, region: str | None
) -> None:
    assert numbers.valid_e164(text, region) is None
