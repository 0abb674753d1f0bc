"""Carry-forward: attach every ledger row to a current study, on every rerun and update.

Ledgers name studies by id *and* fingerprint. Every row is attached to a current study:

by id, by its anchor record (a merged study), by fingerprint, as every kind of decision is
(:mod:`review.carry`); a row that matches none is *unmatched*: listed in
``screening_unmatched.csv`` and the events, and counted in the agreement file, never silently
dropped.

When a cluster is split, the side that kept the id keeps the decisions, and the side whose
fingerprint is the one the reviewer saw inherits them too (``split``), unless that reviewer
decided it directly. A study that gained records since it was screened keeps its decisions, and
its ``carried_forward_note`` says which records joined (from ``records.csv`` run ids when
given, or from a changed fingerprint).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from review.carry import UNMATCHED, StudyIndex
from review.records import run_order, split_list
from review.screening.ledger import LedgerRow, Ledgers
from review.states import STAGES


@dataclass
class Attachment:
    """Ledger rows re-keyed to current studies, and those that match none."""

    ledgers: Ledgers
    unmatched: list[tuple[LedgerRow, str]] = field(default_factory=list)
    how: dict[tuple[str, int, str], str] = field(default_factory=dict)

    def attached_by(self, row: LedgerRow) -> str:
        return self.how.get((row.source, row.row, row.study_id), "id")


def attach(
    ledgers: Ledgers, studies: Sequence[Mapping[str, str]], clusters: Mapping[str, str]
) -> Attachment:
    index = StudyIndex.of(studies, clusters)
    out = Attachment(ledgers=Ledgers({s: [] for s in STAGES}, {s: [] for s in STAGES}))

    def place(row: LedgerRow) -> LedgerRow | None:
        where = index.place(row.study_id, row.fingerprint)
        if not where.matched:
            out.how[(row.source, row.row, row.study_id)] = UNMATCHED
            out.unmatched.append((row, where.problem))
            return None
        to = where.study_id
        out.how[(row.source, row.row, to)] = where.how
        return (
            row if to == row.study_id else replace(row, study_id=to, ledger_study_id=row.study_id)
        )

    for stage in STAGES:
        for src, dst in (
            (ledgers.decisions, out.ledgers.decisions),
            (ledgers.resolutions, out.ledgers.resolutions),
        ):
            placed = [p for p in (place(row) for row in src.get(stage, [])) if p is not None]
            dst[stage].extend(placed)
            dst[stage].extend(_split_copies(placed, index.by_fingerprint, out.how))
    return out


def _split_copies(
    placed: Sequence[LedgerRow],
    by_fp: Mapping[str, list[str]],
    how: dict[tuple[str, int, str], str],
) -> list[LedgerRow]:
    """Decisions a split-off study inherits: the decision's fingerprint is now that study's.

    When a cluster is split, the decision stays on the side that kept the study id; the side
    that carries the fingerprint the reviewer saw (its DOI, or its title and year) is the same
    work and inherits the decision too, unless that reviewer decided it directly.
    """
    direct = {(r.reviewer, r.study_id) for r in placed}
    out = []
    for row in placed:
        matches = by_fp.get(row.fingerprint, []) if row.fingerprint else []
        if len(matches) != 1 or matches[0] == row.study_id:
            continue
        target = matches[0]
        if (row.reviewer, target) in direct:
            continue
        how[(row.source, row.row, target)] = "split"
        out.append(
            replace(row, study_id=target, ledger_study_id=row.ledger_study_id or row.study_id)
        )
    return out


def carry_notes(
    study: Mapping[str, str],
    rows: Sequence[LedgerRow],
    attachment: Attachment,
    record_runs: Mapping[str, str] | None,
) -> list[str]:
    """What a reader of the study's state must know about decisions made on earlier runs."""
    notes: list[str] = []
    fp_now = study.get("fingerprint", "")
    for row in rows:
        how = attachment.attached_by(row)
        who = f"{row.reviewer} ({row.stage}, {row.timestamp})"
        if how == "merged":
            notes.append(
                f"decision of {who} on study {row.ledger_study_id}, now merged into this study, "
                "re-attached via its anchor record"
            )
        elif how == "split":
            notes.append(
                f"decision of {who} on study {row.ledger_study_id} inherited by fingerprint "
                f"{row.fingerprint}: this study, split from it, carries the DOI or title the "
                "reviewer saw"
            )
        elif how == "fingerprint":
            notes.append(
                f"decision of {who} on study {row.ledger_study_id} (id no longer exists) "
                f"re-attached by fingerprint {row.fingerprint}"
            )
        elif row.fingerprint and fp_now and row.fingerprint != fp_now:
            notes.append(
                f"study changed since the decision of {who} (fingerprint then {row.fingerprint}, "
                f"now {fp_now}); decision carried forward"
            )
    if record_runs and rows:
        members = split_list(study.get("record_ids", ""))
        runs = {rid: record_runs.get(rid, "") for rid in members}
        first = min(run_order(r) for r in runs.values()) if runs else run_order("")
        anchor_run = first[2]
        later = sorted(rid for rid, run in runs.items() if run_order(run) > first)
        if later:
            shown = ", ".join(
                f"{rid} (run {runs[rid]})" if runs[rid] else f"{rid} (a file without a run id)"
                for rid in later[:5]
            )
            more = f" and {len(later) - 5} more" if len(later) > 5 else ""
            notes.append(
                f"record(s) {shown}{more} joined this study after its first run {anchor_run}; "
                "they inherit its screening decisions"
            )
    return list(dict.fromkeys(notes))
