"""Deduplication: real-shaped records (Indonesian/English titles, author formats, preprints,
conflicting DOIs, chaining, bad input), reviewers' overrides, stable study ids, and the
``review dedup`` command on export files and on the shared labelled sets."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

from review.cli import main
from review.dedup import deduplicate, explain, read_overrides
from review.dedup.prepare import fold_title, page_range, pages_compatible
from review.errors import DecisionError
from review.records import Record, read_records, study_id_for

FIXTURES = Path(__file__).parent / "fixtures" / "dedup"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "dedup"
UMKM = (
    Path(__file__).resolve().parents[1]
    / "data/raw/websites/umkm_web/2026-11-collection/records.csv"
)


@pytest.fixture
def records() -> list[Record]:
    return read_records(FIXTURES / "records.csv")


def study_of(result, record_id: str) -> str:
    return next(c["study_id"] for c in result.clusters if c["record_id"] == record_id)


def link_rule(result, a: str, b: str) -> str:
    for link in result.links:
        if {link["record_id_a"], link["record_id_b"]} == {a, b}:
            return link["rule"]
    return ""


def test_indonesian_title_meets_its_english_alternative(records):
    result = deduplicate(records)
    assert study_of(result, "umkm_web:S002") == study_of(result, "garuda:G77")
    assert link_rule(result, "umkm_web:S002", "garuda:G77").startswith("title_alt_")
    study = next(s for s in result.studies if "garuda:G77" in s["record_ids"])
    titles = {study["title"], study["title_alt"]}
    assert titles == {
        "Transformation of SMEs Through Digital Literacy Skills Coaching",
        "TRANSFORMASI UMKM MELALUI PENDAMPINGAN KETERAMPILAN LITERASI DIGITAL",
    }


def test_author_formats_and_single_names_agree(records):
    result = deduplicate(records)
    # "Sunuantari, Manik" vs "Manik Sunuantari"; "Masduki" (one name) and "Rahayu, Ninik Sri"
    assert study_of(result, "umkm_web:S001") == study_of(result, "umkm_web:S151")
    assert study_of(result, "umkm_web:S302") == study_of(
        result, "crossref:10.1186/s13731-023-00322-y"
    )


def test_preprint_joins_its_published_version_and_the_study_takes_the_published_doi(records):
    result = deduplicate(records)
    assert link_rule(result, "openalex_en:W900", "openalex_en:W901") == "preprint_published"
    study = next(s for s in result.studies if "openalex_en:W900" in s["record_ids"])
    assert study["doi"] == "10.1080/00472778.2026.1234567"
    assert study["year"] == 2026


def test_conflicting_dois_never_merge_even_through_a_third_record(records):
    result = deduplicate(records)
    a, b = "crossref:10.3390/su13031098", "crossref:10.3390/su13039999"
    assert study_of(result, a) != study_of(result, b)
    # the DOI-less sighting joins one of them, never both (no chaining)
    assert study_of(result, "umkm_web:S264") in {study_of(result, a), study_of(result, b)}
    reasons = " ".join(r["why_not_merged"] for r in result.review)
    assert "doi_conflict" in reasons
    assert "different DOIs" in reasons


def test_similar_titles_of_different_studies_stay_apart(records):
    result = deduplicate(records)
    assert study_of(result, "umkm_web:S900") != study_of(result, "umkm_web:S901")


def test_records_without_title_are_reported_and_merged_only_on_a_doi(records):
    result = deduplicate(records)
    assert study_of(result, "umkm_web:S174") != study_of(result, "umkm_web:S175")
    assert link_rule(result, "umkm_web:S404", "umkm_web:S405") == "doi_exact"
    no_title = {i.record_id for i in result.issues if i.issue == "no_title"}
    assert no_title == {"umkm_web:S174", "umkm_web:S175", "umkm_web:S405"}


def test_bad_years_dois_and_huge_fields_are_reported(records):
    huge = dataclasses.replace(records[0], record_id="x:huge", title="UMKM " * 500)
    result = deduplicate([*records, huge])
    issues = {(i.record_id, i.issue) for i in result.issues}
    assert next(s for s in result.studies if "umkm_web:S900" in s["record_ids"])["year"] is None
    assert ("umkm_web:S900", "absurd_year") in issues
    assert ("umkm_web:S900", "malformed_doi") in issues
    assert ("x:huge", "huge_field") in issues


def test_every_merge_is_a_link_with_scores_and_a_named_rule(records):
    result = deduplicate(records)
    merged = sum(s["n_records"] - 1 for s in result.studies)
    assert len(result.links) >= merged
    for link in result.links:
        assert link["rule"]
        assert link["score_total"] != ""
    assert sum(s["n_records"] for s in result.studies) == len(records)


def test_overrides_split_merge_and_report_unknown_records(records):
    result = deduplicate(records, read_overrides(FIXTURES / "overrides.csv"))
    assert study_of(result, "umkm_web:S001") != study_of(result, "umkm_web:S151")
    assert study_of(result, "umkm_web:S900") == study_of(result, "umkm_web:S901")
    assert link_rule(result, "umkm_web:S900", "umkm_web:S901") == "override_merge"
    assert len(result.warnings) == 1
    assert "umkm_web:S999" in result.warnings[0]
    assert "row 4" in result.warnings[0]


def test_bad_override_action_names_file_line_and_field(tmp_path):
    bad = tmp_path / "dedup_overrides.csv"
    bad.write_text(
        "record_id_a,record_id_b,action,reviewer,note,timestamp\na:1,a:2,join,r,,\n",
        encoding="utf-8",
    )
    with pytest.raises(
        DecisionError, match=r"overrides\.csv, row 2: field 'action' is 'join'; expected one of"
    ):
        read_overrides(bad)


def test_a_merge_override_contradicting_a_split_is_an_error(records, tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(
        "record_id_a,record_id_b,action\n"
        "umkm_web:S174,umkm_web:S175,split\n"
        "umkm_web:S175,umkm_web:S900,merge\n"
        "umkm_web:S900,umkm_web:S174,merge\n",
        encoding="utf-8",
    )
    with pytest.raises(DecisionError, match=r"o\.csv, row 4: merging"):
        deduplicate(records, read_overrides(path))


def test_study_ids_are_stable_when_a_later_run_adds_records(records):
    before = deduplicate(records)
    later = [
        Record(
            "openalex_id:W7",
            "openalex_id",
            "database",
            title="R-TIK digital literacy towards Indonesian MSMEs (UMKM) digital energy of Asia",
            authors=["Sunuantari, M."],
            year=2021,
            venue="Jurnal Komunikator",
            run_id="2026-12-update",
        ),
        Record(
            "openalex_id:W8",
            "openalex_id",
            "database",
            title="Klinik UMKM dan literasi digital di desa cerdas",
            authors=["Saputra, Adi"],
            year=2026,
            run_id="2026-12-update",
        ),
    ]
    after = deduplicate([*later, *records])
    old = {c["record_id"]: c["study_id"] for c in before.clusters}
    new = {c["record_id"]: c["study_id"] for c in after.clusters}
    assert all(new[rid] == sid for rid, sid in old.items())
    assert new["openalex_id:W7"] == old["umkm_web:S001"]
    assert new["openalex_id:W8"] == study_id_for("openalex_id:W8")


def test_pages_and_titles_are_compared_as_exports_garble_them():
    assert pages_compatible("S109-S112", "Suppl-12")
    assert pages_compatible("487-488", "488")
    assert pages_compatible("969-972", "a1754")
    assert not pages_compatible("S557-S558", "S528-S529")
    assert not pages_compatible("iii33-iii44", "iii19-iii32")
    assert page_range("221-8") == "221-228"
    assert fold_title("Update on HPV testing. [Review] [33 refs]") == "update on hpv testing"
    assert fold_title("[Clinical research on Ad-p53]") == "clinical research on ad p53"


def test_explain_lists_every_rule_and_veto():
    text = explain()
    for name in ("doi_exact", "preprint_published", "title_high+year+author", "doi_conflict"):
        assert name in text


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _dedup_fixture(outdir: Path, *extra: str) -> int:
    records, overrides = FIXTURES / "records.csv", FIXTURES / "overrides.csv"
    args = ["dedup", "--records", str(records), "--overrides", str(overrides), *extra]
    return main([*args, "-o", str(outdir)])


def test_cli_on_a_records_table_with_overrides(tmp_path, capsys):
    code = _dedup_fixture(tmp_path)
    assert code == 0
    clusters = _rows(tmp_path / "clusters.csv")
    assert len(clusters) == 17
    assert {"umkm_web:S001", "garuda:G77"} <= {c["record_id"] for c in clusters}
    studies = _rows(tmp_path / "studies.csv")
    assert all(s["fingerprint"] for s in studies if s["title"] or s["doi"])
    assert _rows(tmp_path / "dedup_links.csv")[0]["rule"]
    err = capsys.readouterr().err
    assert "umkm_web:S999" in err


def test_cli_strict_overrides_fails_on_unknown_records(tmp_path):
    code = _dedup_fixture(tmp_path, "--strict-overrides")
    assert code == 2


def test_cli_on_an_export_uses_its_own_ids(tmp_path):
    ris = tmp_path / "export.ris"
    ris.write_text(
        "TY  - JOUR\nID  - 17\nTI  - Digital literacy training for MSMEs in Bogor Regency\n"
        "AU  - Pratiwi, Aprilianti\nPY  - 2024\nDO  - 10.33822/jep.v8i1.8723\nER  - \n\n"
        "TY  - JOUR\nID  - 18\nTI  - Digital Literacy Training for MSMEs in Bogor Regency\n"
        "AU  - Aprilianti Pratiwi\nPY  - 2024\nDO  - https://doi.org/10.33822/JEP.V8I1.8723\n"
        "ER  - \n",
        encoding="utf-8",
    )
    assert main(["dedup", str(ris), "-o", str(tmp_path / "out")]) == 0
    clusters = _rows(tmp_path / "out" / "clusters.csv")
    assert [c["record_id"] for c in clusters] == ["17", "18"]
    assert clusters[0]["study_id"] == clusters[1]["study_id"]


SHARED_FILES = [
    "asysd_diabetes/labelled_test_set.csv",
    "sra_rathbone2015/cytology_screening_records.csv",
    "sra_rathbone2015/haematology_records.csv",
    "sra_rathbone2015/respiratory_records.csv",
    "sra_rathbone2015/stroke_records.csv",
    "sra_rathbone2015/Respiratory_original_endnote.xml",
    "iebh_deduplicator/copper.xml",
    "iebh_deduplicator/tafenoquine.xml",
]


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not present")
@pytest.mark.parametrize("name", SHARED_FILES)
def test_cli_reads_every_shared_set(name, tmp_path):
    path = SHARED / name
    assert main(["dedup", str(path), "-o", str(tmp_path)]) == 0
    clusters = _rows(tmp_path / "clusters.csv")
    studies = _rows(tmp_path / "studies.csv")
    assert len({c["record_id"] for c in clusters}) == len(clusters)
    assert sum(int(s["n_records"]) for s in studies) == len(clusters)
    assert len(studies) < len(clusters)  # every set holds duplicates


@pytest.mark.workflow
def test_workflow_rule_deduplicates_and_applies_overrides_on_rerun(built_project, built_copy):
    """The real Snakemake engine's ``deduplicate_records``: the built review, then a reviewer's
    split override on a copy reruns the rule (and only what depends on it)."""
    from conftest import snakemake

    clusters = {
        c["record_id"]: c["study_id"] for c in _rows(built_project / "data/interim/clusters.csv")
    }
    assert len(clusters) == 415
    assert clusters["umkm_web:S001"] == clusters["umkm_web:S151"]
    assert _rows(built_project / "data/interim/dedup_links.csv")
    log = built_project / "logs/deduplicate_records/deduplicate_records.log"
    assert "studies" in log.read_text(encoding="utf-8")

    overrides = built_copy / "data/decisions/dedup_overrides.csv"
    with overrides.open("a", encoding="utf-8") as fh:
        fh.write("umkm_web:S001,umkm_web:S151,split,r1,test,2026-11-29T08:00:00Z\n")
    run = snakemake(built_copy, "--cores", "1", "data/interim/clusters.csv")
    assert run.returncode == 0, run.stderr[-3000:]
    assert "normalise_records" not in run.stderr  # upstream of the overrides: untouched
    clusters = {
        c["record_id"]: c["study_id"] for c in _rows(built_copy / "data/interim/clusters.csv")
    }
    assert clusters["umkm_web:S001"] != clusters["umkm_web:S151"]


def test_fast_title_fold_equals_the_schema_normaliser(records):
    from review.dedup.prepare import fast_normalise_title
    from review.records import normalise_title

    titles = [r.title for r in records] + [
        "Efficacy of A &amp; B: a <i>randomised</i> trial",
        "\u00c9lan vital \u2014 Tomi\u010di\u0107-Pupek\u2019s \u201cdigital\u201d UMKM",
        "  Spaces\tand\nnewlines,  (brackets) [x] 50%  ",
    ]
    for t in titles:
        assert fast_normalise_title(t) == normalise_title(t)


@pytest.mark.skipif(not UMKM.is_file(), reason="the UMKM snapshot is not in data/raw")
def test_study_fingerprint_equals_the_contract_fingerprint(records):
    from review.dedup.studies import study_fingerprint
    from review.records import fingerprint
    from review.sources.corpus_csv import read_collection

    corpus = read_collection(UMKM, source_id="umkm_web")
    for r in [*records, *corpus]:
        for doi in (r.doi, ""):
            assert study_fingerprint(doi, r.title, r.year) == fingerprint(doi, r.title, r.year)


def test_cli_on_two_exports_names_the_file_of_each_record(tmp_path):
    entry = "TY  - JOUR\nID  - 1\nTI  - {t}\nAU  - Pratiwi, Aprilianti\nPY  - 2024\nER  - \n"
    a, b = tmp_path / "scopus.ris", tmp_path / "garuda.ris"
    a.write_text(entry.format(t="Digital literacy training for MSMEs in Bogor"), encoding="utf-8")
    b.write_text(entry.format(t="Digital Literacy Training for MSMEs in Bogor"), encoding="utf-8")
    assert main(["dedup", str(a), str(b), "-o", str(tmp_path / "out")]) == 0
    clusters = _rows(tmp_path / "out" / "clusters.csv")
    assert [(c["record_id"], Path(c["file"]).name) for c in clusters] == [
        ("1", "scopus.ris"),
        ("1", "garuda.ris"),
    ]
    assert clusters[0]["study_id"] == clusters[1]["study_id"]


def test_empty_and_one_record_inputs():
    assert len(deduplicate([]).studies) == 0
    (study,) = deduplicate([Record("a:1", "a")]).studies
    assert study["record_ids"] == "a:1"
    assert study["fingerprint"] == ""
