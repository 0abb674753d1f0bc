"""Importers: format detection, every reader on a real-shaped fixture per quirk, real exports.

Fixtures in ``tests/fixtures/imports/`` are tiny files written for these tests (see the README
there); the real exports in ``../shared`` are read in place and skipped when absent.
"""

from __future__ import annotations

import io
import random
import re
import shutil
from pathlib import Path

import pytest

from review.errors import InputFormatError, ReviewError, UnknownFormatError
from review.importers import (
    SUPPORTED_FORMATS,
    detect_format,
    import_file,
    read_file,
    read_files,
)
from review.records import Record, sha256_file
from review.sources.corpus_csv import read_collection
from review.sources.export_record import name_separator, split_names, surname_first

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def fixture(name: str) -> Path:
    return FIXTURES / name


def read(name: str, **kw) -> list[Record]:
    return read_file(fixture(name), source_id="t", **kw)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


# --------------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("pop_google_scholar_bom.ris", "ris"),
        ("zotero_crlf.ris", "ris"),
        ("scopus_missing_er.ris", "ris"),
        ("pop_scopus_repeated_tags.ris", "ris"),
        ("endnote_cp1252.ris", "ris"),
        ("no_title.ris", "ris"),
        ("latex_accents.bib", "bibtex"),
        ("scopus.bib", "bibtex"),
        ("endnote.xml", "endnote_xml"),
        ("scopus.csv", "scopus_csv"),
        ("publish_or_perish.csv", "pop_csv"),
        ("garuda_semicolon.csv", "garuda_csv"),
        ("garuda_english.csv", "garuda_csv"),
        ("zotero.csv", "csv"),
        ("wos_plain.txt", "wos"),
        ("wos_tab_utf16.txt", "wos_tab"),
        ("pubmed.nbib", "medline"),
        ("endnote_tagged.enw", "endnote_tagged"),
        ("numbered_records.ris", "ris"),
    ],
)
def test_detect_format_by_content(name: str, fmt: str) -> None:
    assert detect_format(fixture(name)) == fmt


def test_content_wins_over_a_misleading_extension(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    shutil.copy(fixture("zotero_crlf.ris"), path)
    assert detect_format(path) == "ris"
    assert len(read_file(path, source_id="t")) == 2


def test_extension_decides_when_the_content_does_not(tmp_path: Path) -> None:
    # An export of zero hits is empty: the name says what it is, and it holds no records.
    assert detect_format(write(tmp_path, "empty.ris", "")) == "ris"
    assert read_file(tmp_path / "empty.ris", source_id="t") == []
    assert detect_format(write(tmp_path, "refs.bib", "% nothing yet\n")) == "bibtex"


def test_unknown_format_lists_the_supported_formats(tmp_path: Path) -> None:
    path = write(tmp_path, "hits.json", '{"results": []}')
    with pytest.raises(
        UnknownFormatError,
        match=r"hits\.json: cannot tell the export format.*supported formats: ris \(RIS\), "
        r"bibtex \(BibTeX\), endnote_xml \(EndNote XML\)|hits\.json: cannot tell",
    ) as info:
        detect_format(path)
    for fmt in ("ris", "bibtex", "endnote_xml", "scopus_csv", "pop_csv", "garuda_csv", "csv"):
        assert fmt in str(info.value)


def test_unsupported_format_name_is_refused() -> None:
    with pytest.raises(UnknownFormatError, match=r"format 'refworks' is not supported; supported "
                       r"formats: auto, endnote_xml"):  # fmt: skip
        read("zotero_crlf.ris", fmt="refworks")


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "library.enl", b"\x00\x01ENDNOTE\x00\x00" * 10)
    with pytest.raises(UnknownFormatError, match=r"library\.enl, line 1: binary file"):
        read_file(path, source_id="t")


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputFormatError, match=r"nowhere\.ris: file not found"):
        read_file(tmp_path / "nowhere.ris", source_id="t")


def test_source_id_must_be_usable_in_record_ids() -> None:
    with pytest.raises(ReviewError, match=r"source id 'my source' must be letters"):
        read_file(fixture("no_title.ris"), source_id="my source")


def test_every_supported_format_has_a_reader() -> None:
    assert set(SUPPORTED_FORMATS) == {
        "ris", "bibtex", "endnote_xml", "scopus_csv", "pop_csv", "garuda_csv", "csv", "corpus_csv",
        "wos", "wos_tab", "medline", "endnote_tagged",
    }  # fmt: skip


# --------------------------------------------------------------------------------------------
# RIS quirks
# --------------------------------------------------------------------------------------------


def test_ris_with_bom_keeps_its_first_record() -> None:
    records = read("pop_google_scholar_bom.ris")
    assert [r.title for r in records] == [
        "R-TIK Digital Literacy towards Indonesian MSMEs (UMKM) Digital Energy of Asia",
        "Implementasi program digital marketing pada pelaku UMKM di masa pandemi Covid-19",
    ]
    first = records[0]
    assert first.authors == ["Sunuantari, M", "Zarkasi, IR", "Gunawan, I"]
    assert first.year == 2021  # "PY  - 2021///"
    assert first.doi == "10.18196/jkm.12380"
    assert first.venue == "Jurnal Komunikator"
    assert first.database == "Google Scholar"  # told by the cites link in M1
    assert first.notes == "query date 2026-11-20 09:14:02"
    assert records[1].doi == ""


def test_ris_with_crlf_line_ends() -> None:
    result = import_file(fixture("zotero_crlf.ris"), source_id="t")
    assert result.encoding == "utf-8"
    first, second = result.records
    assert first.abstract == (
        "Artikel ini membahas pemberdayaan masyarakat melalui pendidikan nonformal."
    )
    assert "\r" not in first.title + first.abstract
    assert first.pages == "75-96"
    assert first.keywords == ["community empowerment", "non formal education"]
    assert first.language == "id"
    assert second.language == "id"  # "LA  - Indonesian"
    assert second.doi == "10.17977/um045v6i2p084"  # "https://doi.org/10.17977/UM045V6I2P084"


def test_ris_last_record_without_er_is_kept() -> None:
    records = read("scopus_missing_er.ris")
    assert len(records) == 2
    assert records[1].title.startswith("ERP-Based Management Information System")
    # Scopus has no ID tag; its EID sits in the record link and is the stable id.
    assert [r.record_id for r in records] == ["t:2-s2.0-85200000001", "t:2-s2.0-85200000002"]
    assert records[0].abstract.endswith("adopt digital technologies and what hinders them.")
    assert records[0].keywords == ["Digital transformation", "MSMEs", "Indonesia"]
    assert records[0].database == "Scopus"
    assert records[0].language == "en"
    assert (records[0].notes, records[1].notes) == ("", "no 'ER' line ends this record")


def test_ris_record_without_er_in_the_middle_ends_at_the_next_ty(tmp_path: Path) -> None:
    text = "TY  - JOUR\nTI  - First\nTY  - JOUR\nTI  - Second\nER  - \n"
    first, second = read_file(write(tmp_path, "cut.ris", text), source_id="t")
    assert (first.title, first.notes) == ("First", "no 'ER' line ends this record")
    assert (second.title, second.notes) == ("Second", "")


def test_ris_repeated_tags_and_authors_at_the_end() -> None:
    (record,) = read("pop_scopus_repeated_tags.ris")
    assert record.doi == "10.54371/jiip.v8i4.7609"
    assert "several DOIs in the export" in record.notes
    assert record.authors == ["Neka, D. R.", "Akbar, R. S.", "Prabadhi, I. A."]
    assert record.doc_type == "journal article"  # non-standard "TY  - Article"
    assert record.year == 2025
    assert record.url == "https://api.elsevier.com/content/abstract/scopus_id/85200000003"


def test_ris_in_cp1252_is_decoded() -> None:
    result = import_file(fixture("endnote_cp1252.ris"), source_id="t")
    assert result.encoding == "cp1252"
    (record,) = result.records
    assert record.abstract == (
        "Surabaya\u2019s Pejuang Muda programme \u2013 collaborative policy for MSMEs, "
        "from the caf\u00e9 to the market."
    )
    assert record.record_id == "t:17"  # EndNote's ID tag
    assert record.venue == "Sosial: Jurnal Ilmiah Pendidikan IPS"  # JO
    assert record.year == 2025  # Y1


def test_ris_record_without_title_is_kept_and_flagged() -> None:
    records = read("no_title.ris")
    assert len(records) == 2
    untitled = records[1]
    assert untitled.title == ""
    assert untitled.notes == "no title in the export"
    assert untitled.authors == ["Mustopa"]
    assert untitled.year is None  # "n.d." is no year, and not worth a note
    assert untitled.prov_position == 2


def test_ris_text_between_records_is_refused_with_its_line() -> None:
    with pytest.raises(
        InputFormatError,
        match=r"junk_between_records\.ris, line 7: text 'Query: UMKM AND \(digital OR daring\)"
        r" -- 2026-11-20' after record 1",
    ):
        read("junk_between_records.ris")


def test_ris_tag_outside_a_record_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "cut.ris", "TY  - JOUR\nTI  - One\nER  - \nAU  - Orphan, A\n")
    with pytest.raises(InputFormatError, match=r"cut\.ris, line 4, record 2: tag AU outside"):
        read_file(path, source_id="t")


def test_ris_service_preamble_is_allowed(tmp_path: Path) -> None:
    text = (
        'Provider: Elsevier\nDatabase: ScienceDirect\nContent: text/plain; charset="UTF-8"\n\n'
        "TY  - JOUR\nTI  - One\nER  - \n"
    )
    assert [r.title for r in read_file(write(tmp_path, "sd.ris", text), source_id="t")] == ["One"]


# --------------------------------------------------------------------------------------------
# BibTeX, EndNote XML
# --------------------------------------------------------------------------------------------


def test_bibtex_latex_is_decoded_and_names_are_surname_first() -> None:
    first, second = read("latex_accents.bib")
    assert first.record_id == "t:sunuantari2021rtik"
    assert first.title == (
        "R-TIK Digital Literacy towards Indonesian MSMEs (UMKM) Digital Energy of Asia"
    )
    assert first.venue == "Jurnal Komunikator"  # from the @string macro
    assert first.doi == "10.18196/jkm.12380"
    assert first.keywords == ["Digital Literacy", "R-TIK", "UMKM Go Online"]
    assert first.language == "en"
    assert second.title == "Klinik UMKM: Mentoring Caf\u00e9 Owners in Surabaya"
    assert second.authors == [
        "M\u00fcller, J\u00f6rg",
        "Garc\u00eda, Jos\u00e9",
        "Effendi, Bahtiar",
    ]
    assert second.pages == "75-96"
    assert second.doc_type == "conference paper"
    assert "business clinic" in second.abstract
    assert "\\" not in second.abstract
    assert "{" not in second.abstract


def test_scopus_bibtex_uses_the_eid_like_scopus_ris_and_csv() -> None:
    (record,) = read("scopus.bib")
    assert record.record_id == "t:2-s2.0-85200000001"
    assert (
        record.record_id
        == read("scopus.csv")[0].record_id
        == read("scopus_missing_er.ris")[0].record_id
    )
    assert (
        record.title
        == "Digital transformation of MSMEs in Indonesia: A systematic literature review"
    )
    assert record.pages == "283-301"
    assert record.keywords == ["Digital transformation", "MSMEs", "Indonesia"]
    assert (record.database, record.language) == ("Scopus", "en")


def test_bibtex_addresses_are_not_latex(tmp_path: Path) -> None:
    """Zotero and JabRef write a URL as it is: its ``&`` and ``%`` are no LaTeX (decoded, the
    first became a space and the second cut the rest off as a comment)."""
    text = (
        "@article{kim_2021,\n"
        "\ttitle = {Digital {Literacy} of {SMEs} \\& {Owners}},\n"
        "\turl = {https://koreascience.or.kr/article/JAKO2021.page?&lang=ko&q=a%20b},\n"
        "\tdoi = {10.1000/x_y},\n"
        "\tfile = {Full Text PDF:files/12/Kim%20et%20al.pdf:application/pdf},\n"
        "}\n"
    )
    (record,) = read_file(write(tmp_path, "zotero.bib", text), source_id="t")
    assert record.url == "https://koreascience.or.kr/article/JAKO2021.page?&lang=ko&q=a%20b"
    assert record.doi == "10.1000/x_y"
    assert record.title == "Digital Literacy of SMEs & Owners"  # text is still LaTeX


def test_bibtex_names_in_braces_are_organisations_in_their_place(tmp_path: Path) -> None:
    """A corporate author is written in braces (Zotero, JabRef, ``review export``): one name,
    its "and" no separator, kept as written where it stands; people are split into parts
    before their LaTeX is decoded, as BibTeX reads them."""
    text = (
        "@techreport{eria_2019,\n"
        "\ttitle = {Study on MSMEs Participation in the Digital Economy in ASEAN},\n"
        "\tauthor = {Garc\\'ia, Jos\\'e and {Economic Research Institute for ASEAN and East Asia}"
        ' and {World Bank} and {\\"U}nal, Ay{\\c{s}}e and {Simon \\& Schuster}},\n'
        "}\n"
    )
    (record,) = read_file(write(tmp_path, "eria.bib", text), source_id="t")
    assert record.authors == [
        "Garc\u00eda, Jos\u00e9",
        "Economic Research Institute for ASEAN and East Asia",
        "World Bank",  # in braces: never "Bank, World"
        "\u00dcnal, Ay\u015fe",  # its first brace group is not the whole name
        "Simon & Schuster",
    ]


def test_old_endnote_ris_doi_in_m3(tmp_path: Path) -> None:
    text = (
        "TY  - JOUR\nTI  - One\nM3  - 10.1000/ABC\nER  - \n"
        "TY  - JOUR\nTI  - Two\nM3  - Article\nER  - \n"
    )
    one, two = read_file(write(tmp_path, "old.ris", text), source_id="t")
    assert (one.doi, two.doi, two.notes) == ("10.1000/abc", "", "")


def test_bibtex_parse_failure_names_the_block_line(tmp_path: Path) -> None:
    text = (
        "@article{ok, title={Fine}, year=2020}\n\n"
        "@article{bad,\n  title = {Unclosed\n  year = 2020\n\n"
        "@article{next, title={After}}\n"
    )
    with pytest.raises(
        InputFormatError, match=r"bad\.bib, line 3: BibTeX block '@article\{bad,' cannot be read"
    ):
        read_file(write(tmp_path, "bad.bib", text), source_id="t")


def test_endnote_xml_style_runs_and_missing_titles() -> None:
    first, second = read("endnote.xml")
    assert first.record_id == "t:12"
    assert first.title == (
        "R-TIK Digital Literacy towards Indonesian MSMEs (UMKM) Digital Energy of Asia"
    )
    assert first.doi == "10.18196/jkm.12380"
    assert first.language == "en"
    assert first.keywords == ["Digital Literacy", "UMKM Go Online"]
    assert "Duplicate" not in first.notes + first.title  # benchmark labels never leak
    assert second.title == ""
    assert second.notes == "no title in the export"
    assert second.abstract == "Pelatihan & pendampingan UMKM (< 5 karyawan)."
    assert second.doc_type == "conference paper"


def test_endnote_xml_not_well_formed_names_the_line(tmp_path: Path) -> None:
    text = fixture("endnote.xml").read_text(encoding="utf-8")
    path = write(tmp_path, "cut.xml", text.replace("<title>", "\n\n<title", 1))
    with pytest.raises(
        InputFormatError, match=r"cut\.xml, line 3, record 1: cannot be read as XML"
    ):
        read_file(path, source_id="t")


def test_xml_that_is_not_endnote_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "feed.xml", '<?xml version="1.0"?><rss><channel/></rss>')
    with pytest.raises(InputFormatError, match=r"feed\.xml: no <records><record> elements"):
        read_file(path, source_id="t", fmt="endnote_xml")


# --------------------------------------------------------------------------------------------
# CSV exports
# --------------------------------------------------------------------------------------------


def test_scopus_csv() -> None:
    first, second = read("scopus.csv")
    assert first.record_id == "t:2-s2.0-85200000001"
    assert first.authors == ["Purnomo, Sigit", "Nurmalitasari, Nurmalitasari", "Nurchim, Nurchim"]
    assert first.pages == "283-301"
    assert first.doc_type == "review article"
    assert first.database == "Scopus"
    # Without "Author full names", the short "Surname I." form is used.
    assert second.authors == ["Hasanah, N.", "Saputra, D.I.S.", "Hiiyatin, D.L."]
    assert second.abstract == ""  # "[No abstract available]"
    assert second.pages == "e224"
    assert "article number" in second.notes
    assert second.keywords == ["Enterprise resource planning", "Information management"]


def test_publish_or_perish_csv() -> None:
    first, second = read("publish_or_perish.csv")
    assert first.authors == ["Sunuantari, M", "Zarkasi, IR", "Gunawan, I", "Farhan, RM"]
    assert first.volume == "13"
    assert first.issue == "2"
    assert first.database == "Google Scholar"
    assert first.notes == "query date 2026-11-20 09:14:02"
    assert second.pages == "353-358"
    assert second.doc_type == ""  # PoP's "PDF" is the link type, not the work's


def test_garuda_csv_with_indonesian_headers_and_semicolons() -> None:
    first, second = read("garuda_semicolon.csv")
    assert first.record_id == "t:3900001"  # the Garuda document number in the link
    assert (
        first.title == "Literasi Keuangan Guna Mewujudkan UMKM Berkelanjutan di Era Endemi Covid-19"
    )
    assert first.abstract == "Artikel ini membahas literasi keuangan pelaku UMKM; studi kasus."
    assert first.venue == "Jurnal Karinov"
    assert first.database == "Garuda"
    assert second.authors == ["Rivani, Rivani", "Muftiadi, Anang", "Nirmalasari, Healthy"]


def test_garuda_csv_with_english_headers() -> None:
    (record,) = read("garuda_english.csv")
    assert record.record_id == "t:2000003"
    assert record.authors == ["Sunuantari, Manik", "Zarkasi, Irwa R.", "Gunawan, Imsar"]
    assert record.venue == "Universitas Muhammadiyah Yogyakarta"


def test_generic_csv_zotero_export() -> None:
    (record,) = read("zotero.csv")
    assert record.record_id == "t:8KQ2ZB4D"
    assert record.doc_type == "journal article"
    assert record.pages == "115-127"
    assert record.language == "id"
    assert record.keywords == ["Literasi Digital", "Pemberdayaan"]
    assert "<" not in record.abstract
    assert record.abstract.startswith("Pelatihan literasi digital")


def test_generic_csv_with_short_column_names(tmp_path: Path) -> None:
    text = "TI\tAU\tPY\tSO\tDI\tUT\nA title\tSmith, J; Doe, A\t2020\tA Journal\t10.1000/X\tWOS:1\n"
    (record,) = read_file(write(tmp_path, "wos.tsv", text), source_id="wos")
    assert record.record_id == "wos:WOS:1"
    assert record.authors == ["Smith, J", "Doe, A"]
    assert (record.year, record.venue, record.doi) == (2020, "A Journal", "10.1000/x")


def test_csv_without_a_title_column(tmp_path: Path) -> None:
    path = write(tmp_path, "list.csv", "name,when\nx,2020\n")
    with pytest.raises(
        InputFormatError, match=r"list\.csv, line 1, field 'title': no title column; a CSV export"
    ):
        read_file(path, source_id="t", fmt="csv")


def test_csv_row_with_extra_cells(tmp_path: Path) -> None:
    path = write(
        tmp_path, "ragged.csv", "title,year,doi\nOne,2020,\nTwo, a subtitle,2021,10.1000/x\n"
    )
    with pytest.raises(
        InputFormatError,
        match=r"ragged\.csv, line 3, record 2: row has 4 cells but the header has 3",
    ):
        read_file(path, source_id="t")


def test_csv_with_an_unterminated_quote(tmp_path: Path) -> None:
    path = write(tmp_path, "quote.csv", 'title,year\n"One,2020\n')
    with pytest.raises(InputFormatError, match=r"quote\.csv, line \d+: cannot be read as CSV"):
        read_file(path, source_id="t")


# --------------------------------------------------------------------------------------------
# Ids and provenance
# --------------------------------------------------------------------------------------------


def test_provenance_of_every_record(repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo_root)
    relative = Path("tests/fixtures/imports/no_title.ris")
    records = read_file(repo_root / relative, source_id="t")
    assert {r.prov_file for r in records} == {relative.as_posix()}
    assert {r.prov_sha256 for r in records} == {sha256_file(relative)}
    assert [r.prov_position for r in records] == [1, 2]
    assert {(r.source_id, r.source_kind) for r in records} == {("t", "file")}
    kinds = read_file(relative, source_id="t", source_kind="database", run_id="2026-11")
    assert {(r.source_kind, r.run_id) for r in kinds} == {("database", "2026-11")}


def test_content_ids_are_stable_and_do_not_depend_on_the_path(tmp_path: Path) -> None:
    ids = [r.record_id for r in read("pop_google_scholar_bom.ris")]
    assert all(re.fullmatch(r"t:[0-9a-f]{12}", i) for i in ids)
    assert len(set(ids)) == 2
    moved = tmp_path / "renamed.ris"
    shutil.copy(fixture("pop_google_scholar_bom.ris"), moved)
    assert [r.record_id for r in read_file(moved, source_id="t")] == ids


def test_repeated_record_in_one_file_gets_a_suffix(tmp_path: Path) -> None:
    block = "TY  - JOUR\nTI  - Same work\nAU  - Doe, A\nPY  - 2020\nER  - \n\n"
    records = read_file(write(tmp_path, "twice.ris", block * 2), source_id="t")
    assert records[1].record_id == records[0].record_id + "~2"
    assert records[1].notes == "id repeats record 1 of this file"


def test_read_files_keeps_ids_unique_across_files() -> None:
    results = read_files(
        [fixture("scopus.csv"), fixture("scopus_missing_er.ris")], source_id="scopus"
    )
    ids = [r.record_id for res in results for r in res.records]
    assert ids == [
        "scopus:2-s2.0-85200000001",
        "scopus:2-s2.0-85200000002",
        "scopus:2-s2.0-85200000001~2",
        "scopus:2-s2.0-85200000002~2",
    ]
    assert results[1].records[0].notes == "id also in an earlier file of source scopus"


def test_a_bad_file_among_good_ones_returns_nothing() -> None:
    with pytest.raises(InputFormatError, match="junk_between_records"):
        read_files([fixture("scopus.csv"), fixture("junk_between_records.ris")], source_id="s")


# --------------------------------------------------------------------------------------------
# Real exports, read in place from ../shared
# --------------------------------------------------------------------------------------------


def shared_file(relative: str) -> Path:
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"../shared/{relative} is not available")
    return path


def test_real_publish_or_perish_google_scholar_export() -> None:
    path = shared_file("corpus/umkm/exports/maxi07-getRISInfos__tests_data_importMultiple.ris")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = import_file(path, source_id="pop")
    assert result.format == "ris"
    records = result.records
    assert [r.year for r in records] == [2017, 2019, 2018]
    assert records[0].authors == ["O'Connor, C", "Kelly, S"]
    assert records[0].title.startswith("Facilitating knowledge management through filtered big")
    assert records[0].doi == "10.1108/jkm-08-2016-0357"
    assert records[0].venue == "Journal of Knowledge Management"
    assert [r.database for r in records] == ["Google Scholar"] * 3
    third = records[2]
    assert third.title == "Exploring SME cybersecurity practices in developing countries"
    assert (third.doi, third.abstract) == ("", "")
    assert all(r.notes == "query date 2022-09-25 18:25:59" for r in records)


def test_real_publish_or_perish_scopus_export() -> None:
    path = shared_file("corpus/umkm/exports/maxi07-getRISInfos__tests_data_importSingle.ris")
    assert not path.read_bytes().endswith(b"\n")  # no newline after the final ER
    (record,) = read_file(path, source_id="pop")
    assert record.title.startswith("Identifying digital transformation paths")
    assert record.authors == ["Priyono, Anjar", "Moin, Abdul", "Putri, Vera Nur Aini Oktaviani"]
    assert (record.year, record.volume, record.issue, record.pages) == (2020, "6", "4", "1-22")
    assert record.doi == "10.3390/joitmc6040104"  # DO appears twice with the same value
    assert record.language == "en"
    assert record.doc_type == "journal article"  # "TY  - Article"
    assert record.database == "Scopus"
    assert record.abstract.startswith("The objective of this study was to analyze")
    assert record.notes == "query date 2022-09-25 17:51:36"


@pytest.mark.parametrize(
    ("relative", "n", "n_doi", "first_id", "first_title"),
    [
        (
            "benchmarks/dedup/iebh_deduplicator/copper.xml", 505, 379, "258",
            "Zinc, copper, CD4 T-cell count and some hematological parameters of HIV-infected "
            "subjects in Southern Nigeria",
        ),
        (
            "benchmarks/dedup/iebh_deduplicator/tafenoquine.xml", 179, 156, "19",
            "8-Aminoquinoline Therapy for Latent Malaria",
        ),
        (
            "benchmarks/dedup/sra_rathbone2015/Respiratory_original_endnote.xml", 1988, 0, "2",
            "Perioperative nutritional support in patients undergoing hepatectomy for "
            "hepatocellular carcinoma",
        ),
    ],
)  # fmt: skip
def test_real_endnote_xml_exports(
    relative: str, n: int, n_doi: int, first_id: str, first_title: str
) -> None:
    path = shared_file(relative)
    assert detect_format(path) == "endnote_xml"
    records = read_file(path, source_id="en")
    assert len(records) == n == path.read_bytes().count(b"<record>")
    assert sum(1 for r in records if r.doi) == n_doi
    assert records[0].record_id == f"en:{first_id}"
    assert records[0].title == first_title
    # EndNote record numbers are unique in each library: no id needed a suffix.
    assert len({r.record_id for r in records}) == n
    assert all(r.title and r.year for r in records)
    assert [r.prov_position for r in records] == list(range(1, n + 1))


def test_real_endnote_xml_fields_of_one_record() -> None:
    path = shared_file("benchmarks/dedup/iebh_deduplicator/copper.xml")
    first = read_file(path, source_id="en")[0]
    assert first.authors[0] == "Asemota, E. A."
    assert len(first.authors) == 7
    assert (first.year, first.volume, first.issue, first.pages) == (2018, "7", "1", "53-60")
    assert first.doi == "10.1016/j.imr.2018.01.008"
    assert first.venue == "Integrative Medicine Research"
    assert first.database == "Embase"
    assert "zinc" in first.keywords


def test_bibtex_key_used_twice_is_two_records(tmp_path: Path) -> None:
    text = "@article{k, title={First}, year=2020}\n\n@article{k, title={Caf\\'e}, year=2021}\n"
    records = read_file(write(tmp_path, "twice.bib", text), source_id="b")
    assert [(r.record_id, r.title, r.year) for r in records] == [
        ("b:k", "First", 2020),
        ("b:k~2", "Caf\u00e9", 2021),
    ]


# --------------------------------------------------------------------------------------------
# Names, missing values, DOIs inside text
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "column", "expected"),
    [
        ("Priyono, Anjar; Moin, Abdul", "", ["Priyono, Anjar", "Moin, Abdul"]),
        ("Zuna, R E and Wang, S S", "", ["Zuna, R E", "Wang, S S"]),
        ("C O'Connor, S Kelly", "", ["O'Connor, C", "Kelly, S"]),
        ("Rivani Rivani, Anang Muftiadi", "", ["Rivani, Rivani", "Muftiadi, Anang"]),
        ("Priyono, Anjar, Moin, Abdul", "", ["Priyono, Anjar", "Moin, Abdul"]),
        ("Smith, J. W., 2nd", "", ["Smith, J. W., 2nd"]),
        ("Lewis G. F.", "", ["Lewis, G. F."]),
        ("Mustopa", "", ["Mustopa"]),
        # In a column that elsewhere separates people with " and ", this is one person.
        ("Rodriguez Portal, Jose Antonio", "and", ["Rodriguez Portal, Jose Antonio"]),
        ("Zuna, R E and Wang, S S", "and", ["Zuna, R E", "Wang, S S"]),
        # In a column separated by ";", "and" separates no one: an organisation, as written.
        (
            "Economic Research Institute for ASEAN and East Asia",
            ";",
            ["Economic Research Institute for ASEAN and East Asia"],
        ),
        ("Procter & Gamble; Doe J", "", ["Procter & Gamble", "Doe, J"]),
    ],
)
def test_author_cells(cell: str, column: str, expected: list[str]) -> None:
    names = split_names(cell, column_separator=column)
    assert [surname_first(n) for n in names] == expected


def test_a_column_separated_by_semicolons_keeps_an_organisation_whole(tmp_path: Path) -> None:
    """``review export``'s CSV joins people with "; ": a corporate author alone in its cell
    reads back as one organisation, not split at its "and"."""
    text = (
        "title,authors,year\n"
        "One,Economic Research Institute for ASEAN and East Asia,2019\n"
        "Two,Rahma S; Budi,2020\n"
    )
    one, two = read_file(write(tmp_path, "export.csv", text), source_id="t")
    assert one.authors == ["Economic Research Institute for ASEAN and East Asia"]
    assert two.authors == ["Rahma, S", "Budi"]
    assert name_separator(["A and B", "C"]) == "and"
    assert name_separator(["A and B", "C; D"]) == ";"
    assert name_separator(["A, B"]) == ""


def test_csv_missing_value_markers_and_doi_inside_text(tmp_path: Path) -> None:
    text = (
        "title,author,year,doi,number\n"
        "One,Doe J,2020,NA,NA\n"
        "Two,Roe R,NA,ARTN 106 10.1186/s12933-018-0749-1,3\n"
    )
    one, two = read_file(write(tmp_path, "r_export.csv", text), source_id="r")
    assert (one.doi, one.issue, one.notes) == ("", "", "")
    assert two.doi == "10.1186/s12933-018-0749-1"
    assert two.year is None
    assert two.authors == ["Roe, R"]


def test_real_asysd_csv_in_cp1252() -> None:
    path = shared_file("benchmarks/dedup/asysd_diabetes/labelled_test_set.csv")
    result = import_file(path, source_id="asysd")
    assert (result.format, result.encoding) == ("csv", "cp1252")
    records = result.records
    assert len(records) == 1845
    assert records[0].record_id == "asysd:1"
    assert records[0].title == "Intestinal lipoprotein overproduction in insulin-resistant states"
    assert records[0].doi == "10.1097/mol.0b013e3282ffaf82"
    assert records[1].abstract.endswith("\u00a9 2008 Lippincott Williams & Wilkins Inc.")
    # 1,353 rows carry a DOI cell other than "NA"; two of them are not DOIs (prefix "10.231").
    assert sum(1 for r in records if r.doi) == 1351
    assert sum(1 for r in records if r.notes.startswith("unusable DOI")) == 2
    # The benchmark's labels are not bibliographic data and never reach a record.
    assert not any("In_database" in str(r.to_row()) for r in records)


def test_real_endnote_xml_and_its_csv_export_agree() -> None:
    xml = shared_file("benchmarks/dedup/sra_rathbone2015/Respiratory_original_endnote.xml")
    csv_path = shared_file("benchmarks/dedup/sra_rathbone2015/respiratory_records.csv")

    def key(r: Record) -> tuple:
        return (r.title, r.year, tuple(r.authors), r.venue, r.volume, r.issue, r.pages)

    from_xml = [key(r) for r in read_file(xml, source_id="x")]
    from_csv = [key(r) for r in read_file(csv_path, source_id="c")]
    assert len(from_xml) == len(from_csv) == 1988
    # Same library, two formats (the CSV joins authors with " and " as BibTeX does).
    assert from_xml == from_csv


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("TY - JOUR\nTI - One\nER - \n", r"line 1: text 'TY - JOUR' before the first record; a RIS "
         r"tag is followed by two spaces"),
        ("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\n", r"Web of Science plain text"),
        ("PMID- 12345678\nTI  - One\n", r"MEDLINE \(\.nbib\)"),
    ],
)  # fmt: skip
def test_ris_lookalikes_get_a_hint(tmp_path: Path, text: str, hint: str) -> None:
    with pytest.raises(InputFormatError, match=hint):
        read_file(write(tmp_path, "export.ris", text), source_id="t", fmt="ris")


def test_endnote_xml_on_one_line_names_the_broken_record(tmp_path: Path) -> None:
    text = fixture("endnote.xml").read_text(encoding="utf-8")
    head, _, tail = text.rpartition("<year><style")  # the last <year> is in record 2
    broken = f"{head}<year><styl{tail}"
    assert broken.count("\n") == text.count("\n") == 1
    with pytest.raises(
        InputFormatError, match=r"one_line\.xml, line 1, record 2: cannot be read as XML"
    ):
        read_file(write(tmp_path, "one_line.xml", broken), source_id="t")


def test_website_collection_is_detected_and_read_by_its_own_reader(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo_root)
    snapshot = Path("data/raw/websites/umkm_web/2026-11-collection/records.csv")
    if not snapshot.is_file():
        pytest.skip("the website collection snapshot is not committed")
    assert detect_format(snapshot) == "corpus_csv"
    records = read_file(snapshot, source_id="umkm_web")
    assert records == read_collection(snapshot, source_id="umkm_web")
    assert all(r.found_at for r in records)


# --------------------------------------------------------------------------------------------
# Text other tools write between records: accepted, and reported with its lines
# --------------------------------------------------------------------------------------------


def test_record_numbers_and_record_counters_are_skipped_with_a_warning() -> None:
    result = import_file(fixture("numbered_records.ris"), source_id="t")
    assert [r.title for r in result.records] == [
        "Implementasi Program Digital Marketing pada Pelaku UMKM di Masa Pandemi Covid-19",
        "Pelatihan konten media sosial sebagai upaya branding dan digitalisasi desa",
    ]
    assert result.records[1].authors[0] == "Megasari, Rizza"
    assert result.records[0].pages == "353-358"
    # "Record #1 of 2" (1), "1." (4), and before the second record its counter, the service's
    # lines and its number (19-22); the service lines before the first record are a preamble.
    (warning,) = result.warnings
    assert re.search(r"numbered_records\.ris: lines 1, 4, 19, 20, 21, … \(6 lines\) between "
                     r"records hold record numbers", warning)  # fmt: skip


def test_other_text_between_records_is_still_refused(tmp_path: Path) -> None:
    text = "1.\nTY  - JOUR\nTI  - One\nER  - \n\nSee also the second list\n2.\nTY  - JOUR\n"
    with pytest.raises(
        InputFormatError, match=r"cut\.ris, line 6: text 'See also the second list' after record 1"
    ):
        read_file(write(tmp_path, "cut.ris", text), source_id="t")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("numbers.nbib", "1.\nPMID- 1\nTI  - One.\n\n2.\nPMID- 2\nTI  - Two.\n"),
        ("numbers.enw", "Record #1 of 2\n%0 Journal Article\n%T One\n\nRecord #2 of 2\n"
                        "%0 Journal Article\n%T Two\n"),
        ("numbers.txt", "FN Clarivate Analytics Web of Science\nVR 1.0\n1.\nPT J\nTI One\nER\n\n"
                        "2.\nPT J\nTI Two\nER\n\nEF\n"),
    ],
)  # fmt: skip
def test_record_numbers_in_every_tagged_format(tmp_path: Path, name: str, text: str) -> None:
    result = import_file(write(tmp_path, name, text), source_id="t")
    assert [r.title for r in result.records] == ["One", "Two"]
    assert len(result.warnings) == 1
    assert "between records hold record numbers" in result.warnings[0]


def test_text_between_the_fields_of_a_medline_record_is_refused(tmp_path: Path) -> None:
    text = "PMID- 1\nTI  - One.\nthis line lost its indent\nAB  - Text.\n"
    with pytest.raises(
        InputFormatError,
        match=r"cut\.nbib, line 3, record 1: text 'this line lost its indent' between the fields "
        r"of a record is neither a tag line nor a continuation line",
    ):
        read_file(write(tmp_path, "cut.nbib", text), source_id="t")


def test_blank_rows_between_csv_rows_are_reported(tmp_path: Path) -> None:
    text = "title,year\nOne,2020\n\n,\nTwo,2021\n\n"
    result = import_file(write(tmp_path, "gaps.csv", text), source_id="t")
    assert [r.title for r in result.records] == ["One", "Two"]
    # The trailing blank line after the last row is ordinary and not reported.
    assert result.warnings == [f"{tmp_path / 'gaps.csv'}: blank lines 3, 4 between rows skipped"]


# --------------------------------------------------------------------------------------------
# Web of Science, MEDLINE, EndNote tagged
# --------------------------------------------------------------------------------------------


def test_web_of_science_plain_text() -> None:
    result = import_file(fixture("wos_plain.txt"), source_id="wos")
    assert (result.format, result.encoding, result.warnings) == ("wos", "utf-8-sig", [])
    first, second = result.records
    assert first.record_id == "wos:WOS:000610000000104"
    # Full names (AF) over short ones (AU); one author per continuation line.
    assert first.authors == ["Priyono, Anjar", "Moin, Abdul", "Putri, Vera Nur Aini Oktaviani"]
    # A title wrapped over two lines is one title.
    assert first.title == (
        "Identifying Digital Transformation Paths in the Business Model of SMEs during the "
        "COVID-19 Pandemic"
    )
    assert first.abstract.endswith("with the support of digital technologies.")
    assert (first.year, first.volume, first.issue) == (2020, "6", "4")
    assert (first.pages, first.notes) == ("104", "pages holds the article number")
    assert first.doi == "10.3390/joitmc6040104"
    assert (first.language, first.doc_type, first.database) == (
        "en",
        "journal article",
        "Web of Science",
    )
    # Early access: no PY yet, the early-access year instead, said in the notes.
    assert second.authors == ["Wang, R", "Lin, Z", "Luo, H"]
    assert (second.year, second.notes) == (2018, "early access OCT 2018")
    assert second.doc_type == "journal article"  # "Article; Early Access"


def test_web_of_science_plain_text_keywords_group_authors_and_missing_er(
    tmp_path: Path,
) -> None:
    text = (
        "PT J\nAU Doe, J\nCA Study Group\nTI One\nDE digital literacy; MSMEs;\n   Indonesia\n"
        "ID SMALL BUSINESS\nBP 7\nEP 19\nER\n\nPT J\nTI Two\n"
    )
    one, two = read_file(write(tmp_path, "savedrecs.txt", text), source_id="t")
    assert one.authors == ["Doe, J", "Study Group"]
    assert one.keywords == ["digital literacy", "MSMEs", "Indonesia", "SMALL BUSINESS"]
    assert one.pages == "7-19"
    assert (two.title, two.notes) == ("Two", "no 'ER' line ends this record")


def test_web_of_science_tab_delimited_in_utf16() -> None:
    result = import_file(fixture("wos_tab_utf16.txt"), source_id="wos")
    assert (result.format, result.encoding, result.warnings) == ("wos_tab", "utf-16", [])
    first, second = result.records
    assert first.record_id == "wos:WOS:000620000000357"
    assert first.authors == ["O'Connor, C", "Kelly, S"]
    assert first.title.startswith("Facilitating knowledge management through filtered big data")
    assert (first.year, first.doi, first.database) == (
        2017,
        "10.1108/jkm-08-2016-0357",
        "Web of Science",
    )
    assert second.authors == ["Kabanda, S", "Tanner, M", "Kent, C"]
    assert second.venue == "JOURNAL OF ORGANIZATIONAL COMPUTING AND ELECTRONIC COMMERCE"


def test_pubmed_medline() -> None:
    result = import_file(fixture("pubmed.nbib"), source_id="pubmed")
    assert (result.format, result.warnings) == ("medline", [])
    zhu, penalver, watson = result.records
    assert zhu.record_id == "pubmed:31978945"
    # PubMed's closing period is not part of the title.
    assert zhu.title == "A Novel Coronavirus from Patients with Pneumonia in China, 2019"
    # The article's own DOI, never the DOIs of the comments on it (CIN).
    assert zhu.doi == "10.1056/nejmoa2001017"
    assert "nejme2001126" not in zhu.notes + zhu.doi
    assert len(zhu.authors) == 19
    assert zhu.authors[:2] == ["Zhu, Na", "Zhang, Dingyu"]
    assert zhu.authors[-1] == "China Novel Coronavirus Investigating and Research Team"
    assert (zhu.year, zhu.volume, zhu.issue, zhu.pages) == (2020, "382", "8", "727-733")
    assert zhu.venue == "The New England journal of medicine"
    assert (zhu.language, zhu.doc_type, zhu.database) == ("en", "journal article", "PubMed")
    assert zhu.url == "https://pubmed.ncbi.nlm.nih.gov/31978945/"
    assert penalver.authors[2] == "\u00c1lvarez-Parra, Sergio"
    assert penalver.doi == "10.1073/pnas.2217872120"
    assert penalver.pages == "e2217872120"
    assert penalver.keywords == ["Cretaceous", "amber", "symbiosis"]
    assert penalver.abstract.startswith("Extant terrestrial vertebrates, including birds, have")
    assert penalver.abstract.endswith("such as parasitism or mutualism.")
    # MEDLINE shortens the last page; records without a DOI keep an empty one.
    assert (watson.pages, watson.doi, watson.year) == ("737-738", "", 1953)


def test_medline_translated_title_and_a_record_without_a_blank_line(tmp_path: Path) -> None:
    text = (
        "PMID- 1\nTI  - [Digital literacy of small enterprises].\nTT  - Literasi digital UMKM.\n"
        "PMID- 2\nTI  - Two.\n"
    )
    one, two = read_file(write(tmp_path, "two.nbib", text), source_id="t")
    assert (one.title, one.title_alt) == ("Digital literacy of small enterprises",
                                          "Literasi digital UMKM")  # fmt: skip
    assert one.notes == "English title translated by NLM"
    assert two.record_id == "t:2"


def test_endnote_tagged() -> None:
    result = import_file(fixture("endnote_tagged.enw"), source_id="en")
    assert (result.format, result.encoding, result.warnings) == ("endnote_tagged", "utf-8", [])
    first, second = result.records
    assert first.title == (
        "R-TIK Digital Literacy towards Indonesian MSMEs (UMKM) Digital Energy of Asia"
    )
    assert first.authors == [
        "Sunuantari, Manik", "Zarkasi, Irwa R.", "Gunawan, Imsar", "Farhan, Raihan Muhammad",
    ]  # fmt: skip
    # One keyword per line under a single %K; an abstract wrapped over lines is one text.
    assert first.keywords == ["Digital Literacy", "R-TIK", "UMKM Go Online"]
    assert "\r" not in first.abstract
    assert first.abstract.endswith("small and medium enterprises in Indonesia.")
    assert (first.venue, first.volume, first.issue, first.year) == (
        "Jurnal Komunikator",
        "13",
        "2",
        2021,
    )
    assert (first.doi, first.language, first.doc_type) == (
        "10.18196/jkm.12380",
        "en",
        "journal article",
    )
    assert (second.pages, second.language) == ("75-96", "id")


def test_the_same_work_from_four_formats_has_the_same_fields(tmp_path: Path) -> None:
    """A record read from RIS, Web of Science, MEDLINE and EndNote tagged text normalises alike."""
    texts = {
        "a.ris": "TY  - JOUR\nTI  - One title\nAU  - Doe, Jane\nPY  - 2020\nDO  - 10.1234/X\n"
                 "ER  - \n",
        "a.ciw": "PT J\nAF Doe, Jane\nTI One title\nPY 2020\nDI 10.1234/X\nER\n",
        "a.nbib": "PMID- 9\nTI  - One title.\nFAU - Doe, Jane\nDP  - 2020 Jan\n"
                  "AID - 10.1234/X [doi]\n",
        "a.enw": "%0 Journal Article\n%T One title\n%A Doe, Jane\n%D 2020\n%R 10.1234/X\n",
    }  # fmt: skip
    seen = {
        (r.title, tuple(r.authors), r.year, r.doi)
        for name, text in texts.items()
        for r in read_file(write(tmp_path, name, text), source_id="t")
    }
    assert seen == {("One title", ("Doe, Jane",), 2020, "10.1234/x")}


# --------------------------------------------------------------------------------------------
# A file declared as the wrong format is named
# --------------------------------------------------------------------------------------------


def test_endnote_xml_declared_as_ris_is_named(tmp_path: Path) -> None:
    path = tmp_path / "library.ris"
    shutil.copy(fixture("endnote.xml"), path)
    with pytest.raises(
        UnknownFormatError,
        match=r"library\.ris, line 1: read as RIS \(ris\), but this looks like EndNote XML: give "
        r"the format 'endnote_xml' \(or 'auto'\)",
    ):
        read_file(path, source_id="t", fmt="ris")
    # Detected by its content, the same file reads.
    assert len(read_file(path, source_id="t")) == 2


def test_medline_declared_as_endnote_tagged_is_named(tmp_path: Path) -> None:
    path = tmp_path / "export.enw"
    shutil.copy(fixture("pubmed.nbib"), path)
    with pytest.raises(UnknownFormatError, match=r"this looks like PubMed MEDLINE \(\.nbib\)"):
        read_file(path, source_id="t", fmt="endnote_tagged")


# --------------------------------------------------------------------------------------------
# Hostile input: refused at import with file and line, never imported as text
# --------------------------------------------------------------------------------------------


def test_control_character_in_a_title_is_refused_with_its_line(tmp_path: Path) -> None:
    # An escape character reached the records and crashed the XLSX writer (openpyxl refuses it).
    text = "TY  - JOUR\nTI  - Digital \x1b[31mUMKM\nER  - \n"
    with pytest.raises(
        InputFormatError, match=r"esc\.ris, line 2: control character U\+001B in the text"
    ):
        read_file(write(tmp_path, "esc.ris", text), source_id="t")


def test_nul_after_the_first_4_kb_is_refused_with_its_line(tmp_path: Path) -> None:
    block = "TY  - JOUR\nTI  - {}\nAB  - " + "x" * 200 + "\nER  - \n"
    text = "".join(block.format(f"Title {i}") for i in range(30))
    text += "TY  - JOUR\nTI  - Cut\x00off\nER  - \n"
    assert text.index("\x00") > 4096
    with pytest.raises(InputFormatError, match=r"nul\.ris, line 122: NUL bytes in the text"):
        read_file(write(tmp_path, "nul.ris", text), source_id="t")


def test_one_stray_byte_does_not_turn_a_utf8_file_into_latin1(tmp_path: Path) -> None:
    good = "TY  - JOUR\nTI  - Pemberdayaan UMKM\nAU  - M\u00fcller, J\u00f6rg\nER  - \n"
    data = good.encode("utf-8") + b"TY  - JOUR\nTI  - Caf\xe9 digital\nER  - \n"
    with pytest.raises(
        InputFormatError,
        match=r"stray\.ris, line 6: the file is UTF-8 but bytes on line 6 are not UTF-8 "
        r"\(line 6: 0xE9\)",
    ):
        read_file(write(tmp_path, "stray.ris", data), source_id="t")


def test_a_cp1252_file_is_still_read_as_cp1252(tmp_path: Path) -> None:
    data = "TY  - JOUR\nTI  - Caf\u00e9 \u2013 digital\nER  - \n".encode("cp1252")
    result = import_file(write(tmp_path, "win.ris", data), source_id="t")
    assert (result.encoding, result.records[0].title) == ("cp1252", "Caf\u00e9 \u2013 digital")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_text_not_binary(tmp_path: Path, encoding: str) -> None:
    text = "TY  - JOUR\nTI  - Klinik UMKM: Mentoring Caf\u00e9 Owners\nER  - \n"
    result = import_file(write(tmp_path, "utf16.ris", text.encode(encoding)), source_id="t")
    assert result.encoding == encoding
    assert [r.title for r in result.records] == ["Klinik UMKM: Mentoring Caf\u00e9 Owners"]


def test_random_bytes_inside_a_record_are_refused(tmp_path: Path) -> None:
    noise = random.Random(20).randbytes(48)  # noqa: S311 (fixed bytes, not a secret)
    data = b"TY  - JOUR\nTI  - " + noise + b"\nER  - \n"
    with pytest.raises(InputFormatError, match=r"noise\.ris, line 2: "):
        read_file(write(tmp_path, "noise.ris", data), source_id="t")
    # Without their NUL bytes, alone or after a record with a UTF-8 name: refused too.
    data = data.replace(b"\x00", b"")
    with pytest.raises(InputFormatError, match=r"noise2\.ris, line 2: the file is UTF-8 but"):
        read_file(write(tmp_path, "noise2.ris", data), source_id="t")
    named = "TY  - JOUR\nTI  - Literasi digital\nAU  - Alcal\u00e1, Luis\nER  - \n".encode()
    with pytest.raises(InputFormatError, match=r"noise3\.ris, line 6: the file is UTF-8 but"):
        read_file(write(tmp_path, "noise3.ris", named + data), source_id="t")


def test_windows_1252_punctuation_stored_as_c1_codes_is_repaired_with_a_warning(
    tmp_path: Path,
) -> None:
    # Real data sets (ASReview's Kitchenham 2010) hold U+0092 where a right quote was meant.
    text = "title,year\nSMEs\u0092 digital skills,2021\n"
    result = import_file(write(tmp_path, "c1.csv", text), source_id="t")
    assert result.records[0].title == "SMEs\u2019 digital skills"
    assert "control characters U+0092 (line 2) are Windows-1252 punctuation" in (result.warnings[0])


def test_bibtex_extra_closing_brace_is_refused_not_a_silent_loss(tmp_path: Path) -> None:
    text = (
        "@article{ok, title={Fine}, year=2020}\n\n"
        "@article{cut,\n  title = {Literasi digital UMKM}},\n  year = {2021},\n"
        "  doi = {10.1234/abc}\n}\n"
    )
    with pytest.raises(
        InputFormatError,
        match=r"brace\.bib, line 5, field 'year': field 'year' comes after the end of entry "
        r"'cut' \(line 3\): an extra '\}' in a value ends the entry early",
    ):
        read_file(write(tmp_path, "brace.bib", text), source_id="t")


def test_text_between_bibtex_entries_stays_allowed(tmp_path: Path) -> None:
    text = "Exported from Scopus\n\n@article{a, title={One}}\n\nSecond part of the export\n\n" \
           "@article{b, title={Two}}\n"  # fmt: skip
    assert [r.title for r in read_file(write(tmp_path, "ok.bib", text), source_id="t")] == [
        "One", "Two",
    ]  # fmt: skip


def test_short_csv_row_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "short.csv", "title,year,doi\nOne,2020,10.1234/a\nTwo,2021\n")
    with pytest.raises(
        InputFormatError,
        match=r"short\.csv, line 3, record 2: row has 2 cells but the header has 3 \(no doi\)",
    ):
        read_file(path, source_id="t")


def test_unnamed_trailing_column_may_be_missing(tmp_path: Path) -> None:
    # Web of Science ends the header with a tab; a row saved without it is still whole.
    path = write(tmp_path, "wos.tsv", "PT\tTI\tSO\tUT\t\nJ\tOne\tJ X\tWOS:1\n")
    assert [r.title for r in read_file(path, source_id="t")] == ["One"]


def test_empty_file_gives_no_records_and_a_warning(tmp_path: Path) -> None:
    result = import_file(write(tmp_path, "nothing.ris", ""), source_id="t")
    assert result.records == []
    assert result.warnings == [f"{tmp_path / 'nothing.ris'}: no records in this file"]


def test_imported_text_never_holds_characters_a_spreadsheet_refuses() -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for path in sorted(FIXTURES.iterdir()):
        if path.name in {"README.md", "junk_between_records.ris"}:
            continue
        for record in read_file(path, source_id="t"):
            for value in record.to_row().values():
                assert not ILLEGAL_CHARACTERS_RE.search(str(value)), (path.name, value)


def test_progress_bar_only_on_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = [fixture("scopus.csv"), fixture("zotero.csv")]

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    read_files(files, source_id="s")
    assert "importing s" in terminal.getvalue()
    assert "0/2 [" in terminal.getvalue()
    pipe = io.StringIO()
    monkeypatch.setattr("sys.stderr", pipe)
    read_files(files, source_id="s")
    assert pipe.getvalue() == ""


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8"])
def test_format_is_told_from_a_head_that_cuts_a_character(tmp_path: Path, encoding: str) -> None:
    # Detection reads the first 64 KB; the cut may fall inside a character (an emoji is four
    # bytes in UTF-8 and a surrogate pair in UTF-16): that must not read as a damaged file.
    text = "TY  - JOUR\nTI  - Caf\u00e9 \U0001f600 UMKM\nER  - \n" * 3000
    for shift in range(4):
        path = write(tmp_path, f"big{shift}.ris", ("\n" * shift + text).encode(encoding))
        assert len(read_file(path, source_id="t")) == 3000
