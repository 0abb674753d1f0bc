"""Neutralise spreadsheet formula injection in every CSV/XLSX cell the pipeline writes.

Titles, abstracts and coders' notes come from the outside world; a cell that starts with ``=``,
``+``, ``-`` or ``@`` (or a tab/carriage return, which some spreadsheet programs skip before
reading a formula) is run as a formula when the file is opened in Excel or LibreOffice
(OWASP "CSV injection"). Prefixing a ``'`` makes it plain text in both programs and keeps the
text readable. openpyxl would even store such a string as a formula, so XLSX needs this too.
"""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would read as a formula.

    Non-text values (numbers, ``None``) are returned unchanged: they cannot carry a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(row: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``row`` with :func:`safe_cell` applied to every value."""
    return {k: safe_cell(v) for k, v in row.items()}
