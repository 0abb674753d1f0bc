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


#: Excel's largest row height (points); one line of 11 pt text takes 15.
MAX_ROW_HEIGHT = 409
LINE_HEIGHT = 15
#: Characters of ordinary text per unit of column width (a unit is one "0" of the default font;
#: prose is narrower), kept low so an estimate errs towards a row a little too tall.
CHARS_PER_WIDTH = 1.1


def text_lines(value: Any, width: float) -> int:
    """How many lines ``value`` takes, wrapped in a column ``width`` units wide."""
    if value is None or value == "":
        return 1
    per_line = max(1, int(width * CHARS_PER_WIDTH))
    return sum(max(1, -(-len(part) // per_line)) for part in str(value).split("\n"))


def lay_out_sheet(ws: Any, *, freeze: str = "A2", header_rows: int = 1) -> None:
    """Make a worksheet one a person can work in and print: every cell wrapped at the top of its
    cell, each row as tall as its longest text (so no text runs over its neighbours or hides
    behind them; capped at Excel's maximum), the header frozen, and the print set-up landscape,
    one page wide, with the header repeated on every page.

    Call it after the column widths are set: the row heights are estimated from them.
    """
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    widths = {
        i: ws.column_dimensions[get_column_letter(i)].width or 13
        for i in range(1, ws.max_column + 1)
    }
    wrapped: dict[Any, Alignment] = {}
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        lines = 1
        for cell in row:
            across = cell.alignment.horizontal
            if across not in wrapped:
                wrapped[across] = Alignment(wrap_text=True, vertical="top", horizontal=across)
            cell.alignment = wrapped[across]
            lines = max(lines, text_lines(cell.value, widths.get(cell.column, 13)))
        ws.row_dimensions[row[0].row].height = min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT)
    ws.freeze_panes = freeze
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"1:{header_rows}"
