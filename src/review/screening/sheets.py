"""Screening sheets: what one reviewer still has to decide, as CSV and XLSX, and their import.

A sheet lists the studies a reviewer has not decided yet at a stage, most relevant first
(:mod:`review.screening.priority`), with what is needed to decide: title, alternative title,
abstract, the team's summary (labelled as such: it is *not* the published abstract),
keywords, venue, year and a DOI link. The reviewer fills ``decision``, ``reason`` and ``note``.

Blind screening: the sheet is built from the state *without* any other reviewer's decisions,
and the order is trained on this reviewer's own decisions only, so neither the rows nor their
order reveal what a colleague decided. Full-text sheets list only studies included at
title/abstract.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return) are written with a leading ``'`` (OWASP "CSV injection"); the import removes
it again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from review import workbook
from review.decisions import now_utc, read_rows
from review.errors import DecisionError
from review.protocol import Protocol
from review.records import normalise_doi
from review.screening import priority
from review.screening.ledger import (
    LedgerRow,
    Ledgers,
    check_reviewer,
    current,
    stage_reasons,
    validate_numbered,
)
from review.screening.state import Screening
from review.states import DECISIONS, SOUGHT, STAGES, ScreeningState
from review.tables import Contract, contract, write_table

SUMMARY_LABEL = "reviewer summary (not the abstract)"
#: A reviewer's sheet: the studies still to decide, most relevant first (blind).
SHEET = contract("screening_sheet")
#: The adjudicator's sheet: unresolved conflicts with every reviewer's decision (not blind).
CONFLICT_SHEET = contract("screening_conflicts_sheet")
_WIDTHS = {"title": 60, "abstract": 80, SUMMARY_LABEL: 60, "note": 40, "title_alt": 40}


def pending_studies(state: Screening, ledgers: Ledgers, *, reviewer: str, stage: str) -> list[str]:
    """Study ids the reviewer has not decided at ``stage`` (after carry-forward), eligible there.

    Title/abstract: every study not excluded by automation. Full text: studies included at
    title/abstract. ``ledgers`` must be the carry-forward-attached ledgers.
    """
    decided = {sid for (who, sid) in current(ledgers.decisions[stage]) if who == reviewer}
    if stage == "title_abstract":
        eligible = [r["study_id"] for r in state.rows if r["state"] != ScreeningState.EXCLUDED_AUTO]
    else:
        eligible = [r["study_id"] for r in state.rows if r["state"] in SOUGHT]
    return [sid for sid in eligible if sid not in decided]


def build_sheet(
    studies: Sequence[Mapping[str, str]],
    pending: Sequence[str],
    own_rows: Sequence[LedgerRow],
    *,
    protocol: Protocol | None,
) -> tuple[list[dict[str, Any]], str]:
    """Sheet rows for ``pending`` studies, ordered by relevance trained on ``own_rows`` only."""
    index = {s["study_id"]: i for i, s in enumerate(studies)}
    texts = [priority.study_text(s) for s in studies]
    labels = {
        index[sid]: 1 if row.decision == "include" else 0
        for (_who, sid), row in current(own_rows).items()
        if sid in index and row.decision in ("include", "exclude")
    }
    scores, how = priority.relevance(texts, labels, protocol=protocol)
    wanted = [sid for sid in pending if sid in index]
    ordered = priority.order(wanted, [scores[index[s]] for s in wanted])
    rows = [
        {
            "rank": rank,
            **study_cells(studies[index[sid]]),
            "relevance": round(float(scores[index[sid]]), 4),
        }
        for rank, sid in enumerate(ordered, start=1)
    ]
    return rows, how


def study_cells(s: Mapping[str, str]) -> dict[str, Any]:
    """What a screener reads of a study, with empty decision cells to fill."""
    doi = normalise_doi(s.get("doi", ""))
    return {
        "study_id": s["study_id"],
        "decision": "",
        "reason": "",
        "note": "",
        "title": s.get("title", ""),
        "title_alt": s.get("title_alt", ""),
        "abstract": s.get("abstract", ""),
        SUMMARY_LABEL: s.get("summary", ""),
        "keywords": s.get("keywords", ""),
        "venue": s.get("venue", ""),
        "year": s.get("year", ""),
        "doi": f"https://doi.org/{doi}" if doi else "",
        "url": s.get("url", ""),
        "fingerprint": s.get("fingerprint", ""),
    }


def conflict_rows(
    state: Screening, studies: Sequence[Mapping[str, str]], *, stage: str
) -> list[dict[str, Any]]:
    """The unresolved conflicts of ``stage``, for whoever settles them."""
    by_id = {s["study_id"]: s for s in studies}
    out = []
    for c in state.conflicts:
        if c["stage"] != stage or c["resolved"] == "yes" or c["study_id"] not in by_id:
            continue
        out.append(
            {
                **study_cells(by_id[c["study_id"]]),
                "decisions": c["decisions"],
                "reasons": c["reasons"],
                "notes": c["notes"],
            }
        )
    return out


def write_sheet(
    rows: Sequence[Mapping[str, Any]],
    csv_path: str | Path,
    xlsx_path: str | Path,
    *,
    reasons: Sequence[str],
    stage: str,
    reviewer: str,
    conflicts: bool = False,
    extra: Sequence[str] = (),
    table: Contract | None = None,
    how: str = "",
) -> None:
    """Write the sheet as CSV and as XLSX with drop-downs for decision and reason; ``extra``
    columns (a full-text sheet's file and page columns) follow the contract's.

    ``table`` names another sheet's contract (a verification sheet has the same cells to
    fill), and ``how`` its instructions on the ``about`` tab.
    """
    table = table or (CONFLICT_SHEET if conflicts else SHEET)
    columns = [*table.names, *extra]
    write_table(csv_path, rows, table, columns=columns)
    wb, ws = workbook.new_workbook("screening")
    last = workbook.write_table_sheet(ws, columns, rows, widths=_WIDTHS)
    ws.freeze_panes = ws.cell(row=2, column=list(columns).index("note") + 2).coordinate
    workbook.link_column(ws, list(columns).index("doi") + 1, last)
    lists = workbook.hidden_lists(wb, "lists", {"decision": DECISIONS, "reason": reasons})
    dcol, rcol = workbook.letter(columns, "decision"), workbook.letter(columns, "reason")
    workbook.drop_down(
        ws,
        lists["decision"],
        f"{dcol}2:{dcol}{last}",
        title="decision",
        error=f"Choose one of: {', '.join(DECISIONS)}",
    )
    workbook.drop_down(
        ws,
        lists["reason"],
        f"{rcol}2:{rcol}{last}",
        title="reason",
        error=f"Choose a criterion code of stage {stage}",
    )
    info = wb.create_sheet("about")
    info.append(["reviewer", reviewer])
    info.append(["stage", stage])
    info.append(
        [
            "how",
            how
            or "fill decision (include/exclude/maybe), reason (a criterion code; "
            "required for full-text exclusions) and note; then run "
            f"`review screen --import FILE --reviewer {reviewer} --stage {stage}`",
        ]
    )
    info.append([SUMMARY_LABEL, "written by the review team, not the published abstract"])
    workbook.save(wb, xlsx_path)


def read_sheet(path: str | Path) -> tuple[list[dict[str, str]], int]:
    """Rows of a filled sheet or ledger-shaped file (CSV or XLSX), and the first data row number."""
    _header, numbered = read_rows(path, sheet="screening")
    rows = [
        {str(h): "" if v is None else str(v) for h, v in cells.items() if h is not None}
        for _n, cells in numbered
    ]
    return rows, 2


def rows_from_sheet(
    path: str | Path,
    *,
    stage: str,
    reviewer: str,
    protocol: Protocol,
    known_studies: Mapping[str, str],
    resolver: str = "",
) -> list[LedgerRow]:
    """Validated ledger rows from a filled sheet: rows without a decision are skipped (undecided).

    Every row is checked first; any problem raises and nothing is returned (so nothing is
    appended). A row without a timestamp gets the import time. With ``resolver`` the sheet is a
    conflicts sheet and the rows are resolutions settled by that person.
    """
    if stage not in STAGES:
        raise DecisionError(f"stage {stage!r} is not one of {', '.join(STAGES)}")
    check_reviewer(resolver or reviewer)
    rows, first = read_sheet(path)
    if rows and "decision" not in rows[0]:
        raise DecisionError(
            f"{path}, row 1: no 'decision' column; expected a screening sheet or a ledger "
            "(study_id,fingerprint,decision,reason,note,timestamp)"
        )
    filled = [
        (first + i, {**row, "resolver": resolver} if resolver else row)
        for i, row in enumerate(rows)
        if str(row.get("decision") or "").strip()
    ]
    return validate_numbered(
        filled,
        source=str(path),
        stage=stage,
        reviewer=reviewer,
        reasons=stage_reasons(protocol, stage),
        known_studies=known_studies,
        fill_timestamp=now_utc(),
        resolutions=bool(resolver),
    )
