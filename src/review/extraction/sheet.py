"""Write the coding sheet: one row per included study, one column per protocol coding field.

The sheet is *generated*: it is rebuilt on every run from the included studies and the protocol,
and it never holds coded values (they live in the coders' files under
``data/decisions/coding/``), so regenerating it after an update can lose nothing. Study
columns come first (id, citation, titles, abstract, the team's summary, labelled as such
because it is not the authors' abstract, the DOI link and who has coded the study), then the
coded columns (left empty for the coder), ``note`` and ``timestamp``, then the
``suggested_<field>`` / ``evidence_<field>`` pre-fill columns.

The XLSX has a drop-down (data validation) on every single-choice and yes/no cell, a note on
every multiple-choice cell listing the allowed values, the field description as a note on each
coded column's header, a ``codebook`` sheet (field, description, type, allowed values,
required, pre-fill keywords) and a hidden ``values`` sheet the drop-downs read from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from review.atomic import atomic_path
from review.extraction.fields import CodingField
from review.extraction.prefill import suggest
from review.fulltext.evidence import file_cell
from review.records import cite_label, split_list
from review.spreadsheet import safe_cell
from review.tables import contract, write_table

SUMMARY_LABEL = "reviewer summary (not the abstract)"
#: The study columns of the sheet (its contract); the coding fields and CODER_COLUMNS follow.
STUDY_COLUMNS = contract("coding_sheet").names
#: What a coder adds to a row besides the coded values (optional columns of a coder's file).
CODER_COLUMNS = tuple(c.name for c in contract("coder_file").columns if not c.required)
SHEET_NAME = "coding"
CODEBOOK_NAME = "codebook"
VALUES_NAME = "values"
CODEBOOK_COLUMNS = ("field", "description", "type", "allowed values", "required", "keywords")
_AUTHOR = "review extract"
_WIDTHS = {
    "study_id": 15,
    "citation": 40,
    "title": 50,
    "title_alt": 40,
    "abstract": 60,
    "full_text": 40,
}


def prefill_fields(fields: Sequence[CodingField]) -> list[CodingField]:
    return [f for f in fields if f.is_choice and f.has_keywords]


def sheet_columns(fields: Sequence[CodingField]) -> list[str]:
    """Every column of the sheet, in order."""
    cols = [*STUDY_COLUMNS, *(f.name for f in fields), *CODER_COLUMNS]
    for f in prefill_fields(fields):
        cols += [f"suggested_{f.name}", f"evidence_{f.name}"]
    return cols


def citation(study: Mapping[str, str]) -> str:
    """``Authors year. Title. Venue.``: the report's short author label, then title and venue."""
    year = study.get("year") or "n.d."
    if split_list(study.get("authors", "")):
        who = cite_label(study["authors"], year)
    else:
        who = f"[authors not recorded] {year}"
    parts = [f"{who}.", _sentence(study.get("title", ""))]
    if study.get("venue"):
        parts.append(_sentence(study["venue"]))
    return " ".join(p for p in parts if p)


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text.endswith((".", "?", "!")) else text + "."


def doi_link(study: Mapping[str, str]) -> str:
    doi = (study.get("doi") or "").strip()
    return f"https://doi.org/{doi}" if doi else ""


def sheet_rows(
    included: Sequence[str],
    studies: Mapping[str, Mapping[str, str]],
    fields: Sequence[CodingField],
    coded_by: Mapping[str, Sequence[str]],
    sep: str = "; ",
    *,
    fulltext: Mapping[str, Mapping[str, str]] | None = None,
    pages: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> list[dict[str, str]]:
    """One row per included study; coded columns empty, suggestions filled in (their
    evidence cites the full text's pages when it was read, else the record)."""
    rows = []
    fulltext = fulltext or {}
    pages = pages or {}
    for sid in included:
        study = studies[sid]
        row = {
            "study_id": sid,
            "citation": citation(study),
            "title": study.get("title", ""),
            "title_alt": study.get("title_alt", ""),
            "abstract": study.get("abstract", ""),
            SUMMARY_LABEL: study.get("summary", ""),
            "doi_link": doi_link(study),
            "full_text": file_cell(fulltext.get(sid)),
            "coded_by": sep.join(coded_by.get(sid, [])),
        }
        for f in fields:
            row[f.name] = ""
        row.update(dict.fromkeys(CODER_COLUMNS, ""))
        for f in prefill_fields(fields):
            value, evidence = suggest(f, study, sep, pages.get(sid))
            row[f"suggested_{f.name}"] = value
            row[f"evidence_{f.name}"] = evidence
        rows.append(row)
    return rows


def write_sheet_csv(
    path: str | Path, rows: Sequence[Mapping[str, str]], columns: Sequence[str]
) -> None:
    write_table(path, rows, contract("coding_sheet"), columns=columns)


def codebook_rows(fields: Sequence[CodingField], sep: str = "; ") -> list[dict[str, str]]:
    out = []
    for f in fields:
        keywords = "; ".join(f"{v}: {', '.join(kws)}" for v, kws in f.keywords if kws)
        out.append(
            {
                "field": f.name,
                "description": f.description,
                "type": f.type,
                "allowed values": sep.join(f.allowed) if f.is_choice else f.expected(),
                "required": "yes" if f.required else "no",
                "keywords": keywords,
            }
        )
    return out


def write_sheet_xlsx(
    path: str | Path,
    rows: Sequence[Mapping[str, str]],
    columns: Sequence[str],
    fields: Sequence[CodingField],
    sep: str = "; ",
) -> None:
    """The coding workbook: ``coding`` (drop-downs, notes), ``codebook`` and hidden ``values``."""
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = SHEET_NAME
    by_name = {f.name: f for f in fields}
    bold = Font(bold=True)
    coded_fill = PatternFill("solid", fgColor="FFF2CC")
    hint_fill = PatternFill("solid", fgColor="EDEDED")
    ws.append(list(columns))
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        fdef = by_name.get(str(cell.value))
        if fdef is not None:
            cell.fill = coded_fill
            note = f"{fdef.description}\n{'Required' if fdef.required else 'Optional'}; "
            cell.comment = Comment(note + fdef.expected(), _AUTHOR, width=300, height=150)
        elif str(cell.value).startswith(("suggested_", "evidence_")):
            cell.fill = hint_fill
    for row in rows:
        ws.append([safe_cell(row.get(c, "")) for c in columns])
    last = len(rows) + 1
    values_ws = wb.create_sheet(VALUES_NAME)
    choice = [f for f in fields if f.is_choice]
    for j, f in enumerate(choice, start=1):
        values_ws.cell(row=1, column=j, value=f.name)
        for i, v in enumerate(f.allowed, start=2):
            values_ws.cell(row=i, column=j, value=v)
    values_ws.sheet_state = "hidden"
    for j, f in enumerate(choice, start=1):
        col = get_column_letter(columns.index(f.name) + 1)
        if f.type == "multiple":
            for r in range(2, last + 1):
                ws[f"{col}{r}"].comment = Comment(
                    f"{f.name}: {f.expected()}", _AUTHOR, width=300, height=120
                )
            continue
        letter = get_column_letter(j)
        ref = f"{quote_sheetname(VALUES_NAME)}!${letter}$2:${letter}${len(f.allowed) + 1}"
        dv = DataValidation(
            type="list",
            formula1=ref,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=f"{f.name}: value not allowed",
            error=f"Choose {f.expected()}"[:255],
            promptTitle=f.name[:32],
            prompt=f.expected()[:255],
            showInputMessage=True,
        )
        dv.add(f"{col}2:{col}{max(last, 2)}")
        ws.add_data_validation(dv)
    link_col = columns.index("doi_link") + 1
    for r in range(2, last + 1):
        cell = ws.cell(row=r, column=link_col)
        if cell.value:
            cell.hyperlink = str(cell.value)
            cell.style = "Hyperlink"
    for j, name in enumerate(columns, start=1):
        width = _WIDTHS.get(
            name, 45 if name.startswith("evidence_") or name == SUMMARY_LABEL else 22
        )
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    book = wb.create_sheet(CODEBOOK_NAME, 1)
    book.append(list(CODEBOOK_COLUMNS))
    for cell in book[1]:
        cell.font = bold
    for row in codebook_rows(fields, sep):
        book.append([safe_cell(row[c]) for c in CODEBOOK_COLUMNS])
    for j, width in enumerate((20, 60, 12, 60, 10, 80), start=1):
        book.column_dimensions[get_column_letter(j)].width = width
    with atomic_path(path) as tmp:
        wb.save(tmp)
