"""Reciprocal rank fusion: one ranking from several models' scores, without calibrating them.

Why ranks and not scores: an SVM on word n-grams and one on character n-grams give margins on
different scales (the character block has many more, smaller features), so averaging scores
would let one model dominate. Reciprocal rank fusion (Cormack, Clarke & Buettcher 2009,
"Reciprocal rank fusion outperforms Condorcet and individual rank learning methods", SIGIR)
sums ``1 / (k + rank)`` over the models, rank 1 = highest score; ``k = 60`` is the paper's value,
used as is (not tuned on our benchmark sets).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: The constant of Cormack et al. (2009): damps the weight of the very top ranks.
RRF_K = 60.0


def reciprocal_rank_fusion(scores: Sequence[np.ndarray], k: float = RRF_K) -> np.ndarray:
    """``sum_m 1 / (k + rank_m)`` per row; tied scores share the best (lowest) rank."""
    from scipy.stats import rankdata

    if not scores:
        raise ValueError("reciprocal rank fusion needs at least one score vector")
    out = np.zeros(len(scores[0]))
    for s in scores:
        out += 1.0 / (k + rankdata(-np.asarray(s, dtype=float), method="min"))
    return out
