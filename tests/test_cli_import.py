"""``review import``: the command writes one records table, or nothing at all."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from review.cli import build_parser, main
from review.exitcodes import DATA_ERROR
from review.records import RECORD_COLUMNS, read_records

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"


def test_import_is_listed_in_help() -> None:
    assert "import" in build_parser().format_help()


def test_import_writes_records_and_prints_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "interim" / "records.csv"
    files = [FIXTURES / "scopus.csv", FIXTURES / "no_title.ris", FIXTURES / "latex_accents.bib"]
    code = main(["import", *map(str, files), "-o", str(out), "--source-id", "mine"])
    assert code == 0
    records = read_records(out)
    assert len(records) == 6
    assert {r.source_id for r in records} == {"mine"}
    assert out.read_text(encoding="utf-8").splitlines()[0] == ",".join(RECORD_COLUMNS)
    printed = capsys.readouterr().out
    assert "scopus.csv: 2 records (scopus_csv, utf-8-sig)" in printed
    assert "no_title.ris: 2 records (ris, utf-8, 1 without a title)" in printed
    assert "wrote 6 records to" in printed


def test_default_source_id_is_each_file_name(tmp_path: Path) -> None:
    src = tmp_path / "Scopus Export-2026.csv"
    shutil.copy(FIXTURES / "scopus.csv", src)
    out = tmp_path / "records.csv"
    assert main(["import", str(src), str(FIXTURES / "zotero.csv"), "-o", str(out)]) == 0
    ids = [r.record_id for r in read_records(out)]
    assert ids == [
        "scopus_export_2026:2-s2.0-85200000001",
        "scopus_export_2026:2-s2.0-85200000002",
        "zotero:8KQ2ZB4D",
    ]


def test_a_bad_file_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "records.csv"
    out.write_text("old,content\n", encoding="utf-8")
    bad = FIXTURES / "junk_between_records.ris"
    code = main(["import", str(FIXTURES / "scopus.csv"), str(bad), "-o", str(out)])
    assert code == DATA_ERROR
    err = capsys.readouterr().err
    assert "review import: error:" in err
    assert "junk_between_records.ris, line 7: text 'Query: UMKM" in err
    assert out.read_text(encoding="utf-8") == "old,content\n"
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_forced_format_that_does_not_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "records.csv"
    code = main(["import", str(FIXTURES / "zotero.csv"), "-o", str(out), "--format", "ris"])
    assert code == DATA_ERROR
    err = capsys.readouterr().err
    assert "zotero.csv, line 1: read as RIS (ris), but this looks like CSV: give the format" in err
    assert 'stopped at line 1: text \'"Key","Item Type"' in err
    assert not out.exists()


def test_unknown_format_choice_is_rejected_by_the_parser(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["import", str(FIXTURES / "zotero.csv"), "-o", str(tmp_path / "r.csv"),
              "--format", "refworks"])  # fmt: skip


def test_output_that_is_a_folder_gets_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["import", str(FIXTURES / "zotero.csv"), "-o", str(tmp_path)])
    assert code == DATA_ERROR
    err = capsys.readouterr().err
    assert f"review import: error: -o {tmp_path} is a folder; give the file to write" in err
    assert "Traceback" not in err


def test_empty_export_is_refused_unless_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "scopus.ris"
    empty.write_bytes(b"")
    out = tmp_path / "records.csv"
    assert main(["import", str(empty), "-o", str(out)]) == DATA_ERROR
    err = capsys.readouterr().err
    assert f"review import: warning: {empty}: no records in this file" in err
    assert "error: no records in" in err
    assert "--allow-empty" in err
    assert not out.exists()
    assert main(["import", str(empty), "-o", str(out), "--allow-empty"]) == 0
    assert read_records(out) == []
    assert "wrote 0 records" in capsys.readouterr().out


def test_warnings_are_printed_and_the_records_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "records.csv"
    assert main(["import", str(FIXTURES / "numbered_records.ris"), "-o", str(out)]) == 0
    assert len(read_records(out)) == 2
    captured = capsys.readouterr()
    assert "review import: warning: " in captured.err
    assert "numbered_records.ris: lines 1, 4, 19" in captured.err
    assert "numbered_records.ris: 2 records (ris, utf-8)" in captured.out


def test_every_new_format_imports_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "records.csv"
    files = ["wos_plain.txt", "wos_tab_utf16.txt", "pubmed.nbib", "endnote_tagged.enw"]
    assert main(["import", *(str(FIXTURES / f) for f in files), "-o", str(out)]) == 0
    records = read_records(out)
    assert len(records) == 9
    assert {r.source_id for r in records} == {
        "wos_plain", "wos_tab_utf16", "pubmed", "endnote_tagged",
    }  # fmt: skip
