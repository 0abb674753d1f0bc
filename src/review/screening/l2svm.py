"""An L2-loss linear SVM that is cheap to retrain after every screening decision.

The objective is exactly scikit-learn's ``LinearSVC(loss="squared_hinge", fit_intercept=True,
intercept_scaling=1)`` with per-sample weights (liblinear's: the intercept is a regularised
feature of value 1)::

    min_w  1/2 |w|^2 + sum_i c_i * max(0, 1 - y_i * (w . x_i + b))^2 ,   y_i in {-1, +1}

Why not call liblinear: it solves from scratch on every call, and in a screening simulation the
problem changes by one row per retraining. Profiling ``review simulate`` showed liblinear's fit
and scikit-learn's checks of its inputs taking two thirds of the run's CPU (benchmarks/RESULTS.md,
"Where the time went").

How (Chapelle 2007, "Training a support vector machine in the primal", Neural Computation 19):
by the representer theorem ``w = sum_i g_i x_i``; on the set ``A`` of rows inside the margin
(``y_i f_i < 1``) the loss is a weighted least-squares term, so the optimum solves the linear
system ``(K_AA + 11' + diag(1 / (2 c_A))) g_A = y_A`` with ``K = X X'`` the Gram matrix of the
labelled rows and ``g = 0`` outside ``A``; Newton's method alternates that solve with updating
``A`` and stops when ``A`` no longer changes. The Gram matrix grows by one row and column per new
label (one sparse product), the system is solved by conjugate gradients warm-started from the last
solution (about ten iterations), so a retraining costs a few dense matrix-vector products over the
labelled rows instead of a full liblinear run. With ASReview's C = 0.11 and balanced weights every
labelled row lies inside the margin in most retrainings (Kitchenham: 0 of 100-1,000 rows
outside it) and Newton stops after its first step; elsewhere a few rows leave the margin (up to
11 on Bannach-Brown) and it takes one or two more.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

#: The Gram matrix is kept in single precision: its products are memory-bound, and float32
#: halves the traffic (Bannach-Brown, seed 0: 6.3 s instead of 11.0 s of CPU for the whole
#: simulation, same screening order). Conjugate gradients stop at a relative residual of 1e-5,
#: which float32 products can reach; scores then agree with an exact solution to about 1e-5,
#: closer than liblinear's own default tolerance (1e-4) gets.
_GRAM_DTYPE = np.dtype(np.float32)
_CG_TOL = 1e-5
_CG_MAX_ITER = 500
_NEWTON_MAX_ITER = 30
#: Most bytes of kept products (fitted rows x all rows) per model: 256 MB holds 5,000 fitted
#: rows of a 13,000-record set. Past it, scoring falls back to two sparse passes per retraining.
_COLUMNS_BUDGET = 256 * 2**20


class IncrementalL2SVM:
    """The SVM above on fixed rows of ``blocks`` (feature matrices joined column-wise).

    ``blocks`` are sparse or dense feature matrices over the same rows, each multiplied by its
    ``scale`` (so the Gram matrix is ``sum_k scale_k^2 X_k X_k'``: joining feature sets without
    building the joined matrix). The Gram matrix of every row ever fitted is kept, so a later fit
    on the same rows plus a few new ones only computes the new rows' products.

    ``keep_columns`` also keeps those products with EVERY row (within ``_COLUMNS_BUDGET``), in
    the Gram matrix's single precision: scoring is then one dense product over the fitted rows
    instead of two sparse passes over all features. Measured (benchmarks/RESULTS.md, "Issue 18,
    second attempt"): 16-56 % less CPU in the loop of ``svm``, 52-60 % on character n-grams
    (5-10 times the non-zeros); but scores then differ from the float64 sparse path by float32
    rounding, which reorders near-ties, so the default ``svm`` (equal to ASReview's ranking
    record for record) does not use it.
    """

    def __init__(
        self,
        blocks: Sequence[sp.csr_matrix | np.ndarray],
        scales: Sequence[float],
        *,
        keep_columns: bool = False,
    ):
        if len(blocks) != len(scales) or not blocks:
            raise ValueError("one scale per feature block, at least one block")
        self.blocks = [sp.csr_matrix(b) if sp.issparse(b) else np.asarray(b) for b in blocks]
        self.scales = [float(s) for s in scales]
        self.n_rows = self.blocks[0].shape[0]
        self._slot = np.full(self.n_rows, -1, dtype=np.int64)  # row -> position in the Gram
        self._rows = np.empty(0, dtype=np.int64)  # position -> row
        self._gram = np.empty((0, 0), dtype=_GRAM_DTYPE)
        self._gamma = np.zeros(0)  # last solution, by position (warm start)
        # Products of every fitted row with ALL rows (position x row), kept while they fit in
        # _COLUMNS_BUDGET: scoring is then one dense product instead of two sparse passes.
        self._columns: np.ndarray | None = (
            np.empty((0, self.n_rows), dtype=_GRAM_DTYPE) if keep_columns else None
        )

    # -- Gram matrix ---------------------------------------------------------------------------
    def _ensure(self, rows: np.ndarray) -> None:
        new = rows[self._slot[rows] < 0]
        if len(new) == 0:
            return
        old_n = len(self._rows)
        all_rows = np.concatenate([self._rows, new])
        size = len(all_rows)
        if self._columns is not None and size * self.n_rows * _GRAM_DTYPE.itemsize > (
            _COLUMNS_BUDGET
        ):
            self._columns = None  # too many rows to keep: score by sparse products from now on
        if self._columns is not None:
            # The products with every row cost the same sparse pass as those with the fitted
            # rows only (one CSR product per block), so keep them all for scoring.
            full = np.zeros((self.n_rows, len(new)))
            for block, scale in zip(self.blocks, self.scales, strict=True):
                full += scale * scale * _products(block, None, new)
            full += 1.0  # the intercept: a feature of value 1 in every row
            self._store_columns(old_n, full.T)
            cross = full[all_rows]
        else:
            cross = np.zeros((size, len(new)))
            for block, scale in zip(self.blocks, self.scales, strict=True):
                cross += scale * scale * _products(block, all_rows, new)
            cross += 1.0
        if size > self._gram.shape[0]:  # grow geometrically, so appending is amortised O(n)
            cap = max(size, 2 * self._gram.shape[0], 64)
            grown = np.empty((cap, cap), dtype=_GRAM_DTYPE)
            grown[:old_n, :old_n] = self._gram[:old_n, :old_n]
            self._gram = grown
            self._gamma = np.concatenate([self._gamma[:old_n], np.zeros(cap - old_n)])
        self._gram[:size, old_n:size] = cross
        self._gram[old_n:size, :size] = cross.T
        self._gamma[old_n:size] = 0.0
        self._slot[new] = np.arange(old_n, size)
        self._rows = all_rows

    def _store_columns(self, start: int, rows_products: np.ndarray) -> None:
        """Append rows to the kept products (called only while ``_columns`` is kept)."""
        if self._columns is None:
            raise RuntimeError("the products with every row are no longer kept")
        end = start + rows_products.shape[0]
        if end > self._columns.shape[0]:  # grow geometrically, within the budget
            most = _COLUMNS_BUDGET // (self.n_rows * _GRAM_DTYPE.itemsize)
            cap = min(max(end, 2 * self._columns.shape[0], 64), max(most, end))
            grown = np.empty((cap, self.n_rows), dtype=_GRAM_DTYPE)
            grown[:start] = self._columns[:start]
            self._columns = grown
        self._columns[start:end] = rows_products

    # -- fit -----------------------------------------------------------------------------------
    def fit(self, rows: np.ndarray, y01: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Fit on ``rows`` with labels 0/1 and per-row loss weights ``c`` (C x sample weight).

        Returns the dual coefficients ``g`` aligned with ``rows`` (``w = sum g_i x_i``).
        """
        rows = np.asarray(rows, dtype=np.int64)
        self._ensure(rows)
        pos = self._slot[rows]
        m = len(pos)
        y = np.where(np.asarray(y01) > 0, 1.0, -1.0)
        ridge = 1.0 / (2.0 * np.asarray(c, dtype=float))
        if m == len(self._rows):
            # The usual case: every row fitted so far, in any order. Work in the Gram matrix's
            # own order (permuting vectors, not the matrix) on its leading block.
            back = pos
            order = np.argsort(pos)
            pos, y, ridge = pos[order], y[order], ridge[order]
            gram = self._gram[:m, :m]
            gamma = self._gamma[:m].copy()
        else:  # a subset (a decision was withdrawn, or irrelevant rows were sampled)
            back = np.arange(m)
            gram = self._gram[np.ix_(pos, pos)]
            gamma = self._gamma[pos].copy()
        # Margins of the warm start, computed afresh (not carried over from the last fit, so
        # rounding in the single-precision products cannot accumulate across retrainings).
        kg = _matvec(gram, gamma)
        active = y * kg < 1  # warm start: rows already outside the margin stay out
        for _ in range(_NEWTON_MAX_ITER):
            # Rows outside the margin get g = 0; masking (not slicing) the Gram matrix keeps the
            # products on one contiguous block instead of copying a sub-matrix per iteration.
            mask = active.astype(float)
            if (gamma[~active] != 0).any():
                gamma = gamma * mask
                kg = _matvec(gram, gamma)
            gamma, kg = _pcg(gram, mask, ridge, y * mask, gamma, kg)
            now = y * kg < 1
            if np.array_equal(now, active):
                break
            active = now
        # (Newton on this piecewise quadratic settles in a few steps; should the active set still
        # change after _NEWTON_MAX_ITER, the last iterate is kept: a near-optimal ranking beats
        # failing a screening run over numerics.)
        self._gamma[pos] = gamma
        return gamma[back]

    def decision(self, rows: np.ndarray, gamma: np.ndarray) -> np.ndarray:
        """``w . x + b`` for every row, from the coefficients :meth:`fit` returned for ``rows``."""
        if self._columns is not None:
            by_position = np.zeros(len(self._rows))
            by_position[self._slot[rows]] = gamma
            return _matvec(self._columns[: len(self._rows)].T, by_position)
        out = np.full(self.n_rows, float(gamma.sum()))  # the intercept b = sum_i g_i * 1
        full = np.zeros(self.n_rows)
        full[rows] = gamma
        for block, scale in zip(self.blocks, self.scales, strict=True):
            w = block.T @ full  # O(nnz): cheaper than slicing the labelled rows out first
            out += scale * scale * np.asarray(block @ w).ravel()
        return out


def _products(
    block: sp.csr_matrix | np.ndarray, rows: np.ndarray | None, new: np.ndarray
) -> np.ndarray:
    """Inner products of ``rows`` (``None``: every row) with ``new`` rows of one block, dense."""
    if not sp.issparse(block):
        return (block if rows is None else block[rows]) @ block[new].T
    if len(new) <= 8:  # one CSR matrix-vector product per new row beats a sparse-sparse product
        out = np.asarray(block @ block[new].toarray().T)
        return out if rows is None else out[rows]
    return ((block if rows is None else block[rows]) @ block[new].T).toarray()


def _matvec(gram: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``gram @ v`` in the Gram matrix's precision (no up-cast copy of the matrix), as float64."""
    return np.asarray(gram @ v.astype(gram.dtype, copy=False), dtype=np.float64)


def _pcg(
    gram: np.ndarray,
    mask: np.ndarray,
    ridge: np.ndarray,
    b: np.ndarray,
    x0: np.ndarray,
    kx0: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``(M K M + diag(ridge)) x = b`` (``M = diag(mask)``) by Jacobi-preconditioned CG.

    With ``mask`` 0 on the rows outside the margin (and ``b`` and ``x0`` 0 there) those rows
    stay 0 and the rest solve ``(K_AA + diag(ridge_A)) x_A = b_A``. ``kx0`` is ``K @ x0``;
    returns ``x`` and ``K @ x`` (every row's margin), updated along the way at no extra cost.
    """
    pre = 1.0 / (mask * np.diagonal(gram) + ridge)
    x, kx = x0.copy(), kx0.copy()
    r = b - (mask * kx + ridge * x)
    target = _CG_TOL * float(np.linalg.norm(b))
    z = pre * r
    p = z.copy()
    rz = float(r @ z)
    for _ in range(_CG_MAX_ITER):
        if float(np.linalg.norm(r)) <= target:
            break
        kp = _matvec(gram, p)  # p is 0 outside the margin, so this is K M p
        q = mask * kp + ridge * p
        alpha = rz / float(p @ q)
        x += alpha * p
        kx += alpha * kp
        r -= alpha * q
        z = pre * r
        rz_new = float(r @ z)
        p = z + (rz_new / rz) * p
        rz = rz_new
    return x, kx
