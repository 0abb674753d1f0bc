"""The two statistics of vote counting on the direction of effect (Cochrane Handbook ch. 12).

The sign test asks whether effects showing improvement are more (or less) common than effects
showing worsening, as if each were a fair coin; effects with no change or mixed results are
ties and are left out of it, as the sign test leaves out ties. The Wilson score interval
bounds the proportion of improved among the effects counted; it behaves well for the small
numbers of studies a review has (the simple Wald interval does not).
"""

from __future__ import annotations

from math import comb, sqrt
from statistics import NormalDist


def sign_test(successes: int, n: int) -> float | None:
    """Two-sided exact binomial p-value of ``successes`` out of ``n`` when p = 1/2.

    ``None`` when ``n`` is 0 (no effect with a direction: nothing to test). The two-sided
    value doubles the smaller tail, capped at 1 (the usual definition for p = 1/2, where the
    distribution is symmetric).
    """
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n ({successes} of {n})")
    if n == 0:
        return None
    tail = min(successes, n - successes)
    p = 2 * sum(comb(n, k) for k in range(tail + 1)) / 2**n
    return min(1.0, p)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval for the proportion ``successes / n`` at ``confidence``.

    ``None`` when ``n`` is 0. The bound is exactly 0 (or 1) when no (or every) effect is a
    success, as the formula gives before rounding.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n ({successes} of {n})")
    if n == 0:
        return None
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high
