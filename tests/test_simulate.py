"""``review simulate``: labels read only when screened, seeded, exact metrics, clear errors."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest

from review.cli import main
from review.errors import InputFormatError
from review.exitcodes import DATA_ERROR
from review.screening.ranking import Ranker
from review.screening.simulate import (
    LabelOracle,
    read_labelled_set,
    recall_at,
    records_to_reach,
    simulate,
    wss,
)

FIXTURES = Path(__file__).parent / "fixtures" / "simulation"
SMALL = FIXTURES / "ptsd_small.csv"


class SpyScorer:
    """Wraps the real ranker and records, at every retraining, which labels it was given."""

    def __init__(self, texts: list[str], oracle: LabelOracle) -> None:
        self.ranker = Ranker(texts, model="svm")
        self.oracle = oracle
        self.seen: list[tuple[dict[int, int], list[int]]] = []

    def __call__(self, labels: Mapping[int, int]) -> np.ndarray | None:
        self.seen.append((dict(labels), list(self.oracle.reads)))
        return self.ranker.scores(labels)


@pytest.mark.parametrize("batch_fraction", [0.0, 0.1])
def test_a_label_is_read_only_when_its_record_is_screened(batch_fraction: float) -> None:
    data = read_labelled_set(SMALL)
    oracle = LabelOracle(data.labels)
    spy = SpyScorer(data.texts, oracle)
    result = simulate(
        data.texts, oracle, seed=1, scorer=spy, batch_fraction=batch_fraction, screen_all=True
    )
    # Every read is a screening, in screening order, each record once.
    assert oracle.reads == result.order
    assert sorted(result.order) == list(range(data.n))
    assert result.n_screened == data.n
    # At each retraining the model knows exactly the records screened so far, nothing else.
    for known, reads_then in spy.seen:
        assert sorted(known) == sorted(reads_then)
        assert all(known[r] == data.labels[r] for r in known)
    assert len(spy.seen[0][0]) == 2  # the two prior records
    assert result.labels == [int(data.labels[r]) for r in result.order]


def test_after_the_last_relevant_record_the_rest_is_appended_unread() -> None:
    data = read_labelled_set(SMALL)
    oracle = LabelOracle(data.labels)
    spy = SpyScorer(data.texts, oracle)
    result = simulate(data.texts, oracle, seed=1, scorer=spy)
    last = max(i for i, v in enumerate(result.labels) if v) + 1
    # Screening stopped at the last relevant record: only those labels were read ...
    assert result.n_screened == last < data.n
    assert oracle.reads == result.order[:last]
    assert len(spy.seen) == last - 2  # one retraining per record after the two priors
    # ... the rest follow in the last ranking's order, all irrelevant, so the metrics are those
    # of screening everything with that final model.
    assert sorted(result.order) == list(range(data.n))
    assert result.labels == [int(data.labels[r]) for r in result.order]
    assert sum(result.labels) == int(data.labels.sum())
    everything = simulate(data.texts, LabelOracle(data.labels), seed=1, screen_all=True)
    assert everything.order[:last] == result.order[:last]
    assert wss(everything.labels) == wss(result.labels)


def test_the_simulation_starts_from_one_relevant_and_one_irrelevant_record() -> None:
    data = read_labelled_set(SMALL)
    result = simulate(data.texts, LabelOracle(data.labels), seed=0, model="svm")
    assert result.labels[:2] == [1, 0]


def test_same_seed_same_order_other_seed_other_priors() -> None:
    data = read_labelled_set(SMALL)
    first = simulate(data.texts, LabelOracle(data.labels), seed=0, model="svm").order
    again = simulate(data.texts, LabelOracle(data.labels), seed=0, model="svm").order
    assert first == again
    priors = {LabelOracle(data.labels).prior_rows(seed) for seed in range(6)}
    assert len(priors) > 1


def test_ranking_beats_random_on_the_fixture() -> None:
    data = read_labelled_set(SMALL)
    result = simulate(data.texts, LabelOracle(data.labels), seed=2)
    # 10 relevant of 40: the ranking finds them all within the first 15 screened.
    assert records_to_reach(result.labels, 1.0) <= 15


def test_wss_and_recall_against_hand_computed_values() -> None:
    labels = [1, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    # R = 2, 95 % needs ceil(1.9) = 2 relevant -> 3 records; WSS = (10 - 3) / 10 - 0.05.
    assert records_to_reach(labels, 0.95) == 3
    assert wss(labels) == pytest.approx(0.65)
    # 10 % of 10 = 1 record screened: 1 of 2 relevant found.
    assert recall_at(labels, 0.10) == pytest.approx(0.5)
    # 20 relevant in 100: 95 % = 19 relevant; the 19th relevant is record 38.
    labels = ([1, 0] * 19) + [0] * 61 + [1]
    assert records_to_reach(labels, 0.95) == 37
    assert wss(labels) == pytest.approx((100 - 37) / 100 - 0.05)
    assert recall_at(labels, 0.10) == pytest.approx(5 / 20)


def _read_order(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_cli_writes_the_order_and_prints_the_metrics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "order.csv"
    assert main(["simulate", str(SMALL), "-o", str(out), "--seed", "4"]) == 0
    rows = _read_order(out)
    assert list(rows[0]) == ["rank", "row", "label"]
    assert [int(r["rank"]) for r in rows] == list(range(1, 41))
    assert sorted(int(r["row"]) for r in rows) == list(range(40))
    with SMALL.open(encoding="utf-8") as fh:
        truth = [int(r["label_included"]) for r in csv.DictReader(fh)]
    assert all(int(r["label"]) == truth[int(r["row"])] for r in rows)
    printed = capsys.readouterr().out
    assert "WSS@95:" in printed
    assert "recall@10%:" in printed
    assert "stopping rule consecutive_irrelevant(n=50)" in printed


def test_asreview_style_column_names_are_detected(tmp_path: Path) -> None:
    data = read_labelled_set(FIXTURES / "asreview_aliases.csv")
    assert data.label_column == "included"
    assert data.texts[0] == "Latent PTSD trajectories Growth mixture model of symptoms"
    assert (
        main(["simulate", str(FIXTURES / "asreview_aliases.csv"), "-o", str(tmp_path / "o.csv")])
        == 0
    )


def test_label_option_overrides_detection(tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    assert (
        main(
            [
                "simulate",
                str(FIXTURES / "no_label_column.csv"),
                "-o",
                str(out),
                "--label",
                "decision",
            ]
        )
        == 0
    )
    assert len(_read_order(out)) == 2


@pytest.mark.parametrize(
    ("name", "label", "message"),
    [
        (
            "no_label_column.csv",
            None,
            r"no_label_column\.csv, field 'label': no label column; expected one of label_included",
        ),
        (
            "no_label_column.csv",
            "final",
            r"no_label_column\.csv, field 'final': label column 'final' not found",
        ),
        (
            "bad_label.csv",
            None,
            r"bad_label\.csv, record 2, field 'label_included': label 'maybe' is not 0 or 1 "
            r"\(row 2, 0-based; line 4\)",
        ),
        (
            "no_text_column.csv",
            None,
            r"no_text_column\.csv, field 'title': no title or abstract column",
        ),
        (
            "no_relevant.csv",
            None,
            r"no_relevant\.csv, field 'label_included': the set has no relevant \(1\) record",
        ),
        ("missing.csv", None, r"missing\.csv: file not found"),
    ],
)
def test_bad_input_is_named(name: str, label: str | None, message: str) -> None:
    with pytest.raises(InputFormatError, match=message):
        read_labelled_set(FIXTURES / name, label=label)


def test_cli_reports_bad_input_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["simulate", str(FIXTURES / "bad_label.csv"), "-o", str(tmp_path / "o.csv")])
    assert code == DATA_ERROR
    assert "label 'maybe' is not 0 or 1" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


def test_a_real_shared_set(shared_dir: Path, tmp_path: Path) -> None:
    path = shared_dir / "benchmarks/screening/asreview_srd/Cohen_2006_online/Antihistamines.csv"
    if not path.is_file():
        pytest.skip("Cohen Antihistamines set not in ../shared")
    data = read_labelled_set(path)
    assert (data.n, int(data.labels.sum())) == (310, 16)
    result = simulate(
        data.texts, LabelOracle(data.labels), seed=0, model="svm", batch_fraction=0.05
    )
    assert sorted(result.order) == list(range(310))
    assert -0.05 <= wss(result.labels) < 0.95


def test_progress_bar_on_request_and_silent_otherwise(capsys: pytest.CaptureFixture[str]) -> None:
    data = read_labelled_set(SMALL)
    simulate(data.texts, LabelOracle(data.labels), seed=0, progress=True)
    err = capsys.readouterr().err
    assert "screened" in err
    assert "relevant=10" in err  # the bar's postfix counts the relevant records found
    simulate(data.texts, LabelOracle(data.labels), seed=0)  # stderr is not a terminal here
    assert capsys.readouterr().err == ""


def test_cli_evaluates_the_stopping_rules_it_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "order.csv"
    args = ["simulate", str(SMALL), "-o", str(out), "--stopping-rule", "buscar:recall=0.8"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "stopping rule buscar(recall=0.8, confidence=0.95): stops after" in printed
    assert "consecutive_irrelevant" not in printed
    assert main([*args[:-1], "buscar:recall=2"]) == DATA_ERROR
    assert "'recall' must be a number in (0, 1), got 2" in capsys.readouterr().err


def test_cli_runs_the_optional_rank_fusion_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `--model svm_rrf_char` screens with the fused model: the written order is the one the
    # library's simulation gives for that model (and not the default's on this fixture).
    out = tmp_path / "order.csv"
    assert (
        main(["simulate", str(SMALL), "-o", str(out), "--seed", "1", "--model", "svm_rrf_char"])
        == 0
    )
    assert "model svm_rrf_char" in capsys.readouterr().out
    got = [int(r["row"]) for r in _read_order(out)]
    data = read_labelled_set(SMALL)
    fused = simulate(data.texts, LabelOracle(data.labels), seed=1, model="svm_rrf_char").order
    default = simulate(data.texts, LabelOracle(data.labels), seed=1, model="svm").order
    assert got == fused
    assert fused != default
