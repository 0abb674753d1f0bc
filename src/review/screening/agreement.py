"""Agreement between screeners, and the conflicts a resolution ledger must settle.

Statistics (nominal categories include / exclude / maybe; the measures are in
:mod:`review.agreement`):

- percent agreement: share of studies screened by >= 2 reviewers on which all agree;
- Cohen's kappa for each pair of reviewers, on the studies both decided (also with *maybe*
  counted as *include*);
- Fleiss' kappa for three or more reviewers, on the studies every one decided (it assumes the
  same number of ratings per study);
- Krippendorff's alpha, nominal, on every study with >= 2 decisions: it takes missing ratings in
  its stride, so it is reported for any number of reviewers.

A *conflict* is a study whose reviewers' current decisions differ. It is settled by the latest
row for that study in the stage's ``_resolutions.csv``; until then the study waits (``maybe``).
A study merged from studies that one reviewer decided differently is a conflict too (a *split
mind*): that reviewer's latest decision on each of the merged studies is shown, and none wins
by being the latest; it is settled like any conflict (the conflicts sheet, imported by that
reviewer or an adjudicator).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

from review.agreement import (
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha_nominal,
    percent_agreement,
)
from review.protocol import Protocol
from review.screening.carry import Attachment
from review.screening.ledger import LedgerRow, current, order_key
from review.states import DECISIONS, SCREENED_AT_TA, SOUGHT, STAGES, ScreeningState, Stage

#: The studies whose decisions at a stage count: those that reached it.
ELIGIBLE: dict[str, frozenset[str]] = {
    Stage.TITLE_ABSTRACT: SCREENED_AT_TA,
    Stage.FULL_TEXT: SOUGHT,
}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def per_study(rows: Sequence[LedgerRow]) -> dict[str, dict[str, LedgerRow]]:
    """Each study's current decision per reviewer."""
    out: dict[str, dict[str, LedgerRow]] = {}
    for (reviewer, sid), row in current(rows).items():
        out.setdefault(sid, {})[reviewer] = row
    return out


def stage_agreement(rows: Sequence[LedgerRow]) -> dict[str, Any]:
    """Agreement statistics of one stage from its decision rows (current decision per reviewer)."""
    latest = current(rows)
    by_study: dict[str, dict[str, str]] = {}
    for (reviewer, sid), row in latest.items():
        by_study.setdefault(sid, {})[reviewer] = row.decision
    reviewers = sorted({r for r, _ in latest})
    multi = {sid: d for sid, d in by_study.items() if len(d) >= 2}
    units = [[d[r] for r in sorted(d)] for d in multi.values()]
    out: dict[str, Any] = {
        "reviewers": ", ".join(reviewers),
        "n_reviewers": len(reviewers),
        "studies_decided": len(by_study),
        "studies_double_screened": len(multi),
        "decisions": {
            r: dict(sorted(Counter(latest[(r, s)].decision for rr, s in latest if rr == r).items()))
            for r in reviewers
        },
        "percent_agreement": _round(percent_agreement(units)),
    }
    pairs = []
    for a, b in combinations(reviewers, 2):
        both = [d for d in by_study.values() if a in d and b in d]
        xa, xb = [d[a] for d in both], [d[b] for d in both]
        binary_a = ["exclude" if x == "exclude" else "include" for x in xa]
        binary_b = ["exclude" if x == "exclude" else "include" for x in xb]
        table = Counter(zip(xa, xb, strict=True))
        pairs.append(
            {
                "pair": f"{a} vs {b}",
                "n": len(both),
                "percent_agreement": _round(
                    sum(1 for x, y in zip(xa, xb, strict=True) if x == y) / len(both)
                    if both
                    else None
                ),
                "cohen_kappa": _round(cohen_kappa(xa, xb)),
                "cohen_kappa_maybe_as_include": _round(cohen_kappa(binary_a, binary_b)),
                "table": {f"{x}/{y}": n for (x, y), n in sorted(table.items())},
            }
        )
    if len(reviewers) == 2 and pairs:
        out["cohen_kappa"] = pairs[0]["cohen_kappa"]
    if len(reviewers) >= 3:
        full = [d for d in by_study.values() if len(d) == len(reviewers)]
        out["fleiss_kappa"] = (
            _round(fleiss_kappa([[list(d.values()).count(c) for c in DECISIONS] for d in full]))
            if full
            else None
        )
        out["fleiss_n"] = len(full)
    out["krippendorff_alpha"] = _round(krippendorff_alpha_nominal(units))
    out["pairs"] = pairs
    return out


#: Per study, the reviewers whose decisions on the studies merged into it differ, with their
#: latest row on each of those studies.
SplitMinds = dict[str, dict[str, list[LedgerRow]]]


def split_minds(rows: Sequence[LedgerRow]) -> SplitMinds:
    """Studies on which one reviewer's decisions differ because carry-forward brought rows made
    on different studies (now merged into one) together: each such reviewer's latest row per
    study id the rows were made on, when their decisions differ."""
    latest: dict[tuple[str, str, str], LedgerRow] = {}
    for row in sorted(rows, key=order_key):
        latest[(row.study_id, row.reviewer, row.ledger_study_id or row.study_id)] = row
    by_study: SplitMinds = {}
    for (sid, who, _made_on), row in latest.items():
        by_study.setdefault(sid, {}).setdefault(who, []).append(row)
    out: SplitMinds = {}
    for sid, per_reviewer in by_study.items():
        split = {w: rs for w, rs in per_reviewer.items() if len({r.decision for r in rs}) > 1}
        if split:
            out[sid] = split
    return out


def _shown(who: str, row: LedgerRow, split: bool) -> str:
    """``reviewer`` (or ``reviewer on st-…`` for one of a split mind's rows)."""
    return f"{who} on {row.ledger_study_id or row.study_id}" if split else who


def conflicts(
    stage: str,
    rows: Sequence[LedgerRow],
    resolutions: Sequence[LedgerRow],
    *,
    titles: Mapping[str, str] | None = None,
) -> list[dict[str, str]]:
    """One row per study whose reviewers disagree (or one of whom decided the studies merged
    into it differently), with the resolution if there is one."""
    by_study = per_study(rows)
    minds = split_minds(rows)
    settled = {sid: row for (_r, sid), row in current(resolutions).items()}
    out = []
    for sid in sorted(by_study):
        decided = by_study[sid]
        split = minds.get(sid, {})
        if len({r.decision for r in decided.values()}) < 2 and not split:
            continue
        shown = [
            (_shown(who, row, who in split), row)
            for who in sorted(decided)
            for row in (split.get(who) or [decided[who]])
        ]
        res = settled.get(sid)
        any_row = next(iter(decided.values()))
        out.append(
            {
                "stage": stage,
                "study_id": sid,
                "fingerprint": any_row.fingerprint,
                "title": (titles or {}).get(sid, ""),
                "decisions": "; ".join(f"{who}={row.decision}" for who, row in shown),
                "reasons": "; ".join(f"{who}={row.reason}" for who, row in shown if row.reason),
                "notes": " | ".join(f"{who}: {row.note}" for who, row in shown if row.note),
                "resolved": "yes" if res else "no",
                "resolution": res.decision if res else "",
                "resolution_reason": res.reason if res else "",
                "resolver": res.resolver if res else "",
                "resolution_timestamp": res.timestamp if res else "",
            }
        )
    return out


def summary(
    attachment: Attachment,
    conflict_rows: Sequence[Mapping[str, str]],
    protocol: Protocol,
    n_unmatched: int,
    rows: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """``screening_agreement.json``: each stage's statistics and the counts the report cites."""
    required = int(protocol.data.get("screening", {}).get("reviewers_per_stage", 1) or 1)
    state_of = {r["study_id"]: r["state"] for r in rows}
    out: dict[str, Any] = {}
    for stage in STAGES:
        # Statistics count each reviewer's own decisions once, not the copies a split inherits.
        decisions = [
            r for r in attachment.ledgers.decisions[stage] if attachment.attached_by(r) != "split"
        ]
        if not decisions:
            continue
        stats = stage_agreement(decisions)
        mine = [c for c in conflict_rows if c["stage"] == stage]
        decided = per_study(decisions)
        stats["conflicts"] = len(mine)
        stats["conflicts_resolved"] = sum(1 for c in mine if c["resolved"] == "yes")
        stats["conflicts_unresolved"] = sum(1 for c in mine if c["resolved"] != "yes")
        stats["reviewers_required"] = required
        stats["studies_below_required_reviewers"] = sum(
            1 for d in decided.values() if len(d) < required
        )
        # Decisions that do not count towards the state (kept in the events and the audit).
        stats["studies_decided_but_not_eligible_at_this_stage"] = sum(
            1 for sid in decided if state_of.get(sid) not in ELIGIBLE[stage]
        )
        out[stage] = stats
    out["excluded_by_automation"] = sum(
        1 for r in rows if r["state"] == ScreeningState.EXCLUDED_AUTO
    )
    out["carried_forward_studies"] = sum(1 for r in rows if r["carried_forward_note"])
    out["unmatched_decisions"] = n_unmatched
    return out
