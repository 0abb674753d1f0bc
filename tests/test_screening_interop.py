"""ASReview and Rayyan: export the state, import decisions into the ledgers (round trips)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from screening_helpers import FIXTURES, project, protocol, read_csv

from review.cli import main
from review.errors import DecisionError
from review.exitcodes import DATA_ERROR
from review.screening.interop import import_rayyan, parse_rayyan_notes
from review.screening.state import read_studies


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = project(tmp_path / "p")
    monkeypatch.chdir(root)
    return root


def _ledger(root: Path, reviewer: str) -> list[dict[str, str]]:
    return read_csv(
        root / "data" / "decisions" / "screening" / "title_abstract" / f"{reviewer}.csv"
    )


def test_asreview_round_trip(proj: Path) -> None:
    out = proj / "asreview.csv"
    assert main(["screen", "export-asreview", str(out)]) == 0
    rows = read_csv(out)
    assert [r["record_id"] for r in rows] == ["st-a", "st-b", "st-d", "st-f"]  # no auto-excluded
    assert all(r["label_included"] == "" for r in rows)
    assert rows[0]["reviewer_summary_not_abstract"] == "Team summary A"
    assert rows[3]["title"].startswith("'=")  # formula neutralised in the export too
    # Screen in ASReview: its export keeps record_id and has label_included 1/0/empty.
    for r in rows:
        r["label_included"] = {"st-a": "1", "st-b": "0"}.get(r["record_id"], "")
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert main(["screen", "import-asreview", str(out), "--reviewer", "asr"]) == 0
    ledger = _ledger(proj, "asr")
    assert [(r["study_id"], r["decision"]) for r in ledger] == [
        ("st-a", "include"),
        ("st-b", "exclude"),
    ]
    assert ledger[0]["note"] == "imported from ASReview"
    # and back: the export now carries the labels
    assert main(["screen", "export-asreview", str(out)]) == 0
    labels = {r["record_id"]: r["label_included"] for r in read_csv(out)}
    assert labels == {"st-a": "1", "st-b": "0", "st-d": "", "st-f": ""}


def test_asreview_export_matched_by_doi_or_title(proj: Path) -> None:
    path = proj / "asreview_own_ids.csv"
    path.write_text(
        "record_id,title,abstract,doi,year,included,exported_notes_1\n"
        "0,Volunteers train UMKM in digital marketing,,https://doi.org/10.1000/A,2021,1,good\n"
        "1,E-commerce adoption determinants among SMEs,,,2020,0,\n"
        "2,Smart village programme for MSMEs,,,,,\n",
        encoding="utf-8",
    )
    assert main(["screen", "import-asreview", str(path), "--reviewer", "asr"]) == 0
    ledger = _ledger(proj, "asr")
    assert [(r["study_id"], r["decision"], r["note"]) for r in ledger] == [
        ("st-a", "include", "imported from ASReview: good"),
        ("st-b", "exclude", "imported from ASReview"),
    ]


def test_asreview_lab_export_prefers_its_own_labels_times_and_notes(proj: Path) -> None:
    # The shape of an ASReview LAB 3 "export dataset": our columns, then its asreview_* results.
    path = proj / "asreview_export.csv"
    path.write_text(
        "record_id,title,doi,label_included,asreview_label,asreview_time,asreview_note,"
        "asreview_user_name\n"
        "st-a,x,,0,1,2026-12-01 10:11:12,relevant after all,Siti\n"
        "st-b,y,,,0,2026-12-01 10:12:00,,Siti\n"
        "st-d,z,,,,,,\n",
        encoding="utf-8",
    )
    assert main(["screen", "import-asreview", str(path), "--reviewer", "asr"]) == 0
    ledger = _ledger(proj, "asr")
    assert [(r["study_id"], r["decision"], r["timestamp"], r["note"]) for r in ledger] == [
        ("st-a", "include", "2026-12-01T10:11:12Z", "imported from ASReview: relevant after all"),
        ("st-b", "exclude", "2026-12-01T10:12:00Z", "imported from ASReview"),
    ]


def test_asreview_unknown_record_appends_nothing(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = proj / "asr.csv"
    path.write_text("record_id,title,doi,label_included\nst-a,x,,1\n9,Unknown,,0\n", "utf-8")
    assert main(["screen", "import-asreview", str(path), "--reviewer", "asr"]) == DATA_ERROR
    assert "row 3: cannot match the record to a study" in capsys.readouterr().err
    assert not (proj / "data" / "decisions" / "screening" / "title_abstract" / "asr.csv").exists()


def test_parse_rayyan_notes() -> None:
    notes = (
        'RAYYAN-INCLUSION: {"Kofi"=>"Excluded", "Ama"=>"Maybe"} | RAYYAN-LABELS: ML, Hospital '
        "| RAYYAN-EXCLUSION-REASONS: wrong population,foreign language "
        '| USER-NOTES: {"Kofi"=>["x"]}'
    )
    assert parse_rayyan_notes(notes) == {
        "votes": {"Kofi": "Excluded", "Ama": "Maybe"},
        "labels": ["ML", "Hospital"],
        "reasons": ["wrong population", "foreign language"],
    }


def test_rayyan_import_one_users_votes(proj: Path) -> None:
    src = proj / "articles.csv"
    shutil.copy(FIXTURES / "rayyan_articles.csv", src)
    assert (
        main(["screen", "import-rayyan", str(src), "--reviewer", "siti", "--rayyan-user", "Siti"])
        == 0
    )
    ledger = _ledger(proj, "siti")
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


def test_rayyan_free_text_reason_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "articles.csv"
    path.write_text(
        "key,title,year,doi,notes\n"
        "1,Volunteers train UMKM in digital marketing,2021,10.1000/a,"
        '"RAYYAN-INCLUSION: {""Siti""=>""Excluded""} | RAYYAN-EXCLUSION-REASONS: wrong outcome"\n',
        encoding="utf-8",
    )
    studies = read_studies(FIXTURES / "studies.csv")
    with pytest.raises(DecisionError, match=r"exclusion reason 'wrong outcome' is not a criterion"):
        import_rayyan(
            str(path), reviewer="siti", stage="title_abstract", protocol=protocol(), studies=studies
        )
