"""Agreement statistics between raters, for screening decisions and for coded values alike.

- percent agreement: share of units rated by >= 2 raters on which all agree;
- Cohen's kappa for two raters over the same items (Cohen 1960), with chance agreement from
  each rater's own marginal distribution;
- Fleiss' kappa (Fleiss 1971) for a fixed number (>= 2) of ratings per subject;
- Krippendorff's alpha, nominal (Krippendorff 2011), on every unit with >= 2 ratings: it takes
  missing ratings in its stride;
- confidence intervals: Cohen's kappa with the large-sample standard error of Fleiss, Cohen &
  Everitt (1969), and a proportion (percent agreement) with Wilson's score interval (1927).

Each returns ``None`` where the statistic is undefined (nothing rated, or chance agreement of
1: every rater used one and the same category throughout), never a misleading number.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from statistics import NormalDist
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


def cohen_kappa_interval(
    a: Sequence[Hashable], b: Sequence[Hashable], *, confidence: float = 0.95
) -> tuple[float, float, float] | None:
    """Cohen's kappa and its confidence interval ``(kappa, low, high)``, or ``None`` where kappa
    is undefined.

    The standard error is the large-sample one of Fleiss, Cohen & Everitt (1969), which does not
    assume kappa is zero; the interval is kappa +/- z * SE, clipped to [-1, 1]. With few items it
    is wide, which is the point of showing it.
    """
    kappa = cohen_kappa(a, b)
    if kappa is None:
        return None
    n = len(a)
    cells = Counter(zip(a, b, strict=True))
    row = Counter(a)
    col = Counter(b)
    p_e = sum(row[k] * col[k] for k in row.keys() | col.keys()) / (n * n)
    agree = sum(
        (cells[(k, k)] / n) * (1 - (row[k] + col[k]) / n * (1 - kappa)) ** 2 for k in row | col
    )
    disagree = (1 - kappa) ** 2 * sum(
        (m / n) * ((col[i] + row[j]) / n) ** 2 for (i, j), m in cells.items() if i != j
    )
    variance = (agree + disagree - (kappa - p_e * (1 - kappa)) ** 2) / (n * (1 - p_e) ** 2)
    half = _z(confidence) * max(variance, 0.0) ** 0.5
    return kappa, max(-1.0, kappa - half), min(1.0, kappa + half)


def wilson_interval(
    successes: int, n: int, *, confidence: float = 0.95
) -> tuple[float, float, float] | None:
    """A proportion and its Wilson score interval ``(p, low, high)``; ``None`` when ``n`` is 0.

    Unlike the normal approximation it stays inside [0, 1] and is honest at 100 % agreement on
    a small sample (20 of 20 agreeing gives 0.84-1.0, not 1.0-1.0).
    """
    if n <= 0:
        return None
    z = _z(confidence)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
    return p, max(0.0, centre - half), min(1.0, centre + half)


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence {confidence!r} is not between 0 and 1")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


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
