"""Screening agreement per stage and pair of reviewers, and conflicts settled by resolutions."""

from __future__ import annotations

import pytest

from review.agreement import cohen_kappa
from review.screening.agreement import conflicts, stage_agreement
from review.screening.ledger import LedgerRow


def _r(reviewer: str, sid: str, decision: str, ts: str = "2026-11-29T07:00:00Z", **kw) -> LedgerRow:
    return LedgerRow(
        study_id=sid,
        fingerprint=f"fp-{sid}",
        decision=decision,
        reason=kw.get("reason", ""),
        note=kw.get("note", ""),
        timestamp=ts,
        stage="title_abstract",
        reviewer=reviewer,
        source=f"{reviewer}.csv",
        row=kw.get("row", 2),
        resolver=kw.get("resolver", ""),
    )


def test_stage_agreement_and_conflicts() -> None:
    rows = [
        _r("r1", "s1", "include"),
        _r("r2", "s1", "include"),
        _r("r1", "s2", "exclude", reason="E3"),
        _r("r2", "s2", "include"),
        _r("r1", "s3", "exclude"),
        _r("r2", "s3", "exclude"),
        _r("r1", "s4", "maybe"),
        _r("r2", "s4", "exclude"),
        _r("r1", "s5", "include"),  # single-screened
        # r2 first excluded s1, then changed to include: only the latest counts
        _r("r2", "s1", "exclude", ts="2026-11-29T06:00:00Z", row=9),
    ]
    stats = stage_agreement(rows)
    assert stats["studies_decided"] == 5
    assert stats["studies_double_screened"] == 4
    assert stats["percent_agreement"] == 0.5
    expected = cohen_kappa(
        ["include", "exclude", "exclude", "maybe"], ["include", "include", "exclude", "exclude"]
    )
    assert stats["cohen_kappa"] == pytest.approx(expected, abs=1e-4)
    assert "fleiss_kappa" not in stats
    res = [_r("adj", "s2", "include", resolver="adj")]
    found = conflicts("title_abstract", rows, res, titles={"s2": "Two"})
    assert [c["study_id"] for c in found] == ["s2", "s4"]
    assert found[0]["decisions"] == "r1=exclude; r2=include"
    assert (found[0]["resolved"], found[0]["resolution"], found[0]["resolver"]) == (
        "yes",
        "include",
        "adj",
    )
    assert found[1]["resolved"] == "no"


def test_three_reviewers_get_fleiss_and_alpha() -> None:
    rows = []
    decisions = {"s1": "iii", "s2": "iie", "s3": "eee", "s4": "eei"}
    for sid, ds in decisions.items():
        for reviewer, d in zip(("r1", "r2", "r3"), ds, strict=True):
            rows.append(_r(reviewer, sid, "include" if d == "i" else "exclude"))
    stats = stage_agreement(rows)
    # counts (include, exclude): [3,0],[2,1],[0,3],[1,2] -> Fleiss' kappa = 1/3
    assert stats["fleiss_kappa"] == pytest.approx(1 / 3, abs=1e-4)
    assert stats["fleiss_n"] == 4
    assert len(stats["pairs"]) == 3
