"""Spreadsheet formula injection: text a spreadsheet would run as a formula, neutralised.

A cell whose text starts ``=``, ``+``, ``-``, ``@``, tab or carriage return is run
as a formula by Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)``). Every
file the project writes for people to open in a spreadsheet (the deny-list export,
the outbound job report) prefixes such text with ``'``, which spreadsheets show as
text. One module, with no dependency beyond the standard library, so the inbound
code, the outbound engine and the tools share the one rule.
"""

from __future__ import annotations

from typing import Final

#: A spreadsheet treats a text cell starting with one of these as a formula.
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Prefix text a spreadsheet would run as a formula with ``'``; other text is unchanged."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def restore(value: str) -> str:
    """Undo :func:`neutralise`: drop one ``'`` that protects a formula character."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
