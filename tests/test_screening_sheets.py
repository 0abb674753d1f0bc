"""Screening sheets: blind, ordered, XLSX drop-downs, formula-safe; import appends, validated."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from screening_helpers import project, read_csv, write_ledger
from yaml_helpers import dump_yaml, load_yaml

from review.cli import main
from review.exitcodes import DATA_ERROR
from review.screening.ledger import read_ledger_file
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
    # The ledger is opened in spreadsheets too: the formula stays text there (issue 20), and the
    # ledger reader gives the note back as written.
    assert added[0]["note"] == "'=looks like a formula"
    assert read_ledger_file(ledger, stage="title_abstract", reasons=["E3-not-indonesia"])[
        -2
    ].note == ("=looks like a formula")
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
    assert "1 problem(s) in " in err
    assert "filled.csv; nothing was read or appended" in err
    assert "filled.csv, row 4, field 'reason': 'E9-made-up' is not a criterion code" in err
    assert not _ledger(proj).exists()


def test_a_stale_study_id_is_listed_and_the_rest_imported(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 20 (10): a sheet with a few stale study ids was refused whole; now the rows that
    name no current study (by id, anchor record or fingerprint) are listed, not appended, and
    the rest is imported."""
    sheet = proj / "filled.csv"
    sheet.write_text(
        "study_id,fingerprint,decision,reason,note\n"
        "st-a,,include,,fine\n"
        "st-zz,title:gone|2020,include,,a study no longer there\n"
        "st-b,,exclude,E3-not-indonesia,\n",
        encoding="utf-8",
    )
    assert _screen("import", str(sheet), "--reviewer", "r1") == 0
    captured = capsys.readouterr()
    assert "appended 2 to" in captured.out
    assert (
        "warning: not appended: " + str(sheet) + ", row 3: study st-zz: neither its study id nor "
        "its fingerprint matches a current study"
    ) in captured.err
    assert [r["study_id"] for r in read_csv(_ledger(proj))] == ["st-a", "st-b"]


def test_a_sheet_of_only_unknown_studies_is_refused(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = proj / "other.csv"
    sheet.write_text("study_id,decision\nst-zz,include\nst-yy,include\n", encoding="utf-8")
    assert _screen("import", str(sheet), "--reviewer", "r1") == DATA_ERROR
    assert "none of its 2 decision(s) names a current study" in capsys.readouterr().err
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


# --------------------------------------------------------------------------------------------
# Issue 15 item 4: a sheet holding decisions not yet imported is never overwritten
# --------------------------------------------------------------------------------------------


def _fill(sheet: Path, values: dict[str, tuple[str, str, str]]) -> None:
    """Fill decision, reason and note of the XLSX sheet's rows named in ``values``."""
    wb = load_workbook(sheet)
    ws = wb["screening"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) + 1 for name in ("study_id", "decision", "reason", "note")}
    for r in range(2, ws.max_row + 1):
        sid = ws.cell(row=r, column=col["study_id"]).value
        if sid in values:
            for name, value in zip(("decision", "reason", "note"), values[sid], strict=True):
                ws.cell(row=r, column=col[name]).value = value
    wb.save(sheet)


def test_a_filled_sheet_not_imported_is_never_overwritten(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _screen("sheet", "--reviewer", "r1") == 0
    sheet = proj / "data" / "screening_sheets" / "title_abstract" / "r1.xlsx"
    _fill(
        sheet,
        {"st-a": ("include", "", "read it twice"), "st-b": ("exclude", "E3-not-indonesia", "")},
    )
    sheet = sheet.relative_to(proj)  # as the command names it
    filled = sheet.read_bytes()
    capsys.readouterr()
    # Rerunning the sheet command (a new run, a colleague's advice) must not lose that work.
    assert _screen("sheet", "--reviewer", "r1") == DATA_ERROR
    err = capsys.readouterr().err
    assert f"error: {sheet} hold(s) 2 decision(s) that are in no ledger yet; not overwritten" in err
    assert f"{sheet}, row " in err
    assert "st-a include" in err
    assert f"review screen import {sheet} --reviewer r1 --stage title_abstract" in err
    assert "--force" in err
    assert sheet.read_bytes() == filled
    # --force keeps the filled sheet as a timestamped backup, then writes a new one.
    assert _screen("sheet", "--reviewer", "r1", "--force") == 0
    out = capsys.readouterr().out
    backups = sorted(sheet.parent.glob("r1.backup-*.xlsx"))
    assert len(backups) == 1
    assert f"kept the sheet holding unimported decisions as {backups[0]}" in out
    assert backups[0].read_bytes() == filled
    assert sheet.read_bytes() != filled
    # The backup imports as r1's sheet (reviewer and stage from its name and folder).
    assert _screen("import", str(backups[0])) == 0
    assert [r["study_id"] for r in read_csv(_ledger(proj))] == ["st-a", "st-b"]


def test_a_sheet_whose_decisions_are_imported_is_regenerated(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _screen("sheet", "--reviewer", "r1") == 0
    sheet = proj / "data" / "screening_sheets" / "title_abstract" / "r1.xlsx"
    _fill(sheet, {"st-a": ("include", "", "=HYPERLINK(1)")})
    assert _screen("import", str(sheet)) == 0
    assert _screen("sheet", "--reviewer", "r1") == 0  # nothing unimported: no refusal
    assert not list(sheet.parent.glob("*.backup-*"))
    assert "st-a" not in {r["study_id"] for r in read_csv(sheet.with_suffix(".csv"))}


def test_a_filled_csv_sheet_and_a_filled_conflicts_sheet_are_kept_too(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _screen("sheet", "--reviewer", "r2") == 0
    csv_sheet = Path("data/screening_sheets/title_abstract/r2.csv")
    text = csv_sheet.read_text(encoding="utf-8").replace("st-a,,,", "st-a,include,,")
    csv_sheet.write_text(text, encoding="utf-8")
    assert _screen("sheet", "--reviewer", "r2") == DATA_ERROR
    assert f"{csv_sheet}, row 2: st-a include" in capsys.readouterr().err
    assert csv_sheet.read_text(encoding="utf-8") == text

    decisions = proj / "data" / "decisions" / "screening"
    write_ledger(decisions, "title_abstract", "r1", [("st-a", "", "include", "", "", T1)])
    write_ledger(
        decisions, "title_abstract", "r2", [("st-a", "", "exclude", "E3-not-indonesia", "", T1)]
    )
    assert _screen("conflicts") == 0
    conflicts = proj / "data" / "screening_sheets" / "title_abstract" / "_conflicts.xlsx"
    _fill(conflicts, {"st-a": ("include", "", "settled")})
    assert _screen("conflicts") == DATA_ERROR
    err = capsys.readouterr().err
    assert "review screen import" in err
    assert "--reviewer RESOLVER" in err
    assert _screen("import", str(conflicts), "--reviewer", "adj") == 0
    assert _screen("conflicts") == 0  # imported: the sheet may be rewritten


def test_xlsx_shows_the_stages_criteria_and_the_operational_definitions(proj: Path) -> None:

    path = proj / "config" / "protocol.yaml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    data["definitions"] = [
        {
            "id": "D1",
            "term": "MSME beneficiary",
            "text": "A micro, small or medium enterprise that  receives the support.",
            "criteria": ["E4-not-digital"],
        },
        {"id": "D2", "term": "=cmd|' /C calc'!A0", "text": "A hostile term stays text."},
    ]
    path.write_text(dump_yaml(data, allow_unicode=True), encoding="utf-8")
    assert _screen("sheet", "--reviewer", "r1") == 0
    wb = load_workbook(proj / "data" / "screening_sheets" / "title_abstract" / "r1.xlsx")
    criteria = [[c.value for c in row] for row in wb["criteria"].iter_rows()]
    assert criteria[0] == ["code", "label", "description", "definitions"]
    by_code = {row[0]: row for row in criteria[1:]}
    # the codes a reviewer may give at this stage, each with the definitions that apply
    assert set(by_code) == {"E3-not-indonesia", "E4-not-digital", "E1-year", "E2-language"}
    assert by_code["E4-not-digital"][3] == "D1"
    assert by_code["E3-not-indonesia"][3] is None
    definitions = [[c.value for c in row] for row in wb["definitions"].iter_rows()]
    assert definitions == [
        ["id", "term", "text", "criteria"],
        [
            "D1",
            "MSME beneficiary",
            "A micro, small or medium enterprise that receives the support.",
            "E4-not-digital",
        ],
        ["D2", safe_cell("=cmd|' /C calc'!A0"), "A hostile term stays text.", None],
    ]
    # the decisions sheet is still the first one, so a filled workbook imports as before
    assert wb.worksheets[0].title == "screening"


def test_without_definitions_there_is_no_definitions_sheet(proj: Path) -> None:
    assert _screen("sheet", "--reviewer", "r1") == 0
    wb = load_workbook(proj / "data" / "screening_sheets" / "title_abstract" / "r1.xlsx")
    assert "definitions" not in wb.sheetnames
    assert "criteria" in wb.sheetnames
