"""The screening state of every study, rebuilt from the studies, the criteria and the ledgers.

``screening.csv`` (one row per study) is derived, never edited: rerunning on the same inputs
gives the same table. Building it takes five steps, one module each: the protocol's automatic
criteria (:mod:`~review.screening.criteria`), carry-forward of every ledger row to a current
study (:mod:`~review.screening.carry`), the rows that may count (order of work, assessment
basis, retired criteria: :mod:`~review.screening.fulltext_rules`; the others are set aside and
listed), each stage's verdict and the study's state
(:mod:`~review.screening.verdict`), and the relevance order of the studies still to screen
(:mod:`~review.screening.priority`); agreement and conflicts come from
:mod:`~review.screening.agreement`. Only studies a reviewer has not decided, directly or by
carry-forward, reach that reviewer's screening sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review.carry import read_clusters
from review.protocol import Protocol
from review.screening import agreement as agr
from review.screening import criteria as crit
from review.screening.carry import Attachment, attach, carry_notes
from review.screening.fulltext_rules import FullTextRules, filter_ledgers, set_aside_rows
from review.screening.ledger import Ledgers, current, read_ledgers
from review.screening.priority import rank_studies
from review.screening.verdict import state_of, verdict
from review.states import STAGES, Decision, FullTextBasis, ScreeningState
from review.tables import Row, contract, read_table, write_json, write_table

_ABBR = {"title_abstract": "ta", "full_text": "ft"}


@dataclass
class Screening:
    """Everything the screening stage derives: the state table and the tables beside it."""

    rows: list[dict[str, Any]]
    events: list[dict[str, Any]]
    conflicts: list[dict[str, str]]
    agreement: dict[str, Any]
    unmatched: list[dict[str, Any]]
    attachment: Attachment
    ranking: str = ""
    #: Ledger rows kept but not counted (``screening_set_aside.csv``).
    set_aside: list[dict[str, Any]] = field(default_factory=list)

    def by_id(self) -> dict[str, dict[str, Any]]:
        return {r["study_id"]: r for r in self.rows}


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


def read_studies(path: str | Path) -> list[Row]:
    return read_table(path, contract("studies"))


def read_fulltext(path: str | Path) -> dict[str, Row]:
    """``fulltext.csv`` (review fulltext) by study id."""
    return {r["study_id"]: r for r in read_table(path, contract("fulltext"))}


def read_record_runs(path: str | Path) -> dict[str, str]:
    """``record_id -> run_id`` from ``records.csv`` (to say which records joined later)."""
    return {r["record_id"]: r["run_id"] for r in read_table(path, contract("records"))}


# ---------------------------------------------------------------------------------------------
# The state
# ---------------------------------------------------------------------------------------------


def build_state(
    studies: Sequence[Mapping[str, str]],
    clusters: Mapping[str, str],
    ledgers: Ledgers,
    protocol: Protocol,
    *,
    record_runs: Mapping[str, str] | None = None,
    retrieval: Mapping[str, str] | None = None,
    why: Mapping[str, str] | None = None,
    rank: bool = True,
) -> Screening:
    """Derive ``screening.csv`` rows, events, conflicts and agreement from the inputs.

    ``retrieval`` is each study's retrieval status (``fulltext.csv``), ``None`` when not given;
    ``why`` the reason of those not retrieved. ``rank=False`` leaves ``relevance`` and ``rank``
    empty, for a caller that needs only the states (the full-text stage): training the ranking
    costs a second of CPU, most of it importing scikit-learn.
    """
    columns = contract("screening").names
    auto = crit.apply_criteria(studies, crit.automatic_criteria(protocol))
    attachment = attach(ledgers, studies, clusters)
    rules = FullTextRules.of(protocol, retrieval)
    auto_excluded = {sid for sid, res in auto.items() if crit.exclusion_codes(res)}
    filtered = filter_ledgers(attachment.ledgers, rules, auto_excluded)
    attachment.ledgers = filtered.kept
    att = attachment.ledgers
    stage_rows = {s: agr.per_study(att.decisions[s]) for s in STAGES}
    minds = {s: agr.split_minds(att.decisions[s]) for s in STAGES}
    resolved = {s: {sid: r for (_w, sid), r in current(att.resolutions[s]).items()} for s in STAGES}

    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for study in studies:
        sid = study["study_id"]
        results = auto.get(sid, [])
        codes = crit.exclusion_codes(results)
        row: dict[str, Any] = dict.fromkeys(columns, "")
        row.update(study_id=sid, fingerprint=study.get("fingerprint", ""))
        for r in results:
            events.append(
                {
                    "study_id": sid,
                    "stage": "automatic",
                    "reviewer": "automation",
                    "decision": "exclude" if r.excluded else "not_applied",
                    "reason": r.code,
                    "note": r.note,
                    "fingerprint": row["fingerprint"],
                    "attached_by": "criteria",
                }
            )
        verdicts = {
            s: verdict(
                s, stage_rows[s].get(sid, {}), resolved[s].get(sid), sorted(minds[s].get(sid, {}))
            )
            for s in STAGES
        }
        for s, v in verdicts.items():
            a = _ABBR[s]
            row[f"{a}_decision"], row[f"{a}_reason"] = v.decision, v.reason
            row[f"{a}_reviewers"] = "; ".join(v.reviewers)
        row["conflict"] = "; ".join(v.conflict for v in verdicts.values() if v.conflict)
        row["state"] = state_of(codes, verdicts)
        if retrieval is not None:
            row["ft_retrieval"] = retrieval.get(sid, "")
            row["ft_retrieval_reason"] = (why or {}).get(sid, "")
        if row["ft_decision"] in (Decision.INCLUDE, Decision.EXCLUDE):
            row["ft_basis"] = rules.basis_of(sid)
        if (
            row["state"] == ScreeningState.INCLUDED_TA
            and rules.basis == FullTextBasis.FULL_TEXT
            and not rules.has_text(sid)
        ):
            row["state"] = ScreeningState.NOT_RETRIEVED
        if codes:
            row["auto_reason"] = "; ".join(codes)
        used = [r for s in STAGES for r in stage_rows[s].get(sid, {}).values()]
        used += [resolved[s][sid] for s in STAGES if sid in resolved[s]]
        notes = carry_notes(study, used, attachment, record_runs)
        if notes:
            row["carried_forward_note"] = " | ".join(notes)
            for stage in sorted({r.stage for r in used}):
                events.append(
                    {
                        "study_id": sid,
                        "stage": stage,
                        "reviewer": "automation",
                        "decision": "carry_forward",
                        "note": row["carried_forward_note"],
                        "fingerprint": row["fingerprint"],
                        "attached_by": "carry_forward",
                    }
                )
        rows.append(row)

    events.extend(_ledger_events(ledgers, attachment))
    event_columns = contract("screening_events").names
    events = [{c: e.get(c, "") for c in event_columns} for e in events]
    ranking = rank_studies(rows, studies, protocol) if rank else ""
    titles = {s["study_id"]: s.get("title", "") for s in studies}
    conflict_rows = [
        c
        for s in STAGES
        for c in agr.conflicts(s, att.decisions[s], att.resolutions[s], titles=titles)
    ]
    unmatched = [
        {
            "stage": r.stage,
            "reviewer": r.reviewer,
            "study_id": r.study_id,
            "fingerprint": r.fingerprint,
            "decision": r.decision,
            "reason": r.reason,
            "timestamp": r.timestamp,
            "source": r.source,
            "row": r.row,
            "problem": problem,
        }
        for r, problem in attachment.unmatched
    ]
    agreement = agr.summary(attachment, conflict_rows, protocol, len(unmatched), rows)
    return Screening(
        rows,
        events,
        conflict_rows,
        agreement,
        unmatched,
        attachment,
        ranking,
        set_aside_rows(filtered),
    )


def _ledger_events(ledgers: Ledgers, attachment: Attachment) -> list[dict[str, Any]]:
    placed = {
        (r.source, r.row): r.study_id
        for s in STAGES
        for r in (*attachment.ledgers.decisions[s], *attachment.ledgers.resolutions[s])
        if attachment.attached_by(r) != "split"
    }
    out = []
    for row in ledgers.all_rows():
        key = (row.source, row.row)
        out.append(
            {
                "study_id": placed.get(key, row.study_id),
                "stage": row.stage,
                "reviewer": row.resolver or row.reviewer,
                "decision": row.decision,
                "reason": row.reason,
                "note": row.note,
                "timestamp": row.timestamp,
                "fingerprint": row.fingerprint,
                "ledger_study_id": row.study_id,
                "attached_by": attachment.how.get(
                    (row.source, row.row, placed.get(key, row.study_id)), "id"
                ),
                "resolver": row.resolver,
                "source": row.source,
                "row": row.row,
            }
        )
    return out


# ---------------------------------------------------------------------------------------------
# Reading the inputs, writing the outputs
# ---------------------------------------------------------------------------------------------


def build_from_files(
    protocol: Protocol,
    *,
    studies: str | Path,
    clusters: str | Path,
    decisions: str | Path,
    records: str | Path | None = None,
    fulltext: str | Path | None = None,
    rank: bool = True,
) -> tuple[Screening, list[Row]]:
    """Read the inputs and build the state (``rank``: see :func:`build_state`); also return
    the studies."""
    study_rows = read_studies(studies)
    runs = read_record_runs(records) if records is not None else None
    table = read_fulltext(fulltext) if fulltext is not None else None
    state = build_state(
        study_rows,
        read_clusters(clusters),
        read_ledgers(decisions, protocol),
        protocol,
        record_runs=runs,
        retrieval={k: r["status"] for k, r in table.items()} if table is not None else None,
        why={k: r["reason"] for k, r in table.items()} if table is not None else None,
        rank=rank,
    )
    return state, study_rows


def write_state(
    state: Screening,
    *,
    screening: str | Path,
    events: str | Path,
    conflicts: str | Path,
    unmatched: str | Path,
    agreement: str | Path,
    set_aside: str | Path | None = None,
) -> dict[str, Path]:
    """Write the tables of the screening stage, each atomically."""
    ordered = sorted(
        state.events,
        key=lambda e: (
            e["study_id"],
            e.get("stage", ""),
            e.get("timestamp", ""),
            str(e.get("row", "")),
        ),
    )
    return {
        "screening": write_table(screening, state.rows, contract("screening")),
        "events": write_table(events, ordered, contract("screening_events")),
        "conflicts": write_table(conflicts, state.conflicts, contract("screening_conflicts")),
        "unmatched": write_table(unmatched, state.unmatched, contract("screening_unmatched")),
        "agreement": write_json(agreement, state.agreement, contract("screening_agreement")),
        **(
            {"set_aside": write_table(set_aside, state.set_aside, contract("screening_set_aside"))}
            if set_aside is not None
            else {}
        ),
    }
