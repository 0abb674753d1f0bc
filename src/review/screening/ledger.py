"""Reviewers' screening decisions: append-only ledgers, read, validated and appended to.

A ledger is ``data/decisions/screening/<stage>/<reviewer>.csv`` with the columns
``study_id,fingerprint,decision,reason,note,timestamp``. Humans (or ``review screen --import``)
only ever add rows: a changed mind is a new row, so the history of every decision survives and
the current decision of a reviewer on a study is simply its latest row. Conflict resolutions
live beside them in ``_resolutions.csv`` with one more column, ``resolver``.

Every row is checked before anything is used or appended, and *all* problems of a file are
reported at once (file, row, field, value, what is allowed), because a reviewer fixing a sheet
by hand should not have to run the import once per typo.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from review.decisions import append_csv, check_person, parse_timestamp
from review.errors import DecisionError
from review.names import decision_files, safe_name
from review.protocol import Protocol
from review.states import DECISIONS, STAGES
from review.tables import contract, read_cells, unquote_cell

LEDGER_COLUMNS: tuple[str, ...] = contract("screening_ledger").names
RESOLUTION_COLUMNS: tuple[str, ...] = contract("screening_resolutions").names
RESOLUTIONS_FILE = "_resolutions.csv"
#: The ``reviewer`` of rows read from a ``_resolutions.csv`` (their person is the ``resolver``).
RESOLUTIONS_REVIEWER = "_resolutions"
#: At most this many problems are listed in one error message; the count says how many more.
MAX_LISTED = 20


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One decision row, with where it came from (file and spreadsheet row, header = row 1)."""

    study_id: str
    fingerprint: str
    decision: str
    reason: str
    note: str
    timestamp: str
    stage: str
    reviewer: str
    source: str = ""
    row: int = 0
    resolver: str = ""
    #: The study id the row names in its ledger, when carry-forward attached it elsewhere.
    ledger_study_id: str = ""

    @property
    def reasons(self) -> list[str]:
        return [r.strip() for r in self.reason.split(";") if r.strip()]

    def to_ledger(self) -> dict[str, str]:
        out = {c: getattr(self, c) for c in LEDGER_COLUMNS}
        if self.resolver:
            out["resolver"] = self.resolver
        return out


def stage_reasons(protocol: Protocol | Sequence[Mapping[str, object]], stage: str) -> list[str]:
    """Reason codes a reviewer may give at ``stage``, in protocol order.

    Title/abstract: that stage's criteria and the automatic ones (a reviewer may spot a wrong
    year the metadata hid). Full text: every criterion, because on full reading a study often
    turns out to fail a title/abstract criterion too; the full-text ones come first.
    """
    criteria = protocol.criteria if isinstance(protocol, Protocol) else list(protocol)
    wanted: tuple[str, ...]
    if stage == "title_abstract":
        wanted = ("title_abstract", "automatic")
    elif stage == "full_text":
        wanted = ("full_text", "title_abstract", "automatic")
    else:
        raise DecisionError(f"stage {stage!r} is not a screening stage ({', '.join(STAGES)})")
    return [str(c["code"]) for s in wanted for c in criteria if c.get("stage") == s]


def check_reviewer(name: str) -> str:
    """The shared name check (:func:`review.names.safe_name`, through
    :func:`review.decisions.check_person`)."""
    return check_person(name, what="reviewer")


def validate_rows(
    rows: Sequence[Mapping[str, object]],
    *,
    source: str,
    stage: str,
    reviewer: str,
    reasons: Sequence[str],
    known_studies: Mapping[str, str] | None = None,
    first_row: int = 2,
    resolutions: bool = False,
    fill_timestamp: str = "",
) -> list[LedgerRow]:
    """Check every row; return them as :class:`LedgerRow` or raise one error listing all problems.

    ``known_studies`` (study id -> fingerprint), when given, makes an unknown study id an error
    (an import must name a current study). ``fill_timestamp`` replaces empty timestamps (a sheet
    filled in by hand has none); otherwise an empty timestamp is an error.
    """
    return validate_numbered(
        list(enumerate(rows, start=first_row)),
        source=source,
        stage=stage,
        reviewer=reviewer,
        reasons=reasons,
        known_studies=known_studies,
        resolutions=resolutions,
        fill_timestamp=fill_timestamp,
    )


def validate_numbered(
    rows: Sequence[tuple[int, Mapping[str, object]]],
    *,
    source: str,
    stage: str,
    reviewer: str,
    reasons: Sequence[str],
    known_studies: Mapping[str, str] | None = None,
    resolutions: bool = False,
    fill_timestamp: str = "",
    problems: Sequence[str] = (),
) -> list[LedgerRow]:
    """:func:`validate_rows` for rows that carry their own row numbers (a sheet with blank rows
    skipped); ``problems`` found earlier (e.g. unmatched records of an export) are reported with
    the rest."""
    found: list[str] = list(problems)
    out: list[LedgerRow] = []
    allowed = set(reasons)
    for n, raw in rows:
        cell = {k: unquote_cell(raw.get(k)) for k in RESOLUTION_COLUMNS}
        where = f"{source}, row {n}"
        if not any(cell.values()):
            continue
        row_problems = _row_problems(cell, where, stage, allowed, reasons, known_studies)
        if resolutions and not cell["resolver"]:
            row_problems.append(f"{where}, field 'resolver': empty; name who settled the conflict")
        ts = cell["timestamp"] or fill_timestamp
        if parse_timestamp(ts) is None:
            row_problems.append(
                f"{where}, field 'timestamp': {cell['timestamp']!r} is not an ISO 8601 UTC time "
                "(e.g. 2026-11-29T07:07:01Z)"
            )
        found.extend(row_problems)
        if row_problems:
            continue
        fingerprint = cell["fingerprint"]
        if not fingerprint and known_studies is not None:
            fingerprint = known_studies.get(cell["study_id"], "")
        out.append(
            LedgerRow(
                study_id=cell["study_id"],
                fingerprint=fingerprint,
                decision=cell["decision"].lower(),
                reason="; ".join(split_reasons(cell["reason"])),
                note=cell["note"],
                timestamp=ts,
                stage=stage,
                reviewer=reviewer,
                source=source,
                row=n,
                resolver=cell["resolver"] if resolutions else "",
            )
        )
    if found:
        listed = found[:MAX_LISTED]
        more = f"\n(and {len(found) - MAX_LISTED} more)" if len(found) > MAX_LISTED else ""
        raise DecisionError(
            f"{len(found)} problem(s) in {source}; nothing was read or appended:\n"
            + "\n".join(listed)
            + more
        )
    return out


def split_reasons(text: str) -> list[str]:
    """Criterion codes of a reason cell (separated by ';' or ',')."""
    return [r.strip() for r in re.split(r"[;,]", text) if r.strip()]


def _row_problems(
    cell: Mapping[str, str],
    where: str,
    stage: str,
    allowed: set[str],
    reasons: Sequence[str],
    known: Mapping[str, str] | None,
) -> list[str]:
    out = []
    sid = cell["study_id"]
    if not sid:
        out.append(f"{where}, field 'study_id': empty; every decision names its study")
    elif known is not None and sid not in known:
        out.append(
            f"{where}, field 'study_id': {sid!r} is not a study of studies.csv "
            "(was the sheet made from another run?)"
        )
    decision = cell["decision"].lower()
    if decision not in DECISIONS:
        out.append(
            f"{where}, field 'decision': {cell['decision']!r} is not allowed; "
            f"allowed: {', '.join(DECISIONS)}"
        )
    codes = split_reasons(cell["reason"])
    for code in codes:
        if code not in allowed:
            out.append(
                f"{where}, field 'reason': {code!r} is not a criterion code for stage {stage}; "
                f"allowed: {', '.join(reasons)}"
            )
    if decision == "include" and codes:
        out.append(
            f"{where}, field 'reason': {cell['reason']!r} given with decision 'include'; "
            "reasons are exclusion criteria (leave it empty, or decide exclude)"
        )
    if stage == "full_text" and decision == "exclude" and not codes:
        out.append(
            f"{where}, field 'reason': empty; a full-text exclusion needs a criterion code; "
            f"allowed: {', '.join(reasons)}"
        )
    return out


def read_ledger_file(
    path: str | Path,
    *,
    stage: str,
    reasons: Sequence[str],
    reviewer: str | None = None,
) -> list[LedgerRow]:
    """Read and validate one ledger (or ``_resolutions.csv``) file."""
    path = Path(path)
    is_resolution = path.name == RESOLUTIONS_FILE
    reviewer = reviewer or (RESOLUTIONS_REVIEWER if is_resolution else path.stem)
    table = contract("screening_resolutions" if is_resolution else "screening_ledger")
    _header, rows = read_cells(path, table)
    return validate_numbered(
        rows,
        source=str(path),
        stage=stage,
        reviewer=reviewer,
        reasons=reasons,
        resolutions=is_resolution,
    )


@dataclass
class Ledgers:
    """Every ledger row of a decisions folder, per stage; resolutions apart."""

    decisions: dict[str, list[LedgerRow]]
    resolutions: dict[str, list[LedgerRow]]

    def reviewers(self, stage: str) -> list[str]:
        return sorted({r.reviewer for r in self.decisions.get(stage, [])})

    def all_rows(self) -> Iterable[LedgerRow]:
        for stage in STAGES:
            yield from self.decisions.get(stage, [])
            yield from self.resolutions.get(stage, [])


def read_ledgers(folder: str | Path, protocol: Protocol) -> Ledgers:
    """Read ``<folder>/<stage>/*.csv``; an absent folder means no decisions yet."""
    folder = Path(folder)
    decisions: dict[str, list[LedgerRow]] = {s: [] for s in STAGES}
    resolutions: dict[str, list[LedgerRow]] = {s: [] for s in STAGES}
    for stage in STAGES:
        stage_dir = folder / stage
        if not stage_dir.is_dir():
            continue
        reasons = stage_reasons(protocol, stage)
        for path in decision_files(stage_dir, suffixes=(".csv",), recursive=False):
            rows = read_ledger_file(path, stage=stage, reasons=reasons)
            (resolutions if path.name == RESOLUTIONS_FILE else decisions)[stage].extend(rows)
    return Ledgers(decisions=decisions, resolutions=resolutions)


def order_key(row: LedgerRow) -> tuple[datetime, str, int]:
    """Rows sort by time; rows of the same second keep their file order."""
    return (parse_timestamp(row.timestamp) or datetime.min.replace(tzinfo=UTC), row.source, row.row)


def current(rows: Iterable[LedgerRow]) -> dict[tuple[str, str], LedgerRow]:
    """The latest row per (reviewer, study id): each reviewer's current decision."""
    latest: dict[tuple[str, str], LedgerRow] = {}
    for row in sorted(rows, key=order_key):
        latest[(row.reviewer, row.study_id)] = row
    return latest


def ledger_path(
    folder: str | Path, stage: str, reviewer: str, *, resolutions: bool = False
) -> Path:
    """``<folder>/<stage>/<reviewer>.csv`` (or the stage's ``_resolutions.csv``); the name is
    checked, so no name can point outside the folder."""
    if stage not in STAGES:
        raise DecisionError(f"stage {stage!r} is not a screening stage ({', '.join(STAGES)})")
    name = RESOLUTIONS_FILE if resolutions else f"{safe_name(reviewer)}.csv"
    return Path(folder) / stage / name


def append_rows(path: str | Path, rows: Sequence[LedgerRow], *, resolutions: bool = False) -> int:
    """Append ``rows`` to the ledger at ``path``, keeping its bytes (:func:`append_csv`)."""
    columns = RESOLUTION_COLUMNS if resolutions else LEDGER_COLUMNS
    return append_csv(path, ({**r.to_ledger(), "resolver": r.resolver} for r in rows), columns)
