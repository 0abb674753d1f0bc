"""Stopping rules: each fires where hand-computed, bad specs are named, replays report recall."""

from __future__ import annotations

import pytest

from review.errors import ProtocolError
from review.screening.stopping import (
    check_rule,
    describe,
    evaluate_rules,
    knee_ratio,
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
