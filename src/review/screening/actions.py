"""What a screening team does between runs: write a reviewer's sheet or the conflicts sheet,
import what reviewers decided (a filled sheet, an ASReview or Rayyan export), export to ASReview.

Each action starts from the current state (:class:`Session`: the studies, every ledger read and
carried forward, the state derived from them), so an import is checked against the studies of
this run and a sheet lists only what is still undecided. The ledgers are the only files these
actions change, and only by appending, under the ledger's lock (read again, checked and
appended while it is held: :func:`review.atomic.locked`). A sheet is never written
over one that holds decisions not imported yet (:mod:`review.sheetguard`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from review import atomic
from review.carry import StudyIndex
from review.errors import DecisionError
from review.names import safe_name
from review.protocol import Protocol
from review.screening import interop, sheets
from review.screening.ledger import (
    RESOLUTIONS_REVIEWER,
    LedgerRow,
    append_rows,
    current,
    ledger_path,
    read_ledger_file,
    stage_reasons,
)
from review.screening.state import Screening, build_from_files, read_studies
from review.sheetguard import original_stem, refuse_or_back_up
from review.states import STAGES, Stage
from review.tables import Row

#: The file name (stem) of a conflicts sheet: importing it appends to ``_resolutions.csv``.
CONFLICTS_SHEET = "_conflicts"


@dataclass
class Session:
    """The screening stage as it stands: protocol, studies, the decisions folder and (for the
    sheets) the state built from every ledger."""

    protocol: Protocol
    studies: list[Row]
    decisions: Path
    built: Screening | None = None

    @classmethod
    def load(
        cls,
        protocol: Protocol,
        *,
        studies: Path,
        clusters: Path,
        decisions: Path,
        records: Path | None = None,
    ) -> Session:
        """The whole state: what writing a sheet needs."""
        state, rows = build_from_files(
            protocol, studies=studies, clusters=clusters, decisions=decisions, records=records
        )
        return cls(protocol, rows, Path(decisions), state)

    @classmethod
    def for_import(cls, protocol: Protocol, *, studies: Path, decisions: Path) -> Session:
        """What an import needs: the current studies. The ledger it appends to is read (and
        validated) under its lock; the state of every study is not built (on 100,000 studies
        that is most of an import's time)."""
        return cls(protocol, read_studies(studies), Path(decisions))

    @property
    def state(self) -> Screening:
        if self.built is None:
            raise RuntimeError("this session was loaded for an import; it has no state")
        return self.built

    @property
    def known(self) -> dict[str, str]:
        """Study id -> fingerprint of every current study."""
        return {s["study_id"]: s.get("fingerprint", "") for s in self.studies}

    @functools.cached_property
    def index(self) -> StudyIndex:
        """The current studies for carry-forward (:mod:`review.carry`)."""
        return StudyIndex.of(self.studies)


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
    _write(session, rows, stage, reviewer, csv_path, xlsx_path)
    return Written(len(rows), how, backups)


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
) -> None:
    reasons = stage_reasons(session.protocol, stage)
    sheets.write_sheet(
        rows,
        csv_path,
        xlsx_path,
        reasons=reasons,
        stage=stage,
        reviewer=reviewer,
        conflicts=conflicts,
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
        index=session.index,
        resolver=target.reviewer if target.resolving else "",
    )
    done = append_decisions(
        session, target.stage, target.reviewer, found.rows, resolutions=target.resolving
    )
    return Appended(done.valid, done.appended, done.ledger, found.stale, found.moved)


def import_asreview(session: Session, path: Path, *, reviewer: str, stage: str) -> Appended:
    """Append an ASReview LAB export's labels as ``reviewer``'s decisions."""
    rows = interop.import_asreview(
        str(path),
        reviewer=reviewer,
        stage=stage,
        protocol=session.protocol,
        studies=session.studies,
    )
    return append_decisions(session, stage, reviewer, rows)


def import_rayyan(
    session: Session, path: Path, *, reviewer: str, stage: str, rayyan_user: str | None = None
) -> Appended:
    """Append one Rayyan user's votes as ``reviewer``'s decisions."""
    rows = interop.import_rayyan(
        str(path),
        reviewer=reviewer,
        stage=stage,
        protocol=session.protocol,
        studies=session.studies,
        rayyan_user=rayyan_user,
    )
    return append_decisions(session, stage, reviewer, rows)


def export_asreview(session: Session, path: Path) -> int:
    """The studies as an ASReview LAB data set (automation's exclusions left out)."""
    return interop.export_asreview(str(path), session.studies, session.state.rows)


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
