from __future__ import annotations

import csv
from pathlib import Path

import pytest

from review.errors import InputFormatError
from review.records import sha256_file
from review.sources.corpus_csv import read_collection

SNAPSHOT = Path("data/raw/websites/umkm_web/2026-11-collection/records.csv")


def test_committed_snapshot_reads_every_sighting_with_provenance(
    repo_root: Path, monkeypatch
) -> None:
    monkeypatch.chdir(repo_root)
    records = read_collection(SNAPSHOT, source_id="umkm_web")
    with SNAPSHOT.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(records) == len(rows)
    first = records[0]
    assert first.record_id == f"umkm_web:{rows[0]['sighting_id']}"
    assert first.doi == rows[0]["doi"].lower()
    assert first.found_at == rows[0]["found_at"]
    assert first.prov_sha256 == sha256_file(SNAPSHOT)
    assert first.prov_position == 1
    assert first.run_id == "2026-11-collection"
    # The team's summary is never passed off as the abstract, and the truth never leaks.
    assert all(r.abstract == "" for r in records)
    assert first.summary == rows[0]["summary_by_project"]
    assert all("work_key" not in r.notes for r in records)
    with_authors = [r for r in records if r.authors]
    assert all(isinstance(r.authors, list) for r in with_authors)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run" / "records.csv"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "sighting_id,title,authors,year,found_at,doi\n"


def test_bad_year_names_file_line_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + 'S1,T,"A, B",2020,u,\nS2,T2,"C, D",circa,u,\n')
    with pytest.raises(InputFormatError, match=r"records.csv, line 3, field 'year': year 'circa'"):
        read_collection(path, source_id="w")


def test_missing_column_and_repeated_id(tmp_path: Path) -> None:
    path = _write(tmp_path, "sighting_id,title\nS1,T\n")
    with pytest.raises(
        InputFormatError, match=r"line 1: missing column\(s\) authors, year, found_at"
    ):
        read_collection(path, source_id="w")
    path.write_text(HEADER + "S1,T,,,u,\nS1,T,,,u,\n", encoding="utf-8")
    with pytest.raises(
        InputFormatError, match=r"line 3, field 'sighting_id': sighting_id 'S1' repeats line 2"
    ):
        read_collection(path, source_id="w")


def test_untitled_rows_and_bad_dois_are_kept_and_flagged(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "S1,,,2020,u,not-a-doi\n")
    (rec,) = read_collection(path, source_id="w")
    assert rec.title == ""
    assert rec.doi == ""
    assert "unusable DOI 'not-a-doi'" in rec.notes
    assert "no title" in rec.notes


def test_non_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "r" / "records.csv"
    path.parent.mkdir()
    path.write_bytes(HEADER.encode() + "S1,Caf\xe9,,,u,\n".encode("latin-1"))
    with pytest.raises(InputFormatError, match="not UTF-8"):
        read_collection(path, source_id="w")
