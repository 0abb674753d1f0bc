"""The screening state table: criteria, consensus, conflicts, and carry-forward across reruns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from screening_helpers import FIXTURES, protocol, read_csv, write_ledger

from review.cli import main
from review.records import fingerprint, study_id_for
from review.screening.carry import attach
from review.screening.ledger import read_ledgers
from review.screening.sheets import pending_studies
from review.screening.state import build_state, read_clusters, read_studies

T1, T2, T3 = "2026-11-29T07:00:00Z", "2026-11-29T08:00:00Z", "2026-11-29T09:00:00Z"


def _fixture_state(decisions: Path):
    studies = read_studies(FIXTURES / "studies.csv")
    clusters = read_clusters(FIXTURES / "clusters.csv")
    return build_state(studies, clusters, read_ledgers(decisions, protocol()), protocol())


def test_states_from_criteria_decisions_and_resolutions(tmp_path: Path) -> None:
    ta, ft = "title_abstract", "full_text"
    write_ledger(
        tmp_path,
        ta,
        "r1",
        [
            ("st-a", "doi:10.1000/a", "include", "", "", T1),
            ("st-b", "", "exclude", "E3-not-indonesia", "Vietnam", T1),
            ("st-c", "doi:10.1000/c", "include", "", "", T1),  # excluded by automation anyway
        ],
    )
    write_ledger(
        tmp_path,
        ta,
        "r2",
        [
            ("st-a", "doi:10.1000/a", "include", "", "", T2),
            ("st-b", "", "include", "", "", T2),
        ],
    )
    write_ledger(
        tmp_path,
        ft,
        "r1",
        [("st-a", "doi:10.1000/a", "exclude", "E8-full-text-unavailable", "no PDF", T3)],
    )
    state = _fixture_state(tmp_path)
    rows = state.by_id()
    # A criterion code never makes a report "not retrieved": only its retrieval status does
    # (tests/test_fulltext_rules.py); without one, the exclusion is what the reviewer said.
    assert {k: v["state"] for k, v in rows.items()} == {
        "st-a": "excluded_ft",
        "st-b": "maybe_ta",
        "st-c": "excluded_auto",
        "st-d": "to_screen",
        "st-e": "excluded_auto",
        "st-f": "to_screen",
    }
    assert rows["st-c"]["auto_reason"] == "E1-year"
    assert rows["st-b"]["ta_decision"] == "conflict"
    assert rows["st-b"]["conflict"] == "title_abstract: unresolved"
    assert rows["st-a"]["ta_reviewers"] == "r1; r2"
    assert {rows["st-d"]["rank"], rows["st-f"]["rank"]} == {1, 2}
    assert rows["st-a"]["rank"] == ""
    assert state.conflicts[0]["study_id"] == "st-b"
    assert state.agreement["title_abstract"]["conflicts_unresolved"] == 1
    assert state.agreement["excluded_by_automation"] == 2
    auto = [e for e in state.events if e["reviewer"] == "automation"]
    assert {(e["study_id"], e["decision"], e["reason"]) for e in auto} == {
        ("st-c", "exclude", "E1-year"),
        ("st-e", "exclude", "E2-language"),
        ("st-d", "not_applied", "E1-year"),
        ("st-d", "not_applied", "E2-language"),
    }

    write_ledger(
        tmp_path,
        ta,
        "_resolutions",
        [("st-b", "", "exclude", "E3-not-indonesia", "Vietnam, not Indonesia", T3, "adj")],
        resolver=True,
    )
    state = _fixture_state(tmp_path)
    row = state.by_id()["st-b"]
    assert (row["state"], row["ta_reason"], row["conflict"]) == (
        "excluded_ta",
        "E3-not-indonesia",
        "title_abstract: resolved by adj",
    )
    assert row["ta_reviewers"] == "r1; r2; adj"
    resolution_events = [e for e in state.events if e["resolver"]]
    assert resolution_events[0]["reviewer"] == "adj"


def test_states_without_the_ranking_are_the_same_states(tmp_path: Path) -> None:
    """The full-text stage asks for the states only (``rank=False``): every column is what the
    ranked state says, less the relevance and rank it did not compute."""
    write_ledger(
        tmp_path,
        "title_abstract",
        "r1",
        [
            ("st-a", "doi:10.1000/a", "include", "", "", T1),
            ("st-b", "", "exclude", "E3-not-indonesia", "Vietnam", T1),
        ],
    )
    studies = read_studies(FIXTURES / "studies.csv")
    clusters = read_clusters(FIXTURES / "clusters.csv")
    ledgers = read_ledgers(tmp_path, protocol())
    ranked = build_state(studies, clusters, ledgers, protocol())
    unranked = build_state(studies, clusters, ledgers, protocol(), rank=False)
    assert ranked.ranking
    assert unranked.ranking == ""
    assert {r["rank"] for r in ranked.rows} > {""}
    assert {(r["relevance"], r["rank"]) for r in unranked.rows} == {("", "")}
    blank = {"relevance": "", "rank": ""}
    assert [{**r, **blank} for r in ranked.rows] == unranked.rows
    assert (ranked.events, ranked.conflicts, ranked.agreement) == (
        unranked.events,
        unranked.conflicts,
        unranked.agreement,
    )


def test_full_text_states(tmp_path: Path) -> None:
    write_ledger(
        tmp_path,
        "title_abstract",
        "r1",
        [
            ("st-a", "", "include", "", "", T1),
            ("st-d", "", "include", "", "", T1),
            ("st-f", "", "include", "", "", T1),
        ],
    )
    write_ledger(
        tmp_path,
        "full_text",
        "r1",
        [
            ("st-a", "", "include", "", "", T2),
            ("st-d", "", "exclude", "E7-no-outcome; E8-full-text-unavailable", "", T2),
        ],
    )
    rows = _fixture_state(tmp_path).by_id()
    assert rows["st-a"]["state"] == "included_ft"
    # one reason is an assessment on the merits: excluded, not "not retrieved"
    assert (rows["st-d"]["state"], rows["st-d"]["ft_reason"]) == (
        "excluded_ft",
        "E7-no-outcome; E8-full-text-unavailable",
    )
    assert rows["st-f"]["state"] == "included_ta"  # awaiting full text


# ---- carry-forward ----------------------------------------------------------------------------


def _study(rids: list[str], title: str, doi: str = "", year: str = "2021") -> dict[str, str]:
    anchor = min(rids)
    return {
        "study_id": study_id_for(anchor),
        "record_ids": "; ".join(rids),
        "title": title,
        "abstract": "",
        "summary": "",
        "keywords": "",
        "year": year,
        "doi": doi,
        "fingerprint": fingerprint(doi, title, int(year)),
        "language": "id",
    }


def _clusters(studies: list[dict[str, str]]) -> dict[str, str]:
    return {rid: s["study_id"] for s in studies for rid in s["record_ids"].split("; ")}


def _decide(tmp: Path, reviewer: str, study: dict[str, str], decision: str = "include") -> None:
    path = tmp / "title_abstract" / f"{reviewer}.csv"
    rows = [] if not path.is_file() else [tuple(r.values()) for r in read_csv(path)]
    rows.append(
        (
            study["study_id"],
            study["fingerprint"],
            decision,
            "E3-not-indonesia" if decision == "exclude" else "",
            "",
            T1,
        )
    )
    write_ledger(tmp, "title_abstract", reviewer, rows)


def test_a_new_record_joining_a_screened_study_inherits_its_decision(tmp_path: Path) -> None:
    first = _study(["db:1"], "Relawan TIK untuk UMKM", doi="")
    _decide(tmp_path, "r1", first)
    # Update run: db:9 (run 2) brings a DOI and joins the study; its id stays (anchor db:1).
    joined = _study(["db:1", "db:9"], "Relawan TIK untuk UMKM", doi="10.1000/x")
    assert joined["study_id"] == first["study_id"]
    other = _study(["db:5"], "A genuinely new study")
    studies = [joined, other]
    ledgers = read_ledgers(tmp_path, protocol())
    runs = {"db:1": "2026-01-run", "db:9": "2026-06-run", "db:5": "2026-06-run"}
    state = build_state(studies, _clusters(studies), ledgers, protocol(), record_runs=runs)
    row = state.by_id()[joined["study_id"]]
    assert row["state"] == "included_ta"
    note = row["carried_forward_note"]
    assert "db:9 (run 2026-06-run) joined this study after its first run 2026-01-run" in note
    assert "fingerprint then title:relawan tik untuk umkm|2021, now doi:10.1000/x" in note
    events = [e for e in state.events if e["decision"] == "carry_forward"]
    assert [e["study_id"] for e in events] == [joined["study_id"]]
    attached = attach(ledgers, studies, _clusters(studies)).ledgers
    assert pending_studies(state, attached, reviewer="r1", stage="title_abstract") == [
        other["study_id"]
    ]


def test_merged_studies_keep_both_decisions(tmp_path: Path) -> None:
    a = _study(["db:1"], "Study one")
    b = _study(["db:2"], "Study one, preprint")
    _decide(tmp_path, "r1", a)
    _decide(tmp_path, "r2", b)
    merged = _study(["db:1", "db:2"], "Study one")
    state = build_state(
        [merged], _clusters([merged]), read_ledgers(tmp_path, protocol()), protocol()
    )
    row = state.by_id()[a["study_id"]]
    assert row["ta_reviewers"] == "r1; r2"
    assert f"on study {b['study_id']}, now merged into this study" in row["carried_forward_note"]
    by = {
        e["reviewer"]: e["attached_by"]
        for e in state.events
        if e["stage"] == "title_abstract" and e["decision"] != "carry_forward"
    }
    assert by == {"r1": "id", "r2": "merged"}


def test_a_merge_of_studies_one_reviewer_decided_differently_is_a_conflict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20 item 4: the latest of the two rows used to win silently."""
    a = _study(["db:1"], "Study one")
    b = _study(["db:2"], "Study one, preprint")
    _decide(tmp_path, "r1", a, "exclude")  # T1
    path = tmp_path / "title_abstract" / "r1.csv"
    rows = [tuple(r.values()) for r in read_csv(path)]
    rows.append((b["study_id"], b["fingerprint"], "include", "", "looks relevant", T2))
    write_ledger(tmp_path, "title_abstract", "r1", rows)
    _decide(tmp_path, "r2", b, "include")
    merged = _study(["db:1", "db:2"], "Study one")  # a reviewer's merge override joined them
    state = build_state(
        [merged], _clusters([merged]), read_ledgers(tmp_path, protocol()), protocol()
    )
    row = state.by_id()[a["study_id"]]
    assert row["ta_decision"] == "conflict"  # not r1's later include
    assert row["state"] == "maybe_ta"
    assert row["conflict"] == (
        "title_abstract: unresolved (r1 decided the merged studies differently)"
    )
    (conflict,) = state.conflicts
    assert conflict["decisions"] == (
        f"r1 on {a['study_id']}=exclude; r1 on {b['study_id']}=include; r2=include"
    )
    assert conflict["notes"] == f"r1 on {b['study_id']}: looks relevant"
    assert state.agreement["title_abstract"]["conflicts_unresolved"] == 1

    # r1 settles it on the conflicts sheet (as resolver), like any conflict.
    write_ledger(
        tmp_path,
        "title_abstract",
        "_resolutions",
        [(a["study_id"], "", "include", "", "the preprint's full record", T3, "r1")],
        resolver=True,
    )
    settled = build_state(
        [merged], _clusters([merged]), read_ledgers(tmp_path, protocol()), protocol()
    )
    row = settled.by_id()[a["study_id"]]
    assert (row["ta_decision"], row["state"]) == ("include", "included_ta")
    assert row["conflict"] == (
        "title_abstract: resolved by r1 (r1 decided the merged studies differently)"
    )


def test_the_same_decision_on_merged_studies_is_no_conflict(tmp_path: Path) -> None:
    a = _study(["db:1"], "Study one")
    b = _study(["db:2"], "Study one, preprint")
    _decide(tmp_path, "r1", a, "exclude")
    path = tmp_path / "title_abstract" / "r1.csv"
    rows = [tuple(r.values()) for r in read_csv(path)]
    rows.append((b["study_id"], b["fingerprint"], "exclude", "E4-not-digital", "", T2))
    write_ledger(tmp_path, "title_abstract", "r1", rows)
    merged = _study(["db:1", "db:2"], "Study one")
    state = build_state(
        [merged], _clusters([merged]), read_ledgers(tmp_path, protocol()), protocol()
    )
    assert state.by_id()[a["study_id"]]["state"] == "excluded_ta"
    assert state.conflicts == []


def test_a_cluster_split_keeps_the_decision_on_the_anchor_side(tmp_path: Path) -> None:
    whole = _study(["db:1", "db:2"], "Combined title", doi="10.1000/two")
    _decide(tmp_path, "r1", whole, "exclude")
    left = _study(["db:1"], "Combined title")
    right = _study(["db:2"], "Another study entirely", doi="10.1000/other")
    studies = [left, right]
    ledgers = read_ledgers(tmp_path, protocol())
    state = build_state(studies, _clusters(studies), ledgers, protocol())
    rows = state.by_id()
    assert rows[left["study_id"]]["state"] == "excluded_ta"
    assert rows[right["study_id"]]["state"] == "to_screen"
    attached = attach(ledgers, studies, _clusters(studies)).ledgers
    assert pending_studies(state, attached, reviewer="r1", stage="title_abstract") == [
        right["study_id"]
    ]


def test_the_split_off_side_carrying_the_decided_doi_inherits_the_decision(
    tmp_path: Path,
) -> None:
    whole = _study(["db:1", "db:2"], "Combined title", doi="10.1000/two")
    _decide(tmp_path, "r1", whole, "exclude")
    _decide(tmp_path, "r2", whole, "exclude")
    left = _study(["db:1"], "Combined title")  # keeps the id, loses the DOI
    right = _study(["db:2"], "", doi="10.1000/two", year="2021")  # the DOI the reviewers saw
    write_ledger(
        tmp_path,
        "title_abstract",
        "r2",
        [
            (whole["study_id"], whole["fingerprint"], "exclude", "E3-not-indonesia", "", T1),
            (right["study_id"], right["fingerprint"], "include", "", "looked again", T1),
        ],
    )
    studies = [left, right]
    ledgers = read_ledgers(tmp_path, protocol())
    state = build_state(studies, _clusters(studies), ledgers, protocol())
    rows = state.by_id()
    assert rows[left["study_id"]]["state"] == "excluded_ta"
    split = rows[right["study_id"]]
    # r1 inherits; r2 decided the split-off study directly, and that decision stands
    assert split["ta_reviewers"] == "r1; r2"
    assert split["conflict"] == "title_abstract: unresolved"
    assert (
        f"on study {whole['study_id']} inherited by fingerprint doi:10.1000/two"
        in (split["carried_forward_note"])
    )
    assert "r2 (title_abstract" not in split["carried_forward_note"]
    attached = attach(ledgers, studies, _clusters(studies)).ledgers
    assert pending_studies(state, attached, reviewer="r1", stage="title_abstract") == []
    # each ledger row is one event, on the study its id names
    r1_events = [e for e in state.events if e["reviewer"] == "r1"]
    assert [(e["study_id"], e["attached_by"]) for e in r1_events] == [(left["study_id"], "id")]
    # agreement counts each reviewer's own decisions once: r1 and r2 on left, r2 alone on right
    stats = state.agreement["title_abstract"]
    assert (stats["studies_decided"], stats["studies_double_screened"]) == (2, 1)


def test_decisions_follow_their_fingerprint_when_the_id_is_gone(tmp_path: Path) -> None:
    old = _study(["old:7"], "Desa digital", doi="10.1000/desa")
    _decide(tmp_path, "r1", old)
    new = _study(["new:1"], "Desa Digital!", doi="10.1000/DESA")
    state = build_state([new], _clusters([new]), read_ledgers(tmp_path, protocol()), protocol())
    row = state.by_id()[new["study_id"]]
    assert row["state"] == "included_ta"
    assert "re-attached by fingerprint doi:10.1000/desa" in row["carried_forward_note"]
    assert state.unmatched == []


def test_unmatched_decisions_are_reported_not_dropped(tmp_path: Path) -> None:
    gone = _study(["gone:1"], "Retracted record", doi="10.1000/gone")
    _decide(tmp_path, "r1", gone)
    kept = _study(["db:1"], "Something else")
    state = build_state([kept], _clusters([kept]), read_ledgers(tmp_path, protocol()), protocol())
    assert len(state.unmatched) == 1
    assert state.unmatched[0]["study_id"] == gone["study_id"]
    assert "neither its study id nor its fingerprint" in state.unmatched[0]["problem"]
    assert state.agreement["unmatched_decisions"] == 1
    assert [e["attached_by"] for e in state.events if e["reviewer"] == "r1"] == ["unmatched"]


def test_no_ledgers_means_everything_waits(tmp_path: Path) -> None:
    state = _fixture_state(tmp_path / "none")
    assert sorted(r["state"] for r in state.rows).count("to_screen") == 4
    assert state.agreement["unmatched_decisions"] == 0
    assert "title_abstract" not in state.agreement
    assert state.conflicts == []


def test_cli_writes_every_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decisions = tmp_path / "decisions"
    write_ledger(decisions, "title_abstract", "r1", [("st-a", "", "include", "", "", T1)])
    code = main(
        [
            "screen",
            "state",
            "--protocol",
            str(FIXTURES / "protocol.yaml"),
            "--studies",
            str(FIXTURES / "studies.csv"),
            "--clusters",
            str(FIXTURES / "clusters.csv"),
            "--decisions",
            str(decisions),
            *(
                arg
                for option, name in (
                    ("screening", "screening.csv"),
                    ("events", "screening_events.csv"),
                    ("conflicts", "screening_conflicts.csv"),
                    ("unmatched", "screening_unmatched.csv"),
                    ("agreement", "screening_agreement.json"),
                )
                for arg in (f"--{option}", str(tmp_path / "out" / name))
            ),
        ]
    )
    assert code == 0
    out = tmp_path / "out"
    rows = read_csv(out / "screening.csv")
    assert len(rows) == 6
    assert list(rows[0])[:3] == ["study_id", "fingerprint", "state"]
    events = read_csv(out / "screening_events.csv")
    assert {"stage", "reviewer", "study_id", "decision", "timestamp"} <= set(events[0])
    agreement = json.loads((out / "screening_agreement.json").read_text(encoding="utf-8"))
    assert agreement["title_abstract"]["studies_decided"] == 1
    assert (out / "screening_conflicts.csv").read_text(encoding="utf-8").startswith("stage,")
    assert "6 studies" in capsys.readouterr().out


def test_unknown_ranking_model_is_a_protocol_error() -> None:
    from review.errors import ProtocolError
    from review.protocol import Protocol
    from review.screening.priority import relevance

    p = protocol()
    data = {**p.data, "screening": {"ranking": {"model": "magic"}}}
    bad = Protocol(data=data, path=p.path)
    with pytest.raises(
        ProtocolError, match=r"'magic' is not a ranking model; allowed: naive_bayes"
    ):
        relevance(["a", "b"], {0: 1, 1: 0}, protocol=bad)
