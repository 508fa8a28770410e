"""The spam challenge's decisions: settings, who is challenged, codes, SSML and verification."""

from __future__ import annotations

import itertools
import re
import secrets
from collections.abc import Iterator
from xml.etree import ElementTree

import pytest

from callguard import challenge
from callguard.challenge import ChallengeError


# ---------------------------------------------------------------- settings
def test_defaults() -> None:
    assert challenge.settings({}) == challenge.Settings(4, "everyone", None, "INFO")


def test_settings_are_read_and_normalised() -> None:
    parsed = challenge.settings(
        {
            "CALLGUARD_CHALLENGE_LENGTH": " 6 ",
            "CALLGUARD_CHALLENGE_POLICY": "Pending",
            "CALLGUARD_DEFAULT_COUNTRY": "gb",
            "CALLGUARD_LOG_LEVEL": "debug",
        }
    )
    assert parsed == challenge.Settings(6, "pending", "GB", "DEBUG")


@pytest.mark.parametrize("length", ["2", "7", "four", "-3", "4.0", "٣"])
def test_bad_length_is_rejected_by_name(length: str) -> None:
    with pytest.raises(ChallengeError, match="CALLGUARD_CHALLENGE_LENGTH"):
        challenge.settings({"CALLGUARD_CHALLENGE_LENGTH": length})


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(ChallengeError) as caught:
        challenge.settings(
            {
                "CALLGUARD_CHALLENGE_LENGTH": "9",
                "CALLGUARD_CHALLENGE_POLICY": "sometimes",
                "CALLGUARD_DEFAULT_COUNTRY": "GBR",
                "CALLGUARD_LOG_LEVEL": "LOUD",
            }
        )
    message = str(caught.value)
    for name in (
        "CHALLENGE_LENGTH='9'",
        "CHALLENGE_POLICY='sometimes'",
        "DEFAULT_COUNTRY='GBR'",
        "LOG_LEVEL='LOUD'",
    ):
        assert f"CALLGUARD_{name}" in message


# ---------------------------------------------------------------- who is challenged
@pytest.mark.parametrize(
    ("policy", "status", "caller_class", "expected"),
    [
        ("everyone", "clear", "e164", (True, "everyone")),
        ("everyone", "", "withheld", (True, "everyone")),
        ("withheld", "anonymous", "withheld", (True, "withheld_or_unknown")),
        ("withheld", "anonymous", "missing", (True, "withheld_or_unknown")),
        ("withheld", "invalid", "unparsable", (True, "withheld_or_unknown")),
        ("withheld", "invalid", "too_long", (True, "withheld_or_unknown")),
        ("withheld", "error", "", (True, "withheld_or_unknown")),
        ("withheld", "clear", "e164", (False, "not_required")),
        ("withheld", "pending", "e164", (False, "not_required")),
        ("pending", "pending", "e164", (True, "pending_review")),
        ("pending", "clear", "e164", (False, "not_required")),
        ("pending", "", "withheld", (False, "not_required")),
        ("everyone", "clear", "non_telephone", (False, "no_keypad")),
    ],
)
def test_policy(policy: str, status: str, caller_class: str, expected: tuple[bool, str]) -> None:
    assert challenge.must_challenge(policy, status, caller_class) == expected


def test_unknown_policy_is_an_error() -> None:
    with pytest.raises(ChallengeError, match="policy"):
        challenge.must_challenge("sometimes", "clear", "e164")


# ---------------------------------------------------------------- codes
@pytest.mark.parametrize("length", [3, 4, 5, 6])
def test_code_has_the_configured_length(length: int) -> None:
    code = challenge.new_code(length)
    assert len(code) == length
    assert code.isdigit()


@pytest.mark.parametrize("length", [0, 2, 7, 100])
def test_code_length_out_of_range(length: int) -> None:
    with pytest.raises(ChallengeError):
        challenge.new_code(length)


def test_code_digits_come_from_the_randomness_source() -> None:
    draws: list[int] = []

    def source(upper: int) -> int:
        draws.append(upper)
        return len(draws) % 10

    assert challenge.new_code(4, source) == "1234"
    assert draws == [10, 10, 10, 10]  # one fair draw per digit, never a modulo of a bigger one


def test_leading_zeros_are_kept() -> None:
    assert challenge.new_code(3, lambda _upper: 0) == "000"


def test_default_source_is_the_secrets_module() -> None:
    assert challenge.new_code.__defaults__ == (secrets.randbelow,)


def test_codes_use_every_digit_in_every_position() -> None:
    # A statistical smoke test of the real source: 2,000 codes of 4 digits leave
    # a digit unseen in a position with probability below 10 * 4 * 0.9**2000.
    codes = [challenge.new_code(4) for _ in range(2000)]
    for position in range(4):
        assert {code[position] for code in codes} == set("0123456789")


# ---------------------------------------------------------------- SSML
def test_ssml_reads_the_code_digit_by_digit() -> None:
    ssml = challenge.code_ssml("0471", "Please key in:")
    root = ElementTree.fromstring(ssml)
    assert root.tag == "speak"
    say_as = root.find("say-as")
    assert say_as is not None
    assert say_as.get("interpret-as") == "digits"
    assert say_as.text == "0471"
    assert ssml.startswith("<speak>Please key in: ")


def test_ssml_escapes_the_prompt() -> None:
    ssml = challenge.code_ssml("123", 'Fish & <chips> "now"')
    root = ElementTree.fromstring(ssml)  # still well-formed
    assert root.text is not None
    assert "Fish & <chips>" in root.text


def test_ssml_prompt_is_bounded_and_defaulted() -> None:
    long = challenge.code_ssml("123", "word " * 1000)
    assert len(long) < challenge.MAX_PROMPT_LENGTH + 100
    assert challenge.DEFAULT_PROMPT in challenge.code_ssml("123", "   ")


@pytest.mark.parametrize("code", ["12", "1234567", "12a4", "", "\uff11\uff12\uff13"])
def test_ssml_refuses_what_is_not_a_code(code: str) -> None:
    with pytest.raises(ChallengeError):
        challenge.code_ssml(code)


# ---------------------------------------------------------------- input
@pytest.mark.parametrize(
    ("entered", "expected"),
    [
        ("4711", ("digits", "4711")),
        ("4711#", ("digits", "4711")),
        (" 4711 ", ("digits", "4711")),
        ("Timeout", ("timeout", "")),
        ("", ("timeout", "")),
        ("#", ("invalid", "")),
        ("47*1", ("invalid", "")),
        ("abc", ("invalid", "")),
        ("٤٧١١", ("invalid", "")),
    ],
)
def test_classify_input(entered: str, expected: tuple[str, str]) -> None:
    assert challenge.classify_input(entered) == expected


@pytest.mark.parametrize(("value", "expected"), [("", 2), ("1", 1), ("5", 5), (" 3 ", 3)])
def test_parse_count(value: str, expected: int) -> None:
    assert challenge.parse_count(value, "MaxAttempts", 1, 5, 2) == expected


@pytest.mark.parametrize("value", ["0", "6", "-1", "two", "1.5", "99999999999999999999"])
def test_parse_count_rejects_by_name(value: str) -> None:
    with pytest.raises(ChallengeError, match="MaxAttempts"):
        challenge.parse_count(value, "MaxAttempts", 1, 5, 2)


# ---------------------------------------------------------------- verification
def test_right_code_passes() -> None:
    assert challenge.verify("4711", "4711", 0, 2) == challenge.Verdict("pass", 1, 1, "digits")


def test_wrong_then_right() -> None:
    first = challenge.verify("1111", "4711", 0, 2)
    assert first == challenge.Verdict("retry", 1, 1, "digits")
    assert challenge.verify("4711#", "4711", first.attempts, 2).result == "pass"


def test_wrong_twice_fails() -> None:
    first = challenge.verify("1111", "4711", 0, 2)
    assert challenge.verify("2222", "4711", first.attempts, 2) == challenge.Verdict(
        "fail", 2, 0, "digits"
    )


def test_timeouts_and_invalid_input_count_as_attempts() -> None:
    assert challenge.verify("Timeout", "4711", 0, 3) == challenge.Verdict("retry", 1, 2, "timeout")
    assert challenge.verify("47*1", "4711", 1, 3) == challenge.Verdict("retry", 2, 1, "invalid")
    assert challenge.verify("", "4711", 2, 3) == challenge.Verdict("fail", 3, 0, "timeout")


def test_one_attempt_fails_at_once() -> None:
    assert challenge.verify("0000", "4711", 0, 1).result == "fail"


def test_prefix_and_extension_of_the_code_do_not_pass() -> None:
    assert challenge.verify("471", "4711", 0, 2).result == "retry"
    assert challenge.verify("47110", "4711", 0, 2).result == "retry"


@pytest.mark.parametrize("expected", ["", "12", "1234567", "12a4", "Timeout"])
def test_lost_code_is_an_error(expected: str) -> None:
    with pytest.raises(ChallengeError, match="expected code"):
        challenge.verify("1234", expected, 0, 2)


@pytest.mark.parametrize(("before", "maximum"), [(2, 2), (-1, 2), (0, 0), (0, 6)])
def test_counts_out_of_range_are_errors(before: int, maximum: int) -> None:
    with pytest.raises(ChallengeError):
        challenge.verify("1234", "1234", before, maximum)


def _every_code(length: int) -> Iterator[str]:
    for digits in itertools.product("0123456789", repeat=length):
        yield "".join(digits)


def test_exactly_one_three_digit_answer_passes() -> None:
    passing = [c for c in _every_code(3) if challenge.verify(c, "042", 0, 2).result == "pass"]
    assert passing == ["042"]


def test_the_module_never_names_a_non_cryptographic_source() -> None:
    source = challenge.__file__
    assert source is not None
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    assert re.search(r"^import random|^from random", text, re.MULTILINE) is None
