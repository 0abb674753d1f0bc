"""Agreement between screeners and the conflicts a resolution ledger must settle.

Statistics (nominal categories include / exclude / maybe):

- percent agreement: share of studies screened by >= 2 reviewers on which all agree;
- Cohen's kappa for each pair of reviewers (Cohen 1960), on the studies both decided;
- Fleiss' kappa (Fleiss 1971) for three or more reviewers, on the studies every one decided
  (it assumes the same number of ratings per study);
- Krippendorff's alpha, nominal (Krippendorff 2011), on every study with >= 2 decisions: it
  takes missing ratings in its stride, so it is reported for any number of reviewers.

A *conflict* is a study whose reviewers' current decisions differ. It is settled by the latest
row for that study in the stage's ``_resolutions.csv``; until then the study waits (``maybe``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

from review.screening.ledger import LedgerRow, current

CATEGORIES: tuple[str, ...] = ("include", "exclude", "maybe")


def percent_agreement(units: Sequence[Sequence[str]]) -> float | None:
    """Share of units (with >= 2 ratings) whose ratings are all equal."""
    rated = [u for u in units if len(u) >= 2]
    if not rated:
        return None
    return sum(1 for u in rated if len(set(u)) == 1) / len(rated)


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's kappa of two raters over the same items (``None`` if undefined)."""
    if len(a) != len(b):
        raise ValueError("both raters must rate the same items")
    n = len(a)
    if n == 0:
        return None
    observed = sum(1 for x, y in zip(a, b, strict=True) if x == y) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    if expected == 1:
        return None  # both raters used one and the same category throughout
    return (observed - expected) / (1 - expected)


def fleiss_kappa(table: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa from a subjects x categories table of counts (same raters per subject)."""
    rows = [list(r) for r in table if sum(r) > 0]
    if not rows:
        return None
    n = sum(rows[0])
    if n < 2 or any(sum(r) != n for r in rows):
        raise ValueError("Fleiss' kappa needs the same number (>= 2) of ratings per subject")
    big_n = len(rows)
    k = len(rows[0])
    p_j = [sum(r[j] for r in rows) / (big_n * n) for j in range(k)]
    p_i = [(sum(c * c for c in r) - n) / (n * (n - 1)) for r in rows]
    p_bar = sum(p_i) / big_n
    p_e = sum(p * p for p in p_j)
    if p_e == 1:
        return None
    return (p_bar - p_e) / (1 - p_e)


def krippendorff_alpha_nominal(units: Sequence[Sequence[Any]]) -> float | None:
    """Krippendorff's alpha for nominal data; each unit lists its (non-missing) values."""
    pairable = [list(u) for u in units if len(u) >= 2]
    coincidence: Counter = Counter()
    for values in pairable:
        m = len(values)
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    coincidence[(c, k)] += 1 / (m - 1)
    n_total = sum(coincidence.values())
    if n_total <= 1:
        return None
    marginals: Counter = Counter()
    for (c, _k), v in coincidence.items():
        marginals[c] += v
    observed = sum(v for (c, k), v in coincidence.items() if c != k)
    expected = sum(marginals[c] * marginals[k] for c in marginals for k in marginals if c != k) / (
        n_total - 1
    )
    if expected == 0:
        return None
    return 1 - observed / expected


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


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
            _round(fleiss_kappa([[list(d.values()).count(c) for c in CATEGORIES] for d in full]))
            if full
            else None
        )
        out["fleiss_n"] = len(full)
    out["krippendorff_alpha"] = _round(krippendorff_alpha_nominal(units))
    out["pairs"] = pairs
    return out


def conflicts(
    stage: str,
    rows: Sequence[LedgerRow],
    resolutions: Sequence[LedgerRow],
    *,
    titles: Mapping[str, str] | None = None,
) -> list[dict[str, str]]:
    """One row per study whose reviewers disagree, with the resolution if there is one."""
    latest = current(rows)
    by_study: dict[str, dict[str, LedgerRow]] = {}
    for (reviewer, sid), row in latest.items():
        by_study.setdefault(sid, {})[reviewer] = row
    settled = {sid: row for (_r, sid), row in current(resolutions).items()}
    out = []
    for sid in sorted(by_study):
        decided = by_study[sid]
        if len({r.decision for r in decided.values()}) < 2:
            continue
        res = settled.get(sid)
        any_row = next(iter(decided.values()))
        out.append(
            {
                "stage": stage,
                "study_id": sid,
                "fingerprint": any_row.fingerprint,
                "title": (titles or {}).get(sid, ""),
                "decisions": "; ".join(f"{r}={decided[r].decision}" for r in sorted(decided)),
                "reasons": "; ".join(
                    f"{r}={decided[r].reason}" for r in sorted(decided) if decided[r].reason
                ),
                "notes": " | ".join(
                    f"{r}: {decided[r].note}" for r in sorted(decided) if decided[r].note
                ),
                "resolved": "yes" if res else "no",
                "resolution": res.decision if res else "",
                "resolution_reason": res.reason if res else "",
                "resolver": res.resolver if res else "",
                "resolution_timestamp": res.timestamp if res else "",
            }
        )
    return out


CONFLICT_COLUMNS: tuple[str, ...] = (
    "stage",
    "study_id",
    "fingerprint",
    "title",
    "decisions",
    "reasons",
    "notes",
    "resolved",
    "resolution",
    "resolution_reason",
    "resolver",
    "resolution_timestamp",
)
