"""Neutralise spreadsheet formula injection in every CSV/XLSX cell the pipeline writes.

Titles, abstracts and coders' notes come from the outside world; a cell that starts with ``=``,
``+``, ``-`` or ``@`` (or a tab/carriage return, which some spreadsheet programs skip before
reading a formula) is run as a formula when the file is opened in Excel or LibreOffice
(OWASP "CSV injection"). Prefixing a ``'`` makes it plain text in both programs and keeps the
text readable. openpyxl would even store such a string as a formula, so XLSX needs this too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
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
_XLSX_ERRORS: tuple[type[BaseException], ...] = (
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


@dataclass
class SheetRow:
    """One row of a filled sheet: its number as the spreadsheet shows it (header = row 1), its
    cells by column name, and any cells beyond the header's columns."""

    number: int
    cells: dict[str, str]
    extra: list[str] = field(default_factory=list)


@dataclass
class Sheet:
    path: Path
    header: list[str]
    rows: list[SheetRow]
    delimiter: str = ","


def read_sheet(path: str | Path, *, sheet_name: str | None = None) -> Sheet:
    """The header and rows of a CSV or XLSX a person filled in, as text, or a clear error.

    CSV is read with a CSV reader (a note with line breaks stays one cell, its breaks kept),
    from UTF-8 (with or without BOM); the cell separator is detected from the header line
    (comma, semicolon or tab). XLSX: the sheet ``sheet_name`` when present, else the first;
    a truncated or hostile workbook (XML entities) is refused with its path, never a traceback.
    Cells are stripped text; numbers that are whole come back without ``.0``.
    """
    path = Path(path)
    if not path.is_file():
        raise DecisionError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet_name)
    if suffix in (".xls", ".ods", ".numbers"):
        raise DecisionError(f"{path}: {suffix} workbooks cannot be read; save it as .xlsx or .csv")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DecisionError(
            f"{path}: not UTF-8 text (byte {exc.start}); save it as 'CSV UTF-8'"
        ) from exc
    hint = text[:6].rstrip("\r\n")
    if hint.startswith("sep=") and len(hint) == 5:  # Excel's "sep=;" first line
        delimiter, text = hint[4], text.split("\n", 1)[1] if "\n" in text else ""
    else:
        delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader, [])]
        keep = kept_columns(header)
        rows = []
        for number, cells in enumerate(reader, start=2):
            if not cells:
                continue
            rows.append(
                SheetRow(
                    number,
                    {h: c.strip() for h, c, k in zip(header, cells, keep, strict=False) if k},
                    cells[len(header) :],
                )
            )
    except csv.Error as exc:
        raise DecisionError(f"{path}, line {reader.line_num}: not readable as CSV ({exc})") from exc
    return Sheet(path, header, rows, delimiter)


def kept_columns(header: Sequence[str]) -> list[bool]:
    """Which columns a row keeps: every named one, and an unnamed first column (under ``""``:
    ASReview LAB writes its row ids there); other unnamed columns are empty spreadsheet
    columns."""
    return [bool(h) or (i == 0 and len(header) > 1) for i, h in enumerate(header)]


def sniff_delimiter(text: str) -> str:
    """The separator of a CSV: the one of :data:`DELIMITERS` that splits its header into the
    most cells (quotes respected); a comma when none splits it."""

    def cells(d: str) -> int:
        return len(next(csv.reader(io.StringIO(text, newline=""), delimiter=d), []))

    return max(DELIMITERS, key=cells)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(path: Path, sheet_name: str | None) -> Sheet:
    from openpyxl import load_workbook

    def refused(exc: BaseException) -> DecisionError:
        detail = " ".join(str(exc).split())[:200]
        return DecisionError(
            f"{path}: not a readable XLSX workbook ({type(exc).__name__}: {detail}); open it "
            "in a spreadsheet program and save it again as .xlsx (or as CSV UTF-8)"
        )

    with warnings.catch_warnings():
        # Excel-made files carry extensions openpyxl cannot keep; reading values is unaffected.
        warnings.filterwarnings("ignore", message=".*extension is not supported.*")
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except _XLSX_ERRORS as exc:
            raise refused(exc) from exc
        try:
            ws = wb[sheet_name] if sheet_name and sheet_name in wb.sheetnames else wb.worksheets[0]
            it = ws.iter_rows(values_only=True)
            header = [_text(h) for h in next(it, ())]
            keep = kept_columns(header)
            rows = []
            for number, values in enumerate(it, start=2):
                cells = {h: _text(v) for h, v, k in zip(header, values, keep, strict=False) if k}
                # A value under no header (a blank header cell, or beyond the last) is refused
                # by the readers, never dropped.
                unnamed = [v for v, k in zip(values, keep, strict=False) if not k]
                extra = [_text(v) for v in [*unnamed, *values[len(header) :]] if _text(v)]
                if any(cells.values()) or extra:
                    rows.append(SheetRow(number, cells, extra))
        except _XLSX_ERRORS as exc:
            raise refused(exc) from exc
        finally:
            wb.close()
    return Sheet(path, header, rows, "")
