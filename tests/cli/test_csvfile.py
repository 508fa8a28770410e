"""Import-file validation with hostile input: every line accounted for, nothing silent."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from callguard.numbers import to_e164
from callguard_tools.admin.csvfile import (
    MalformedFileError,
    ParsedFile,
    read_import_file,
    write_rejects,
)

NOW = datetime(2026, 11, 21, 5, 42, 51, tzinfo=UTC)
WriteFile = Callable[..., Path]


def _read(path: Path, country: str | None = None) -> ParsedFile:
    return read_import_file(
        path, normalise=partial(to_e164, default_country=country), now=NOW, default_reason="bulk"
    )


def _errors(parsed: ParsedFile) -> dict[int, str]:
    return {reject.line: reject.error for reject in parsed.rejects}


def _accounted(parsed: ParsedFile) -> bool:
    return len(parsed.rows) + len(parsed.rejects) == parsed.records


def test_bom_crlf_blank_lines_and_header_case(write_file: WriteFile) -> None:
    path = write_file(
        b"\xef\xbb\xbfNumber , REASON,Expires\r\n"
        b"\r\n"
        b"+44 20 7946 0958,fraud ring,30d\r\n"
        b"   \r\n"
        b"+1 (212) 555-0100,,2027-01-31\r\n"
        b",,\r\n"
    )

    parsed = _read(path)

    assert [row.number for row in parsed.rows] == ["+442079460958", "+12125550100"]
    assert [row.line for row in parsed.rows] == [3, 5]
    assert parsed.rows[0].reason == "fraud ring"
    assert parsed.rows[1].reason == "bulk"
    assert parsed.rows[1].expires_at == datetime(2027, 1, 31, tzinfo=UTC)
    assert parsed.rejects == []
    assert parsed.blank_lines == 3
    assert parsed.records == 2


def test_duplicates_after_normalisation_are_rejected_with_the_first_line(
    write_file: WriteFile,
) -> None:
    path = write_file(
        "number,reason\n+442079460958,first\n020 7946 0958,again\n+44 (0)20 7946 0958,third\n"
    )

    parsed = _read(path, country="GB")

    assert [row.reason for row in parsed.rows] == ["first"]
    errors = _errors(parsed)
    assert set(errors) == {3, 4}
    assert "duplicate of line 2" in errors[3]
    assert "+442079460958" not in errors[3]  # diagnostics mask numbers
    assert _accounted(parsed)


def test_national_formats_need_a_default_country(write_file: WriteFile) -> None:
    path = write_file("number\n020 7946 0958\n0123\n")

    without = _read(path)
    with_gb = _read(path, country="GB")

    assert without.rows == []
    assert "no default country is set" in _errors(without)[2]
    assert [row.number for row in with_gb.rows] == ["+442079460958"]
    assert "is a local number; add the area code" in _errors(with_gb)[3]


def test_garbage_lines_each_get_a_reason(write_file: WriteFile) -> None:
    path = write_file(
        "number,reason,expires,status\n"
        "hello world,x,,\n"
        "anonymous,x,,\n"
        "+12,x,,\n"
        "+12125550100,x,yesterday,\n"
        "+12125550101,x,,maybe\n"
        "+12125550102,a,b,c,d\n"
        "+12125550103,ok,,pending\n"
        "+12125550104,x,2001-01-01,\n"
    )

    parsed = _read(path)
    errors = _errors(parsed)

    assert [(row.number, row.status) for row in parsed.rows] == [("+12125550103", "pending")]
    assert "not in E.164 form" in errors[2]
    assert "withheld caller id" in errors[3]
    assert "is too short" in errors[4]
    assert "expiry 'yesterday' is not understood" in errors[5]
    assert "status 'maybe' is not one of blocked, pending" in errors[6]
    assert "5 fields but the header has 4" in errors[7]
    assert "is not in the future" in errors[9]
    assert _accounted(parsed)


def test_a_10_mb_field_is_rejected_and_the_next_lines_still_count(write_file: WriteFile) -> None:
    huge = "9" * (10 * 1024 * 1024)
    path = write_file(f"number,reason\n+12125550100,before\n{huge},big\n+12125550101,after\n")

    parsed = _read(path)

    assert [row.reason for row in parsed.rows] == ["before", "after"]
    assert list(_errors(parsed)) == [3]
    assert "not valid CSV (field larger than field limit" in _errors(parsed)[3]
    assert _accounted(parsed)


def test_a_long_number_or_reason_below_the_csv_limit_is_rejected(write_file: WriteFile) -> None:
    path = write_file(f"number,reason\n{'1' * 100},x\n+12125550100,{'r' * 501}\n")

    errors = _errors(_read(path))

    assert "number is 100 characters long" in errors[2]
    assert "reason is 501 characters long" in errors[3]


def test_invalid_utf8_and_control_characters_are_rejected_per_line(
    write_file: WriteFile,
) -> None:
    path = write_file(
        b'number,reason\n+12125550100,caf\xe9\n+12125550101,"two\nlines"\n+12125550102,ok\n'
    )

    parsed = _read(path)
    errors = _errors(parsed)

    assert [row.number for row in parsed.rows] == ["+12125550102"]
    assert "not UTF-8 text" in errors[2]
    # A value cannot span lines: the quote that opens on line 3 is unterminated.
    assert errors[3].startswith("line 3: unterminated quote starting on line 3")
    assert 'phone number lines" is not in E.164 form' in errors[4]
    assert _accounted(parsed)


def test_an_unterminated_quote_costs_only_its_own_line(write_file: WriteFile) -> None:
    path = write_file('number,reason\n+12125550100,"open\n+12125550101,x\n+12125550102,"y"\n')

    parsed = _read(path)

    assert [(row.number, row.reason) for row in parsed.rows] == [
        ("+12125550101", "x"),
        ("+12125550102", "y"),
    ]
    assert list(_errors(parsed)) == [2]
    assert _errors(parsed)[2].startswith("line 2: unterminated quote starting on line 2")
    assert "control characters" not in _errors(parsed)[2]  # what it used to say
    assert parsed.records == 3


@pytest.mark.parametrize(
    "char",
    ["\N{RIGHT-TO-LEFT OVERRIDE}", "\N{LEFT-TO-RIGHT ISOLATE}", "\N{ZERO WIDTH SPACE}", "\t"],
)
def test_bidirectional_and_other_control_characters_are_refused_alike(
    write_file: WriteFile, char: str
) -> None:
    path = write_file(f"number,reason\n+12125550100,fraud{char}ring\n+12125550101,ok\n")

    parsed = _read(path)

    assert [row.number for row in parsed.rows] == ["+12125550101"]
    assert f"the reason contains control characters (U+{ord(char):04X})" in (_errors(parsed)[2])


@pytest.mark.parametrize(
    "header",
    ["x" * 10_000 + ",reason", f"number,{'y' * 10_000},{'y' * 10_000}"],
    ids=["no number column", "repeated column"],
)
def test_an_over_long_header_is_shortened_in_the_error(write_file: WriteFile, header: str) -> None:
    path = write_file(header + "\n+12125550100,a\n")

    with pytest.raises(MalformedFileError) as caught:
        _read(path)

    assert len(str(caught.value)) < 400
    assert "more characters cut" in str(caught.value)


def test_an_export_keeps_empty_reasons_empty_when_asked(write_file: WriteFile) -> None:
    exported = write_file(
        "number,status,reason,expires,source,flagged_by,created_at\n"
        "+12125550100,blocked,,,cli,arn:aws:iam::1:user/a,2026-11-21T05:42:51Z\n"
    )
    carrier = write_file("number,reason\n+12125550100,\n")

    def read(path: Path) -> str:
        parsed = read_import_file(
            path, normalise=to_e164, now=NOW, default_reason="bulk", exports_keep_empty_reasons=True
        )
        return parsed.rows[0].reason

    assert read(exported) == ""
    assert read(carrier) == "bulk"
    assert _read(exported).rows[0].reason == "bulk"  # an explicit --reason still fills it


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\n\r\n\n", "no header line found"),
        (b"+442079460958,fraud\n+12125550100,x\n", "it looks like data"),
        (b"phone;reason\n+442079460958;x\n", "not semicolons"),
        (b"reason,expires\nx,30d\n", "the header has no 'number' column"),
        (b"number,reason,Reason\n+1,x,y\n", r"header repeats column\(s\) reason"),
        ("number\n+442079460958\n".encode("utf-16"), "UTF-16"),
        (b"PK\x03\x04rest-of-a-zip", "spreadsheet or zip"),
        (b"number\x00,reason\n", "NUL bytes"),
    ],
)
def test_whole_file_problems_stop_before_any_line(
    write_file: WriteFile, content: bytes, message: str
) -> None:
    with pytest.raises(MalformedFileError, match=message):
        _read(write_file(content))


def test_export_columns_are_ignored_quietly_and_unknown_ones_reported(
    write_file: WriteFile,
) -> None:
    path = write_file(
        "number,status,reason,expires,source,flagged_by,flag_count,colour\n"
        "+12125550100,blocked,x,,cli,arn:aws:iam::1:user/a,3,red\n"
    )

    parsed = _read(path)

    assert parsed.ignored_columns == ("colour",)
    assert len(parsed.rows) == 1


def test_phone_number_alias_and_header_only_file(write_file: WriteFile) -> None:
    parsed = _read(write_file("phone_number,reason\n"))

    assert parsed.records == 0
    assert parsed.rows == []


def test_rejects_file_can_be_fixed_and_imported_again(
    write_file: WriteFile, tmp_path: Path
) -> None:
    huge = "x" * 5000
    path = write_file(
        f"number,reason,expires\nnot-a-number,spam,30d\n+12125550100,{huge},\n+12125550101,ok,\n"
    )
    parsed = _read(path)
    rejects = tmp_path / "rejects.csv"

    write_rejects(rejects, parsed.rejects)
    rows = list(csv.DictReader(rejects.open(encoding="utf-8", newline="")))

    assert [row["line"] for row in rows] == ["2", "3"]
    assert rows[0]["number"] == "not-a-number"
    assert rows[0]["expires"] == "30d"
    assert "more characters cut" in rows[1]["reason"]
    assert rows[1]["error"].startswith("line 3: the reason is 5000 characters long")
    again = _read(rejects)
    assert again.records == 2  # the extra line/error columns are accepted as input
    assert again.ignored_columns == ()


def test_a_stream_without_peek_is_read_once_front_to_back() -> None:
    import io

    from callguard_tools.admin.csvfile import read_import_stream

    class Pipe(io.RawIOBase):
        """A non-seekable source, like a shell pipe."""

        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            chunk = self._data.read(7)  # tiny reads, as a slow pipe would give
            buffer[: len(chunk)] = chunk
            return len(chunk)

    parsed = read_import_stream(
        Pipe(b"\xef\xbb\xbfnumber\r\n+12125550100\r\n+12125550101\r\n"),  # type: ignore[arg-type]
        name="<stdin>",
        normalise=to_e164,
        now=NOW,
        default_reason="piped",
    )

    assert [row.number for row in parsed.rows] == ["+12125550100", "+12125550101"]
