"""Rayyan: the file Rayyan imports, and one user's decisions brought back from its export.

Rayyan's export (``articles.csv``) keeps its work in ``notes``: ``RAYYAN-INCLUSION``,
``RAYYAN-LABELS``, ``RAYYAN-EXCLUSION-REASONS``, ``USER-NOTES`` (as written by Rayyan and read by
published scripts; ``tests/fixtures/screening/rayyan_articles.csv``); its keys are Rayyan's own
(``rayyan-…``), so a record finds its study by the id our export put in the notes or by DOI,
title and year.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import rispy
from screening_helpers import FIXTURES, project, protocol, read_csv, write_ledger

from review.cli import main
from review.errors import DecisionError
from review.exitcodes import DATA_ERROR
from review.screening.rayyan import import_rayyan, parse_rayyan_notes, read_reason_map
from review.screening.state import read_studies
from review.tables import contract

TA = Path("data/decisions/screening/title_abstract")
REASONS = """\
# Rayyan's exclusion reasons (as Rayyan writes them) -> criteria of the protocol
wrong population: E3-not-indonesia
Wrong intervention: E4-not-digital
"""


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = project(tmp_path / "p")
    monkeypatch.chdir(root)
    (root / "reasons.yaml").write_text(REASONS, encoding="utf-8")
    return root


def test_parse_rayyan_notes() -> None:
    notes = (
        'RAYYAN-INCLUSION: {"Kofi"=>"Excluded", "Ama"=>"Maybe"} | RAYYAN-LABELS: ML, Hospital '
        "| RAYYAN-EXCLUSION-REASONS: wrong population,foreign language "
        '| USER-NOTES: {"Kofi"=>["check later", "says \\"pilot\\", no site"], "Ama"=>[]}'
    )
    assert parse_rayyan_notes(notes) == {
        "votes": {"Kofi": "Excluded", "Ama": "Maybe"},
        "labels": ["ML", "Hospital"],
        "reasons": ["wrong population", "foreign language"],
        "user_notes": {"Kofi": ["check later", 'says "pilot", no site'], "Ama": []},
    }


def test_rayyan_import_one_users_votes(proj: Path) -> None:
    src = proj / "articles.csv"
    shutil.copy(FIXTURES / "rayyan_articles.csv", src)
    args = ["screen", "import-rayyan", str(src), "--reviewer", "siti", "--rayyan-user", "Siti"]
    assert main(args) == 0
    ledger = read_csv(proj / TA / "siti.csv")
    assert [(r["study_id"], r["decision"], r["reason"]) for r in ledger] == [
        ("st-a", "include", ""),
        ("st-b", "exclude", "E3-not-indonesia; E4-not-digital"),  # label and code number
        ("st-d", "maybe", ""),
    ]
    assert ledger[0]["note"] == "imported from Rayyan: labels: volunteers, training"


def test_rayyan_needs_the_user_when_several_voted() -> None:
    studies = read_studies(FIXTURES / "studies.csv")
    with pytest.raises(
        DecisionError, match=r"row 2, field 'notes': votes of Budi, Siti; say whose"
    ):
        import_rayyan(
            str(FIXTURES / "rayyan_articles.csv"),
            reviewer="x",
            stage="title_abstract",
            protocol=protocol(),
            studies=studies,
        )


def _articles(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["key", "title", "year", "doi", "notes"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_reasons_map_and_user_notes(proj: Path) -> None:
    path = _articles(
        proj / "articles.csv",
        [
            {
                "key": "rayyan-301",
                "title": "E-commerce adoption determinants among SMEs",
                "year": "2020",
                "doi": "",
                "notes": 'RAYYAN-INCLUSION: {"Siti"=>"Excluded"} | RAYYAN-EXCLUSION-REASONS: '
                'Wrong population,wrong intervention | USER-NOTES: {"Siti"=>["Vietnam only"]}',
            }
        ],
    )
    args = ["screen", "import-rayyan", str(path), "--reviewer", "siti"]
    assert main([*args, "--reasons", "reasons.yaml"]) == 0
    (row,) = read_csv(proj / TA / "siti.csv")
    assert (row["study_id"], row["reason"]) == ("st-b", "E3-not-indonesia; E4-not-digital")
    assert row["note"] == "imported from Rayyan: notes: Vietnam only"


def test_unknown_reason_is_refused_with_the_known_ones(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _articles(
        proj / "articles.csv",
        [
            {
                "key": "1",
                "title": "Volunteers train UMKM in digital marketing",
                "year": "2021",
                "doi": "10.1000/a",
                "notes": 'RAYYAN-INCLUSION: {"Siti"=>"Excluded"} | '
                "RAYYAN-EXCLUSION-REASONS: wrong outcome",
            }
        ],
    )
    args = ["screen", "import-rayyan", str(path), "--reviewer", "siti", "--reasons", "reasons.yaml"]
    assert main(args) == DATA_ERROR
    assert (
        "exclusion reason 'wrong outcome' is not a criterion of the protocol nor in the reasons "
        "map reasons.yaml; known: wrong population, wrong intervention, E3-not-indonesia, "
        "E4-not-digital, E1-year, E2-language"
    ) in capsys.readouterr().err
    assert not (proj / TA / "siti.csv").exists()


def test_reasons_map_must_name_criteria_of_the_stage(proj: Path) -> None:
    bad = proj / "bad.yaml"
    bad.write_text("wrong population: E3-not-indonesia\nno full text: E8-full-text-unavailable\n")
    with pytest.raises(
        DecisionError,
        match=r"bad.yaml, line 2: reason 'no full text' maps to 'E8-full-text-unavailable', "
        r"which is not a title_abstract criterion of the protocol; allowed: E3-not-indonesia",
    ):
        read_reason_map(bad, protocol(), "title_abstract")
    # On reading the full text every criterion may be given.
    assert read_reason_map(bad, protocol(), "full_text") == {
        "wrong population": "E3-not-indonesia",
        "no full text": "E8-full-text-unavailable",
    }
    bad.write_text("- wrong population\n")
    with pytest.raises(DecisionError, match=r"line 1: expected a mapping"):
        read_reason_map(bad, protocol(), "title_abstract")


# --- export to Rayyan, and back -----------------------------------------------------------------


def test_export_for_rayyan_as_ris_and_csv(proj: Path) -> None:
    assert main(["screen", "state"]) == 0
    ris = proj / "rayyan.ris"
    assert main(["screen", "export-rayyan", str(ris)]) == 0
    entries = rispy.loads(ris.read_text(encoding="utf-8"))
    assert [e["accession_number"] for e in entries] == ["st-a", "st-b", "st-d", "st-f"]
    assert entries[0]["notes"] == [
        "review study id: st-a",
        "Summary by the review team (not the published abstract): Team summary A",
    ]
    assert entries[0]["abstract"].startswith("Relawan TIK")  # the published abstract only
    table = proj / "rayyan.csv"
    assert main(["screen", "export-rayyan", str(table)]) == 0
    rows = read_csv(table)
    assert list(rows[0]) == list(contract("rayyan_export").names)
    assert [r["key"] for r in rows] == ["st-a", "st-b", "st-d", "st-f"]
    assert rows[0]["notes"] == (
        "review study id: st-a | Summary by the review team (not the published abstract): "
        "Team summary A"
    )
    assert not any("RAYYAN-INCLUSION" in r["notes"] for r in rows)  # no decisions travel


def test_rayyan_round_trip_changes_only_the_decisions_made_there(proj: Path) -> None:
    """Done when: export → Rayyan decisions on a subset → import changes only those."""
    t = "2026-11-01T10:00:00Z"
    write_ledger(
        proj / "data/decisions/screening",
        "title_abstract",
        "budi",
        [("st-a", "doi:10.1000/a", "include", "", "", t),
         ("st-b", "title:e commerce adoption determinants among smes|2020", "exclude",
          "E3-not-indonesia", "", t)],
    )  # fmt: skip
    assert main(["screen", "state"]) == 0
    before = {r["study_id"]: r for r in read_csv(proj / "data/interim/screening.csv")}
    budi = (proj / TA / "budi.csv").read_bytes()
    exported = proj / "rayyan.csv"
    assert main(["screen", "export-rayyan", str(exported)]) == 0
    # Rayyan's export: its own keys; notes now carry Rayyan's work (our id kept for one record,
    # lost for the other, which then finds its study by DOI).
    back = []
    for n, row in enumerate(read_csv(exported)):
        notes = ""
        if row["key"] == "st-d":
            notes = (
                f'{row["notes"]} | RAYYAN-INCLUSION: {{"Siti"=>"Excluded", "Budi"=>'
                '"Included"} | RAYYAN-EXCLUSION-REASONS: Wrong intervention | USER-NOTES: '
                '{"Siti"=>["a village fund study"]}'
            )
        elif row["key"] == "st-a":
            notes = 'RAYYAN-INCLUSION: {"Siti"=>"Included"}'
        back.append({"key": f"rayyan-{500 + n}", "title": row["title"], "year": row["year"],
                     "doi": row["doi"], "notes": notes})  # fmt: skip
    articles = _articles(proj / "articles.csv", back)
    args = ["screen", "import-rayyan", str(articles), "--reviewer", "siti"]
    assert main([*args, "--rayyan-user", "Siti", "--reasons", "reasons.yaml"]) == 0
    ledger = read_csv(proj / TA / "siti.csv")
    assert [(r["study_id"], r["decision"], r["reason"], r["note"]) for r in ledger] == [
        ("st-a", "include", "", "imported from Rayyan"),
        ("st-d", "exclude", "E4-not-digital", "imported from Rayyan: notes: a village fund study"),
    ]
    assert (proj / TA / "budi.csv").read_bytes() == budi  # another reviewer's ledger untouched
    assert main(["screen", "state"]) == 0
    after = {r["study_id"]: r for r in read_csv(proj / "data/interim/screening.csv")}
    for sid in ("st-b", "st-c", "st-e", "st-f"):
        assert (after[sid]["state"], after[sid]["ta_decision"]) == (
            before[sid]["state"],
            before[sid]["ta_decision"],
        ), sid
    assert (before["st-d"]["state"], after["st-d"]["state"]) == ("to_screen", "excluded_ta")
