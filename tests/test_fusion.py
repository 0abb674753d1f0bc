"""Reciprocal rank fusion: ranks, not scores, decide; ties share the best rank."""

from __future__ import annotations

import numpy as np
import pytest

from review.screening.fusion import RRF_K, reciprocal_rank_fusion


def test_sums_one_over_k_plus_rank_per_model() -> None:
    a = np.array([0.9, 0.1, 0.5])  # ranks 1, 3, 2
    b = np.array([-5.0, 40.0, 3.0])  # ranks 3, 1, 2 (scale irrelevant)
    got = reciprocal_rank_fusion([a, b], k=60)
    want = np.array([1 / 61 + 1 / 63, 1 / 63 + 1 / 61, 1 / 62 + 1 / 62])
    np.testing.assert_allclose(got, want)
    assert RRF_K == 60.0  # Cormack et al.'s constant, the default


def test_a_record_both_models_put_high_beats_one_either_puts_first() -> None:
    # The point of fusing: agreement near the top outranks one model's favourite.
    a = np.array([10.0, 9.0, 0.0, 1.0, 2.0])
    b = np.array([0.0, 9.0, 10.0, 2.0, 1.0])
    fused = reciprocal_rank_fusion([a, b])  # row 1: 2/62; row 0: 1/61 + 1/65, less
    assert int(np.argmax(fused)) == 1


def test_tied_scores_share_the_best_rank_and_scale_does_not_matter() -> None:
    s = np.array([3.0, 3.0, 1.0])
    got = reciprocal_rank_fusion([s], k=60)
    np.testing.assert_allclose(got, [1 / 61, 1 / 61, 1 / 63])
    np.testing.assert_array_equal(got, reciprocal_rank_fusion([1000 * s - 7], k=60))


def test_no_scores_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one score vector"):
        reciprocal_rank_fusion([])
