"""Carry-forward: attach every ledger row to a current study, on every rerun and update.

Ledgers name studies by id *and* fingerprint. Every row is attached to a current study by the
rules every decision stage shares (:mod:`review.carry`: by id, merged anchor, fingerprint);
a row that matches none is *unmatched*: listed in ``screening_unmatched.csv`` and the events,
and counted in the agreement file, never silently dropped.

When a cluster is split, the side that kept the id keeps the decisions, and the side whose
fingerprint is the one the reviewer saw inherits them too (``split``), unless that reviewer
decided it directly. A study that gained records since it was screened keeps its decisions, and
its ``carried_forward_note`` says which records joined (from ``records.csv`` run ids when
given, or from a changed fingerprint).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from review.carry import Locator, carry_note
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
    locator = Locator(studies, clusters)
    out = Attachment(ledgers=Ledgers({s: [] for s in STAGES}, {s: [] for s in STAGES}))

    def place(row: LedgerRow) -> LedgerRow | None:
        where = locator.place(row.study_id, row.fingerprint)
        out.how[(row.source, row.row, where.study_id or row.study_id)] = where.how
        if not where.matched:
            out.unmatched.append((row, where.problem))
            return None
        if where.study_id == row.study_id:
            return row
        return replace(row, study_id=where.study_id, ledger_study_id=row.study_id)

    for stage in STAGES:
        for src, dst in (
            (ledgers.decisions, out.ledgers.decisions),
            (ledgers.resolutions, out.ledgers.resolutions),
        ):
            placed = [p for p in (place(row) for row in src.get(stage, [])) if p is not None]
            dst[stage].extend(placed)
            dst[stage].extend(_split_copies(placed, locator, out.how))
    return out


def _split_copies(
    placed: Sequence[LedgerRow], locator: Locator, how: dict[tuple[str, int, str], str]
) -> list[LedgerRow]:
    """Decisions a split-off study inherits (:meth:`review.carry.Locator.split_to`), unless
    that reviewer decided it directly."""
    direct = {(r.reviewer, r.study_id) for r in placed}
    out = []
    for row in placed:
        target = locator.split_to(row.study_id, row.fingerprint)
        if not target or (row.reviewer, target) in direct:
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
        note = carry_note(how, who, row.ledger_study_id, row.fingerprint)
        if note:
            notes.append(note)
        elif how == "id" and row.fingerprint and fp_now and row.fingerprint != fp_now:
            notes.append(
                f"study changed since the decision of {who} (fingerprint then {row.fingerprint}, "
                f"now {fp_now}); decision carried forward"
            )
    if record_runs and rows:
        members = split_list(study.get("record_ids", ""))
        runs = {rid: record_runs.get(rid, "") for rid in members}
        # Runs in the order they were made (review.records.run_order): an undated run, or an
        # export file without a run id, comes after every dated one.
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
