"""Phone numbers: normalize caller ids to E.164 and classify everything else.

Amazon Connect already sends E.164 (``+`` and up to 15 digits) in
``CustomerEndpoint.Address``, so that shape is accepted by a regular expression
without importing libphonenumber; an inbound call never pays for the import.
Numbers typed by people ("(212) 555-0100", "020 7946 0958", "00 44 20 ...") go
through ``phonenumbers`` (the ``phonenumberslite`` distribution), imported on
first use, with a default country taken from configuration; without one, national
formats cannot be interpreted and are classified as unparsable.

Anything that is not a usable number gets a *class* instead of an exception, so a
contact flow always receives a defined answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

#: A caller id in E.164 form. The value is the E.164 string.
E164: Final = "e164"
#: The caller withheld their number ("anonymous", "restricted", "private", ...).
WITHHELD: Final = "withheld"
#: No caller id at all: empty, null, or absent from the event.
MISSING: Final = "missing"
#: The contact has a non-telephone endpoint (chat, task, email, SIP URI, ...).
NON_TELEPHONE: Final = "non_telephone"
#: Longer than any phone number can be; never parsed.
TOO_LONG: Final = "too_long"
#: Looks like an attempt at a number but does not parse as a possible number.
UNPARSABLE: Final = "unparsable"

#: Every class a caller id can fall into, in the order they are tested.
CALLER_CLASSES: Final = (E164, WITHHELD, MISSING, NON_TELEPHONE, TOO_LONG, UNPARSABLE)

#: E.164: a plus, a non-zero country code digit, at most 15 digits in total. Seven
#: is the shortest in-service length (small island numbering plans).
_E164_RE: Final = re.compile(r"\+[1-9][0-9]{6,14}")

#: Longest raw text worth parsing. Formatted numbers with extensions stay far
#: below this; anything longer is garbage or an attack and is never parsed.
MAX_RAW_LENGTH: Final = 64

#: Words carriers and telephony platforms use for a withheld caller id.
_WITHHELD_WORDS: Final = frozenset(
    {
        "anonymous",
        "restricted",
        "private",
        "withheld",
        "unavailable",
        "unknown",
        "blocked",
        "not available",
        "no caller id",
        "",
    }
)

#: The same words spelled on a telephone keypad, which is how several carriers
#: present a withheld caller id in E.164 form (ANONYMOUS, RESTRICTED, UNKNOWN,
#: UNAVAILABLE, PRIVATE, BLOCKED).
_WITHHELD_KEYPAD_NUMBERS: Final = frozenset(
    {"+266696687", "+7378742833", "+8656696", "+86282452253", "+7748283", "+2562533"}
)

#: Endpoint types Amazon Connect uses for a phone caller.
_TELEPHONE_TYPES: Final = frozenset({"TELEPHONE_NUMBER"})

#: URI schemes that mark a non-telephone address.
_NON_TELEPHONE_PREFIXES: Final = ("sip:", "sips:", "mailto:", "http:", "https:")


@dataclass(frozen=True, slots=True)
class Caller:
    """The classified caller id of a contact.

    ``e164`` is set only when ``caller_class`` is :data:`E164`; other classes
    carry no number, so they can never be logged or stored by mistake.
    """

    caller_class: str
    e164: str = ""

    @property
    def is_number(self) -> bool:
        """True when the caller id is a usable E.164 number."""
        return self.caller_class == E164


class NumberError(ValueError):
    """A text could not be turned into an E.164 number (raised by :func:`to_e164`).

    ``caller_class`` names why, with the same classes :func:`classify` returns.
    The message never contains the full input, so it is safe to log.
    """

    def __init__(self, caller_class: str, message: str) -> None:
        super().__init__(message)
        self.caller_class = caller_class


def is_e164(text: str) -> bool:
    """Return whether ``text`` is exactly in E.164 form (no spaces, no punctuation)."""
    return _E164_RE.fullmatch(text) is not None


def classify(  # noqa: PLR0911
    raw: object, default_country: str | None = None, *, valid: bool = False
) -> Caller:
    """Classify a raw caller id and normalize it to E.164 when it is a number.

    Never raises: a non-string, empty, withheld, over-long or unparsable value gets
    its class. ``default_country`` (ISO 3166 alpha-2, e.g. ``"GB"``) is used only
    for national formats; ``None`` rejects them as unparsable. ``valid`` asks for a
    number in an assigned range, not only one of a possible length; it always
    parses (there is no fast path for it): :func:`valid_e164` uses it.
    """
    if raw is None:
        return Caller(MISSING)
    if not isinstance(raw, str):
        return Caller(UNPARSABLE)
    if _E164_RE.fullmatch(raw) is not None and not valid:  # the Amazon Connect fast path
        if raw in _WITHHELD_KEYPAD_NUMBERS:
            return Caller(WITHHELD)
        return Caller(E164, raw)
    if len(raw) > MAX_RAW_LENGTH:
        return Caller(TOO_LONG)
    text = raw.strip()
    if not text:
        return Caller(MISSING)
    lowered = text.lower()
    if lowered in _WITHHELD_WORDS:
        return Caller(WITHHELD)
    if lowered.startswith(_NON_TELEPHONE_PREFIXES) or "@" in text:
        return Caller(NON_TELEPHONE)
    return _interpret(text, default_country, valid=valid)[0]


def classify_endpoint(endpoint: object, default_country: str | None = None) -> Caller:
    """Classify an Amazon Connect ``CustomerEndpoint`` object (``{"Address", "Type"}``).

    A missing or null endpoint is :data:`MISSING`; an endpoint whose ``Type`` is set
    and is not ``TELEPHONE_NUMBER`` (chat, tasks, email) is :data:`NON_TELEPHONE`.
    """
    if not isinstance(endpoint, dict):
        return Caller(MISSING) if endpoint is None else Caller(UNPARSABLE)
    endpoint_type = endpoint.get("Type")
    if endpoint_type is not None and (
        not isinstance(endpoint_type, str) or endpoint_type not in _TELEPHONE_TYPES
    ):
        return Caller(NON_TELEPHONE)
    return classify(endpoint.get("Address"), default_country)


def to_e164(text: str, default_country: str | None = None) -> str:
    """Return ``text`` as E.164 or raise :class:`NumberError` saying why not.

    The raising twin of :func:`classify`, for tools that read numbers from people
    (command line, imports) and must report each bad value. It is also stricter
    than the call path in one way: a number already in E.164 form must have a
    country code that exists (``+999...`` is refused), which needs the number
    library that the call path's fast path never loads.
    """
    caller = classify(text, default_country)
    if caller.is_number:
        if not _country_code_exists(caller.e164):
            raise NumberError(
                UNPARSABLE, f"phone number {mask(text)} has a country code that does not exist"
            )
        return caller.e164
    if caller.caller_class == UNPARSABLE and isinstance(text, str):
        why = _interpret(text.strip(), default_country)[1]
    else:
        why = _REASONS[caller.caller_class]
    raise NumberError(caller.caller_class, f"phone number {mask(text)} {why}")


#: Why a value of each class is not a number, for :func:`to_e164`'s message.
_REASONS: Final = {
    WITHHELD: "is a withheld caller id, not a number",
    MISSING: "is empty",
    NON_TELEPHONE: "is not a telephone number",
    TOO_LONG: f"is longer than {MAX_RAW_LENGTH} characters",
}
_NO_COUNTRY: Final = "is not in E.164 form (+<country code><number>) and no default country is set"
#: Most digits an E.164 number has (country code included).
_MAX_DIGITS: Final = 15
#: Unicode categories a written phone number may use: digits, letters (vanity
#: numbers such as 1-800-FLOWERS), spaces and punctuation. Anything else - an
#: emoji, a control or formatting character - means the text is not just a number.
_NUMBER_CATEGORIES: Final = frozenset(
    {"Nd", "Lu", "Ll", "Lt", "Lm", "Lo", "Zs", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po"}
)


def _odd_character(text: str) -> str | None:
    """Return the first character of ``text`` that has no place in a written number."""
    import unicodedata  # noqa: PLC0415 - only human-typed numbers get here

    for char in text:
        if char == "+":
            continue
        if unicodedata.category(char) not in _NUMBER_CATEGORIES:
            return char
    return None


def valid_e164(text: str, default_country: str | None = None) -> str | None:
    """Return ``text`` as E.164 when it is a *valid* number, else ``None``.

    Valid is stricter than :func:`to_e164`'s *possible*: the number lies in a range
    its country has assigned. Call jobs need it to tell whether a spreadsheet number
    cell lost a leading zero; one parse answers both questions.
    """
    caller = classify(text, default_country, valid=True)
    return caller.e164 if caller.is_number else None


def _count_digits(text: str) -> tuple[int, str]:
    """Return the digits in ``text``, and why it cannot be a number when it cannot."""
    if text.isascii() and text.lstrip("+").isdigit():  # digits only: the common case
        digits = len(text.lstrip("+"))
    else:
        odd = _odd_character(text)
        if odd is not None:
            return 0, f"contains a character that is not part of a phone number (U+{ord(odd):04X})"
        digits = sum(char.isdigit() for char in text)
    if digits > _MAX_DIGITS:
        return digits, f"is too long ({digits} digits; at most {_MAX_DIGITS})"
    return digits, ""


def _interpret(  # noqa: PLR0911
    text: str, default_country: str | None, *, valid: bool = False
) -> tuple[Caller, str]:
    """Parse a human-typed number; return its class and, when it is not one, why not.

    The one place ``phonenumbers`` parses, so that :func:`classify` and
    :func:`to_e164`'s message can never disagree. ``00`` is the international
    prefix (ITU-T E.164 recommends it, and no national number starts with it), so
    ``0044 20 7946 0958`` needs no default country. An extension (``ext. 123``,
    ``x12``) is refused rather than dropped: a caller id never carries one.
    """
    digits, why = _count_digits(text)
    if why:
        return Caller(UNPARSABLE), why
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+") and not default_country:
        return Caller(UNPARSABLE), _NO_COUNTRY
    import phonenumbers  # noqa: PLC0415 - lazy: the E.164 fast path never needs it

    region = default_country.upper() if default_country else None
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        if error.error_type == phonenumbers.NumberParseException.NOT_A_NUMBER and 0 < digits < 7:
            return Caller(UNPARSABLE), "is too short"  # "+12": too few digits to parse
        why = _reason_for(phonenumbers.NumberParseException, error.error_type, _PARSE_ERRORS)
        return Caller(UNPARSABLE), why
    if parsed.extension:
        return Caller(UNPARSABLE), "has an extension; a caller id never has one, so remove it"
    if valid:  # a valid number is a possible one: one check is enough
        if not phonenumbers.is_valid_number(parsed):
            return Caller(UNPARSABLE), "is not a number in a range its country has assigned"
    else:
        possible = phonenumbers.is_possible_number_with_reason(parsed)
        if possible != phonenumbers.ValidationResult.IS_POSSIBLE:
            why = _reason_for(phonenumbers.ValidationResult, possible, _LENGTH_ERRORS)
            return Caller(UNPARSABLE), why
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if _E164_RE.fullmatch(e164) is None:
        return Caller(UNPARSABLE), "is not a valid phone number"
    if e164 in _WITHHELD_KEYPAD_NUMBERS:
        return Caller(WITHHELD), _REASONS[WITHHELD]
    return Caller(E164, e164), ""


#: libphonenumber's ``NumberParseException.error_type`` names -> why.
_PARSE_ERRORS: Final = {
    "INVALID_COUNTRY_CODE": "has a country code that does not exist",
    "NOT_A_NUMBER": "is not a valid phone number",
    "TOO_SHORT_AFTER_IDD": "is too short",
    "TOO_SHORT_NSN": "is too short",
    "TOO_LONG": "is too long",
}
#: libphonenumber's ``ValidationResult`` names -> why.
_LENGTH_ERRORS: Final = {
    "IS_POSSIBLE_LOCAL_ONLY": "is a local number; add the area code",
    "INVALID_COUNTRY_CODE": "has a country code that does not exist",
    "TOO_SHORT": "is too short",
    "INVALID_LENGTH": "has the wrong number of digits for its country",
    "TOO_LONG": "is too long",
}


def _reason_for(kind: type, value: int, reasons: dict[str, str]) -> str:
    """Return the reason for libphonenumber's code ``value`` of the enum-like ``kind``."""
    for name, why in reasons.items():
        if getattr(kind, name, None) == value:
            return why
    return "is not a valid phone number"


def _country_code_exists(e164: str) -> bool:
    """Tell whether the country code of an E.164 number is assigned.

    Country codes are prefix-free (one to three digits), so the first prefix
    libphonenumber knows is the code. A dictionary look-up, not a parse: an
    import of 100,000 numbers pays microseconds for it.
    """
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE  # noqa: PLC0415 - tools only

    digits = e164[1:]
    return any(int(digits[:length]) in COUNTRY_CODE_TO_REGION_CODE for length in (1, 2, 3))


def mask(number: object) -> str:
    """Mask a phone number (or any text that may hold one) for logs and messages.

    E.164 keeps the country code and a few leading digits plus the last three
    (``+442079460958`` -> ``+4420*****958``), enough to tell numbers apart in an
    investigation but never the whole number. Other text keeps at most the first
    two and last two characters of its digits, so a number hidden in free text is
    never printed either. Over-long input is reduced to its length.
    """
    if not isinstance(number, str):
        return "<none>" if number is None else f"<{type(number).__name__}>"
    if len(number) > MAX_RAW_LENGTH:
        return f"<{len(number)} chars>"
    if _E164_RE.fullmatch(number) is not None:
        digits = number[1:]
        head = min(4, max(1, len(digits) // 3))
        tail = min(3, max(1, len(digits) // 4))
        return "+" + digits[:head] + "*" * (len(digits) - head - tail) + digits[-tail:]
    return _mask_digits(number)


def _mask_digits(text: str) -> str:
    """Star every digit of ``text`` except the first two and last two (if > 6 digits)."""
    positions = [i for i, ch in enumerate(text) if ch.isdigit()]
    keep = set(positions[:2] + positions[-2:]) if len(positions) > 6 else set()
    return "".join("*" if ch.isdigit() and i not in keep else ch for i, ch in enumerate(text))
