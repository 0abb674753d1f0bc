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

import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from review import workbook
from review.carry import Locator
from review.decisions import now_utc, read_rows, text
from review.errors import DecisionError
from review.names import safe_name
from review.protocol import Protocol
from review.records import normalise_doi
from review.screening import priority
from review.screening.ledger import (
    MAX_LISTED,
    LedgerRow,
    Ledgers,
    current,
    split_reasons,
    stage_reasons,
    validate_numbered,
)
from review.screening.state import Screening
from review.sheetguard import Unimported, existing_rows
from review.states import DECISIONS, SOUGHT, STAGES, ScreeningState
from review.tables import Contract, contract, unquote_cell, write_table

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
    criteria: Sequence[Mapping[str, Any]] = (),
    definitions: Sequence[Mapping[str, Any]] = (),
    table: Contract | None = None,
    how: str = "",
) -> None:
    """Write the sheet as CSV and as XLSX with drop-downs for decision and reason; ``extra``
    columns (a full-text sheet's file and page columns) follow the contract's. The XLSX also
    carries the stage's ``criteria`` and the protocol's operational ``definitions`` on sheets
    of their own, so every reviewer applies the same wording while deciding.

    ``table`` names another sheet's contract (a verification sheet has the same cells to
    fill), and ``how`` its instructions on the ``about`` tab.
    """
    table = table or (CONFLICT_SHEET if conflicts else SHEET)
    columns = [*table.names, *extra]
    write_table(csv_path, rows, table, columns=columns)
    wb, ws = workbook.new_workbook("screening")
    # Frozen after ``note``: the id and the cells to fill stay in view while the text scrolls.
    freeze = f"{get_column_letter(list(columns).index('note') + 2)}2"
    last = workbook.write_table_sheet(ws, columns, rows, widths=_WIDTHS, freeze=freeze)
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
    _guide_sheets(wb, criteria, definitions)
    workbook.save(wb, xlsx_path)


def _guide_sheets(
    wb: Any, criteria: Sequence[Mapping[str, Any]], definitions: Sequence[Mapping[str, Any]]
) -> None:
    """The ``criteria`` sheet (each reason code the reviewer may give, with the definitions
    that apply to it) and the ``definitions`` sheet (the protocol's operational definitions)."""
    uses: dict[str, list[str]] = {}
    for d in definitions:
        for code in d.get("criteria") or []:
            uses.setdefault(code, []).append(str(d["id"]))
    guides = {
        "criteria": [
            {
                "code": c["code"],
                "label": c["label"],
                "description": " ".join(str(c.get("description", "")).split()),
                "definitions": "; ".join(uses.get(c["code"], [])),
            }
            for c in criteria
        ],
        "definitions": [
            {
                "id": d["id"],
                "term": d["term"],
                "text": " ".join(str(d["text"]).split()),
                "criteria": "; ".join(d.get("criteria") or []),
            }
            for d in definitions
        ],
    }
    widths = {"code": 28, "label": 40, "description": 80, "term": 30, "text": 100, "criteria": 30}
    for name, rows in guides.items():
        if rows:
            ws = wb.create_sheet(name)
            workbook.write_table_sheet(ws, list(rows[0]), rows, widths=widths)


def read_sheet(path: str | Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and numbered rows (as a spreadsheet counts them) of a filled sheet or
    ledger-shaped file (CSV or XLSX; its ``screening`` sheet, else the first), as text, read by
    :func:`review.decisions.read_rows`: a note keeps its line breaks, a semicolon-separated CSV
    is read as such, a damaged workbook is a clear error, and a row with more cells than the
    header is refused (a value with a comma lost its quotes), never cut."""
    header, numbered = read_rows(path, sheet="screening")
    out = []
    for n, cells in numbered:
        extra = [str(v) for v in cells.get(None) or [] if v is not None and str(v).strip()]
        if extra:
            raise DecisionError(
                f"{path}, row {n}: more cells than the header's {len(header)} columns "
                "(a value with a comma needs quotes; a value needs a column with a header)"
            )
        row = {str(h): text(v) for h, v in cells.items() if h is not None}
        if any(row.values()):
            out.append((n, row))
    return header, out


@dataclass
class FromSheet:
    """A filled sheet's rows to append, and what happened to rows naming earlier study ids."""

    rows: list[LedgerRow]
    #: rows whose study id names no current study, even by anchor or fingerprint: not appended
    stale: list[str] = field(default_factory=list)
    #: rows whose study id changed since the sheet was made, appended under the current id
    moved: list[str] = field(default_factory=list)


def rows_from_sheet(
    path: str | Path,
    *,
    stage: str,
    reviewer: str,
    protocol: Protocol,
    known_studies: Mapping[str, str],
    index: Locator,
    resolver: str = "",
) -> FromSheet:
    """Validated ledger rows from a filled sheet: rows without a decision are skipped (undecided).

    ``known_studies`` maps every current study id to its fingerprint. A row naming a study id
    that no longer exists is attached as carry-forward would attach it
    (:mod:`review.carry`: the id of a record now in another study, else the row's fingerprint)
    and appended under the current id; one that matches no study is listed in ``stale`` and not
    appended, while the rest of the sheet is (a sheet made before a rerun must not be refused
    whole for a few studies that changed). A sheet none of whose decisions names a current
    study is refused: it was made for another project or run.

    Every other row is checked first; any problem raises and nothing is returned (so nothing is
    appended). A row without a timestamp gets the import time. With ``resolver`` the sheet is a
    conflicts sheet and the rows are resolutions settled by that person.
    """
    if stage not in STAGES:
        raise DecisionError(f"stage {stage!r} is not one of {', '.join(STAGES)}")
    safe_name(resolver or reviewer)
    header, rows = read_sheet(path)
    if "decision" not in header:
        raise DecisionError(
            f"{path}, row 1: no 'decision' column (columns: {', '.join(header) or 'none'}); "
            "expected a screening sheet or a ledger "
            "(study_id,fingerprint,decision,reason,note,timestamp)"
        )
    out = FromSheet([])
    filled = []
    for n, row in rows:
        if not unquote_cell(row.get("decision")):
            continue
        sid = unquote_cell(row.get("study_id"))
        if sid and sid not in index.ids:
            where = index.place(sid, unquote_cell(row.get("fingerprint")))
            if not where.matched:
                out.stale.append(f"{path}, row {n}: study {sid}: {where.problem}")
                continue
            out.moved.append(f"{path}, row {n}: study {sid} is now {where.study_id} ({where.how})")
            row = {**row, "study_id": where.study_id}
        filled.append((n, {**row, "resolver": resolver} if resolver else row))
    if out.stale and not filled:
        raise DecisionError(
            f"{path}: none of its {len(out.stale)} decision(s) names a current study (was the "
            "sheet made for another project?); nothing was appended:\n"
            + "\n".join(out.stale[:MAX_LISTED])
        )
    out.rows = validate_numbered(
        filled,
        source=str(path),
        stage=stage,
        reviewer=reviewer,
        reasons=stage_reasons(protocol, stage),
        known_studies=known_studies,
        fill_timestamp=now_utc(),
        resolutions=bool(resolver),
    )
    return out


class _Decided(typing.Protocol):
    """A current decision a filled sheet row is compared with (a ledger row, a check)."""

    @property
    def decision(self) -> str: ...
    @property
    def reasons(self) -> Sequence[str]: ...
    @property
    def note(self) -> str: ...


def unimported_rows(
    paths: Sequence[Path], current: Mapping[str, _Decided], index: Locator | None = None
) -> list[Unimported]:
    """Rows of the existing sheet at ``paths`` (CSV and XLSX) whose filled decision is not the
    current one of the ledger (``current``: study id -> row), i.e. work an import has not
    saved yet. A sheet that cannot be read is reported too: it may hold work. With ``index``
    a row's study id is placed as an import would place it (a study merged since the sheet
    was made)."""
    out: list[Unimported] = []
    for path, n, row in existing_rows(paths, lambda p: read_sheet(p)[1], out):
        decision = unquote_cell(row.get("decision")).lower()
        if not decision:
            continue
        sid = unquote_cell(row.get("study_id"))
        now = current.get(sid)
        if index is not None:
            placed = index.place(sid, unquote_cell(row.get("fingerprint")))
            now = current.get(placed.study_id) if placed.matched else None
        if now is not None and (now.decision, list(now.reasons), now.note) == (
            decision,
            split_reasons(unquote_cell(row.get("reason"))),
            unquote_cell(row.get("note")),
        ):
            continue
        out.append((path, f"{path}, row {n}: {sid} {decision}"))
    return out
