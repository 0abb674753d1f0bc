"""ASReview LAB: the data set we export, and the decisions its export brings back (only those).

The recorded exports in ``tests/fixtures/asreview/`` were written by ASReview LAB 3.0.8 itself
(``benchmarks/asreview_lab.py --record``, which opens our export as a LAB project through LAB's
web API, labels as a signed-in user and presses LAB's export) from the fixture project there:
eleven studies of the default review with their committed decisions. ``before`` is the export
as it was before issue 16, ``now`` is ``review screen export-asreview --priors ai-reviewer-1``.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from screening_helpers import project, read_csv

from review.cli import main
from review.exitcodes import DATA_ERROR
from review.screening.asreview import fold_lab2, fold_lab3, lab_titles

REPO = Path(__file__).resolve().parents[1]
LAB = Path(__file__).resolve().parent / "fixtures" / "asreview"
TA = Path("data/decisions/screening/title_abstract")
UNTITLED = ["st-17a79b51b5", "st-2f8415e0a8", "st-34befe5fa9"]  # S108, S150, S191
CASE_PAIR = ["st-1c6b5c2163", "st-aada9206e1"]  # S210 (never screened), S139
#: What the LAB user did in the recorded "now" session (benchmarks/asreview_lab.py).
LAB_DECISIONS = {
    "st-1c6b5c2163": "include",  # the study LAB never showed before issue 16
    "st-2f8415e0a8": "exclude",  # no prior (the adjudicated study ai-reviewer-1 had as maybe)
    "st-56f315d6c1": "exclude",
    "st-9b9abde292": "exclude",
    "st-a96b74534a": "include",  # a prior (exclude) changed in LAB
}


@pytest.fixture
def lab_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The recorded session's project: its studies, decisions and the default protocol."""
    root = Path(shutil.copytree(LAB / "project", tmp_path / "lab"))
    (root / "config").mkdir()
    shutil.copy(REPO / "config" / "protocol.yaml", root / "config" / "protocol.yaml")
    monkeypatch.chdir(root)
    assert main(["screen", "state"]) == 0
    # The LAB user is a reviewer the default protocol does not list: added knowingly.
    assert main(["reviewers", "add", "lab-reviewer", "--note", "screens in ASReview LAB"]) == 0
    return root


def _ledger(root: Path, reviewer: str) -> list[dict[str, str]]:
    path = root / TA / f"{reviewer}.csv"
    return read_csv(path) if path.exists() else []


def _state(root: Path) -> dict[str, dict[str, str]]:
    return {r["study_id"]: r for r in read_csv(root / "data/interim/screening.csv")}


# --- export -------------------------------------------------------------------------------------


def test_export_keeps_apart_what_lab_would_group(lab_project: Path) -> None:
    out = lab_project / "lab.csv"
    assert main(["screen", "export-asreview", str(out)]) == 0
    rows = {r["record_id"]: r for r in read_csv(out)}
    for sid in UNTITLED:
        assert rows[sid]["title"] == f"[no title: review study {sid}]"
        assert rows[sid]["title_marked"] == "yes"
    for sid in CASE_PAIR:
        assert rows[sid]["title"].endswith(f" [review study {sid}]")  # differ only in case
    assert rows["st-4ec985294f"]["title"].startswith("R-TIK Digital Literacy")
    assert rows["st-4ec985294f"]["title_marked"] == ""
    # Folded as LAB 3 and LAB 1/2 fold them, no two titles (with abstracts) are alike any more.
    assert len({fold_lab3(r["title"]) for r in rows.values()}) == len(rows) == 11
    assert len({fold_lab2(f"{r['title']} {r['abstract']}") for r in rows.values()}) == 11
    # Nothing decided travels unless asked, and no state: screening in LAB stays blind.
    assert all(r["label_included"] == "" and r["prior_from"] == "" for r in rows.values())
    assert "screening_state" not in next(iter(rows.values()))


def test_real_lab_keeps_every_study_of_our_export_apart(lab_project: Path) -> None:
    """ASReview LAB 3 gave each row of our export its own group (its group id is its own row
    number), where the export before issue 16 let it fold the untitled studies into one and
    the two case-only titles into another. The recorded LAB export is of what we write now."""
    now = read_csv(LAB / "lab3_export_now.csv")
    assert all(r["asreview_group_id"] == r[""] for r in now)
    before = read_csv(LAB / "lab3_export_before.csv")
    groups: dict[str, list[str]] = {}
    for r in before:
        groups.setdefault(r["asreview_group_id"], []).append(r["record_id"])
    assert sorted(sorted(g) for g in groups.values() if len(g) > 1) == [UNTITLED, CASE_PAIR]
    out = lab_project / "lab.csv"
    assert main(["screen", "export-asreview", str(out), "--priors", "ai-reviewer-1"]) == 0
    ours = {r["record_id"]: r for r in read_csv(out)}
    for r in now:  # LAB keeps our columns (numbers as pandas writes them)
        mine = ours[r["record_id"]]
        for column in ("title", "prior_from", "title_marked", "authors", "doi"):
            assert r[column] == mine[column], (r["record_id"], column)
        assert r["label_included"].removesuffix(".0") == mine["label_included"]


def test_priors_only_when_asked(lab_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = lab_project / "lab.csv"
    assert main(["screen", "export-asreview", str(out), "--priors", "ai-reviewer-1"]) == 0
    assert "7 labelled as prior knowledge from ai-reviewer-1" in capsys.readouterr().out
    decided = {r["study_id"]: r["decision"] for r in _ledger(lab_project, "ai-reviewer-1")}
    for r in read_csv(out):
        expected = {"include": "1", "exclude": "0"}.get(decided.get(r["record_id"], ""), "")
        assert r["label_included"] == expected  # a maybe or no decision: no label
        assert r["prior_from"] == ("ai-reviewer-1" if expected else "")
    assert (
        main(["screen", "export-asreview", str(out), "--priors", "ai-reviewer-1\n"]) == DATA_ERROR
    )
    assert "reviewer name 'ai-reviewer-1\\n' cannot name a file" in capsys.readouterr().err
    assert main(["screen", "export-asreview", str(out), "--priors", "nobody"]) == DATA_ERROR
    assert (
        "--priors nobody: no title/abstract decisions of 'nobody'; reviewers with decisions: "
        "ai-reviewer-1, ai-reviewer-2"
    ) in capsys.readouterr().err


def test_lab_titles_fold_like_lab() -> None:
    studies = [
        {"study_id": "st-1", "title": "Café owners go online", "abstract": ""},
        {"study_id": "st-2", "title": "CAFE OWNERS GO ONLINE!", "abstract": ""},
        {"study_id": "st-3", "title": "区块链", "abstract": ""},  # folds to nothing, like no title
        {"study_id": "st-4", "title": "", "abstract": "An abstract"},
        {"study_id": "st-5", "title": "ab", "abstract": "c d"},  # LAB 2 joins title + abstract
        {"study_id": "st-6", "title": "a", "abstract": "bcd"},
        {"study_id": "st-7", "title": "Unique", "abstract": ""},
    ]
    titles = lab_titles(studies)
    assert titles["st-1"] == ("Café owners go online [review study st-1]", True)
    assert [titles[s][1] for s in ("st-2", "st-3", "st-5", "st-6")] == [True] * 4
    assert titles["st-4"] == ("[no title: review study st-4]", True)
    assert titles["st-7"] == ("Unique", False)


# --- import: only the decisions made in LAB ------------------------------------------------------


def test_round_trip_through_real_lab_changes_only_what_was_decided_there(
    lab_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Done when: export → decisions in LAB on a subset → import changes only those."""
    ledgers = {p.name: p.read_bytes() for p in (lab_project / TA).glob("*.csv")}
    before = _state(lab_project)
    path = LAB / "lab3_export_now.csv"
    assert main(["screen", "import-asreview", str(path), "--reviewer", "lab-reviewer"]) == 0
    err = capsys.readouterr().err
    assert "6 label(s) are the prior knowledge exported to LAB" in err
    appended = _ledger(lab_project, "lab-reviewer")
    assert {r["study_id"]: r["decision"] for r in appended} == LAB_DECISIONS
    by_id = {r["study_id"]: r for r in appended}
    assert by_id["st-1c6b5c2163"]["note"] == "imported from ASReview: checked in LAB"
    assert by_id["st-1c6b5c2163"]["timestamp"].startswith("2026-11-30T10:")  # LAB's time, UTC
    assert {p.name: p.read_bytes() for p in (lab_project / TA).glob("*.csv") if
            p.name in ledgers} == ledgers  # fmt: skip
    assert main(["screen", "state"]) == 0
    after = _state(lab_project)
    ranking = ("relevance", "rank")  # the screening order learns from every decision
    for sid, row in after.items():
        if sid not in LAB_DECISIONS:
            assert {k: v for k, v in row.items() if k not in ranking} == {
                k: v for k, v in before[sid].items() if k not in ranking
            }, sid  # nothing else moved
    # The study LAB never showed before issue 16 is screened now.
    assert (before["st-1c6b5c2163"]["state"], after["st-1c6b5c2163"]["state"]) == (
        "to_screen",
        "included_ta",
    )
    # Importing the same export again adds nothing.
    assert main(["screen", "import-asreview", str(path), "--reviewer", "lab-reviewer"]) == 0
    assert len(_ledger(lab_project, "lab-reviewer")) == 5


def test_labels_lab_copied_within_a_group_are_not_imported(
    lab_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The export before issue 16, through real LAB: the labels LAB copied to the other
    members of its untitled and case-only groups were given by nobody; the importer before
    issue 16 appended every label (11 rows for one decision)."""
    path = LAB / "lab3_export_before.csv"
    assert main(["screen", "import-asreview", str(path), "--reviewer", "lab-reviewer"]) == 0
    err = capsys.readouterr().err
    assert "8 label(s) are the prior knowledge exported to LAB" in err
    assert (
        "warning: 2 label(s) were copied by LAB from another record it took for a duplicate, so "
        "nobody gave them: not imported (st-2f8415e0a8, st-aada9206e1)"
    ) in err
    assert [(r["study_id"], r["decision"]) for r in _ledger(lab_project, "lab-reviewer")] == [
        ("st-1c6b5c2163", "include")
    ]


def test_lab_xlsx_export_keeps_its_row_ids(lab_project: Path, tmp_path: Path) -> None:
    """LAB's Excel export (``to_excel(index=True)``): the row ids sit under an empty header, and
    tell the label LAB copied from the one given, whatever the row order."""
    from openpyxl import Workbook

    rows = read_csv(LAB / "lab3_export_before.csv")
    rows.reverse()  # the representative of a group no longer comes first
    book = Workbook()
    sheet = book.active
    sheet.append([None, *list(rows[0])[1:]])
    for row in rows:
        sheet.append([int(row[""]), *list(row.values())[1:]])
    path = tmp_path / "lab.xlsx"
    book.save(path)
    assert main(["screen", "import-asreview", str(path), "--reviewer", "lab-reviewer"]) == 0
    assert [r["study_id"] for r in _ledger(lab_project, "lab-reviewer")] == ["st-1c6b5c2163"]


def test_several_lab_users_are_told_apart(
    lab_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = read_csv(LAB / "lab3_export_now.csv")
    second = next(r for r in rows if r["record_id"] == "st-4ec985294f")
    assert (second["label_included"], second["asreview_label"]) == ("1.0", "1")  # a prior
    second.update(asreview_user_name="Second Reviewer", asreview_label="0")  # changed in LAB
    path = tmp_path / "two_users.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    args = ["screen", "import-asreview", str(path), "--reviewer", "lab-reviewer"]
    assert main(args) == DATA_ERROR
    assert "labels by several LAB users (Lab Reviewer, Second Reviewer); say whose" in (
        capsys.readouterr().err
    )
    assert main([*args, "--lab-user", "Lab Reviewer"]) == 0
    assert "1 label(s) by LAB user 'Second Reviewer' left out" in capsys.readouterr().err
    assert len(_ledger(lab_project, "lab-reviewer")) == 5
    second = [*args[:-1], "second", "--lab-user", "Second Reviewer", "--new-reviewer"]
    assert main(second) == 0
    assert [(r["study_id"], r["decision"]) for r in _ledger(lab_project, "second")] == [
        ("st-4ec985294f", "exclude")
    ]


# --- other shapes: LAB 1, files written by hand ------------------------------------------------


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = project(tmp_path / "p")
    monkeypatch.chdir(root)
    return root


def test_lab1_export_flags_its_priors(proj: Path) -> None:
    # ASReview LAB 1.x: labels in the data set's own label column, asreview_prior for prior
    # knowledge, notes in exported_notes_<n> (one per export), asreview_ranking.
    path = proj / "lab1.csv"
    path.write_text(
        "record_id,title,doi,label_included,asreview_prior,asreview_ranking,exported_notes_1\n"
        "st-a,x,,1,1,1,\n"
        "st-b,y,,0,0,2,off topic: Vietnam\n"
        "st-d,z,,,,3,\n",
        encoding="utf-8",
    )
    assert main(["screen", "import-asreview", str(path), "--reviewer", "asr"]) == 0
    ledger = read_csv(proj / TA / "asr.csv")
    assert [(r["study_id"], r["decision"], r["note"]) for r in ledger] == [
        ("st-b", "exclude", "imported from ASReview: off topic: Vietnam")
    ]


def test_hand_made_file_with_priors_imports_only_the_rest(proj: Path) -> None:
    path = proj / "ours_filled.csv"
    path.write_text(
        "record_id,title,label_included,prior_from\nst-a,x,1,siti\nst-b,y,0,\nst-d,z,,\n",
        encoding="utf-8",
    )
    assert main(["screen", "import-asreview", str(path), "--reviewer", "asr"]) == 0
    assert [r["study_id"] for r in read_csv(proj / TA / "asr.csv")] == ["st-b"]


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
    ledger = read_csv(proj / TA / "asr.csv")
    assert [(r["study_id"], r["decision"], r["note"]) for r in ledger] == [
        ("st-a", "include", "imported from ASReview: good"),
        ("st-b", "exclude", "imported from ASReview"),
    ]


def test_lab_labels_times_notes_and_tags(proj: Path) -> None:
    # LAB 2/3: our columns, then its asreview_* results; a label that differs from the prior
    # we exported is a decision made in LAB.
    path = proj / "asreview_export.csv"
    path.write_text(
        ",record_id,title,doi,label_included,asreview_label,asreview_time,asreview_note,"
        "asreview_tag_method_survey,asreview_user_name\n"
        "0,st-a,x,,0,1,2026-12-01 10:11:12,relevant after all,1,Siti\n"
        "1,st-b,y,,,0,2026-12-01 10:12:00,,0,Siti\n"
        "2,st-d,z,,,,,,,\n",
        encoding="utf-8",
    )
    assert main(["screen", "import-asreview", str(path), "--reviewer", "asr"]) == 0
    ledger = read_csv(proj / TA / "asr.csv")
    assert [(r["study_id"], r["decision"], r["timestamp"], r["note"]) for r in ledger] == [
        (
            "st-a",
            "include",
            "2026-12-01T10:11:12Z",
            "imported from ASReview: relevant after all; LAB tags: method_survey",
        ),
        ("st-b", "exclude", "2026-12-01T10:12:00Z", "imported from ASReview"),
    ]


def test_unknown_record_or_label_appends_nothing(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = proj / "asr.csv"
    path.write_text(
        "record_id,title,doi,asreview_label\nst-a,x,,1\n9,Unknown,,0\nst-b,y,,yes please\n",
        "utf-8",
    )
    assert main(["screen", "import-asreview", str(path), "--reviewer", "asr"]) == DATA_ERROR
    err = capsys.readouterr().err
    assert "row 3: cannot match the record to a study" in err
    assert "row 4, field 'asreview_label': 'yes please' is not a label" in err
    assert not (proj / TA / "asr.csv").exists()
    path.write_text("record_id,title\nst-a,x\n", "utf-8")
    assert main(["screen", "import-asreview", str(path), "--reviewer", "asr"]) == DATA_ERROR
    assert "no label column; expected one of asreview_label, label_included" in (
        capsys.readouterr().err
    )
