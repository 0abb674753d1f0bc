"""Which full-text decisions count: order of work, the assessment basis, criteria that need the
full text, retired criteria. The state sets such ledger rows aside (listed, never counted) and
the import refuses them; a ledger is never changed."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from screening_helpers import FIXTURES, protocol, write_ledger

from review.errors import DecisionError
from review.protocol import Protocol
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
