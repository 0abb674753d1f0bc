"""Progress bars follow one convention: tqdm on standard error, on a terminal only, none for
short work. Deduplication of a large set shows one while it scores candidate pairs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import review.dedup
from review.dedup import deduplicate
from review.progress import progress, progress_bar
from review.records import read_records

FIXTURES = Path(__file__).parent / "fixtures"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bars_only_on_a_terminal_and_only_for_long_work(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert list(progress([1, 2, 3], desc="items", unit="it")) == [1, 2, 3]
    assert "items" in terminal.getvalue()
    assert progress([1], desc="one", unit="it") == [1]  # too short for a bar
    bar = progress_bar(total=5, desc="work", unit="step")
    bar.update(5)
    bar.close()
    assert "work" in terminal.getvalue()
    pipe = io.StringIO()
    monkeypatch.setattr("sys.stderr", pipe)
    bar = progress_bar(total=5, desc="work", unit="step")
    bar.update(5)
    bar.close()
    list(progress([1, 2, 3], desc="items", unit="it"))
    assert pipe.getvalue() == ""


def test_deduplication_of_a_large_set_shows_its_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    records = read_records(FIXTURES / "dedup" / "records.csv")
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setattr(review.dedup, "PROGRESS_FROM", 10**9)  # a small set: no bar
    plain = deduplicate(records)
    assert terminal.getvalue() == ""
    monkeypatch.setattr(review.dedup, "PROGRESS_FROM", 1)  # as if it were large
    monkeypatch.setattr(review.dedup, "SCORE_CHUNK", 7)
    chunked = deduplicate(records)
    assert "scoring pairs" in terminal.getvalue()
    assert [s["study_id"] for s in chunked.studies] == [s["study_id"] for s in plain.studies]
