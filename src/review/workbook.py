"""The XLSX sheets people fill in (screening, coding, appraisal), built one way.

Every sheet the pipeline hands to a person has a bold, coloured, frozen header, wrapped text,
columns wide enough to read, links that open, and drop-downs that offer only allowed values
(list validations reading a hidden sheet, so a long list never hits Excel's 255-character
limit on inline lists). Every cell is neutralised against formula injection
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
from openpyxl.worksheet.worksheet import Worksheet

from review.atomic import atomic_path
from review.spreadsheet import safe_cell

HEADER_FILL = "DDEBF7"
WRAP = Alignment(wrap_text=True, vertical="top")


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
    wrap: bool = True,
) -> int:
    """Header and rows (formula-safe), styled; returns the last row's number (>= 2)."""
    ws.append(list(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=fill)
        cell.alignment = WRAP
    n = 0
    for row in rows:
        ws.append([safe_cell(row.get(c, "")) for c in columns])
        n += 1
    last = max(n + 1, 2)
    if wrap:
        for row_cells in ws.iter_rows(min_row=2, max_row=last):
            for cell in row_cells:
                cell.alignment = WRAP
    for i, name in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = (widths or {}).get(name, default_width)
    return last


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
    """Cells of ``column`` (rows 2..last) that hold an address become links."""
    for r in range(2, last + 1):
        cell = ws.cell(row=r, column=column)
        if cell.value:
            cell.hyperlink = str(cell.value)
            cell.style = "Hyperlink"


def save(wb: Workbook, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        wb.save(tmp)
