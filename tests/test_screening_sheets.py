"""Screening sheets: blind, ordered, XLSX drop-downs, formula-safe; import appends, validated."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from screening_helpers import project, read_csv, write_ledger

from review.cli import main
from review.exitcodes import DATA_ERROR
from review.screening.sheets import SUMMARY_LABEL
from review.spreadsheet import safe_cell

T1 = "2026-11-29T07:00:00Z"


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = project(tmp_path / "p")
    monkeypatch.chdir(root)
    return root


def _screen(*args: str) -> int:
    return main(["screen", *args])


def _ledger(root: Path, stage: str = "title_abstract", reviewer: str = "r1") -> Path:
    return root / "data" / "decisions" / "screening" / stage / f"{reviewer}.csv"


def test_sheet_lists_undecided_studies_blind_to_other_reviewers(proj: Path) -> None:
    decisions = proj / "data" / "decisions" / "screening"
    write_ledger(
        decisions,
        "title_abstract",
        "r2",
        [
            ("st-a", "", "include", "", "r2 SECRET note", T1),
            ("st-b", "", "exclude", "E3-not-indonesia", "r2 SECRET", T1),
        ],
    )
    write_ledger(decisions, "title_abstract", "r1", [("st-d", "", "maybe", "", "", T1)])
    assert _screen("sheet", "--reviewer", "r1") == 0
    csv_path = proj / "data" / "screening_sheets" / "title_abstract" / "r1.csv"
    rows = read_csv(csv_path)
    # st-c and st-e are excluded by automation, st-d is r1's own; r2's decisions are invisible.
    assert sorted(r["study_id"] for r in rows) == ["st-a", "st-b", "st-f"]
    assert [int(r["rank"]) for r in rows] == [1, 2, 3]
    text = csv_path.read_text(encoding="utf-8") + "".join(
        str(c.value)
        for row in load_workbook(csv_path.with_suffix(".xlsx"))["screening"].rows
        for c in row
    )
    assert "SECRET" not in text
    assert all(r["decision"] == "" and r["reason"] == "" for r in rows)
    a = next(r for r in rows if r["study_id"] == "st-a")
    assert a[SUMMARY_LABEL] == "Team summary A"
    assert a["doi"] == "https://doi.org/10.1000/a"


def test_full_text_sheet_lists_only_title_abstract_includes(proj: Path) -> None:
    decisions = proj / "data" / "decisions" / "screening"
    write_ledger(
        decisions,
        "title_abstract",
        "r1",
        [
            ("st-a", "", "include", "", "", T1),
            ("st-b", "", "exclude", "E3-not-indonesia", "", T1),
            ("st-d", "", "maybe", "", "", T1),
            ("st-f", "", "include", "", "", T1),
        ],
    )
    write_ledger(decisions, "full_text", "r1", [("st-f", "", "include", "", "", T1)])
    assert _screen("sheet", "--reviewer", "r1", "--stage", "full_text") == 0
    rows = read_csv(proj / "data" / "screening_sheets" / "full_text" / "r1.csv")
    assert [r["study_id"] for r in rows] == ["st-a"]


def test_xlsx_has_drop_downs_for_decision_and_reason(proj: Path) -> None:
    assert _screen("sheet", "--reviewer", "r1") == 0
    wb = load_workbook(proj / "data" / "screening_sheets" / "title_abstract" / "r1.xlsx")
    ws = wb["screening"]
    header = [c.value for c in ws[1]]
    validations = ws.data_validations.dataValidation
    by_col = {}
    for dv in validations:
        col = str(dv.sqref).split(":")[0].rstrip("0123456789")
        by_col[header[ord(col) - ord("A")]] = dv
    assert set(by_col) == {"decision", "reason"}
    assert all(dv.type == "list" for dv in by_col.values())
    lists = wb["lists"]
    decision_range = by_col["decision"].formula1.split("!")[1].replace("$", "")
    reason_range = by_col["reason"].formula1.split("!")[1].replace("$", "")
    assert [c.value for row in lists[decision_range] for c in row] == [
        "include",
        "exclude",
        "maybe",
    ]
    assert [c.value for row in lists[reason_range] for c in row] == [
        "E3-not-indonesia",
        "E4-not-digital",
        "E1-year",
        "E2-language",
    ]
    assert lists.sheet_state == "hidden"


def test_formula_injection_is_neutralised(proj: Path) -> None:
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("plain") == "plain"
    assert safe_cell(2021) == 2021
    assert _screen("sheet", "--reviewer", "r1") == 0
    base = proj / "data" / "screening_sheets" / "title_abstract" / "r1"
    row = next(r for r in read_csv(base.with_suffix(".csv")) if r["study_id"] == "st-f")
    assert row["title"].startswith("'=HYPERLINK(")
    assert row["abstract"].startswith("'+1")
    assert row[SUMMARY_LABEL] == "'@summary"
    assert row["venue"] == "'-venue"
    ws = load_workbook(base.with_suffix(".xlsx"))["screening"]
    cells = [c for r in ws.iter_rows(min_row=2) for c in r]
    assert not any(c.data_type == "f" for c in cells)  # no cell is a formula
    assert any(str(c.value).startswith("'=HYPERLINK(") for c in cells)


def test_filled_xlsx_imports_and_appends_only(proj: Path) -> None:
    ledger = _ledger(proj)
    write_ledger(
        ledger.parent.parent,
        "title_abstract",
        "r1",
        [("st-d", "doi:10.1000/d", "maybe", "", "old row", T1)],
    )
    before = ledger.read_bytes()
    assert _screen("sheet", "--reviewer", "r1") == 0
    sheet = proj / "data" / "screening_sheets" / "title_abstract" / "r1.xlsx"
    wb = load_workbook(sheet)
    ws = wb["screening"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) + 1 for name in ("study_id", "decision", "reason", "note")}
    for r in range(2, ws.max_row + 1):
        sid = ws.cell(row=r, column=col["study_id"]).value
        if sid == "st-a":
            ws.cell(row=r, column=col["decision"]).value = "include"
            ws.cell(row=r, column=col["note"]).value = "'=looks like a formula"
        elif sid == "st-b":
            ws.cell(row=r, column=col["decision"]).value = "exclude"
            ws.cell(row=r, column=col["reason"]).value = "E3-not-indonesia"
    wb.save(sheet)
    assert _screen("import", str(sheet)) == 0  # reviewer and stage from the sheet's path
    after = ledger.read_bytes()
    assert after.startswith(before)
    added = read_csv(ledger)[1:]
    assert [(r["study_id"], r["decision"], r["reason"]) for r in added] == [
        ("st-a", "include", ""),
        ("st-b", "exclude", "E3-not-indonesia"),
    ]
    assert added[0]["note"] == "=looks like a formula"
    assert added[0]["fingerprint"] == "doi:10.1000/a"
    assert added[0]["timestamp"].endswith("Z")
    # importing the same sheet again adds nothing: those are already the current decisions
    assert _screen("import", str(sheet)) == 0
    assert ledger.read_bytes() == after


def test_import_with_any_bad_row_appends_nothing(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = proj / "filled.csv"
    sheet.write_text(
        "study_id,decision,reason,note\n"
        "st-a,include,,fine\n"
        "st-zz,include,,unknown study\n"
        "st-b,exclude,E9-made-up,\n"
        "st-d,,,undecided rows are skipped\n",
        encoding="utf-8",
    )
    code = _screen("import", str(sheet), "--reviewer", "r1")
    assert code == DATA_ERROR
    err = capsys.readouterr().err
    assert "2 problem(s) in " in err
    assert "filled.csv; nothing was read or appended" in err
    assert "filled.csv, row 3, field 'study_id': 'st-zz' is not a study" in err
    assert "filled.csv, row 4, field 'reason': 'E9-made-up' is not a criterion code" in err
    assert not _ledger(proj).exists()


def test_full_text_exclusion_needs_a_reason(proj: Path, capsys: pytest.CaptureFixture) -> None:
    sheet = proj / "ft.csv"
    sheet.write_text("study_id,decision,reason,note\nst-a,exclude,,\n", encoding="utf-8")
    assert _screen("import", str(sheet), "--reviewer", "r1", "--stage", "full_text") == DATA_ERROR
    assert "row 2, field 'reason': empty; a full-text exclusion needs" in capsys.readouterr().err
    assert not _ledger(proj, "full_text").exists()


def test_import_needs_a_reviewer(proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = proj / "x.csv"
    sheet.write_text("study_id,decision\nst-a,include\n", encoding="utf-8")
    assert _screen("import", str(sheet)) == DATA_ERROR
    assert "--reviewer NAME" in capsys.readouterr().err


def test_conflicts_sheet_and_its_resolutions(proj: Path) -> None:
    decisions = proj / "data" / "decisions" / "screening"
    write_ledger(
        decisions,
        "title_abstract",
        "r1",
        [
            ("st-a", "", "include", "", "r1 thinks yes", T1),
            ("st-b", "", "include", "", "", T1),
        ],
    )
    write_ledger(
        decisions,
        "title_abstract",
        "r2",
        [
            ("st-a", "", "exclude", "E3-not-indonesia", "r2 thinks no", T1),
            ("st-b", "", "include", "", "", T1),
        ],
    )
    assert _screen("conflicts") == 0
    sheet = proj / "data" / "screening_sheets" / "title_abstract" / "_conflicts.xlsx"
    rows = read_csv(sheet.with_suffix(".csv"))
    assert [(r["study_id"], r["decisions"]) for r in rows] == [("st-a", "r1=include; r2=exclude")]
    assert "r2 thinks no" in rows[0]["notes"]
    wb = load_workbook(sheet)
    ws = wb["screening"]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("decision") + 1).value = "exclude"
    ws.cell(row=2, column=header.index("reason") + 1).value = "E3-not-indonesia"
    wb.save(sheet)
    assert _screen("import", str(sheet)) == DATA_ERROR  # who resolved it must be said
    assert _screen("import", str(sheet), "--reviewer", "adj") == 0
    resolutions = read_csv(decisions / "title_abstract" / "_resolutions.csv")
    assert [(r["study_id"], r["decision"], r["resolver"]) for r in resolutions] == [
        ("st-a", "exclude", "adj")
    ]
    assert main(["screen", "state"]) == 0
    state = {r["study_id"]: r for r in read_csv(proj / "data" / "interim" / "screening.csv")}
    assert (state["st-a"]["state"], state["st-a"]["conflict"]) == (
        "excluded_ta",
        "title_abstract: resolved by adj",
    )
    assert _screen("conflicts") == 0
    assert read_csv(sheet.with_suffix(".csv")) == []
