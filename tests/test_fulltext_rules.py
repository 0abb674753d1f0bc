"""Which full-text decisions count: order of work, the assessment basis, criteria that need the
full text, retired criteria. The state sets such ledger rows aside (listed, never counted) and
the import refuses them; a ledger is never changed."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from screening_helpers import FIXTURES, protocol, write_ledger

from review.errors import DecisionError
from review.protocol import Protocol, protocol_schema, validate
from review.screening import actions
from review.screening.ledger import LedgerRow, read_ledgers
from review.screening.state import build_state, read_clusters, read_studies

T1, T2 = "2026-11-29T07:00:00Z", "2026-11-29T09:00:00Z"
TA, FT = "title_abstract", "full_text"


def with_fulltext(basis: str | None, *, needs: bool = True, retire: bool = True) -> Protocol:
    """The screening fixture's protocol with a fulltext block (``None``: none)."""
    base = protocol()
    data = copy.deepcopy(base.data)
    for c in data["criteria"]:
        if c["code"] == "E7-no-outcome" and needs:
            c["needs_full_text"] = True
        if c["code"] == "E8-full-text-unavailable" and retire:
            c["retired"] = "reports not retrieved come from the retrieval status"
    if basis is not None:
        data["fulltext"] = {"assessment_basis": basis, "deviation_reason": "no files yet"}
    return Protocol(data, base.path)


def ledgers(tmp_path: Path, ft_rows: list[tuple[str, ...]]) -> Path:
    # st-a and st-c included at title/abstract; st-b excluded there.
    write_ledger(
        tmp_path,
        TA,
        "r1",
        [
            ("st-a", "doi:10.1000/a", "include", "", "", T1),
            ("st-b", "", "exclude", "E3-not-indonesia", "", T1),
            ("st-d", "", "include", "", "", T1),
        ],
    )
    write_ledger(tmp_path, FT, "r1", ft_rows)
    return tmp_path


def state_of(tmp_path: Path, proto: Protocol, retrieval: dict[str, str] | None):
    studies = read_studies(FIXTURES / "studies.csv")
    return build_state(
        studies,
        read_clusters(FIXTURES / "clusters.csv"),
        read_ledgers(tmp_path, proto),
        proto,
        retrieval=retrieval,
    )


def test_record_and_summary_basis_counts_decisions_without_a_file_but_not_e7(
    tmp_path: Path,
) -> None:
    folder = ledgers(
        tmp_path,
        [
            ("st-a", "", "exclude", "E7-no-outcome", "no outcome in the summary", T2),
            ("st-d", "", "include", "", "", T2),
            ("st-b", "", "include", "", "decided before title/abstract", T2),
        ],
    )
    state = state_of(
        folder,
        with_fulltext("record_and_summary"),
        {"st-a": "not_retrieved", "st-d": "not_retrieved"},
    )
    rows = state.by_id()
    assert (rows["st-d"]["state"], rows["st-d"]["ft_basis"]) == (
        "included_ft",
        "record_and_summary",
    )
    # E7 needs the full text: its decision waits, set aside, for a report at hand.
    assert (rows["st-a"]["state"], rows["st-a"]["ft_decision"]) == ("included_ta", "")
    assert rows["st-b"]["state"] == "excluded_ta"
    aside = {(r["study_id"], r["problem"]) for r in state.set_aside}
    assert aside == {("st-a", "needs_full_text"), ("st-b", "out_of_order")}
    detail = next(r["detail"] for r in state.set_aside if r["study_id"] == "st-a")
    assert "basis was the record and summary (a declared deviation)" in detail


def test_full_text_basis_makes_reports_without_a_file_not_retrieved(tmp_path: Path) -> None:
    folder = ledgers(
        tmp_path,
        [("st-a", "", "include", "", "", T2), ("st-d", "", "exclude", "E7-no-outcome", "", T2)],
    )
    state = state_of(
        folder, with_fulltext("full_text"), {"st-a": "not_retrieved", "st-d": "retrieved"}
    )
    rows = state.by_id()
    assert rows["st-a"]["state"] == "not_retrieved"
    assert rows["st-a"]["ft_retrieval"] == "not_retrieved"
    assert (rows["st-d"]["state"], rows["st-d"]["ft_basis"]) == ("excluded_ft", "full_text")
    [aside] = state.set_aside
    assert (aside["study_id"], aside["problem"]) == ("st-a", "not_retrieved")


def test_a_retired_code_stays_readable_and_is_set_aside(tmp_path: Path) -> None:
    folder = ledgers(tmp_path, [("st-a", "", "exclude", "E8-full-text-unavailable", "no PDF", T2)])
    state = state_of(folder, with_fulltext(None, needs=False), None)
    assert state.by_id()["st-a"]["state"] == "included_ta"
    [aside] = state.set_aside
    assert aside["problem"] == "retired_criterion"
    assert "reports not retrieved come from the retrieval status" in aside["detail"]


def test_without_a_declared_basis_only_the_order_of_work_applies(tmp_path: Path) -> None:
    folder = ledgers(
        tmp_path,
        [("st-a", "", "exclude", "E7-no-outcome", "", T2), ("st-b", "", "include", "", "", T2)],
    )
    state = state_of(folder, with_fulltext(None, needs=False, retire=False), None)
    rows = state.by_id()
    assert (rows["st-a"]["state"], rows["st-a"]["ft_basis"]) == ("excluded_ft", "")
    assert [r["problem"] for r in state.set_aside] == ["out_of_order"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ("st-b", "", "include", "", "", T2),
            "study st-b, which is not included at title/abstract (title/abstract: exclude)",
        ),
        (
            ("st-e", "", "include", "", "", T2),
            "(title/abstract: excluded by an automatic criterion)",
        ),
        (
            ("st-a", "", "exclude", "E8-full-text-unavailable", "", T2),
            "uses E8-full-text-unavailable, a retired criterion",
        ),
        (
            ("st-a", "", "exclude", "E7-no-outcome", "", T2),
            "uses E7-no-outcome, a criterion that needs the full text",
        ),
    ],
)
def test_import_refuses_what_the_state_would_set_aside(
    tmp_path: Path, row: tuple[str, ...], message: str
) -> None:
    folder = ledgers(tmp_path, [])
    (folder / FT / "r1.csv").unlink()
    proto = with_fulltext("record_and_summary")
    studies = read_studies(FIXTURES / "studies.csv")
    state = build_state(
        studies, read_clusters(FIXTURES / "clusters.csv"), read_ledgers(folder, proto), proto
    )
    session = actions.Session(proto, state, studies, folder)
    new = LedgerRow(*row[:6], stage=FT, reviewer="r2", source="sheet.csv", row=2)
    with pytest.raises(DecisionError, match="cannot be recorded; nothing was appended") as info:
        actions.append_decisions(session, FT, "r2", [new])
    assert message in str(info.value)
    assert "sheet.csv, row 2, field" in str(info.value)
    assert not (folder / FT / "r2.csv").exists()


def with_set_aside(*entries: tuple[str, list[str]]) -> Protocol:
    """The fixture protocol, checked by the schema, with reviewers r1, r2, r3 and ``(reviewer,
    stages)`` set aside by an amendment of 2026-12-01."""
    base = protocol()
    data = copy.deepcopy(base.data)
    data["reviewers"] = [{"id": r, "name": r.upper()} for r in ("r1", "r2", "r3")]
    for who, stages in entries:
        reviewer = next(r for r in data["reviewers"] if r["id"] == who)
        reviewer["set_aside"] = [
            {"stages": stages, "date": "2026-12-01", "reason": "decided before the protocol"}
        ]
    validate(data, schema=protocol_schema())
    return Protocol(data, base.path)


def test_a_set_aside_adjudicator_reopens_the_conflict_it_settled(tmp_path: Path) -> None:
    write_ledger(tmp_path, TA, "r1", [("st-a", "", "include", "", "", T1)])
    write_ledger(tmp_path, TA, "r2", [("st-a", "", "exclude", "E3-not-indonesia", "", T1)])
    write_ledger(
        tmp_path, TA, "_resolutions", [("st-a", "", "include", "", "", T2, "r3")], resolver=True
    )
    settled = state_of(tmp_path, with_set_aside(), None)
    assert settled.by_id()["st-a"]["state"] == "included_ta"
    assert settled.set_aside == []

    state = state_of(tmp_path, with_set_aside(("r3", [TA])), None)
    row = state.by_id()["st-a"]
    assert row["state"] == "maybe_ta"
    assert row["ta_decision"] == "conflict"
    assert [c["study_id"] for c in state.conflicts] == ["st-a"]
    [aside] = state.set_aside
    assert (aside["reviewer"], aside["stage"], aside["problem"]) == (
        "r3",
        TA,
        "reviewer_set_aside",
    )
    assert aside["detail"] == (
        "r3's title/abstract decisions were set aside by the protocol amendment of 2026-12-01: "
        "decided before the protocol"
    )
    # The ledgers are inputs: nothing in them changed.
    assert "r3" in (tmp_path / TA / "_resolutions.csv").read_text(encoding="utf-8")


def test_a_reviewer_set_aside_at_full_text_still_counts_at_title_abstract(tmp_path: Path) -> None:
    folder = ledgers(
        tmp_path,
        [("st-a", "", "exclude", "E7-no-outcome", "", T2), ("st-d", "", "include", "", "", T2)],
    )
    state = state_of(folder, with_set_aside(("r1", [FT, "coding"])), None)
    rows = state.by_id()
    assert (rows["st-a"]["state"], rows["st-d"]["state"]) == ("included_ta", "included_ta")
    assert rows["st-b"]["state"] == "excluded_ta"
    assert sorted((r["study_id"], r["stage"], r["problem"]) for r in state.set_aside) == [
        ("st-a", FT, "reviewer_set_aside"),
        ("st-d", FT, "reviewer_set_aside"),
    ]
    # Agreement counts the reviewers whose decisions count: r1 at title/abstract only.
    assert state.agreement[TA]["reviewers"] == "r1"
    assert FT not in state.agreement


def test_import_refuses_a_set_aside_reviewer(tmp_path: Path) -> None:
    folder = ledgers(tmp_path, [])
    proto = with_set_aside(("r2", [FT]))
    studies = read_studies(FIXTURES / "studies.csv")
    state = build_state(
        studies, read_clusters(FIXTURES / "clusters.csv"), read_ledgers(folder, proto), proto
    )
    session = actions.Session(proto, state, studies, folder)
    new = LedgerRow("st-a", "", "include", "", "", T2, FT, "r2", source="sheet.csv", row=2)
    with pytest.raises(DecisionError, match=r"sheet.csv, row 2, field 'reviewer': r2's full-text"):
        actions.append_decisions(session, FT, "r2", [new])
    assert not (folder / FT / "r2.csv").exists()
