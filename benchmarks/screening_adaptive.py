"""Adaptive rank fusion (issue 18, third attempt): each ranker weighted by how well it ranked
what was screened since. A benchmark candidate (``adaptive_char`` of
``screening_candidates.py``), not a model of the package: it was the model ``svm_adaptive``
(commit 6c1eab1) until it measured no better than ``svm_rrf_char`` (``benchmarks/RESULTS.md``,
"Issue 18, third attempt"), and is kept here so that result can be reproduced.

Why: fusing a word SVM and a character SVM by rank (``svm_rrf_char``) finds relevant records
sooner on some benchmark sets and later on others (``benchmarks/RESULTS.md``, "Issue 18, second
attempt"), and which kind of set a review is can be learned from the labels its screening has
already revealed. So at every retraining each base ranker is judged *prequentially* (Dawid 1984:
every forecast scored on data it had not seen when it was made): for each record labelled since
the previous retraining, ``q`` = the fraction of the then-unscreened pool that the ranker had
placed below it (1 = ranked first; ties count half). A good ranker puts the relevant records
high and the irrelevant ones low, so its gain is the class-balanced mean

    G_m = 1/2 (mean q over relevant records + mean (1 - q) over irrelevant records),

in [0, 1], 1/2 = no better than chance. Balanced by class because few records are relevant:
a plain mean over records would reward whichever ranker puts the fused ranking's picks low,
most of which are irrelevant, and so punish the ranker that is finding the relevant ones.

The weights are Hedge's exponential weights (Freund & Schapire 1997) with the anytime learning
rate for gains in [0, 1], eta_t = sqrt(8 ln M / t) (Cesa-Bianchi & Lugosi 2006, Theorem 2.3;
M rankers): ``w_m ~ exp(eta_t * t * G_m) = exp(sqrt(8 ln M * t) * G_m)``. Here ``t`` is the
number of records the balanced mean is worth: a mean over n1 relevant and n0 irrelevant records,
halved per class, has the variance of a plain mean over ``t = 4 / (1/n1 + 1/n0)`` records, so a
handful of relevant records cannot swing the weights as hundreds would. While a class has no
scored record its term is 1/2 for every ranker and ``t = 0``: equal weights, which is exactly
``svm_rrf_char``'s ranking. Nothing here is tuned on a benchmark set: M, t and eta follow from
the above, and the fusion's k = 60 is Cormack et al.'s (:mod:`review.screening.fusion`;
weighted here as ``sum_m w_m * RRF(ranker m alone)``).

Only the labels passed in are used (the screened records'); the rankings judged are the ones
this object was given at the previous retraining, so a fresh object (one ``review screen`` run)
starts from equal weights.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from review.screening.fusion import reciprocal_rank_fusion


def weighted_rank_fusion(scores: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """``sum_m w_m / (k + rank_m)``: reciprocal rank fusion with one weight per ranker."""
    return sum(
        (w * reciprocal_rank_fusion([s]) for s, w in zip(scores, weights, strict=True)),
        start=np.zeros(len(scores[0])),
    )


class PrequentialFusion:
    """Weighted reciprocal rank fusion whose weights follow each ranker's prequential gain.

    Call :meth:`fuse` once per retraining with every labelled row so far and each ranker's
    scores for all rows; it first scores the rankers on the rows labelled since the last call.
    """

    def __init__(self, n_arms: int) -> None:
        if n_arms < 1:
            raise ValueError(f"adaptive fusion needs at least one ranker, got {n_arms}")
        self.n_arms = n_arms
        #: Per ranker: sum of q over scored relevant rows, sum of 1 - q over irrelevant rows.
        self.gain_sums = np.zeros((2, n_arms))
        #: Scored rows per class: [irrelevant, relevant].
        self.counts = np.zeros(2, dtype=np.int64)
        self._last: list[np.ndarray] | None = None
        self._labelled: np.ndarray | None = None

    def gains(self) -> np.ndarray:
        """Each ranker's class-balanced prequential gain ``G_m`` (1/2 = chance)."""
        means = np.full((2, self.n_arms), 0.5)
        for cls in (0, 1):
            if self.counts[cls]:
                means[cls] = self.gain_sums[cls] / self.counts[cls]
        return means.mean(axis=0)

    def effective_records(self) -> float:
        """``4 / (1/n1 + 1/n0)``: how many records the balanced mean is worth (0 if a class
        has none yet)."""
        n0, n1 = (int(c) for c in self.counts)
        return 0.0 if n0 == 0 or n1 == 0 else 4.0 / (1.0 / n1 + 1.0 / n0)

    def weights(self) -> np.ndarray:
        """Hedge weights (sum 1) from the gains: ``exp(sqrt(8 ln M * t) * G_m)``, normalised."""
        if self.n_arms == 1:
            return np.ones(1)
        z = math.sqrt(8.0 * math.log(self.n_arms) * self.effective_records()) * self.gains()
        w = np.exp(z - z.max())
        return w / w.sum()

    def fuse(self, rows: np.ndarray, y: np.ndarray, scores: Sequence[np.ndarray]) -> np.ndarray:
        """Learn from the rows labelled since the last call, then fuse ``scores`` by rank.

        ``rows``/``y``: every labelled row so far and its 0/1 label; ``scores``: one vector per
        ranker over all rows, fitted on those labels (judged at the next call).
        """
        if len(scores) != self.n_arms:
            raise ValueError(f"{len(scores)} score vectors for {self.n_arms} rankers")
        self._learn(np.asarray(rows, dtype=np.int64), np.asarray(y, dtype=np.int64))
        fused = weighted_rank_fusion(scores, list(self.weights()))
        self._last = [np.asarray(s, dtype=float).copy() for s in scores]
        labelled = np.zeros(len(self._last[0]), dtype=bool)
        labelled[rows] = True
        self._labelled = labelled
        return fused

    def _learn(self, rows: np.ndarray, y: np.ndarray) -> None:
        if self._last is None or self._labelled is None:
            return
        new = ~self._labelled[rows]
        if not new.any():
            return
        pool = ~self._labelled  # what was unscreened when the judged rankings were made
        n_pool = int(pool.sum())
        new_rows, new_y = rows[new], y[new]
        for m, s in enumerate(self._last):
            if n_pool < 2:
                q = np.full(len(new_rows), 0.5)
            else:
                ranked = np.sort(s[pool])
                v = s[new_rows]
                below = np.searchsorted(ranked, v, side="left")
                tied = np.searchsorted(ranked, v, side="right") - below - 1  # minus itself
                q = (below + 0.5 * tied) / (n_pool - 1)
            self.gain_sums[1, m] += float(q[new_y == 1].sum())
            self.gain_sums[0, m] += float((1.0 - q[new_y == 0]).sum())
        self.counts[1] += int((new_y == 1).sum())
        self.counts[0] += int((new_y == 0).sum())
