"""The incremental L2-loss SVM: liblinear's optimum, whether fitted at once or row by row."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from review.screening import l2svm
from review.screening.features import word_tfidf
from review.screening.l2svm import IncrementalL2SVM
from review.screening.ranking import record_text

FIXTURES = Path(__file__).parent / "fixtures" / "simulation"


def _fixture() -> tuple[sp.csr_matrix, np.ndarray]:
    with (FIXTURES / "ptsd_small.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    texts = [record_text(r["title"], r["abstract"], r["keywords"]) for r in rows]
    return word_tfidf(texts), np.array([int(r["label_included"]) for r in rows])


def _liblinear(x: sp.csr_matrix, rows: np.ndarray, y: np.ndarray, c: np.ndarray) -> np.ndarray:
    # Imported here: scikit-learn costs every test worker ~1 s of collection otherwise.
    from sklearn.svm import LinearSVC

    # LinearSVC multiplies C by the sample weight: C=1 with weights c is the same objective.
    clf = LinearSVC(C=1.0, loss="squared_hinge", tol=1e-10, max_iter=100_000, random_state=0)
    clf.fit(x[rows], y, sample_weight=c)
    return clf.decision_function(x)


@pytest.mark.parametrize("scale", [0.11, 50.0])
def test_same_scores_as_liblinear(scale: float) -> None:
    # C = 0.11 keeps every labelled row inside the margin; C = 50 puts many outside, so the
    # active-set (Newton) iterations are exercised too.
    x, labels = _fixture()
    rows = np.arange(0, 40, 2)
    y = labels[rows]
    c = scale * np.where(y == 1, 3.0, 0.5)
    svm = IncrementalL2SVM([x], [1.0])
    gamma = svm.fit(rows, y, c)
    ours = svm.decision(rows, gamma)
    np.testing.assert_allclose(ours, _liblinear(x, rows, y, c), atol=1e-4)
    margins = np.where(y == 1, 1, -1) * ours[rows]
    if scale > 1:
        assert (margins > 1 + 1e-9).any()  # some rows really are outside the margin
        assert (gamma[margins > 1 + 1e-9] == 0).all()
    else:
        assert (margins < 1).all()


def test_row_by_row_equals_all_at_once_and_order_does_not_matter() -> None:
    x, labels = _fixture()
    order = [3, 17, 0, 22, 9, 31, 5, 12]
    incremental = IncrementalL2SVM([x], [1.0])
    for end in range(2, len(order) + 1):
        rows = np.array(order[:end])
        y = labels[rows]
        c = 0.11 * np.where(y == 1, 2.0, 0.7)
        if 0 < y.sum() < len(y):
            gamma = incremental.fit(rows, y, c)
    scores_incremental = incremental.decision(rows, gamma)
    fresh = IncrementalL2SVM([x], [1.0])
    shuffled = rows[::-1].copy()
    scores_fresh = fresh.decision(shuffled, fresh.fit(shuffled, labels[shuffled], c[::-1]))
    np.testing.assert_allclose(scores_incremental, scores_fresh, atol=1e-5)


def test_a_subset_of_the_fitted_rows_is_fitted_on_its_own() -> None:
    # Real reviews can withdraw a decision: fitting fewer rows than before must forget the rest.
    x, labels = _fixture()
    svm = IncrementalL2SVM([x], [1.0])
    every = np.arange(30)
    svm.fit(every, labels[every], np.full(30, 0.11))
    some = np.arange(0, 30, 3)
    got = svm.decision(some, svm.fit(some, labels[some], np.full(10, 0.11)))
    want = _liblinear(x, some, labels[some], np.full(10, 0.11))
    np.testing.assert_allclose(got, want, atol=1e-4)


def test_weighted_blocks_are_the_joined_feature_matrix() -> None:
    x, labels = _fixture()
    dense = np.random.default_rng(0).normal(size=(x.shape[0], 5))
    rows = np.arange(0, 40, 3)
    y, c = labels[rows], np.full(len(rows), 0.3)
    blocks = IncrementalL2SVM([x, dense], [0.8, 0.6])
    got = blocks.decision(rows, blocks.fit(rows, y, c))
    joined = sp.hstack([0.8 * x, sp.csr_matrix(0.6 * dense)]).tocsr()
    np.testing.assert_allclose(got, _liblinear(joined, rows, y, c), atol=1e-4)


def test_bad_blocks_are_refused() -> None:
    x, _ = _fixture()
    with pytest.raises(ValueError, match="one scale per feature block"):
        IncrementalL2SVM([x], [1.0, 2.0])


def test_full_fit_after_a_subset_fit_equals_a_fresh_fit() -> None:
    # Withdraw decisions (fit a subset), then bring them back with one more: the warm start left
    # by the subset fit must not leak into the result.
    x, labels = _fixture()
    c_of = {0: 0.2, 1: 1.5}
    svm = IncrementalL2SVM([x], [1.0])
    first = np.arange(24)
    svm.fit(first, labels[first], np.array([c_of[v] for v in labels[first]]))
    some = first[::2]
    svm.fit(some, labels[some], np.array([c_of[v] for v in labels[some]]))
    rows = np.arange(25)
    c = np.array([c_of[v] for v in labels[rows]])
    got = svm.decision(rows, svm.fit(rows, labels[rows], c))
    fresh = IncrementalL2SVM([x], [1.0])
    want = fresh.decision(rows, fresh.fit(rows, labels[rows], c))
    np.testing.assert_allclose(got, want, atol=1e-5)


def _fit_row_by_row(svm: IncrementalL2SVM, labels: np.ndarray, order: list[int]) -> list:
    """Scores after every fit with both classes, adding one row at a time (as a simulation)."""
    out = []
    for end in range(2, len(order) + 1):
        rows = np.array(order[:end])
        y = labels[rows]
        if 0 < y.sum() < len(y):
            c = 0.11 * np.where(y == 1, 3.0, 0.4)
            out.append(svm.decision(rows, svm.fit(rows, y, c)))
    return out


def test_kept_columns_score_as_the_sparse_products_and_rank_alike() -> None:
    # keep_columns scores by one dense product with float32 products; the scores must agree
    # with the float64 sparse path to the solver's tolerance, and the rankings may differ only
    # between rows whose scores are that close (near-ties).
    x, labels = _fixture()
    order = [0, 5, 11, 2, 30, 7, 19, 23, 36, 3, 8, 14, 25, 21]
    assert labels[order].sum() > 1
    kept = _fit_row_by_row(IncrementalL2SVM([x], [1.0], keep_columns=True), labels, order)
    sparse = _fit_row_by_row(IncrementalL2SVM([x], [1.0]), labels, order)
    assert len(kept) == len(sparse) > 5
    for a, b in zip(kept, sparse, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5)
        rank_a, rank_b = np.argsort(-a, kind="stable"), np.argsort(-b, kind="stable")
        moved = rank_a != rank_b
        # Wherever the orders differ, the rows there have scores within 1e-5 of each other.
        assert np.all(np.abs(b[rank_a[moved]] - b[rank_b[moved]]) < 1e-5)


def test_kept_columns_past_their_budget_fall_back_to_sparse_products(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Room for 6 rows' products: past that the model drops them and keeps scoring correctly.
    x, labels = _fixture()
    monkeypatch.setattr(l2svm, "_COLUMNS_BUDGET", 6 * x.shape[0] * 4)
    svm = IncrementalL2SVM([x], [1.0], keep_columns=True)
    rows = np.array([labels.tolist().index(1), *np.flatnonzero(labels == 0)[:3]])
    c = np.full(len(rows), 0.11)
    svm.fit(rows, labels[rows], c)
    assert svm._columns is not None  # within the budget: kept
    rows = np.array([*rows, *np.flatnonzero(labels == 0)[3:9]])
    c = np.full(len(rows), 0.11)
    got = svm.decision(rows, svm.fit(rows, labels[rows], c))
    assert svm._columns is None  # 10 rows exceed the budget of 6
    np.testing.assert_allclose(got, _liblinear(x, rows, labels[rows], c), atol=1e-4)
