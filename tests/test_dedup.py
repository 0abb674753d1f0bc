"""Deduplication: real-shaped records (Indonesian/English titles, author formats, preprints,
conflicting DOIs, chaining, bad input), reviewers' overrides, stable study ids, and the
``review dedup`` command on export files and on the shared labelled sets."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest
from committed_runs import committed_runs

from review.cli import main
from review.dedup import deduplicate, explain, read_overrides
from review.dedup.prepare import fold_title, page_range, pages_compatible
from review.errors import DecisionError
from review.exitcodes import DATA_ERROR
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
    assert code == DATA_ERROR


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
    # every record of every committed run is in one cluster
    assert sorted(clusters) == sorted(
        r.record_id for r in read_records(built_project / "data/interim/records.csv")
    )
    assert len(clusters) == sum(run.rows for run in committed_runs(built_project))
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


# ---- issue 17: one real case per failure class (tests/fixtures/dedup/quirks/README.md) ----

QUIRKS = FIXTURES / "quirks"


def _quirk(name: str):
    records = read_records(QUIRKS / f"{name}.csv")
    truth = {row["record_id"]: row["work"] for row in _rows(QUIRKS / f"{name}_truth.csv")}
    result = deduplicate(records)
    found = {c["record_id"]: c["study_id"] for c in result.clusters}
    by_work: dict[str, set[str]] = {}
    for rid, work in truth.items():
        by_work.setdefault(work, set()).add(found[rid])
    return result, by_work


@pytest.mark.parametrize(
    "name",
    [
        "recurring_title",
        "translated_title",
        "short_full_title",
        "online_first_year",
        "errata",
        "conference_year",
    ],
)
def test_each_quirk_gives_one_study_per_real_work(name):
    _result, by_work = _quirk(name)
    assert all(len(studies) == 1 for studies in by_work.values()), by_work
    assert len({s for studies in by_work.values() for s in studies}) == len(by_work)


def test_recurring_heading_merges_only_within_one_issue():
    result, _ = _quirk("recurring_title")
    assert link_rule(result, "jmis:1332", "db:34-2")
    assert link_rule(result, "jmis:1344", "db:34-3")
    reasons = " ".join(r["why_not_merged"] for r in result.review)
    assert "generic_title" in reasons  # shown to a reviewer, not silently dropped


def test_recurring_heading_needs_a_locus_when_issue_and_pages_are_missing():
    records = read_records(QUIRKS / "recurring_title.csv")
    bare = dataclasses.replace(records[2], record_id="db:bare", issue="", volume="")
    result = deduplicate([*records, bare])
    assert len({study_of(result, r) for r in ("db:bare", "jmis:1332", "jmis:1344")}) == 3


def test_translated_titles_merge_on_the_same_locus_and_the_bracketed_original():
    result, _ = _quirk("translated_title")
    # the clustering guard used to refuse this link as "unrelated titles"
    assert link_rule(result, "web:jipi-id", "db:jipi-en") == "authors+year+venue+pages"
    assert link_rule(result, "pub:cogent", "mirror:cogent-id") == "translated_title+locus"
    assert link_rule(result, "web:jipi-id", "db:jipi-bracket").startswith("title_alt_")
    # the same locus without agreeing authors is not enough
    records = read_records(QUIRKS / "translated_title.csv")
    other = dataclasses.replace(records[1], record_id="x", authors=["Someone, Else"])
    assert study_of(deduplicate([records[0], other]), "x") != study_of(
        deduplicate([records[0], other]), "web:jipi-id"
    )


def test_a_lead_in_or_a_dropped_subtitle_still_matches():
    records = read_records(QUIRKS / "short_full_title.csv")
    full = records[2]  # Vial 2019, "Understanding digital transformation: A review and ..."
    short = dataclasses.replace(full, record_id="s", title="Understanding digital transformation")
    lead = dataclasses.replace(
        full, record_id="l", title="Review article: " + full.title.split(":")[0], pages=""
    )
    result = deduplicate([full, short, lead])
    assert study_of(result, "s") == study_of(result, full.record_id)
    assert "title_part+author" in {link_rule(result, x, "l") for x in (full.record_id, "s")}
    # a dropped subtitle needs agreeing authors
    stranger = dataclasses.replace(short, record_id="x", authors=["Kraus, Sascha"])
    assert study_of(deduplicate([full, stranger]), "x") != study_of(
        deduplicate([full, stranger]), full.record_id
    )
    # "X" vs "X: a 5-year follow-up" is another paper: numbers in one title only
    follow = dataclasses.replace(
        records[0], record_id="f", title="Digital Transformation: a 5-year follow-up", doi=""
    )
    bare = dataclasses.replace(records[0], record_id="b", title="Digital Transformation", doi="")
    result = deduplicate([bare, follow])
    assert study_of(result, "b") != study_of(result, "f")


def test_errata_are_never_merged_with_their_article():
    result, _ = _quirk("errata")
    assert study_of(result, "wos:erratum") == study_of(result, "embase:erratum")
    assert study_of(result, "medline:article") != study_of(result, "wos:erratum")
    assert "Errata convention" in explain()


def test_roman_front_matter_pages_conflict():
    from review.dedup.prepare import bracketed_title, roman_pages, title_parts

    assert roman_pages("iii-xii") == "R3-R12"
    assert roman_pages("xiv") == "R14"
    assert roman_pages("123-9") == ""
    assert bracketed_title("Mentoring model [Model pendampingan UMKM pangan]") == (
        "Model pendampingan UMKM pangan"
    )
    assert bracketed_title("Update on HPV testing. [Review] [33 refs]") == ""
    assert title_parts("Review article: the X of Y") == ("review article", "the x of y")
    recs = [
        Record(
            f"r:{k}",
            "r",
            title="Editor's Comments",
            authors=["Rai, Arun"],
            year=2016,
            venue="MIS Quarterly",
            volume="40",
            pages=p,
            run_id="r1",
        )
        for k, p in enumerate(("iii-x", "v-xii"))
    ]
    result = deduplicate(recs)
    assert study_of(result, "r:0") != study_of(result, "r:1")


def test_a_quoted_bracketed_title_is_not_read_as_a_trailing_note():
    # SRA respiratory set, id_0000693 / id_0000694 (Brynitz & Friis-Moller, Ugeskr Laeger 1987,
    # 149:1947-1951): the export wraps the bracketed translated title in double quotes.
    raw = '"[Prevention of empyema in lung surgery. A prospective, randomized study]"'
    folded = "prevention of empyema in lung surgery a prospective randomized study"
    assert fold_title(raw) == folded
    assert fold_title(raw.strip('"')) == folded
    assert fold_title('"Update on HPV testing. [Review] [33 refs]"') == "update on hpv testing"
    common = dict(year=1987, venue="Ugeskrift for laeger", volume="149", pages="1947-1951")
    recs = [
        Record("r:693", "r", title=raw, authors=["Brynitz, S.", "Friis-Møller, A."], **common),
        Record("r:694", "r", title=raw, authors=["Brynitz, S.", "Friis-Moller, A."], **common),
    ]
    result = deduplicate(recs)
    assert study_of(result, "r:693") == study_of(result, "r:694")
    assert not [i for i in result.issues if i["issue"] == "no_title"]


# Records below are copied field for field from the SRA sets (Rathbone 2015) in
# ../shared/benchmarks/dedup/sra_rathbone2015; the comment names the set and ids.


def _rec(rid: str, title: str, authors: list[str], year: int, venue: str, vol: str, pages: str):
    return Record(rid, "r", title=title, authors=authors, year=year, venue=venue, volume=vol,
                  pages=pages, run_id="r1")  # fmt: skip


def test_one_locus_and_one_title_is_one_article_however_authorship_is_written():
    # cytology id_0000248 / id_0000912: a chair's name against the study group's
    title = (
        "Results of a randomized trial on the management of cytology interpretations of "
        "atypical squamous cells of undetermined significance"
    )
    chair = _rec("c:248", title, ["Solomon, D"], 2003,
                 "American Journal of Obstetrics and Gynecology", "188", "1383-1392")  # fmt: skip
    group = dataclasses.replace(
        chair,
        record_id="c:912",
        authors=["Group, ASCUS-LSIL Traige Study (ALTS)"],
        venue="American Journal of Obstetrics & Gynecology",
    )
    result = deduplicate([chair, group])
    assert link_rule(result, "c:248", "c:912") == "title_similar+locus"
    # the same title by other authors at other pages is another article
    other = dataclasses.replace(group, record_id="c:x", pages="1393-1400")
    assert len(deduplicate([chair, other]).studies) == 2
    # cytology id_0000908 / id_0000909: "p6INK4a" against "p16(INK4a)" at one locus
    t = "Expression does not predict the outcome of cervical intraepithelial neoplasia grade 2"
    authors = ["Guedes, A C", "Brenna, S M", "Coelho, S A", "Martinez, E Z", "Syrjanen, K J"]
    a = _rec("c:908", "p6INK4a " + t, authors, 2007,
             "International Journal of Gynecological Cancer", "17", "1099-1103")  # fmt: skip
    b = dataclasses.replace(a, record_id="c:909", title="p16(INK4a) " + t)
    assert link_rule(deduplicate([a, b]), "c:908", "c:909") == "title_similar+locus"


def test_identical_title_authors_venue_and_volume_merge_when_only_pages_differ():
    # cytology id_0000493 / id_0000494 (Origoni 2011, J Clin Virol 51: 246-250 / 250-254)
    authors = ["Origoni, M", "Stefani, C", "Dell'Antonio, G", "Carminati, G", "Parma, M"]
    title = (
        "Cervical Human Papillomavirus in transplanted Italian women: A long-term prospective "
        "follow-up study"
    )
    a = _rec("c:493", title, authors, 2011, "Journal of Clinical Virology", "51", "246-250")
    b = dataclasses.replace(
        a,
        record_id="c:494",
        title=title.replace(": A", ": a"),
        venue="Journal of clinical virology : the official publication of the Pan American "
        "Society for Clinical Virology",
        pages="250-254",
    )
    assert link_rule(deduplicate([a, b]), "c:493", "c:494") == "title_exact+author+venue+volume"
    # another volume (a later paper with the same title) is not enough
    later = dataclasses.replace(b, record_id="c:x", volume="52")
    assert len(deduplicate([a, later]).studies) == 2


def test_a_translated_title_without_authors_meets_the_original_at_its_locus():
    # respiratory id_0000091 / id_0000799 (Toomes, Dtsch Med Wochenschr 1984, 109:935-940):
    # two English renderings of a German title; one record lists no authors
    a = _rec(
        "r:91",
        "[Postoperative immunostimulation in non-small-cell bronchial carcinoma. Outcome and "
        "complications]",
        ["Toomes, H."],
        1984,
        "Deutsche Medizinische Wochenschrift",
        "109",
        "935-940",
    )
    b = _rec("r:799", "Postoperative local immunostimulation in non-oatcell bronchial carcinoma",
             [], 1984, "Dtsch-Med-Wochenschr", "109", "935-940")  # fmt: skip
    assert link_rule(deduplicate([a, b]), "r:91", "r:799") == "translated_title+locus"
    # the same locus in another journal is another article
    elsewhere = dataclasses.replace(b, record_id="r:x", venue="Lancet")
    assert len(deduplicate([a, elsewhere]).studies) == 2


def test_thousands_in_a_title_and_a_surname_written_with_initials_or_in_full():
    # cytology id_0001239 / id_0001240: "10 000 women" / "10000 women"
    from review.dedup.prepare import author_tokens, title_numbers

    assert title_numbers(fold_title("among 10 000 women")) == title_numbers("among 10000 women")
    assert title_numbers("part 1 and part 2") == "1 2"
    # respiratory id_0000487 / id_0000488: "Imazio, M." and "Imazio, Massimo" share a block
    assert author_tokens(["Imazio, Massimo"])[1] == author_tokens(["Imazio, M."])[1] == "imazio"
    assert author_tokens(["Manik Sunuantari"])[1] == author_tokens(["Sunuantari, Manik"])[1]


def test_an_article_identifier_in_the_address_links_untitled_sightings():
    from review.dedup.prepare import url_identity
    from review.sources.corpus_csv import read_collection

    # two pages of one OJS article, a KoreaScience id in .page and .view, an AnyFlip book
    records = read_collection(UMKM, source_id="umkm_web")
    result = deduplicate(records)
    for a, b in (("S173", "S174"), ("S211", "S212"), ("S255", "S256")):
        assert link_rule(result, f"umkm_web:{a}", f"umkm_web:{b}") == "url_exact", (a, b)
    # the page a record was found at counts only for an article identifier, never as a whole
    # address: a search page is shared by many works
    garuda = "https://garuda.kemdiktisaintek.go.id/documents/detail/4892871"
    assert url_identity("", garuda) == url_identity(garuda) == "garuda:4892871"
    assert url_identity("", "https://api.openalex.org/works?search=umkm") == ""
    # the same ISSN/volume/issue/article path on a university proxy and on a mirror host
    assert url_identity("https://0-www-mdpi-com.brum.beds.ac.uk/2199-8531/8/1/59") == (
        url_identity("https://p.gyb.elementfx.com/2199-8531/8/1/59")
    )
    # two articles of one OJS journal stay two addresses
    ojs = "https://ejournal.upnvj.ac.id/JEP/article/view/"
    assert url_identity(ojs + "8723") != url_identity(ojs + "8724")


def test_a_congress_abstract_dated_by_two_years_is_one_but_the_later_article_is_another():
    result, by_work = _quirk("conference_year")
    # ESMO 2008 abstract (Ann Oncol 19 suppl 8, viii108): two databases say 2008, one 2009
    (arrieta,) = by_work["arrieta-esmo-2008"]
    assert arrieta not in by_work["wick-ajrccm-2011-article"]
    # ATS 2010 abstract and the 2011 article that followed it: a later volume, another work
    reasons = {
        frozenset((r["record_id_a"], r["record_id_b"])): r["why_not_merged"] for r in result.review
    }
    why = reasons[frozenset(("asysd_diabetes:id_0000662", "asysd_diabetes:id_0000628"))]
    assert "volume_conflict" in why


def test_a_wrong_doi_does_not_split_one_title_at_one_locus():
    # IEBH copper set, records id_0000191 / id_0000192 (Levin, Expert Rev Anti Infect Ther
    # 2009, 7(1):57-68): one database gives the DOI with another journal's ISSN (14737140)
    a = _rec("cu:191", "Nosocomial legionellosis: Prevention and management", ["Levin, A. S."],
             2009, "Expert Review of Anti-Infective Therapy", "7", "57-68")  # fmt: skip
    a = dataclasses.replace(a, issue="1", doi="10.1586/14737140.7.1.57")
    b = dataclasses.replace(
        a, record_id="cu:192", venue="Expert Rev Anti Infect Ther", doi="10.1586/14787210.7.1.57"
    )
    assert link_rule(deduplicate([a, b]), "cu:191", "cu:192") == "title_similar+locus"
    # two DOIs at two loci stay two works, however alike the titles
    other = dataclasses.replace(b, record_id="cu:x", pages="69-80")
    assert len(deduplicate([a, other]).studies) == 2


def test_an_untitled_sighting_whose_address_spells_the_title_joins_it():
    from review.dedup.prepare import url_title_slug

    # UMKM corpus S288 / S368 / S369: the R Discovery page shows no title, its slug spells it
    result, by_work = _quirk("url_slug_title")
    assert all(len(studies) == 1 for studies in by_work.values()), by_work
    assert "url_slug_title" in {
        link_rule(result, "umkm_web:S369", f"umkm_web:{x}") for x in ("S288", "S368")
    }
    records = read_records(QUIRKS / "url_slug_title.csv")
    titled, untitled = records[0], records[2]
    # one word of the title spelt otherwise in the slug: no merge (letter for letter only)
    other = dataclasses.replace(
        untitled, record_id="x", url=untitled.url.replace("-perspective/", "-perspectives/")
    )
    assert len(deduplicate([titled, other]).studies) == 2
    # a DOI on the untitled page that differs from the titled record's still vetoes
    doi = dataclasses.replace(untitled, record_id="d", doi="10.3390/joitmc8010060")
    assert len(deduplicate([titled, doi]).studies) == 2
    # a mirror's trailing id is not part of the title; short slugs give none
    slug = (
        "https://arxivlens.com/PaperView/Details/digital-innovation-in-microenterprises-"
        "current-trends-and-new-research-avenues-6014-c60c388b"
    )
    assert url_title_slug(slug) == (
        "digitalinnovationinmicroenterprisescurrenttrendsandnewresearchavenues"
    )
    assert url_title_slug("https://example.org/umkm-digital-training.html") == ""
    assert url_title_slug("not a url-with-enough-words-to-count-as-a-title") == ""


ASYSD = SHARED / "asysd_diabetes" / "labelled_test_set.csv"


@pytest.mark.skipif(not ASYSD.is_file(), reason="../shared is not present")
def test_one_long_abstract_printed_twice_with_two_dois_is_one_record():
    from review.importers import read_file

    # ASySD diabetes set 1610/1782 and 599/1347: one meeting abstract (Hansen 2012, p. e24)
    # with two DOIs (Regul Pept / Appetite); the published abstract stays in ../shared
    abstracts = {
        r.record_id.split(":", 1)[1]: r.abstract for r in read_file(ASYSD, source_id="diabetes")
    }
    bare = read_records(QUIRKS / "abstract_exact_long.csv")
    assert len(deduplicate(bare).studies) == 2  # titles, authors and pages alone: two DOIs
    records = [
        dataclasses.replace(r, abstract=abstracts[str(int(r.record_id.rsplit("_", 1)[1]))])
        for r in bare
    ]
    result = deduplicate(records)
    assert len(result.studies) == 1
    assert "abstract_exact_long" in {link["rule"] for link in result.links}
    regpep, appet = records[0], records[2]
    text = regpep.abstract

    def pair(**change) -> int:
        return len(deduplicate([regpep, dataclasses.replace(appet, **change)]).studies)

    assert pair() == 1
    assert pair(abstract=text[:-12] + " (abridged)") == 2  # the whole text must agree
    short = dataclasses.replace(regpep, abstract=text[:300])  # both below the 400 floor
    assert len(deduplicate([short, dataclasses.replace(appet, abstract=text[:300])]).studies) == 2
    assert pair(title="Erratum: " + appet.title) == 2  # a notice never joins its paper
    assert pair(year=2014) == 2  # years more than 1 apart
    assert pair(authors=["Someone, Else"]) == 2  # authors conflict
    assert pair(title="") == 1  # an untitled record with the same long abstract joins
