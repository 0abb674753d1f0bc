"""Stopping rules: each fires where hand-computed, bad specs are named, replays report recall."""

from __future__ import annotations

import numpy as np
import pytest

from review.errors import ProtocolError
from review.screening.stopping import (
    buscar_p,
    check_rule,
    describe,
    evaluate_rules,
    knee_ratio,
    parse_rule,
    should_stop,
)


def test_consecutive_irrelevant_counts_the_trailing_run() -> None:
    rule = {"kind": "consecutive_irrelevant", "n": 3}
    assert not should_stop([1, 0, 0], rule, n_total=10).stop
    decision = should_stop([1, 0, 0, 0], rule, n_total=10)
    assert decision.stop
    assert "3 irrelevant records in a row" in decision.reason
    assert not should_stop([0, 0, 0, 1], rule, n_total=10).stop


def test_fraction_screened_rounds_up() -> None:
    rule = {"kind": "fraction_screened", "fraction": 0.25}
    assert not should_stop([0, 0], rule, n_total=10).stop  # needs ceil(2.5) = 3
    assert should_stop([0, 0, 0], rule, n_total=10).stop


def test_every_rule_stops_when_everything_is_screened() -> None:
    assert should_stop([1, 0], {"kind": "knee"}, n_total=2).stop


def test_knee_fires_on_a_clear_knee_and_not_before_min_screened() -> None:
    # 30 relevant, then 410 irrelevant: the knee is at 30 screened (farthest from the chord),
    # rho = (30/30) / ((30 - 30 + 1) / (440 - 30)) = 410 >= 156 - 30.
    labels = [1] * 30 + [0] * 10 + [0] * 400
    rho, threshold = knee_ratio(labels)
    assert threshold == 156 - 30
    assert rho == pytest.approx(410.0)
    assert should_stop(labels, {"kind": "knee", "min_screened": 150}, n_total=1000).stop
    assert not should_stop(labels, {"kind": "knee", "min_screened": 500}, n_total=1000).stop


def test_knee_does_not_fire_while_relevant_records_keep_coming() -> None:
    labels = [1, 0] * 200
    assert not should_stop(labels, {"kind": "knee"}, n_total=1000).stop


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"kind": "magic"}, r"'kind' must be one of none, consecutive_irrelevant, .*got 'magic'"),
        ({"kind": "consecutive_irrelevant", "n": 0}, r"'n' must be a positive integer, got 0"),
        ({"kind": "fraction_screened", "fraction": 1.5}, r"'fraction' must be .* got 1.5"),
        ({"kind": "fraction_screened"}, r"'fraction' must be a number in \(0, 1\], got None"),
        ({"kind": "knee", "min_screened": "x"}, r"'min_screened' must be a positive integer"),
        ({"kind": "buscar", "recall": 1.0}, r"'recall' must be a number in \(0, 1\), got 1.0"),
        ({"kind": "buscar", "confidence": "high"}, r"'confidence' must be a number in"),
    ],
)
def test_bad_rules_are_named(spec: dict, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        check_rule(spec, where="config/protocol.yaml: screening.stopping")


def test_describe() -> None:
    assert describe({"kind": "consecutive_irrelevant", "n": 7}) == "consecutive_irrelevant(n=7)"


def test_evaluate_rules_reports_stop_point_recall_and_work_saved() -> None:
    # 20 records, 4 relevant at positions 1, 2, 5 and 18.
    labels = [1, 1, 0, 0, 1] + [0] * 12 + [1] + [0, 0]
    out = evaluate_rules(
        labels,
        [
            {"kind": "consecutive_irrelevant", "n": 5},
            {"kind": "fraction_screened", "fraction": 0.5},
        ],
    )
    assert out[0] == {
        "rule": "consecutive_irrelevant(n=5)",
        "stopped_at": 10,
        "recall": 0.75,
        "work_saved": 0.5,
    }
    assert out[1]["stopped_at"] == 10
    assert out[1]["recall"] == 0.75


def test_no_rule_screens_everything() -> None:
    assert not should_stop([0] * 99, {"kind": "none"}, n_total=100).stop
    assert evaluate_rules([1, 0, 0], [{"kind": "none"}])[0]["stopped_at"] == 3


def test_buscar_fires_where_the_hypergeometric_test_first_rejects() -> None:
    # 100 records; the first 4 screened are relevant, then only irrelevant ones. Target 80 %:
    # if recall were below it, at least floor(4 / 0.8 - 4 + 1) = 2 relevant records would be
    # among the 96 unscreened. Drawing m of those 96 and finding none has probability
    # (96 - m)(95 - m) / (96 * 95): 0.0507 at m = 74, 0.0461 at m = 75.
    rule = {"kind": "buscar", "recall": 0.8, "confidence": 0.95}
    assert not should_stop([1] * 4 + [0] * 74, rule, n_total=100).stop
    decision = should_stop([1] * 4 + [0] * 75, rule, n_total=100)
    assert decision.stop
    assert "p = 0.0461" in decision.reason
    assert buscar_p([1] * 4 + [0] * 75, n_total=100, recall=0.8) == pytest.approx(
        21 * 20 / (96 * 95)
    )
    out = evaluate_rules([1] * 4 + [0] * 96, [rule])[0]
    assert (out["stopped_at"], out["recall"]) == (79, 1.0)


def test_buscar_needs_more_evidence_for_a_higher_target_or_confidence() -> None:
    labels = [1] * 4 + [0] * 96
    at = {
        (r, c): evaluate_rules(labels, [{"kind": "buscar", "recall": r, "confidence": c}])[0][
            "stopped_at"
        ]
        for r, c in [(0.8, 0.95), (0.95, 0.95), (0.8, 0.99)]
    }
    assert at[(0.8, 0.95)] < at[(0.95, 0.95)]
    assert at[(0.8, 0.95)] < at[(0.8, 0.99)]


def _buscar_all_windows(labels: list[int], n_total: int, recall: float) -> float:
    """The test as published: the smallest p over every window of recent records."""
    from scipy.stats import hypergeom  # here: scipy.stats costs every test worker ~0.5 s

    y = np.asarray(labels)
    s, found, best = len(y), int(y.sum()), 1.0
    for n in range(1, s + 1):
        k = int(y[s - n :].sum())
        urn = n_total - s + n
        target = int(np.floor(found / recall - (found - k) + 1))
        best = min(best, 0.0 if target > urn else float(hypergeom.cdf(k, urn, target, n)))
    return best


def test_buscar_testing_only_the_longest_window_per_count_equals_testing_all() -> None:
    rng = np.random.default_rng(0)
    for _ in range(150):
        n_total = int(rng.integers(10, 150))
        s = int(rng.integers(1, n_total + 1))
        labels = [int(v) for v in rng.random(s) < rng.random() * 0.4]
        for recall in (0.8, 0.95):
            assert buscar_p(labels, n_total=n_total, recall=recall) == pytest.approx(
                _buscar_all_windows(labels, n_total, recall), abs=1e-12
            )


def test_parse_rule_from_the_command_line() -> None:
    assert parse_rule("buscar:recall=0.9,confidence=0.99") == {
        "kind": "buscar",
        "recall": 0.9,
        "confidence": 0.99,
    }
    rule = parse_rule("consecutive_irrelevant:n=100")
    assert rule == {"kind": "consecutive_irrelevant", "n": 100}
    assert parse_rule("knee") == {"kind": "knee", "min_screened": 150}
    with pytest.raises(ProtocolError, match=r"'recall' must be a number, got 'high'"):
        parse_rule("buscar:recall=high")
    with pytest.raises(ProtocolError, match=r"expected key=value, got 'n'"):
        parse_rule("consecutive_irrelevant:n")
