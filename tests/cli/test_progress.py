"""Import progress: a bar on a terminal, a line per 10% elsewhere, always on stderr."""

from __future__ import annotations

import io

import pytest

from callguard_tools.admin import import_command


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_every_ten_percent(monkeypatch: pytest.MonkeyPatch) -> None:
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)

    with import_command._progress(20_000) as advance:
        for _ in range(20):
            advance(1000)

    lines = err.getvalue().splitlines()
    assert lines == [f"written {n} of 20000" for n in range(2000, 20_001, 2000)]


def test_a_progress_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)

    with import_command._progress(3000) as advance:
        for _ in range(3):
            advance(1000)

    shown = terminal.getvalue()
    assert "importing" in shown
    assert "100%" in shown
    assert "written " not in shown


def test_nothing_to_write_prints_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)

    with import_command._progress(0) as advance:
        advance(0)

    assert err.getvalue() == ""
