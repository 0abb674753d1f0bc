"""The XLSX sheets people fill in (screening, coding, codebook, appraisal), built one way.

Every sheet the pipeline hands to a person has a bold, coloured, frozen header, columns wide
enough to read, every cell wrapped at the top with rows as tall as their text, a print set-up
(landscape, one page wide, the header on every page), links that open, and drop-downs that offer
only allowed values (list validations reading a hidden sheet, so a long list never hits Excel's
255-character limit on inline lists). Every cell is neutralised against formula injection
(:func:`review.spreadsheet.safe_cell`). Files are saved atomically.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from review.atomic import atomic_path
from review.spreadsheet import safe_cell

HEADER_FILL = "DDEBF7"
LINK_FONT = Font(color="0563C1", underline="single")
#: Excel's largest row height (points); one line of 11 pt text takes 15.
MAX_ROW_HEIGHT = 409
LINE_HEIGHT = 15
#: Characters of ordinary text per unit of column width (a unit is one "0" of the default font;
#: prose is narrower), kept low so an estimate errs towards a row a little too tall.
CHARS_PER_WIDTH = 1.1


def new_workbook(title: str) -> tuple[Workbook, Worksheet]:
    """A workbook whose first sheet is named ``title``."""
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = title
    return wb, ws


def write_table_sheet(
    ws: Worksheet,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    *,
    widths: Mapping[str, int] | None = None,
    default_width: int = 14,
    fill: str = HEADER_FILL,
    freeze: str = "A2",
) -> int:
    """Header and rows (formula-safe), styled and laid out (:func:`lay_out_sheet`, frozen at
    ``freeze``); returns the last row's number (>= 2)."""
    ws.append(list(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=fill)
    n = 0
    for row in rows:
        ws.append([safe_cell(row.get(c, "")) for c in columns])
        n += 1
    for i, name in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = (widths or {}).get(name, default_width)
    lay_out_sheet(ws, freeze=freeze)
    return max(n + 1, 2)


def text_lines(value: Any, width: float) -> int:
    """How many lines ``value`` takes, wrapped in a column ``width`` units wide."""
    if value is None or value == "":
        return 1
    per_line = max(1, int(width * CHARS_PER_WIDTH))
    return sum(max(1, -(-len(part) // per_line)) for part in str(value).split("\n"))


def lay_out_sheet(ws: Worksheet, *, freeze: str = "A2", header_rows: int = 1) -> None:
    """Make a worksheet one a person can work in and print: every cell wrapped at the top of its
    cell, each row as tall as its longest text (so no text runs over its neighbours or hides
    behind them; capped at Excel's maximum), the header frozen, and the print set-up landscape,
    one page wide, with the header repeated on every page.

    Call it after the column widths are set: the row heights are estimated from them.
    """
    widths = {
        i: ws.column_dimensions[get_column_letter(i)].width or 13
        for i in range(1, ws.max_column + 1)
    }
    wrapped: dict[Any, Alignment] = {}
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=ws.max_row), start=1):
        lines = 1
        for c, cell in enumerate(row, start=1):
            across = cell.alignment.horizontal
            if across not in wrapped:
                wrapped[across] = Alignment(wrap_text=True, vertical="top", horizontal=across)
            cell.alignment = wrapped[across]
            lines = max(lines, text_lines(cell.value, widths.get(c, 13)))
        ws.row_dimensions[r].height = min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT)
    ws.freeze_panes = freeze
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"1:{header_rows}"


def letter(columns: Sequence[str], name: str) -> str:
    """The column letter of ``name``."""
    return get_column_letter(list(columns).index(name) + 1)


def hidden_lists(wb: Workbook, name: str, lists: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """A hidden sheet with one column per list; returns each list's range formula."""
    ws = wb.create_sheet(name)
    out = {}
    for j, (key, values) in enumerate(lists.items(), start=1):
        ws.cell(row=1, column=j, value=key)
        for i, value in enumerate(values, start=2):
            ws.cell(row=i, column=j, value=value)
        col = get_column_letter(j)
        out[key] = f"{quote_sheetname(name)}!${col}$2:${col}${max(len(values), 1) + 1}"
    ws.sheet_state = "hidden"
    return out


def drop_down(
    ws: Worksheet,
    formula: str,
    cells: str | Sequence[str],
    *,
    title: str,
    error: str,
    prompt: str = "",
) -> DataValidation:
    """A list validation on ``cells`` (a range, or several): offers the values of ``formula``,
    refuses others."""
    dv = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=title[:32],
        error=error[:255],
    )
    if prompt:
        dv.promptTitle = title[:32]
        dv.prompt = prompt[:255]
        dv.showInputMessage = True
    for ref in [cells] if isinstance(cells, str) else cells:
        dv.add(ref)
    ws.add_data_validation(dv)
    return dv


def link_column(ws: Worksheet, column: int, last: int) -> None:
    """Cells of ``column`` (rows 2..last) that hold an address become links, drawn as links
    (blue, underlined: the font of Excel's Hyperlink style, set alone so that the cell keeps
    its wrap; the named style would reset it)."""
    for r in range(2, last + 1):
        cell = ws.cell(row=r, column=column)
        if cell.value:
            cell.hyperlink = str(cell.value)
            cell.font = LINK_FONT


def save(wb: Workbook, path: str | Path) -> None:
    """Write the workbook atomically (a reader never sees half a file)."""
    with atomic_path(path) as tmp:
        wb.save(tmp)
