"""Screening: compare candidate ranking models on shared sets with the real simulation loop.

Each candidate is a "+"-joined list of components whose rank-normalised scores are summed
(``svm+nb`` = mean-rank ensemble of the two). Components: ``svm`` (ASReview ELAS u4 config),
``svm03``/``svm1`` (C = 0.3 / 1.0), ``svmr3``/``svmr30`` (balance ratio 3 / 30), ``nb``,
``lr`` (balanced logistic regression), ``roc`` (Rocchio: similarity to the relevant centroid
minus 0.25 x similarity to the irrelevant centroid). Same priors as ``screening_simulation.py``.

Usage (repository root)::

    .venv/bin/python benchmarks/screening_model_variants.py SET[,SET...] MODEL[,MODEL...] \
        SEED[,SEED...] BATCH_FRACTION
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))

from screening_simulation import discover_sets  # noqa: E402

from review.screening.ranking import _rank01, featurise  # noqa: E402
from review.screening.simulate import (  # noqa: E402
    LabelOracle,
    read_labelled_set,
    recall_at,
    simulate,
    wss,
)


def _weights(y: np.ndarray, ratio: float) -> np.ndarray:
    n_rel = int(y.sum())
    w = np.where(y == 1, 1.0, n_rel / (ratio * (len(y) - n_rel)))
    return w * (len(y) / w.sum())


def make_scorer(x, spec: str) -> Callable[[Mapping[int, int]], np.ndarray | None]:
    def svm(rows, y, c=0.11, ratio=9.8):
        clf = LinearSVC(C=c, random_state=0)
        clf.fit(x[rows], y, sample_weight=_weights(y, ratio))
        return clf.decision_function(x)

    def nb(rows, y):
        clf = MultinomialNB(alpha=3.822)
        clf.fit(x[rows], y, sample_weight=_weights(y, 9.8))
        p = clf.predict_log_proba(x)
        return p[:, 1] - p[:, 0]

    def lr(rows, y):
        clf = LogisticRegression(C=1.0, class_weight="balanced", solver="liblinear")
        clf.fit(x[rows], y)
        return clf.decision_function(x)

    def roc(rows, y):
        rel = np.asarray(x[rows[y == 1]].mean(axis=0)).ravel()
        irr = np.asarray(x[rows[y == 0]].mean(axis=0)).ravel()
        return x @ rel - 0.25 * (x @ irr)

    parts = {
        "svm": svm,
        "svm03": lambda r, y: svm(r, y, c=0.3),
        "svm1": lambda r, y: svm(r, y, c=1.0),
        "svmr3": lambda r, y: svm(r, y, ratio=3),
        "svmr30": lambda r, y: svm(r, y, ratio=30),
        "nb": nb,
        "lr": lr,
        "roc": roc,
    }
    comps = spec.split("+")

    def scorer(labels: Mapping[int, int]) -> np.ndarray | None:
        rows = np.array(sorted(labels))
        y = np.array([labels[r] for r in rows])
        if y.min() == y.max():
            return None
        if len(comps) == 1:
            return parts[comps[0]](rows, y)
        return sum(_rank01(parts[c](rows, y)) for c in comps)

    return scorer


def main() -> None:
    names, models, seeds, bf = sys.argv[1:5]
    sets = discover_sets()
    for name in names.split(","):
        data = read_labelled_set(sets[name])
        x = featurise(data.texts)
        for model in models.split(","):
            ws, rs, ts = [], [], []
            start = time.time()
            for seed in (int(s) for s in seeds.split(",")):
                r = simulate(
                    data.texts,
                    LabelOracle(data.labels),
                    seed=seed,
                    batch_fraction=float(bf),
                    scorer=make_scorer(x, model),
                )
                ws.append(wss(r.labels))
                rs.append(recall_at(r.labels))
                ts.append(statistics.mean(r.train_seconds))
            print(
                f"{name:30s} {model:16s} WSS={100 * statistics.mean(ws):5.1f} "
                f"R10={100 * statistics.mean(rs):5.1f} retrain={1000 * statistics.mean(ts):.0f}ms "
                f"wall={time.time() - start:.0f}s",
                flush=True,
            )


if __name__ == "__main__":
    main()
