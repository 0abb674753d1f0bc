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

from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

from review import workbook
from review.extraction.fields import CodingField
from review.extraction.prefill import suggest
from review.fulltext.evidence import file_cell
from review.records import cite_label, split_list
from review.tables import contract, write_table

SUMMARY_LABEL = "reviewer summary (not the abstract)"
#: The study columns of the sheet (its contract); the coding fields and CODER_COLUMNS follow.
STUDY_COLUMNS = contract("coding_sheet").names
#: What a coder adds to a row besides the coded values (optional columns of a coder's file).
CODER_COLUMNS = tuple(
    c.name for c in contract("coder_file").columns if not c.required and c.name not in STUDY_COLUMNS
)
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
    parts = [_sentence(who), _sentence(study.get("title", ""))]
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
    companions: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, str]]:
    """One row per included (main) study; coded columns empty, suggestions filled in (their
    evidence cites the full text's pages when it was read, else the record).

    A study with other reports (``companions``: main id -> report ids) shows them in
    ``linked_reports``, and its suggestions read every report's text and pages (a companion's
    page labels are prefixed with its id), so their evidence comes from all of them."""
    rows = []
    fulltext = fulltext or {}
    pages = pages or {}
    for sid in included:
        study = studies[sid]
        others = [studies[o] for o in (companions or {}).get(sid, []) if o in studies]
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
            "linked_reports": " | ".join(_report_cell(o) for o in others),
            "fingerprint": study.get("fingerprint", ""),
        }
        for f in fields:
            row[f.name] = ""
        row.update(dict.fromkeys(CODER_COLUMNS, ""))
        text = _joined(study, others) if others else study
        for f in prefill_fields(fields):
            value, evidence = suggest(f, text, sep, _pages(sid, others, pages))
            row[f"suggested_{f.name}"] = value
            row[f"evidence_{f.name}"] = evidence
        rows.append(row)
    return rows


def _pages(
    sid: str,
    others: Sequence[Mapping[str, str]],
    pages: Mapping[str, Sequence[Mapping[str, Any]]],
) -> list[Mapping[str, Any]] | None:
    """The study's read pages, then its other reports' (labelled with their report's id)."""
    out: list[Mapping[str, Any]] = list(pages.get(sid) or [])
    for o in others:
        oid = o["study_id"]
        out += [{**p, "label": f"{oid} {p.get('label', '')}"} for p in pages.get(oid) or []]
    return out or None


def _report_cell(study: Mapping[str, str]) -> str:
    summary = study.get("summary", "")
    return f"{study['study_id']}: {citation(study)}" + (f" Summary: {summary}" if summary else "")


def _joined(study: Mapping[str, str], others: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """The study's text fields with those of its other reports appended (for suggestions)."""
    out = dict(study)
    for key in ("title", "title_alt", "abstract", "summary", "keywords"):
        parts = [study.get(key, "")] + [o.get(key, "") for o in others]
        out[key] = " … ".join(p for p in parts if p)
    return out


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
    wb, ws = workbook.new_workbook(SHEET_NAME)
    by_name = {f.name: f for f in fields}
    widths = {
        name: _WIDTHS.get(
            name,
            45 if name.startswith("evidence_") or name in (SUMMARY_LABEL, "linked_reports") else 22,
        )
        for name in columns
    }
    last = workbook.write_table_sheet(ws, columns, rows, widths=widths, freeze="C2")
    coded_fill = PatternFill("solid", fgColor="FFF2CC")
    hint_fill = PatternFill("solid", fgColor="EDEDED")
    for cell in ws[1]:
        fdef = by_name.get(str(cell.value))
        if fdef is not None:
            cell.fill = coded_fill
            note = f"{fdef.description}\n{'Required' if fdef.required else 'Optional'}; "
            cell.comment = Comment(note + fdef.expected(), _AUTHOR, width=300, height=150)
        elif str(cell.value).startswith(("suggested_", "evidence_")):
            cell.fill = hint_fill
    choice = [f for f in fields if f.is_choice]
    lists = workbook.hidden_lists(wb, VALUES_NAME, {f.name: f.allowed for f in choice})
    for f in choice:
        col = workbook.letter(columns, f.name)
        if f.type == "multiple":
            for r in range(2, last + 1):
                ws[f"{col}{r}"].comment = Comment(
                    f"{f.name}: {f.expected()}", _AUTHOR, width=300, height=120
                )
            continue
        workbook.drop_down(
            ws,
            lists[f.name],
            f"{col}2:{col}{last}",
            title=f"{f.name}: value not allowed",
            error=f"Choose {f.expected()}",
            prompt=f.expected(),
        )
    workbook.link_column(ws, columns.index("doi_link") + 1, last)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    book = wb.create_sheet(CODEBOOK_NAME, 1)
    workbook.write_table_sheet(
        book,
        CODEBOOK_COLUMNS,
        codebook_rows(fields, sep),
        widths=dict(zip(CODEBOOK_COLUMNS, (20, 60, 12, 60, 10, 80), strict=True)),
    )
    workbook.save(wb, path)
