"""What a screening team does between runs: write a reviewer's sheet or the conflicts sheet,
import what reviewers decided (a filled sheet, an ASReview or Rayyan export), export to ASReview
or Rayyan.

Each action starts from the current state (:class:`Session`: the studies, every ledger read and
carried forward, the state derived from them), so an import is checked against the studies of
this run and a sheet lists only what is still undecided. The ledgers are the only files these
actions change, and only by appending, under the ledger's lock (read again, checked and
appended while it is held: :func:`review.atomic.locked`). A sheet is never written over one
that holds decisions not imported yet (:mod:`review.sheetguard`). An import builds the state of
every study only when its checks need it (a full-text decision's title/abstract verdict).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from review import atomic
from review.carry import Locator, clusters_of
from review.errors import DecisionError
from review.names import safe_name
from review.protocol import Protocol
from review.screening import asreview, rayyan, sheets
from review.screening.fulltext_rules import FullTextRules
from review.screening.ledger import (
    MAX_LISTED,
    RESOLUTIONS_REVIEWER,
    LedgerRow,
    append_rows,
    current,
    ledger_path,
    read_ledger_file,
    stage_reasons,
)
from review.screening.state import Screening, build_from_files, read_fulltext, read_studies
from review.sheetguard import original_stem, refuse_or_back_up
from review.states import SOUGHT, STAGES, ScreeningState, Stage
from review.tables import Row

#: The file name (stem) of a conflicts sheet: importing it appends to ``_resolutions.csv``.
CONFLICTS_SHEET = "_conflicts"


@dataclass
class Session:
    """The screening stage as it stands: protocol, studies, the decisions folder and the state
    built from every ledger (at once for a sheet; for an import only when a check needs it)."""

    protocol: Protocol
    #: The state (``None`` until an import's check first needs it; see :attr:`state`).
    built: Screening | None
    studies: list[Row]
    decisions: Path
    rules: FullTextRules | None = None
    #: ``fulltext.csv`` by study (``None`` when not given) and where its pages are.
    fulltext: dict[str, Row] | None = None
    pages_dir: Path | None = None
    #: How to build the state when an import first needs it.
    paths: dict[str, Path | None] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        protocol: Protocol,
        *,
        studies: Path,
        clusters: Path,
        decisions: Path,
        records: Path | None = None,
        fulltext: Path | None = None,
        pages: Path | None = None,
        lazy: bool = False,
    ) -> Session:
        """The stage with its state; ``lazy`` (an import) reads only the studies and builds the
        state when first asked (on 100,000 studies that is most of an import's time)."""
        paths = {"studies": studies, "clusters": clusters, "records": records, "fulltext": fulltext}
        table = read_fulltext(fulltext) if fulltext is not None else None
        retrieval = {k: r["status"] for k, r in table.items()} if table is not None else None
        rules = FullTextRules.of(protocol, retrieval)
        if lazy:
            rows = read_studies(studies)
            return cls(protocol, None, rows, Path(decisions), rules, table, pages, paths)
        state, rows = build_from_files(
            protocol,
            studies=studies,
            clusters=clusters,
            decisions=decisions,
            records=records,
            fulltext=fulltext,
        )
        return cls(protocol, state, rows, Path(decisions), rules, table, pages, paths)

    @property
    def state(self) -> Screening:
        if self.built is None:
            p = self.paths
            studies, clusters = p.get("studies"), p.get("clusters")
            if studies is None or clusters is None:
                raise RuntimeError("this session cannot build the screening state")
            self.built, _rows = build_from_files(
                self.protocol,
                studies=studies,
                clusters=clusters,
                decisions=self.decisions,
                records=p.get("records"),
                fulltext=p.get("fulltext"),
            )
        return self.built

    @property
    def known(self) -> dict[str, str]:
        """Study id -> fingerprint of every current study."""
        return {s["study_id"]: s.get("fingerprint", "") for s in self.studies}

    @functools.cached_property
    def index(self) -> Locator:
        """The current studies for carry-forward (:mod:`review.carry`)."""
        return Locator(self.studies, clusters_of(self.studies))


@dataclass(frozen=True)
class Appended:
    """What an import did: rows valid, rows appended (the rest already current), the ledger,
    and the rows naming earlier study ids (moved to the current id, or stale: not appended)."""

    valid: int
    appended: int
    ledger: Path
    stale: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Written:
    """A sheet written: its rows, what ordered them, and backups of the sheet it replaced."""

    rows: int
    how: str = ""
    backups: list[Path] = field(default_factory=list)


def write_reviewer_sheet(
    session: Session,
    *,
    reviewer: str,
    stage: str,
    csv_path: Path,
    xlsx_path: Path,
    force: bool = False,
) -> Written:
    """The studies ``reviewer`` has not decided at ``stage``, most relevant first.

    The sheet already at ``csv_path``/``xlsx_path`` is not overwritten while it holds a
    decision that is not the reviewer's current one in the ledger (``force``: backed up first).
    """
    safe_name(reviewer)
    ledgers = session.state.attachment.ledgers
    own = [r for r in ledgers.decisions[stage] if r.reviewer == reviewer]
    backups = refuse_or_back_up(
        [csv_path, xlsx_path],
        sheets.unimported_rows(
            [csv_path, xlsx_path], {sid: r for (_w, sid), r in current(own).items()}, session.index
        ),
        force=force,
        how_to_import=f"review screen import {xlsx_path} --reviewer {reviewer} --stage {stage}",
    )
    pending = sheets.pending_studies(session.state, ledgers, reviewer=reviewer, stage=stage)
    rows, how = sheets.build_sheet(session.studies, pending, own, protocol=session.protocol)
    extra: list[str] = []
    if stage == Stage.FULL_TEXT and session.fulltext is not None:
        extra = _add_evidence(session, rows)
    _write(session, rows, stage, reviewer, csv_path, xlsx_path, extra=extra)
    return Written(len(rows), how, backups)


def _add_evidence(session: Session, rows: list[dict[str, Any]]) -> list[str]:
    """Give each full-text sheet row its file and the pages where the protocol's criterion
    and coding-field keywords occur; return the columns added."""
    from review.extraction.fields import coding_fields
    from review.fulltext import evidence

    table = session.fulltext or {}
    wanted = [table[r["study_id"]] for r in rows if r["study_id"] in table]
    pages = evidence.load_pages(wanted, session.pages_dir)
    criteria = session.protocol.criteria
    fields = [(f.name, f.keywords) for f in coding_fields(session.protocol)]
    for row in rows:
        sid = row["study_id"]
        row.update(evidence.sheet_cells(table.get(sid), pages.get(sid), criteria, fields))
    return ["full_text", *evidence.sheet_columns(criteria, fields)]


def write_conflicts_sheet(
    session: Session, *, stage: str, csv_path: Path, xlsx_path: Path, force: bool = False
) -> Written:
    """The unresolved conflicts of ``stage``, every reviewer's decision shown, for whoever
    settles them (import the filled sheet with the settler as reviewer). A filled conflicts
    sheet not imported yet is not overwritten (``force``: backed up first)."""
    settled = session.state.attachment.ledgers.resolutions[stage]
    backups = refuse_or_back_up(
        [csv_path, xlsx_path],
        sheets.unimported_rows(
            [csv_path, xlsx_path],
            {sid: r for (_w, sid), r in current(settled).items()},
            session.index,
        ),
        force=force,
        how_to_import=f"review screen import {xlsx_path} --reviewer RESOLVER --stage {stage}",
    )
    rows = sheets.conflict_rows(session.state, session.studies, stage=stage)
    _write(session, rows, stage, "RESOLVER", csv_path, xlsx_path, conflicts=True)
    return Written(len(rows), "", backups)


def _write(
    session: Session,
    rows: list[dict[str, Any]],
    stage: str,
    reviewer: str,
    csv_path: Path,
    xlsx_path: Path,
    *,
    conflicts: bool = False,
    extra: list[str] | None = None,
) -> None:
    retired = session.protocol.retired_criteria
    reasons = [c for c in stage_reasons(session.protocol, stage) if c not in retired]
    sheets.write_sheet(
        rows,
        csv_path,
        xlsx_path,
        reasons=reasons,
        stage=stage,
        reviewer=reviewer,
        conflicts=conflicts,
        extra=extra or [],
        criteria=[c for c in session.protocol.criteria if c["code"] in reasons],
        definitions=session.protocol.definitions,
    )


def sheet_origin(path: Path) -> tuple[str | None, str | None]:
    """Reviewer and stage of ``data/screening_sheets/<stage>/<reviewer>.xlsx`` (or of a backup
    of it), if it is one."""
    stage = path.parent.name if path.parent.name in STAGES else None
    stem = original_stem(path)
    reviewer = stem if stage and not stem.startswith("_") else None
    return reviewer, stage


@dataclass(frozen=True)
class ImportTarget:
    """Where a filled sheet's decisions go: whose they are (or who settled them), the stage,
    whether they are resolutions, and the ledger file."""

    reviewer: str
    stage: str
    resolving: bool
    ledger: Path


def import_target(
    decisions: Path, path: Path, *, reviewer: str | None = None, stage: str | None = None
) -> ImportTarget:
    """The ledger a filled sheet is imported into; reviewer and stage default to the sheet's
    own path (``<stage>/<reviewer>.xlsx``), a conflicts sheet's rows go to ``_resolutions.csv``."""
    guessed_reviewer, guessed_stage = sheet_origin(path)
    who = reviewer or guessed_reviewer
    stage = stage or guessed_stage or Stage.TITLE_ABSTRACT
    if not who:
        raise DecisionError(f"{path}: say whose decisions these are with --reviewer NAME")
    resolving = original_stem(path) == CONFLICTS_SHEET
    safe_name(who, what="resolver" if resolving else "reviewer")
    return ImportTarget(
        who, stage, resolving, ledger_path(decisions, stage, who, resolutions=resolving)
    )


def import_sheet(session: Session, path: Path, target: ImportTarget) -> Appended:
    """Append a filled sheet's decisions to ``target``: its reviewer's ledger, or a filled
    conflicts sheet's to the stage's ``_resolutions.csv``, settled by the target's reviewer."""
    found = sheets.rows_from_sheet(
        path,
        stage=target.stage,
        reviewer=RESOLUTIONS_REVIEWER if target.resolving else target.reviewer,
        protocol=session.protocol,
        known_studies=session.known,
        index=session.index,
        resolver=target.reviewer if target.resolving else "",
    )
    done = append_decisions(
        session, target.stage, target.reviewer, found.rows, resolutions=target.resolving
    )
    return Appended(done.valid, done.appended, done.ledger, found.stale, found.moved)


def import_asreview(
    session: Session, path: Path, *, reviewer: str, stage: str, lab_user: str | None = None
) -> tuple[Appended, list[str]]:
    """Append the decisions made in ASReview LAB as ``reviewer``'s; also return what was left
    out and why (the exported priors, labels LAB copied between records it grouped)."""
    found = asreview.import_asreview(
        str(path),
        reviewer=reviewer,
        stage=stage,
        protocol=session.protocol,
        studies=session.studies,
        lab_user=lab_user,
    )
    return append_decisions(session, stage, reviewer, found.rows), found.messages(str(path))


def import_rayyan(
    session: Session,
    path: Path,
    *,
    reviewer: str,
    stage: str,
    rayyan_user: str | None = None,
    reasons: Path | None = None,
) -> Appended:
    """Append one Rayyan user's votes as ``reviewer``'s decisions (``reasons``: the reviewers'
    map from Rayyan's exclusion reasons to criterion codes)."""
    reason_map = rayyan.read_reason_map(reasons, session.protocol, stage) if reasons else None
    rows = rayyan.import_rayyan(
        str(path),
        reviewer=reviewer,
        stage=stage,
        protocol=session.protocol,
        studies=session.studies,
        rayyan_user=rayyan_user,
        reasons=reason_map,
        reasons_file=str(reasons or ""),
    )
    return append_decisions(session, stage, reviewer, rows)


def asreview_priors(session: Session, reviewer: str) -> dict[str, str]:
    """``reviewer``'s current title/abstract decisions as LAB labels (study id → 1/0)."""
    safe_name(reviewer)
    rows = session.state.attachment.ledgers.decisions[Stage.TITLE_ABSTRACT]
    mine = {sid: row for (who, sid), row in current(rows).items() if who == reviewer}
    if not mine:
        known = sorted({r.reviewer for r in rows})
        raise DecisionError(
            f"--priors {reviewer}: no title/abstract decisions of {reviewer!r}; reviewers with "
            f"decisions: {', '.join(known) or 'none yet'}"
        )
    return {
        sid: asreview.PRIOR_LABELS[row.decision]
        for sid, row in mine.items()
        if row.decision in asreview.PRIOR_LABELS
    }


def export_asreview(
    session: Session, path: Path, *, priors_from: str | None = None
) -> list[dict[str, Any]]:
    """The studies as an ASReview LAB data set (automation's exclusions left out); with
    ``priors_from``, that reviewer's title/abstract decisions as LAB's prior knowledge."""
    priors = asreview_priors(session, priors_from) if priors_from else None
    return asreview.export_asreview(
        str(path), session.studies, session.state.rows, priors=priors, prior_from=priors_from or ""
    )


def export_rayyan(session: Session, path: Path, *, stage: str) -> int:
    """The studies to screen at ``stage``, for Rayyan (RIS or its CSV template)."""
    chosen = rayyan.studies_to_screen(session.studies, session.state.rows, stage)
    return rayyan.export_rayyan(path, chosen)


def append_decisions(
    session: Session,
    stage: str,
    reviewer: str,
    rows: list[LedgerRow],
    *,
    resolutions: bool = False,
) -> Appended:
    """Append the rows that change a reviewer's current decision (re-imports are no-ops): to
    ``reviewer``'s ledger, or with ``resolutions`` to the stage's ``_resolutions.csv``.

    Read, check and append happen under the ledger's lock (:func:`review.atomic.locked`): the
    ledger is read again there, so rows another import appended since the session was loaded
    count as current and are never overwritten. Every ledger was also read and validated when
    the session was loaded, so a broken ledger stops the import before anything is added.
    """
    refuse_out_of_rules(session, stage, rows)
    path = ledger_path(session.decisions, stage, reviewer, resolutions=resolutions)
    with atomic.locked(path):
        latest = dict(current(_current_rows(session, path, stage)))
        new: list[LedgerRow] = []
        for row in rows:
            now = latest.get((row.reviewer, row.study_id))
            if now and (now.decision, now.reason, now.note) == (
                row.decision,
                row.reason,
                row.note,
            ):
                continue
            new.append(row)
            latest[(row.reviewer, row.study_id)] = row
        if new:
            append_rows(path, new, resolutions=resolutions)
    return Appended(len(rows), len(new), path)


def _current_rows(session: Session, path: Path, stage: str) -> list[LedgerRow]:
    """The ledger at ``path`` as it is now, its rows attached to the current studies."""
    if not path.is_file():
        return []
    rows = read_ledger_file(path, stage=stage, reasons=stage_reasons(session.protocol, stage))
    out = []
    for row in rows:
        where = session.index.place(row.study_id, row.fingerprint)
        if where.matched:
            out.append(
                row if where.study_id == row.study_id else replace(row, study_id=where.study_id)
            )
    return out


def refuse_out_of_rules(session: Session, stage: str, rows: list[LedgerRow]) -> None:
    """Refuse, row by row, decisions the screening state would set aside: a full-text decision
    for a study not included at title/abstract, one that needs a full text not at hand, a
    retired criterion, a reviewer (or resolver) the protocol sets aside at the stage
    (:mod:`review.screening.fulltext_rules`). Nothing is appended then."""
    rules = session.rules or FullTextRules.of(session.protocol)
    # Only a full-text decision needs the state (its title/abstract verdict): a title/abstract
    # import never builds it.
    states = {r["study_id"]: r for r in session.state.rows} if stage == Stage.FULL_TEXT else {}
    found = []
    for row in rows:
        aside = rules.reviewer_problem(row)
        if aside is not None:
            who = "resolver" if row.resolver else "reviewer"
            found.append(f"{row.source}, row {row.row}, field '{who}': {aside.detail}")
            continue
        if stage == Stage.FULL_TEXT:
            current_row = states.get(row.study_id, {})
            auto = current_row.get("state") == ScreeningState.EXCLUDED_AUTO
            ta_words = (
                "excluded by an automatic criterion" if auto else current_row.get("ta_decision")
            )
            problem = rules.problem(row, str(ta_words or ""), current_row.get("state") in SOUGHT)
        else:
            problem = rules.retired_problem(row)
        if problem is not None:
            field_name = "study_id" if problem.kind == "out_of_order" else "reason"
            found.append(f"{row.source}, row {row.row}, field '{field_name}': {problem.detail}")
    if found:
        more = f"\n(and {len(found) - MAX_LISTED} more)" if len(found) > MAX_LISTED else ""
        raise DecisionError(
            f"{len(found)} decision(s) cannot be recorded; nothing was appended:\n"
            + "\n".join(found[:MAX_LISTED])
            + more
        )
