from __future__ import annotations

from pathlib import Path

import pytest

from review.errors import SchemaError
from review.records import (
    RECORD_COLUMNS,
    Record,
    clean_text,
    fingerprint,
    normalise_doi,
    normalise_title,
    parse_year,
    read_records,
    study_id_for,
    write_records,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10.18196/JKM.12380", "10.18196/jkm.12380"),
        ("https://doi.org/10.18196/jkm.12380", "10.18196/jkm.12380"),
        ("http://dx.doi.org/10.1016/S0048-9697(99)00312-5", "10.1016/s0048-9697(99)00312-5"),
        ("doi: 10.1234/ABC;", "10.1234/abc"),
        ("https://doi.org/10.1000/a%2Fb", "10.1000/a/b"),
        ("  10.1234/x.  ", "10.1234/x"),
        ("not a doi", ""),
        ("10.12/too-short-prefix", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_doi(raw: str | None, expected: str) -> None:
    assert normalise_doi(raw) == expected


def test_clean_text_strips_jats_html_and_entities() -> None:
    raw = (
        "<jats:title>Abstract</jats:title>"
        "<jats:p>UMKM &amp; <i>digital</i>\u00a0go  online</jats:p>"
    )
    assert clean_text(raw) == "UMKM & digital go online"
    assert clean_text("bagi <i>UMKM</i>.") == "bagi UMKM."
    assert clean_text("Going <digital>: a study") == "Going <digital>: a study"


def test_normalise_title_folds_case_accents_and_punctuation() -> None:
    assert normalise_title("Pemberdayaan UMKM: Go-Digital!") == "pemberdayaan umkm go digital"
    assert normalise_title("Café Économie") == "cafe economie"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2021", 2021),
        ("Vol. 5 (2024)", 2024),
        (2019, 2019),
        ("n.d.", None),
        ("3021", None),
        ("", None),
    ],
)
def test_parse_year(raw: object, expected: int | None) -> None:
    assert parse_year(raw) == expected


def test_fingerprint_prefers_doi_then_title_and_year() -> None:
    assert fingerprint("https://doi.org/10.1234/AB", "x", 2020) == "doi:10.1234/ab"
    assert (
        fingerprint("", "Pelatihan  Literasi Digital.", 2023)
        == "title:pelatihan literasi digital|2023"
    )
    assert fingerprint(None, "Title", None) == "title:title|"
    # untitled records without a DOI must never share a fingerprint
    assert fingerprint(None, "", 2025) == ""
    assert fingerprint(None, "  ...  ", None) == ""


def test_study_id_is_stable_and_distinct() -> None:
    assert study_id_for("umkm_web:S001") == study_id_for("umkm_web:S001")
    assert study_id_for("umkm_web:S001") != study_id_for("umkm_web:S002")
    assert study_id_for("umkm_web:S001").startswith("st-")


def test_records_round_trip_keeps_lists_and_types(tmp_path: Path) -> None:
    rec = Record(
        record_id="x:1",
        source_id="x",
        title="A, b",
        authors=["Sunuantari, Manik", "Zarkasi, Irwa R."],
        keywords=["UMKM", "digital literacy"],
        year=2021,
        prov_position=3,
    )
    path = tmp_path / "records.csv"
    write_records(path, [rec])
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert tuple(header) == RECORD_COLUMNS
    (back,) = read_records(path)
    assert back == rec


def test_read_records_names_line_and_field_of_a_bad_year(tmp_path: Path) -> None:
    path = tmp_path / "records.csv"
    path.write_text(
        "record_id,source_id,title,year\nx:1,x,T,2020\nx:2,x,T,twenty\n", encoding="utf-8"
    )
    with pytest.raises(
        SchemaError, match=r"line 3: field 'year' is 'twenty'; expected a whole number"
    ):
        read_records(path)


def test_read_records_rejects_missing_columns_and_repeated_ids(tmp_path: Path) -> None:
    path = tmp_path / "records.csv"
    path.write_text("id,title\n1,T\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="missing column"):
        read_records(path)
    path.write_text("record_id,source_id,title\nx:1,x,A\nx:1,x,B\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"line 3: record_id 'x:1' repeats line 2"):
        read_records(path)
