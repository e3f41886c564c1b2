"""Text as the files the bot writes must hold it: a member's words are never a formula, and
never a character that makes the whole file fail. The archive export (``bot.cli.export``) and
the report workbook (``handlers.reports.report_files``) write every cell through here.

- xlsx (openpyxl): a ``str`` starting with "=" becomes a formula when assigned to a cell (its
  ``data_type`` turns "f"); forcing the type to "s" afterwards writes the same text as text.
  openpyxl refuses the control characters XML 1.0 forbids (``IllegalCharacterError``, see
  ``openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE``): they are dropped.
- CSV: OWASP's advice against CSV injection
  (https://owasp.org/www-community/attacks/CSV_Injection): a cell starting with = + - @, a tab
  or a carriage return gets a leading single quote, so a spreadsheet shows it as text.
- JSON holds text verbatim: nothing to do there.
"""

from __future__ import annotations

from typing import Any

# openpyxl ships no type information; "unused-ignore" keeps mypy quiet once stubs are installed.
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped, unused-ignore]

from handlers.engine.textnorm import without_forbidden

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean(value: Any) -> Any:
    """``value`` without the characters XML forbids, when it is text; else as it is."""
    return without_forbidden(value) if isinstance(value, str) else value


def csv_cell(value: Any) -> Any:
    """A CSV cell no spreadsheet reads as a formula."""
    value = clean(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def as_text(cell: Any) -> Any:
    """``cell`` (an openpyxl cell just given its value) holding text as text, not a formula."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def put(sheet: Any, row: int, col: int, value: Any) -> Any:
    """``sheet.cell(row, col, value)`` with text kept as text."""
    return as_text(sheet.cell(row, col, clean(value)))


def write_only(sheet: Any, value: Any) -> Any:
    """A cell for a write-only sheet's ``append``, text kept as text."""
    return as_text(WriteOnlyCell(sheet, value=clean(value)))
