"""Reading sheets people filled (issue 20 item 10; review.decisions.read_rows, and the
detection helpers of review.spreadsheet): line breaks in notes, semicolon CSVs from European and
Indonesian Excel, damaged and hostile workbooks."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from screening_helpers import project, read_csv

from review.cli import main
from review.decisions import read_rows, text
from review.errors import DecisionError
from review.exitcodes import DATA_ERROR
from review.screening.ledger import read_ledger_file
from review.spreadsheet import sniff_delimiter

NOTE = "first line\nsecond line; with a semicolon"


def test_a_multi_line_note_stays_one_cell_with_its_breaks(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(f'study_id,decision,note\nst-a,include,"{NOTE}"\nst-b,exclude,\n', "utf-8")
    _header, rows = read_rows(path)
    assert [cells["note"] for _n, cells in rows] == [NOTE, ""]
    assert [n for n, _cells in rows] == [2, 3]  # spreadsheet rows, not text lines


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("study_id;decision;note\nst-a;include;ok, fine\n", ";"),
        ("study_id,decision,note\nst-a,include,ok; fine\n", ","),
        ("study_id\tdecision\nst-a\tinclude\n", "\t"),
        ('"study_id;x",decision\nst-a,include\n', ","),  # a quoted header cell
        ("study_id\nst-a\n", ","),
    ],
)
def test_the_separator_is_detected_from_the_header(text: str, delimiter: str) -> None:
    assert sniff_delimiter(text) == delimiter


def test_excel_sep_line_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("sep=;\nstudy_id;decision\nst-a;include\n", encoding="utf-8")
    assert read_rows(path)[1] == [(2, {"study_id": "st-a", "decision": "include"})]


def _workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "screening"
    ws.append(["study_id", "decision"])
    ws.append(["st-a", "include"])
    wb.save(path)
    return path


def test_a_truncated_workbook_is_a_message(tmp_path: Path) -> None:
    data = _workbook(tmp_path / "ok.xlsx").read_bytes()
    for cut in (len(data) // 2, len(data) - 30, 100):
        bad = tmp_path / "cut.xlsx"
        bad.write_bytes(data[:cut])
        with pytest.raises(DecisionError, match=r"cut\.xlsx: not a readable XLSX workbook"):
            read_rows(bad)


def test_a_workbook_with_an_entity_attack_is_refused(tmp_path: Path) -> None:
    good = _workbook(tmp_path / "ok.xlsx")
    bad = tmp_path / "lol.xlsx"
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8").split("?>", 1)[-1]  # any declaration goes first
                assert "include" in text
                text = text.replace("include", "&lol2;")
                data = (bomb + text).encode("utf-8")
            zout.writestr(item, data)
    with pytest.raises(DecisionError, match=r"lol\.xlsx: not a readable XLSX workbook"):
        read_rows(bad)


def test_other_workbooks_and_encodings_are_named(tmp_path: Path) -> None:
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DecisionError, match=r"old\.xls: \.xls workbooks cannot be read; save it"):
        read_rows(tmp_path / "old.xls")
    (tmp_path / "latin.csv").write_bytes("study_id,note\nst-a,caf\xe9\n".encode("latin-1"))
    with pytest.raises(DecisionError, match=r"latin\.csv: not UTF-8 text \(byte 22\)"):
        read_rows(tmp_path / "latin.csv")


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = project(tmp_path / "p")
    monkeypatch.chdir(root)
    return root


def test_a_semicolon_sheet_with_a_multi_line_note_imports_intact(proj: Path) -> None:
    """Was refused as "no 'decision' column"; and a note lost its line breaks."""
    sheet = proj / "r1.csv"
    sheet.write_text(
        "\ufeffstudy_id;decision;reason;note\n"
        f'st-a;include;;"{NOTE}"\n'
        "st-b;exclude;E3-not-indonesia, E4-not-digital;\n",
        encoding="utf-8",
    )
    assert main(["screen", "import", str(sheet), "--reviewer", "r1"]) == 0
    ledger = proj / "data" / "decisions" / "screening" / "title_abstract" / "r1.csv"
    rows = read_ledger_file(
        ledger, stage="title_abstract", reasons=["E3-not-indonesia", "E4-not-digital"]
    )
    assert [(r.study_id, r.decision, r.reason, r.note) for r in rows] == [
        ("st-a", "include", "", NOTE),
        ("st-b", "exclude", "E3-not-indonesia; E4-not-digital", ""),
    ]
    assert read_csv(ledger)[0]["note"] == NOTE


@pytest.mark.parametrize("kind", ["truncated", "not a zip"])
def test_importing_a_broken_workbook_is_a_message_not_a_traceback(
    proj: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _workbook(proj / "ok.xlsx").read_bytes()
    sheet = proj / "r1.xlsx"
    sheet.write_bytes(data[: len(data) // 3] if kind == "truncated" else b"hello")
    assert main(["screen", "import", str(sheet), "--reviewer", "r1"]) == DATA_ERROR
    err = capsys.readouterr().err
    assert "r1.xlsx: not a readable XLSX workbook" in err
    assert "Traceback" not in err


def test_workbook_cells_come_back_as_text(tmp_path: Path) -> None:
    import datetime as dt

    wb = Workbook()
    ws = wb.active
    ws.append(["study_id", "when", "n", "share", "empty", None])
    ws.append(["st-a", dt.datetime(2026, 11, 30, 7, 0), 25.0, 0.5, None, "stray"])
    wb.save(tmp_path / "w.xlsx")
    _header, ((n, cells),) = read_rows(tmp_path / "w.xlsx", sheet="not there: the first sheet")
    assert n == 2
    assert {k: text(v) for k, v in cells.items() if k is not None} == {
        "study_id": "st-a",
        "when": "2026-11-30T07:00:00",
        "n": "25",
        "share": "0.5",
        "empty": "",
    }
    assert cells[None] == ["stray"]  # a value under no header is kept for the caller to refuse


def test_a_csv_no_reader_can_read_is_named(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text('study_id,note\nst-a,"unclosed\n', encoding="utf-8")
    _header, rows = read_rows(path)  # an unclosed quote runs to the end: one cell, no error
    assert rows[0][1]["note"] == "unclosed\n"
    path.write_text("study_id,note\nst-a," + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(DecisionError, match=r"huge\.csv, line 2: not readable as CSV \(field"):
        read_rows(path)
    with pytest.raises(DecisionError, match=r"missing\.csv: file not found"):
        read_rows(tmp_path / "missing.csv")
