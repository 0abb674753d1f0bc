"""The screening state of every study, rebuilt from the studies, the criteria and the ledgers.

``screening.csv`` (one row per study) is derived, never edited: rerunning on the same inputs
gives the same table. It follows the state machine of DESIGN.md::

    excluded_auto | to_screen -> excluded_ta | maybe_ta | included_ta
                     included_ta -> excluded_ft | not_retrieved | included_ft

**Carry-forward.** Ledgers name studies by id *and* fingerprint. On a rerun or an update every
ledger row is attached to a current study:

1. ``id``: its study id still exists;
2. ``merged``: its study id is the id of a record that is now in another study (the study was
   merged into one with an earlier anchor record);
3. ``fingerprint``: its fingerprint (DOI, else folded title + year) is that of exactly one study;
4. otherwise it is *unmatched*: listed in ``screening_unmatched.csv`` and the events, and
   counted in the agreement file, never silently dropped.

When a cluster is split, the side that kept the id keeps the decisions, and the side whose
fingerprint is the one the reviewer saw inherits them too (``split``), unless that reviewer
decided it directly. A study that gained records since it was screened keeps its decisions, and
its ``carried_forward_note`` says which records joined (from ``records.csv`` run ids when
given, or from a changed fingerprint). Only studies a reviewer has not decided, directly or by
carry-forward, reach that reviewer's screening sheet.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from review import atomic
from review.errors import SchemaError
from review.protocol import Protocol
from review.records import split_list, study_id_for
from review.screening import agreement as agr
from review.screening import criteria as crit
from review.screening import priority
from review.screening.ledger import FT_UNAVAILABLE, STAGES, LedgerRow, Ledgers, current

SCREENING_COLUMNS: tuple[str, ...] = (
    "study_id",
    "fingerprint",
    "state",
    "auto_reason",
    "ta_decision",
    "ta_reason",
    "ta_reviewers",
    "ft_decision",
    "ft_reason",
    "ft_reviewers",
    "conflict",
    "relevance",
    "rank",
    "carried_forward_note",
)
EVENT_COLUMNS: tuple[str, ...] = (
    "study_id",
    "stage",
    "reviewer",
    "decision",
    "reason",
    "note",
    "timestamp",
    "fingerprint",
    "ledger_study_id",
    "attached_by",
    "resolver",
    "source",
    "row",
)
UNMATCHED_COLUMNS: tuple[str, ...] = (
    "stage",
    "reviewer",
    "study_id",
    "fingerprint",
    "decision",
    "reason",
    "timestamp",
    "source",
    "row",
    "problem",
)
STUDY_REQUIRED = ("study_id", "record_ids", "title", "fingerprint")
_ABBR = {"title_abstract": "ta", "full_text": "ft"}
#: States in which a study's decisions at a stage count (the study reached that stage).
_ELIGIBLE = {
    "title_abstract": {
        "to_screen",
        "excluded_ta",
        "maybe_ta",
        "included_ta",
        "excluded_ft",
        "not_retrieved",
        "included_ft",
    },
    "full_text": {"included_ta", "excluded_ft", "not_retrieved", "included_ft"},
}


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


def _read_csv(path: Path, required: Sequence[str], what: str) -> list[dict[str, str]]:
    if not path.is_file():
        raise SchemaError(f"{path}: {what} not found")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in required if c not in header]
        if missing:
            raise SchemaError(
                f"{path}, line 1: missing column(s) {', '.join(missing)} of the {what}"
            )
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def read_studies(path: str | Path) -> list[dict[str, str]]:
    rows = _read_csv(Path(path), STUDY_REQUIRED, "studies table (review dedup)")
    seen: set[str] = set()
    for i, row in enumerate(rows, start=2):
        if not row["study_id"] or row["study_id"] in seen:
            raise SchemaError(
                f"{path}, line {i}: field 'study_id' is {row['study_id']!r}; "
                "expected a non-empty id used once"
            )
        seen.add(row["study_id"])
    return rows


def read_clusters(path: str | Path) -> dict[str, str]:
    rows = _read_csv(Path(path), ("record_id", "study_id"), "clusters table (review dedup)")
    return {r["record_id"]: r["study_id"] for r in rows}


def read_record_runs(path: str | Path) -> dict[str, str]:
    """``record_id -> run_id`` from ``records.csv`` (to say which records joined later)."""
    rows = _read_csv(Path(path), ("record_id", "run_id"), "records table")
    return {r["record_id"]: r["run_id"] for r in rows}


# ---------------------------------------------------------------------------------------------
# Carry-forward: attach every ledger row to a current study
# ---------------------------------------------------------------------------------------------


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
    ids = {s["study_id"] for s in studies}
    by_anchor = {study_id_for(rid): sid for rid, sid in clusters.items()}
    by_fp: dict[str, list[str]] = {}
    for s in studies:
        if s.get("fingerprint"):
            by_fp.setdefault(s["fingerprint"], []).append(s["study_id"])
    out = Attachment(ledgers=Ledgers({s: [] for s in STAGES}, {s: [] for s in STAGES}))

    def place(row: LedgerRow) -> LedgerRow | None:
        def moved(to: str, how: str) -> LedgerRow:
            out.how[(row.source, row.row, to)] = how
            return (
                row
                if to == row.study_id
                else replace(row, study_id=to, ledger_study_id=row.study_id)
            )

        if row.study_id in ids:
            return moved(row.study_id, "id")
        if row.study_id in by_anchor:
            return moved(by_anchor[row.study_id], "merged")
        matches = by_fp.get(row.fingerprint, []) if row.fingerprint else []
        if len(matches) == 1:
            return moved(matches[0], "fingerprint")
        problem = (
            f"fingerprint {row.fingerprint!r} matches {len(matches)} studies "
            f"({', '.join(sorted(matches)[:3])})"
            if matches
            else "neither its study id nor its fingerprint matches a current study"
        )
        out.how[(row.source, row.row, row.study_id)] = "unmatched"
        out.unmatched.append((row, problem))
        return None

    for stage in STAGES:
        for src, dst in (
            (ledgers.decisions, out.ledgers.decisions),
            (ledgers.resolutions, out.ledgers.resolutions),
        ):
            placed = [p for p in (place(row) for row in src.get(stage, [])) if p is not None]
            dst[stage].extend(placed)
            dst[stage].extend(_split_copies(placed, by_fp, out.how))
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


# ---------------------------------------------------------------------------------------------
# Decisions per stage
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageVerdict:
    decision: str  # include | exclude | maybe | conflict | "" (nobody decided)
    reason: str
    reviewers: list[str]
    conflict: str


def _ordered_reasons(rows: Sequence[LedgerRow]) -> list[str]:
    seen: list[str] = []
    for row in rows:
        for code in row.reasons:
            if code not in seen:
                seen.append(code)
    # "full text unavailable" only wins when no one could assess the study on its merits.
    return sorted(seen, key=lambda c: c == FT_UNAVAILABLE)


def verdict(
    stage: str, decided: Mapping[str, LedgerRow], resolution: LedgerRow | None
) -> StageVerdict:
    """One stage's outcome for one study from the reviewers' current rows and a resolution."""
    reviewers = sorted(decided)
    decisions = {r.decision for r in decided.values()}
    conflict = ""
    if len(decisions) > 1:
        conflict = (
            f"{stage}: resolved by {resolution.resolver}" if resolution else f"{stage}: unresolved"
        )
    if resolution is not None:
        return StageVerdict(
            resolution.decision,
            "; ".join(_ordered_reasons([resolution])),
            [*reviewers, resolution.resolver],
            conflict,
        )
    if not decided:
        return StageVerdict("", "", [], "")
    if len(decisions) > 1:
        return StageVerdict("conflict", "", reviewers, conflict)
    decision = decisions.pop()
    reason = "; ".join(_ordered_reasons(list(decided.values()))) if decision != "include" else ""
    return StageVerdict(decision, reason, reviewers, "")


@dataclass
class ScreeningState:
    rows: list[dict[str, Any]]
    events: list[dict[str, Any]]
    conflicts: list[dict[str, str]]
    agreement: dict[str, Any]
    unmatched: list[dict[str, Any]]
    ranking: str = ""

    def by_id(self) -> dict[str, dict[str, Any]]:
        return {r["study_id"]: r for r in self.rows}


def _per_study(rows: Sequence[LedgerRow]) -> dict[str, dict[str, LedgerRow]]:
    out: dict[str, dict[str, LedgerRow]] = {}
    for (reviewer, sid), row in current(rows).items():
        out.setdefault(sid, {})[reviewer] = row
    return out


def _carry_notes(
    study: Mapping[str, str],
    rows: Sequence[LedgerRow],
    attachment: Attachment,
    record_runs: Mapping[str, str] | None,
) -> list[str]:
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
        anchor_run = min((r, rid) for rid, r in runs.items())[0] if runs else ""
        later = sorted(rid for rid, run in runs.items() if run and run > anchor_run)
        if later:
            shown = ", ".join(f"{rid} (run {runs[rid]})" for rid in later[:5])
            more = f" and {len(later) - 5} more" if len(later) > 5 else ""
            notes.append(
                f"record(s) {shown}{more} joined this study after its first run {anchor_run}; "
                "they inherit its screening decisions"
            )
    return list(dict.fromkeys(notes))


def build_state(
    studies: Sequence[Mapping[str, str]],
    clusters: Mapping[str, str],
    ledgers: Ledgers,
    protocol: Protocol,
    *,
    record_runs: Mapping[str, str] | None = None,
) -> ScreeningState:
    """Derive ``screening.csv`` rows, events, conflicts and agreement from the inputs."""
    auto_criteria = crit.automatic_criteria(protocol)
    auto = crit.apply_criteria(studies, auto_criteria)
    attachment = attach(ledgers, studies, clusters)
    att = attachment.ledgers
    stage_rows = {s: _per_study(att.decisions[s]) for s in STAGES}
    resolved = {s: {sid: r for (_w, sid), r in current(att.resolutions[s]).items()} for s in STAGES}

    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for study in studies:
        sid = study["study_id"]
        results = auto.get(sid, [])
        codes = crit.exclusion_codes(results)
        row: dict[str, Any] = {c: "" for c in SCREENING_COLUMNS}
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
        verdicts = {s: verdict(s, stage_rows[s].get(sid, {}), resolved[s].get(sid)) for s in STAGES}
        for s, v in verdicts.items():
            a = _ABBR[s]
            row[f"{a}_decision"], row[f"{a}_reason"] = v.decision, v.reason
            row[f"{a}_reviewers"] = "; ".join(v.reviewers)
        row["conflict"] = "; ".join(v.conflict for v in verdicts.values() if v.conflict)
        row["state"] = _state(codes, verdicts)
        if codes:
            row["auto_reason"] = "; ".join(codes)
        used = [r for s in STAGES for r in stage_rows[s].get(sid, {}).values()]
        used += [resolved[s][sid] for s in STAGES if sid in resolved[s]]
        notes = _carry_notes(study, used, attachment, record_runs)
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
    events = [{c: e.get(c, "") for c in EVENT_COLUMNS} for e in events]
    ranking = _rank(rows, studies, protocol)
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
    agreement = _agreement(attachment, conflict_rows, protocol, len(unmatched), rows)
    return ScreeningState(rows, events, conflict_rows, agreement, unmatched, ranking)


def _state(codes: Sequence[str], v: Mapping[str, StageVerdict]) -> str:
    if codes:
        return "excluded_auto"
    ta = v["title_abstract"].decision
    if not ta:
        return "to_screen"
    if ta == "exclude":
        return "excluded_ta"
    if ta != "include":
        return "maybe_ta"
    ft = v["full_text"]
    if ft.decision == "include":
        return "included_ft"
    if ft.decision == "exclude":
        reasons = [c.strip() for c in ft.reason.split(";") if c.strip()]
        return "not_retrieved" if reasons and set(reasons) == {FT_UNAVAILABLE} else "excluded_ft"
    return "included_ta"


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


def _rank(
    rows: list[dict[str, Any]], studies: Sequence[Mapping[str, str]], protocol: Protocol
) -> str:
    """Fill ``relevance`` (every study) and ``rank`` (studies still to screen)."""
    texts = [priority.study_text(s) for s in studies]
    labels = {
        i: 1 if r["ta_decision"] == "include" else 0
        for i, r in enumerate(rows)
        if r["state"] != "excluded_auto" and r["ta_decision"] in ("include", "exclude")
    }
    scores, how = priority.relevance(texts, labels, protocol=protocol)
    for row, score in zip(rows, scores, strict=True):
        row["relevance"] = f"{float(score):.4f}"
    waiting = [
        (r["study_id"], s) for r, s in zip(rows, scores, strict=True) if r["state"] == "to_screen"
    ]
    ranked = priority.order([w[0] for w in waiting], [w[1] for w in waiting])
    position = {sid: i for i, sid in enumerate(ranked, start=1)}
    for row in rows:
        if row["study_id"] in position:
            row["rank"] = position[row["study_id"]]
    return how


def _agreement(
    attachment: Attachment,
    conflict_rows: Sequence[Mapping[str, str]],
    protocol: Protocol,
    n_unmatched: int,
    rows: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    required = int(protocol.data.get("screening", {}).get("reviewers_per_stage", 1) or 1)
    out: dict[str, Any] = {}
    for stage in STAGES:
        # Statistics count each reviewer's own decisions once, not the copies a split inherits.
        decisions = [
            r for r in attachment.ledgers.decisions[stage] if attachment.attached_by(r) != "split"
        ]
        if not decisions:
            continue
        stats = agr.stage_agreement(decisions)
        mine = [c for c in conflict_rows if c["stage"] == stage]
        per_study = _per_study(decisions)
        stats["conflicts"] = len(mine)
        stats["conflicts_resolved"] = sum(1 for c in mine if c["resolved"] == "yes")
        stats["conflicts_unresolved"] = sum(1 for c in mine if c["resolved"] != "yes")
        stats["reviewers_required"] = required
        stats["studies_below_required_reviewers"] = sum(
            1 for d in per_study.values() if len(d) < required
        )
        # Decisions that do not count towards the state (kept in the events and the audit).
        state_of = {r["study_id"]: r["state"] for r in rows}
        eligible = _ELIGIBLE[stage]
        stats["studies_decided_but_not_eligible_at_this_stage"] = sum(
            1 for sid in per_study if state_of.get(sid) not in eligible
        )
        out[stage] = stats
    out["excluded_by_automation"] = sum(1 for r in rows if r["state"] == "excluded_auto")
    out["carried_forward_studies"] = sum(1 for r in rows if r["carried_forward_note"])
    out["unmatched_decisions"] = n_unmatched
    return out


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------

AGREEMENT_FILE = "screening_agreement.json"


def write_state(state: ScreeningState, outdir: str | Path) -> dict[str, Path]:
    outdir = Path(outdir)
    paths = {
        "screening": outdir / "screening.csv",
        "events": outdir / "screening_events.csv",
        "conflicts": outdir / "screening_conflicts.csv",
        "unmatched": outdir / "screening_unmatched.csv",
        "agreement": outdir / AGREEMENT_FILE,
    }
    atomic.write_csv(paths["screening"], state.rows, SCREENING_COLUMNS)
    events = sorted(
        state.events,
        key=lambda e: (
            e["study_id"],
            e.get("stage", ""),
            e.get("timestamp", ""),
            str(e.get("row", "")),
        ),
    )
    atomic.write_csv(paths["events"], events, EVENT_COLUMNS)
    atomic.write_csv(paths["conflicts"], state.conflicts, agr.CONFLICT_COLUMNS)
    atomic.write_csv(paths["unmatched"], state.unmatched, UNMATCHED_COLUMNS)
    atomic.write_json(paths["agreement"], state.agreement)
    return paths


def build_from_files(
    protocol: Protocol,
    *,
    studies: str | Path,
    clusters: str | Path,
    decisions: str | Path,
    records: str | Path | None = None,
) -> tuple[ScreeningState, list[dict[str, str]], Attachment]:
    """Read the inputs and build the state; also return the studies and the attached ledgers."""
    from review.screening.ledger import read_ledgers

    study_rows = read_studies(studies)
    cluster_map = read_clusters(clusters)
    ledgers = read_ledgers(decisions, protocol)
    runs = read_record_runs(records) if records and Path(records).is_file() else None
    state = build_state(study_rows, cluster_map, ledgers, protocol, record_runs=runs)
    return state, study_rows, attach(ledgers, study_rows, cluster_map)
