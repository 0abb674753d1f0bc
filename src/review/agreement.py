"""Agreement statistics between raters, for screening decisions and for coded values alike.

- percent agreement: share of units rated by >= 2 raters on which all agree;
- Cohen's kappa for two raters over the same items (Cohen 1960), with chance agreement from
  each rater's own marginal distribution;
- Fleiss' kappa (Fleiss 1971) for a fixed number (>= 2) of ratings per subject;
- Krippendorff's alpha, nominal (Krippendorff 2011), on every unit with >= 2 ratings: it takes
  missing ratings in its stride.

Each returns ``None`` where the statistic is undefined (nothing rated, or chance agreement of
1: every rater used one and the same category throughout), never a misleading number.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from typing import Any


def percent_agreement(units: Sequence[Sequence[Any]]) -> float | None:
    """Share of units (with >= 2 ratings) whose ratings are all equal."""
    rated = [u for u in units if len(u) >= 2]
    if not rated:
        return None
    return sum(1 for u in rated if len(set(u)) == 1) / len(rated)


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two raters over the same items (``None`` if undefined)."""
    if len(a) != len(b):
        raise ValueError("both raters must rate the same items")
    n = len(a)
    if n == 0:
        return None
    observed = sum(1 for x, y in zip(a, b, strict=True) if x == y) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in ca.keys() | cb.keys()) / (n * n)
    if expected >= 1:
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
    coincidence: defaultdict[tuple[Any, Any], float] = defaultdict(float)
    for values in pairable:
        m = len(values)
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    coincidence[(c, k)] += 1 / (m - 1)
    n_total = sum(coincidence.values())
    if n_total <= 1:
        return None
    marginals: defaultdict[Any, float] = defaultdict(float)
    for (c, _k), v in coincidence.items():
        marginals[c] += v
    observed = sum(v for (c, k), v in coincidence.items() if c != k)
    expected = sum(marginals[c] * marginals[k] for c in marginals for k in marginals if c != k) / (
        n_total - 1
    )
    if expected == 0:
        return None
    return 1 - observed / expected
