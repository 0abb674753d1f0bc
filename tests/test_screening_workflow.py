"""The screening rules under the real Snakemake engine, on a copy of the built review: a new
reviewer's ledger reruns the state, and a reviewer's sheet is built on request."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import snakemake
from screening_helpers import read_csv, write_ledger

pytestmark = pytest.mark.workflow

STATE = "data/interim/screening.csv"


def test_a_new_ledger_reruns_the_state_and_a_sheet_is_built(built_copy: Path) -> None:
    before = {r["study_id"]: r for r in read_csv(built_copy / STATE)}
    # A study both reviewers excluded, with no resolution: a third reviewer's include makes it
    # a conflict, waiting at title/abstract.
    sid = next(s for s, r in before.items() if r["state"] == "excluded_ta" and not r["conflict"])
    decisions = built_copy / "data" / "decisions" / "screening"
    write_ledger(
        decisions, "title_abstract", "r9", [(sid, "", "include", "", "", "2026-11-30T07:00:00Z")]
    )
    target = "data/screening_sheets/title_abstract/r9.xlsx"
    done = snakemake(built_copy, "--cores", "1", STATE, target)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "rule build_screening_state:" in done.stderr  # the new ledger is an input
    assert "rule deduplicate_records:" not in done.stderr  # upstream of the ledgers: untouched
    after = {r["study_id"]: r for r in read_csv(built_copy / STATE)}
    assert (after[sid]["state"], after[sid]["conflict"]) == (
        "maybe_ta",
        "title_abstract: unresolved",
    )
    log = built_copy / "logs" / "build_screening_state" / "build_screening_state.log"
    assert "wrote screening: data/interim/screening.csv" in log.read_text(encoding="utf-8")

    assert (built_copy / target).is_file()
    sheet = read_csv(built_copy / "data" / "screening_sheets" / "title_abstract" / "r9.csv")
    assert sid not in {r["study_id"] for r in sheet}  # r9 decided it already
    waiting = [s for s, r in after.items() if r["state"] != "excluded_auto"]
    assert len(sheet) == len(waiting) - 1
