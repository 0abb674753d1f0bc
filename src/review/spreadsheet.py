"""Neutralise spreadsheet formula injection in every CSV/XLSX cell the pipeline writes.

Titles, abstracts and coders' notes come from the outside world; a cell that starts with ``=``,
``+``, ``-`` or ``@`` (or a tab/carriage return, which some spreadsheet programs skip before
reading a formula) is run as a formula when the file is opened in Excel or LibreOffice
(OWASP "CSV injection"). Prefixing a ``'`` makes it plain text in both programs and keeps the
text readable. openpyxl would even store such a string as a formula, so XLSX needs this too.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from pathlib import Path
from typing import Any

from review.errors import DecisionError

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


# ---------------------------------------------------------------------------------------------
# Reading a sheet a person filled in
# ---------------------------------------------------------------------------------------------

#: Cell separators a spreadsheet program may save a "CSV" with: the comma, the semicolon (the
#: default where the decimal mark is a comma: Indonesian, German, French, … locales) and a tab.
DELIMITERS = (",", ";", "\t")
#: What reading a damaged or hostile XLSX raises inside openpyxl and the zip/XML layers
#: (a truncated file, a zip that is not a workbook, XML entities refused by defusedxml).
XLSX_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    IndexError,
    OSError,
    ValueError,
    TypeError,
    SyntaxError,  # xml.etree.ElementTree.ParseError
)


def sniff_delimiter(text: str) -> str:
    """The separator of a CSV: the one of :data:`DELIMITERS` that splits its header into the
    most cells (quotes respected); a comma when none splits it."""

    def cells(d: str) -> int:
        return len(next(csv.reader(io.StringIO(text, newline=""), delimiter=d), []))

    return max(DELIMITERS, key=cells)


def unreadable_workbook(path: Path, exc: BaseException) -> DecisionError:
    """The message for a workbook openpyxl cannot read (truncated, not a zip, hostile XML)."""
    detail = " ".join(str(exc).split())[:200]
    return DecisionError(
        f"{path}: not a readable XLSX workbook ({type(exc).__name__}: {detail}); open it "
        "in a spreadsheet program and save it again as .xlsx (or as CSV UTF-8)"
    )
