"""Issue 20 item 3: coded decisions follow their study as screening decisions do, and a record
from an export file that joins a coded study does not change its id.

The whole chain runs through the commands a user runs (dedup, screen state, extract), on a
records table that grows as a review's does: a search run, then an export file, then a
reviewer's merge override.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from screening_helpers import FIXTURES, read_csv

from review.carry import Locator, clusters_of
from review.cli import main
from review.records import Record, anchor_key, run_order, study_id_for, write_records

RUN = "2026-01-10T080000Z"  # a search run's id: it begins with its date
T1 = "2026-02-01T07:00:00Z"


def _record(rid: str, *, run: str, doi: str, title: str, year: int) -> Record:
    source = rid.split(":", 1)[0]
    return Record(
        record_id=rid,
        source_id=source,
        source_kind="database" if run else "file",
        title=title,
        doi=doi,
        year=year,
        language="en",
        authors=["Rahma, Siti"],
        run_id=run,
    )


A = _record("openalex:W1", run=RUN, doi="10.1000/a", title="Digital clinics in Malang", year=2021)
B = _record("openalex:W2", run=RUN, doi="10.1000/b", title="Village shops go online", year=2022)
# An export file of another database, added later: no run id, the same work as A.
C = _record(
    "scopus:2-s2.0-0001", run="", doi="10.1000/a", title="Digital clinics in Malang", year=2021
)


def test_a_record_without_a_run_never_takes_the_anchor() -> None:
    # The empty run id used to sort first, so the file record became the anchor.
    assert min([A, C], key=anchor_key) is A
    assert run_order("") > run_order("2099-12-31")
    assert anchor_key(_record("b:1", run="2026-01", doi="", title="t", year=2020)) < anchor_key(
        _record("a:1", run="2026-02", doi="", title="t", year=2020)
    )


def test_the_locator_places_rows_by_id_anchor_then_fingerprint() -> None:
    studies = [
        {"study_id": "st-x", "record_ids": "openalex:W1; openalex:W2", "fingerprint": "doi:1"},
        {"study_id": "st-y", "record_ids": "openalex:W3", "fingerprint": "doi:2"},
        {"study_id": "st-z", "record_ids": "openalex:W4", "fingerprint": "doi:2"},
    ]
    # The studies table holds the clusters too: a command that reads only it still places
    # rows of merged studies through their anchor record.
    locator = Locator(studies, clusters_of(studies))
    assert locator.place("st-x").how == "id"
    merged = locator.place(study_id_for("openalex:W2"))
    assert (merged.study_id, merged.how) == ("st-x", "merged")
    by_fp = locator.place("st-gone", "doi:1")
    assert (by_fp.study_id, by_fp.how) == ("st-x", "fingerprint")
    two = locator.place("st-gone", "doi:2")
    assert (two.how, two.problem) == (
        "unmatched",
        "fingerprint 'doi:2' matches 2 studies (st-y, st-z)",
    )


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "p"
    (root / "config").mkdir(parents=True)
    (root / "config" / "protocol.yaml").write_text(
        (FIXTURES / "protocol.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (root / "data" / "interim").mkdir(parents=True)
    (root / "data" / "decisions" / "coding").mkdir(parents=True)
    monkeypatch.chdir(root)
    return root


def _studies() -> dict[str, dict[str, str]]:
    return {r["study_id"]: r for r in read_csv(Path("data/interim/studies.csv"))}


def _dedup(records: list[Record], overrides: list[tuple[str, str]] = ()) -> None:
    write_records("data/interim/records.csv", records)
    args = ["dedup", "--records", "data/interim/records.csv"]
    if overrides:
        path = Path("data/decisions/dedup_overrides.csv")
        path.write_text(
            "record_id_a,record_id_b,action,reviewer,note,timestamp\n"
            + "".join(f"{a},{b},merge,r1,same programme,{T1}\n" for a, b in overrides),
            encoding="utf-8",
        )
        args += ["--overrides", str(path)]
    assert main(args) == 0


def _include_everything(studies: dict[str, dict[str, str]]) -> None:
    for stage in ("title_abstract", "full_text"):
        path = Path("data/decisions/screening") / stage / "r1.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["study_id", "fingerprint", "decision", "reason", "note", "timestamp"])
            for sid, s in studies.items():
                w.writerow([sid, s["fingerprint"], "include", "", "", T1])


def _code(coder: str, rows: list[tuple[str, str, str]]) -> None:
    with (Path("data/decisions/coding") / f"{coder}.csv").open(
        "w", encoding="utf-8", newline=""
    ) as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["study_id", "fingerprint", "evidence", "note", "timestamp"])
        w.writerows((sid, fp, text, "", T1) for sid, fp, text in rows)


def _state_and_extract() -> int:
    assert main(["screen", "state"]) == 0
    return main(["extract"])


def test_coding_survives_a_joining_export_record_and_a_merge(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _dedup([A, B])
    first = _studies()
    sid_a, sid_b = study_id_for(A.record_id), study_id_for(B.record_id)
    assert set(first) == {sid_a, sid_b}
    _include_everything(first)
    _code("r1", [(sid_a, first[sid_a]["fingerprint"], "p. 4: clinic mentoring")])
    _code("r2", [(sid_b, first[sid_b]["fingerprint"], "p. 2: shops online")])
    assert _state_and_extract() == 0
    coded = {r["study_id"]: r for r in read_csv(Path("data/extracted/coded.csv"))}
    assert coded[sid_a]["evidence"] == "p. 4: clinic mentoring"

    # 1. An export record joins the coded study: its id stays (the file record used to become
    #    the anchor, and extraction stopped with "unknown study").
    _dedup([A, B, C])
    second = _studies()
    assert set(second) == {sid_a, sid_b}
    assert "scopus:2-s2.0-0001" in second[sid_a]["record_ids"]
    assert _state_and_extract() == 0
    coded = {r["study_id"]: r for r in read_csv(Path("data/extracted/coded.csv"))}
    assert coded[sid_a]["evidence"] == "p. 4: clinic mentoring"
    assert coded[sid_a]["status"] == "included"
    capsys.readouterr()

    # 2. A reviewer merges the two studies: B's id is gone; r2's coding re-attaches through
    #    B's anchor record, as the screening decisions do.
    _dedup([A, B, C], overrides=[(A.record_id, B.record_id)])
    third = _studies()
    assert sid_b not in third
    assert B.record_id in third[sid_a]["record_ids"]
    assert _state_and_extract() == 0
    coded = {r["study_id"]: r for r in read_csv(Path("data/extracted/coded.csv"))}
    assert coded[sid_a]["coders"] == "r1; r2"
    assert f"on study {sid_b}, now merged into this study" in coded[sid_a]["carried_forward_note"]
    state = {r["study_id"]: r for r in read_csv(Path("data/interim/screening.csv"))}
    assert state[sid_a]["state"] == "included_ft"
    events = read_csv(Path("data/extracted/coding_events.csv"))
    assert [e for e in events if e["event"] == "unmatched"] == []


def test_a_coded_row_matching_no_study_is_listed_not_dropped(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _dedup([A, B])
    studies = _studies()
    _include_everything(studies)
    sid_a = study_id_for(A.record_id)
    _code(
        "r1",
        [
            (sid_a, "", "kept"),
            ("st-0000000000", "", "a study no longer in the review"),
            ("st-1111111111", "doi:10.1000/b", "found again by its DOI"),
        ],
    )
    assert _state_and_extract() == 0
    events = read_csv(Path("data/extracted/coding_events.csv"))
    unmatched = [e for e in events if e["event"] == "unmatched"]
    assert [(e["coder"], e["study_id"], e["source"]) for e in unmatched] == [
        ("r1", "st-0000000000", "data/decisions/coding/r1.csv:row 3")
    ]
    coded = {r["study_id"]: r for r in read_csv(Path("data/extracted/coded.csv"))}
    assert coded[study_id_for(B.record_id)]["evidence"] == "found again by its DOI"
    assert "re-attached by fingerprint" in coded[study_id_for(B.record_id)]["carried_forward_note"]
