"""The report rendered from the fixture project: content, escaping, stages not run yet,
the PRISMA check stopping the run, and the ``review report`` / ``review audit`` commands."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from yaml_helpers import dump_yaml, load_yaml

from review import prisma
from review.cli import main
from review.errors import ReviewError
from review.exitcodes import DATA_ERROR
from review.prisma import PrismaError
from review.protocol import load_protocol
from review.records import read_records
from review.report.inputs import ReportPaths
from review.report.render import ReportOutputs, render_report

FIXTURE = Path(__file__).parent / "fixtures" / "report" / "project"
STUDY_IDS = {
    "A": "st-3e3b6133c3",  # included; OpenAlex + web record, merged
    "B": "st-6f0eebc487",  # included; hostile title, abstract and summary
    "C": "st-0c375048a5",  # excluded by automation (E1-year)
    "D": "st-2167270e10",  # excluded at title/abstract
    "H": "st-ba7b47746a",  # awaiting screening
}


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(FIXTURE, dest)
    return dest


def render(root: Path, **paths: Path | None) -> dict[str, str]:
    """The review pages and the audit view (as the workflow's two rules write them); the audit
    folder's files are keyed by their path under ``reports/`` (``audit/studies/st-….html``)."""
    from review.audit.pages import write_audit
    from review.report.inputs import load_inputs

    protocol = load_protocol(root / "config" / "protocol.yaml")
    given = ReportPaths.in_project(root, **paths)
    render_report(
        protocol,
        paths=given,
        outputs=ReportOutputs.in_folder(root / "reports"),
        generated_at="2026-11-29 08:00 UTC",
    )
    write_audit(
        load_inputs(protocol, given),
        index=root / "reports" / "audit.html",
        folder=root / "reports" / "audit",
        generated_at="2026-11-29 08:00 UTC",
    )
    reports = root / "reports"
    out = {p.name: p.read_text(encoding="utf-8") for p in reports.iterdir() if p.is_file()}
    for p in (reports / "audit").rglob("*"):
        if p.is_file():
            out[p.relative_to(reports).as_posix()] = p.read_text(encoding="utf-8")
    return out


def study_page(out: dict[str, str], study_id: str) -> str:
    return out[f"audit/studies/{study_id}.html"]


def visible(html: str) -> str:
    """Text of the page without tags (entities kept), white space folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_all_report_files_are_written(proj: Path) -> None:
    out = render(proj)
    assert {"review.html", "review.md", "audit.html", "search_log.csv"} == {
        name for name in out if "/" not in name
    }
    html = out["review.html"]
    assert html.count("<svg") >= 4  # PRISMA diagram + three figures, inline
    assert "<link" not in html  # self-contained
    assert 'src="http' not in html
    assert "Records screened (n = 6)" in visible(html)
    figure = (proj / "reports" / "figures" / "studies_by_theme.svg").read_text(encoding="utf-8")
    assert figure.startswith("<svg")
    assert "Included studies by strategy" in figure  # the theme field's label


def test_hostile_text_is_shown_never_executed(proj: Path) -> None:
    out = render(proj)
    audit = study_page(out, STUDY_IDS["B"])
    for name, text in (("review.html", out["review.html"]), ("study page", audit)):
        assert "<script>alert(" not in text, name
        assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in text, name
        assert "<img src=x" not in text, name
        assert "<b>markup</b>" not in text, name
    # Markdown has its own escapes: the title reads as itself, with no HTML entity in sight
    markdown = out["review.md"]
    assert "\\<script\\>alert('pwned')\\</script\\> Klinik UMKM Surabaya" in markdown
    assert "<script>" not in markdown
    assert "<b>markup</b>" not in markdown
    assert not re.search(r"&(amp|lt|gt|quot|#\d+);", markdown)
    assert "Sunuantari & Zarkasi 2021" in markdown
    assert "&lt;img src=x onerror=alert(1)&gt;" in audit
    # a record's link is a link only when it is http(s): never a javascript: URL
    assert 'href="javascript:' not in audit
    assert "<dt>Found at</dt><dd>javascript:alert(document.domain)</dd>" in audit
    assert 'href="https://example.org/klinik?a=1&amp;b=&lt;2&gt;"' in audit
    # The index's rows are data for a script that sets textContent: JSON, never markup
    chunk = out["audit/data/chunk-0001.js"]
    assert chunk.startswith("AuditIndex.chunk(0,[")
    assert "\"<script>alert('pwned')</script> Klinik UMKM Surabaya\"" in chunk
    # Defence in depth: the review page and the study pages run no script at all; the index
    # runs its own file only ('self': no inline script, no eval).
    assert "script-src 'none'" in out["review.html"]
    assert "script-src 'none'" in audit
    index = out["audit.html"]
    assert "script-src 'self';" in index
    assert "unsafe" not in index
    assert out["review.html"].count("<script") == 0
    assert audit.count("<script") == 0
    assert index.count("<script") == 1
    assert '<script src="audit/assets/index.js"></script>' in index


def _links(markdown: str) -> list[str]:
    """Every link and image target a CommonMark reader finds in ``markdown``; one that accepts
    any scheme, as pandoc or Python-Markdown do (markdown-it drops javascript: links itself)."""
    from markdown_it import MarkdownIt

    reader = MarkdownIt("commonmark").enable("table")
    reader.validateLink = lambda url: True
    out = []
    for token in reader.parse(markdown):
        for child in token.children or []:
            if child.type in ("link_open", "image"):
                out.append(str(child.attrGet("href") or child.attrGet("src")))
    return out


def test_no_text_becomes_a_link_in_the_markdown_report(proj: Path) -> None:
    """Issue 20 (10): review.md rendered a javascript: link from a title."""
    studies = proj / "data" / "interim" / "studies.csv"
    text = studies.read_text(encoding="utf-8")
    text = text.replace(
        "<script>alert('pwned')</script> Klinik UMKM Surabaya",
        "[click me](javascript:alert(1)) ![x](https://tracker.example/p.png) Klinik \\",
    ).replace('"Hacker, Evil"', '"Evil](javascript:alert(2)) [x, Hacker"')
    studies.write_text(text, encoding="utf-8")
    md = render(proj)["review.md"]
    assert "\\[click me\\](javascript:alert(1))" in md  # shown as text
    links = _links(md)
    assert links  # the report's own links (audit page, studies) are still links
    assert not [
        u
        for u in links
        if not u.startswith(
            ("#", "audit.html", "search_log.csv", "figures/", "prisma.svg", "https://doi")
        )
    ]
    assert not any("javascript" in u or "tracker" in u for u in links)


def test_methods_sources_and_screening(proj: Path) -> None:
    text = visible(render(proj)["review.html"])
    # Duplicates per source: a study's earliest record is the one kept. The collection's run
    # (2026-11-fixture, a run named for its month) came before the OpenAlex run of 2026-11-20,
    # so the two OpenAlex records of studies the collection found too are the duplicates.
    assert "OpenAlex (English query) openalex_en database (openalex) 2 2" in text
    assert (
        "document mirrors), each with the address of the page where it was seen. websites 8 0"
        in text
    )
    assert "no run in this snapshot" in text  # Crossref: in the protocol, never run
    assert (
        "1 database source(s) of the protocol have no run in this snapshot "
        "(Crossref (bibliographic query))" in text
    )
    assert "The records of this report come from OpenAlex (English query) (2 records, run" in text
    assert "not as executed" in text  # no search log: queries as written in the protocol
    assert "AI reviewer" in text
    assert "All screening decisions were made by AI reviewers" in text
    assert "title_abstract / cohen_kappa 0.571" in text
    assert "Agreement between reviewers: 83%, Cohen's κ 0.57." in text
    assert "1 ledger decisions could not be attached to any current study" in text
    assert "Stopping rule: consecutive irrelevant (n = 50)" in text
    # the adjudicator's resolution is counted as such, not as a third reviewer
    assert "Adjudications recorded: 1 (by AI adjudicator)" in text
    assert "_resolutions" not in text.split("Adjudications recorded")[0]
    assert re.search(r"protocol sha256 [0-9a-f]{16}", text)


def test_methods_count_no_decision_an_amendment_set_aside(proj: Path) -> None:
    """The selection methods count reviewers, decisions and adjudications without the rows a
    protocol amendment set aside: those are stated apart, never counted."""
    protocol = proj / "config" / "protocol.yaml"
    text = protocol.read_text(encoding="utf-8")
    aside = (
        "- id: ai-adjudicator\n"
        "  set_aside: [{stages: [title_abstract], date: '2026-12-01', reason: saw the results}]\n"
    )
    protocol.write_text(text.replace("- id: ai-adjudicator\n", aside, 1), encoding="utf-8")
    page = visible(render(proj)["review.html"])
    assert "Adjudications recorded: 1" not in page
    assert "(by AI adjudicator)" not in page


def test_search_log_csv_is_the_prisma_s_table(proj: Path) -> None:
    log = proj / "data" / "interim" / "search_log.csv"
    log.write_text(
        "source_id,database,platform,query_as_executed,executed_at,n_hits_reported,n_records_retrieved\n"
        'openalex_en,openalex,OpenAlex API,"UMKM AND <b>digital</b>",2026-11-20T08:00:00Z,120,2\n',
        encoding="utf-8",
    )
    out = render(proj, search_log=log)
    text = visible(out["review.html"])
    assert "Database / platform Query Searched (UTC) Hits reported Retrieved" in text
    assert (
        "openalex_en openalex / OpenAlex API UMKM AND &lt;b&gt;digital&lt;/b&gt; 2026-11-20" in text
    )
    assert "(as written in the protocol; not executed)" not in text
    assert "2026-11-20T08:00:00Z" in text  # date last searched, from the log
    assert "UMKM AND <b>digital</b>" in out["search_log.csv"]


def test_synthesis_links_and_comparison(proj: Path) -> None:
    """The narrative per group links to the studies; the comparison gives the three verdicts
    (never "not supported" for absence) with the protocol's rule printed verbatim."""
    html = render(proj)["review.html"]
    text = visible(html)
    a, b = STUDY_IDS["A"], STUDY_IDS["B"]
    assert f'href="audit.html#{a}"' in html
    narrative = html[html.index('id="narrative"') : html.index('id="matrix"')]
    assert "Not yet written" in narrative  # no groups/<id>.md: stated, never filled in
    assert "data/decisions/synthesis/groups/volunteers.md" in narrative
    comparison = html[html.index('id="comparison"') : html.index('id="excluded"')]
    assert "supported" not in visible(comparison)
    assert "Absence of evidence is never read as evidence against." in comparison
    c2 = comparison[comparison.index("C2-clinics:") : comparison.index("C3-smart-village:")]
    # the clinic study has no coded direction: no eligible evidence, not evidence against
    assert "no eligible evidence" in visible(c2)
    assert "No eligible evidence: no included study enters the test." in visible(c2)
    c6 = comparison[comparison.index("C6-barriers:") : comparison.index("C7-impacts:")]
    # one named barrier is reported by no study: no eligible evidence, not "inconsistent"
    assert "no eligible evidence" in visible(c6)
    assert "inconsistent" not in visible(c6)
    assert "reported by no eligible study" in visible(c6)
    # studies do report barriers: the reason says so, unlike "nothing could test it"
    assert "No eligible evidence: studies enter the test, but a named value is reported" in (
        visible(c6)
    )
    assert f"audit.html#{b}" in c6  # infrastructure: the clinic study
    assert "consistent 0, inconsistent 0, no eligible evidence 7" in text
    assert "team summary" not in visible(narrative)


def test_excluded_studies_and_matrix(proj: Path) -> None:
    text = visible(render(proj)["review.html"])
    assert "E7-no-outcome-or-barrier Reports no outcome or barrier" in text
    assert "E8-full-text-unavailable Full text could not be assessed not retrieved" in text
    assert "Strategy by outcomes reported" in text


def test_what_could_not_be_assessed(proj: Path) -> None:
    out = render(proj)
    text = visible(out["review.html"])
    assert "Reports not retrieved (no full text at hand): 1 ( Putra 2022 )" in text
    assert "Studies still waiting for a decision (awaiting screening, undecided" in text
    assert "no published abstract in any of their records: 2 of 3" in text  # B has one
    assert "assessed at full text by a single reviewer: 0 of 3" in text
    assert "Reports not retrieved (no full text at hand): 1 ([Putra 2022]" in out["review.md"]


def test_audit_page_has_every_study_and_its_trail(proj: Path) -> None:
    out = render(proj)
    pages = [name for name in out if name.startswith("audit/studies/")]
    assert len(pages) == 8
    for sid in STUDY_IDS.values():
        assert f"audit/studies/{sid}.html" in pages
    page_a = study_page(out, STUDY_IDS["A"])
    assert 'href="https://example.org/page/W1"' in page_a
    assert "openalex_en:W1" in page_a
    assert "umkm_web:S1" in page_a
    assert "title 0.97" in page_a
    assert "total 0.93" in page_a
    assert "ai-reviewer-2" in page_a
    assert "2026-11-21T" in page_a
    assert '<span class="box box-included_ft">Included</span>' in page_a
    assert "Excluded by automation" in study_page(out, STUDY_IDS["C"])


def test_missing_stages_are_shown_as_such(proj: Path) -> None:
    (proj / "data" / "extracted" / "coded.csv").unlink()
    text = visible(render(proj)["review.html"])
    assert "not coded yet: 3 included studies" in text
    (proj / "data" / "interim" / "screening.csv").unlink()
    out = render(proj)
    text = visible(out["review.html"])
    assert "not screened yet: 8 studies" in text
    assert "Not screened yet" in visible(study_page(out, STUDY_IDS["A"]))
    for name in ("studies.csv", "clusters.csv", "dedup_links.csv"):
        (proj / "data" / "interim" / name).unlink()
    out = render(proj)
    assert "not deduplicated yet: 10 records" in visible(out["review.html"])
    record_pages = [n for n in out if n.startswith("audit/studies/")]
    assert len(record_pages) == 10  # one per record: its id is the page's name
    assert "audit/studies/umkm_5fweb_3aS4.html" in record_pages
    assert all("Not deduplicated yet" in visible(out[n]) for n in record_pages)


def test_failed_prisma_check_writes_nothing(proj: Path) -> None:
    studies = proj / "data" / "interim" / "studies.csv"
    studies.write_text(
        studies.read_text(encoding="utf-8").replace(
            ",2,openalex_en; umkm_web,", ",3,openalex_en; umkm_web,"
        ),
        encoding="utf-8",
    )
    with pytest.raises(
        PrismaError, match=r"identified 10 - duplicates 4 = 6, but there are 8 studies"
    ):
        render(proj)
    assert not (proj / "reports").exists() or not any((proj / "reports").iterdir())


def test_bad_state_names_file_line_and_field(proj: Path) -> None:
    screening = proj / "data" / "interim" / "screening.csv"
    screening.write_text(
        screening.read_text(encoding="utf-8").replace("to_screen", "pending", 1), encoding="utf-8"
    )
    with pytest.raises(ReviewError, match=r"screening.csv, line \d+: field 'state' is 'pending'"):
        render(proj)


def test_report_and_audit_commands(
    proj: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(proj)  # every input and output from the project layout
    protocol = "config/protocol.yaml"
    assert main(["report", "--protocol", protocol]) == 0
    assert (proj / "reports" / "review.html").is_file()
    capsys.readouterr()
    assert main(["audit", STUDY_IDS["D"], "--protocol", protocol]) == 0
    out = capsys.readouterr().out
    assert "PRISMA box: Excluded at title/abstract" in out
    assert "found at: https://example.org/page/S4" in out
    assert "title_abstract  ai-reviewer-1: exclude E3-not-indonesia" in out
    assert "coding events" not in out  # excluded, never coded
    # a record id finds its study
    assert main(["audit", "umkm_web:S4", "--protocol", protocol]) == 0
    assert STUDY_IDS["D"] in capsys.readouterr().out
    # an included study: coding events grouped per coder's row, then the merged values
    assert main(["audit", STUDY_IDS["A"], "--protocol", protocol]) == 0
    out = capsys.readouterr().out
    assert "2026-11-25T10:00:00Z  ai-reviewer-1" in out
    assert "    strategy: volunteers; mentoring_training" in out
    assert main(["audit", "st-nope", "--protocol", protocol]) == DATA_ERROR
    assert "'st-nope' is neither a study id" in capsys.readouterr().err


def test_prisma_and_pages_are_separate_commands(
    proj: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(proj)
    reports = proj / "reports"
    assert main(["prisma"]) == 0  # every path from the project layout
    assert sorted(p.name for p in reports.iterdir()) == ["prisma.csv", "prisma.svg"]
    counts = prisma.read_prisma_csv((reports / "prisma.csv").read_text(encoding="utf-8"))
    assert counts["records_screened"] == "2"  # the databases arm's own (the package's box)
    assert main(["report", "--prisma-svg", "reports/prisma.svg"]) == 0
    assert {p.name for p in reports.iterdir()} == {
        "prisma.csv",
        "prisma.svg",
        "review.html",
        "review.md",
        "search_log.csv",
        "figures",
    }
    assert sorted(p.name for p in (reports / "figures").iterdir()) == [
        "studies_by_region.svg",
        "studies_by_theme.svg",
        "studies_by_year.svg",
    ]
    # With no search run, search_log.csv lists the protocol's queries, marked as not executed...
    log = (reports / "search_log.csv").read_text(encoding="utf-8")
    assert "not executed in this snapshot" in log
    # ...and the next report does not mistake that copy for a log of executed searches.
    assert main(["report"]) == 0
    html = (reports / "review.html").read_text(encoding="utf-8")
    assert "No search log yet" in html
    assert html.count("(as written in the protocol; not executed)") == 3  # one per source
    assert "wrote reports/review.html" in capsys.readouterr().out


def test_report_reads_only_the_files_it_is_given(proj: Path) -> None:
    """A stage output that is not named is a stage not run, even if its file lies in the project:
    the report never guesses where a stage wrote."""
    out = render(proj, screening=None, screening_events=None, coded=None)
    text = visible(out["review.html"])
    assert "not screened yet: 8 studies" in text
    assert "not coded yet" in text
    assert "data/interim/screening.csv" not in out["review.html"].split('id="provenance"')[1]


def test_figures_go_where_they_are_named(proj: Path) -> None:
    protocol = load_protocol(proj / "config" / "protocol.yaml")
    outputs = ReportOutputs.in_folder(proj / "reports")
    outputs = ReportOutputs(
        html=outputs.html,
        markdown=outputs.markdown,
        search_log=outputs.search_log,
        figures={"region": proj / "elsewhere" / "map.svg"},
    )
    written = render_report(protocol, paths=ReportPaths.in_project(proj), outputs=outputs)
    assert "map.svg" in written
    assert "Included studies by province" in (proj / "elsewhere" / "map.svg").read_text()
    assert not (proj / "reports" / "figures").exists()
    with pytest.raises(ValueError, match="no figure 'colour'"):
        render_report(
            protocol,
            paths=ReportPaths.in_project(proj),
            outputs=ReportOutputs(**{**outputs.__dict__, "figures": {"colour": proj / "c.svg"}}),
        )


@pytest.mark.workflow
def test_report_rules_in_the_real_workflow(built_project: Path, built_copy: Path) -> None:
    """render_prisma then render_report through Snakemake: the built review's files, then an
    inconsistent state on a copy stops render_prisma with the arithmetic in its log."""
    from conftest import snakemake

    for name in ("review.html", "review.md", "audit.html", "prisma.svg", "prisma.csv"):
        assert (built_project / "reports" / name).is_file()
    assert "wrote" in (built_project / "logs/render_prisma/render_prisma.log").read_text()
    studies = built_copy / "data" / "interim" / "studies.csv"
    lines = studies.read_text(encoding="utf-8").splitlines(keepends=True)
    row = lines[1].split(",")
    row[2] = str(int(row[2]) + 1)  # n_records of the first study, one too many
    studies.write_text(lines[0] + ",".join(row) + "".join(lines[2:]), encoding="utf-8")
    done = snakemake(
        built_copy, "--cores", "1", "--allowed-rules", "render_prisma", "--", "reports/prisma.svg"
    )
    assert done.returncode != 0
    log = (built_copy / "logs" / "render_prisma" / "render_prisma.log").read_text()
    identified = len(read_records(built_copy / "data" / "interim" / "records.csv"))
    found = re.search(
        rf"identified {identified} - duplicates (\d+) = (\d+), but there are (\d+) studies", log
    )
    assert found, log
    duplicates, remain, studies_n = (int(g) for g in found.groups())
    assert remain == identified - duplicates
    with studies.open(encoding="utf-8", newline="") as fh:
        assert studies_n == sum(1 for _ in csv.DictReader(fh))  # what the arithmetic misses


def test_coding_process_and_studies_no_longer_included(proj: Path) -> None:
    out = render(proj)
    text = visible(out["review.html"])
    assert "3 studies coded by AI reviewer 1 AI (3), AI reviewer 2 AI (1)" in text
    assert "1 coded independently by two or more coders" in text
    assert "1 coded studies are no longer included and are left out of the synthesis" in text
    assert "strategy ai-reviewer-1 / ai-reviewer-2 1 100.0" in text
    # the study coded before its full-text exclusion is not in the synthesis
    synthesis = out["review.html"].split('id="narrative"')[1].split('id="matrix"')[0]
    assert "st-821d6ad8e2" not in synthesis


def test_audit_in_the_terminal_neutralises_control_characters(proj: Path) -> None:
    from review.report.audit import find_trail, format_trail
    from review.report.inputs import load_inputs

    records = proj / "data" / "interim" / "records.csv"
    records.write_text(
        records.read_text(encoding="utf-8").replace("Pelatihan pemasaran", "\x1b[31mPelatihan"),
        encoding="utf-8",
    )
    protocol = load_protocol(proj / "config" / "protocol.yaml")
    text = format_trail(
        find_trail(load_inputs(protocol, ReportPaths.in_project(proj)), "umkm_web:S5")
    )
    assert "\x1b" not in text
    assert "\N{REPLACEMENT CHARACTER}[31mPelatihan" in text


def test_search_log_written_by_the_search_stage(proj: Path) -> None:
    """The log ``review search-log`` writes from the run manifests is the PRISMA-S table."""
    import json

    run = proj / "data" / "raw" / "openalex_en" / "2026-11-28T100000Z"
    run.mkdir(parents=True)
    (run / "manifest.json").write_text(
        json.dumps(
            {
                "platform": "OpenAlex REST API",
                "query_as_executed": "UMKM digital",
                "filters": {"from": "2015"},
                "started_at": "2026-11-28T10:00:00Z",
                "complete": True,
                "stop_reason": "exhausted",
                "records_reported": 7,
                "records_retrieved": 2,
            }
        ),
        encoding="utf-8",
    )
    log = proj / "data" / "interim" / "search_log.csv"
    protocol = str(proj / "config" / "protocol.yaml")
    raw = str(proj / "data" / "raw")
    assert main(["search-log", "--protocol", protocol, "--raw-root", raw, "-o", str(log)]) == 0
    out = render(proj, search_log=log)
    text = visible(out["review.html"])
    assert "source: " + str(log) in text
    assert (
        "openalex_en openalex / OpenAlex REST API 2026-11-28T100000Z complete UMKM digital "
        "{&#34;from&#34;: &#34;2015&#34;} 2026-11-28T10:00:00Z 7 2" in text
    )
    last_searched = "openalex_en database (openalex) 2 2 2026-11-20T08:00:00Z 2026-11-28T10:00:00Z"
    assert last_searched in text
    copy = (proj / "reports" / "search_log.csv").read_text(encoding="utf-8")
    assert copy == log.read_text(encoding="utf-8")  # the report's copy is the log as written


@pytest.mark.parametrize(
    ("authors", "year", "title", "expected"),
    [
        ("Sunuantari, Manik", "2021", "", "Sunuantari 2021"),
        ("Tan, Wei; Lim, Mei", "2020", "", "Tan & Lim 2020"),
        ("Tan, Wei; Lim, Mei; Ng, Ah", "2020", "", "Tan et al. 2020"),
        ("Utomo; et al.", "", "", "Utomo et al. n.d."),
        ("Sari, Dewi; dkk", "2023", "", "Sari et al. 2023"),
        (
            "",
            "2022",
            "Pelatihan pemasaran digital untuk UMKM desa",
            "Pelatihan pemasaran digital untuk… (2022)",
        ),
        ("et al.", "", "Short title", "Short title (n.d.)"),
    ],
)
def test_cite_label(authors: str, year: str, title: str, expected: str) -> None:
    from review.records import cite_label

    assert cite_label(authors, year, title) == expected


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("Ponggok village, Klaten, Central Java", ["Central Java"]),
        ("Terik village, Krian, Sidoarjo, Jawa Timur", ["East Java"]),
        (
            "Pondok Aren (Banten), Pangkalan Bun (Central Kalimantan), Wates (Yogyakarta)",
            ["Central Kalimantan", "Yogyakarta", "Banten"],
        ),
        ("Manokwari, West Papua", ["West Papua"]),  # not also Papua
        ("Kampar Regency, Riau", ["Riau"]),
        ("not stated (authors in Mojokerto, East Java)", ["not stated"]),
        ("Naga Timbul village (province not stated)", ["not stated"]),
        ("Indonesia (general)", ["Indonesia (national or general)"]),
        ("Kuala Lumpur, Malaysia", ["Malaysia"]),
        ("", ["not stated"]),
    ],
)
def test_regions_of_the_protocol(location: str, expected: list[str]) -> None:
    from review.report.regions import Gazetteer

    protocol = load_protocol(FIXTURE / "config" / "protocol.yaml")
    gazetteer = Gazetteer.from_protocol(protocol.data["synthesis"]["regions"])
    assert gazetteer.regions(location) == expected


def test_pages_are_well_nested(proj: Path) -> None:
    """Every block element the templates open is closed, in order (a template slip shows here)."""
    from html.parser import HTMLParser

    void = {"meta", "br", "col", "input", "link", "img", "hr", "path", "rect"}
    checked = set(
        "section div table thead tbody tfoot tr td th ul ol li details summary figure dl svg "
        "text p select option colgroup header main footer nav a span code".split()
    )

    class Nesting(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []
            self.problems: list[str] = []

        def handle_starttag(self, tag: str, attrs: list) -> None:
            if tag in checked and tag not in void:
                self.stack.append(tag)

        def handle_startendtag(self, tag: str, attrs: list) -> None:
            pass

        def handle_endtag(self, tag: str) -> None:
            if tag not in checked:
                return
            if not self.stack or self.stack[-1] != tag:
                self.problems.append(
                    f"</{tag}> at line {self.getpos()[0]}, open: {self.stack[-3:]}"
                )
                return
            self.stack.pop()

    out = render(proj)
    names = ["review.html", "audit.html", *(n for n in out if n.endswith(".html") and "/" in n)]
    assert len(names) == 2 + 8 + 3  # the review, the index, 8 studies, 3 reviewers
    for name in names:
        parser = Nesting()
        parser.feed(out[name])
        assert parser.problems == [], name
        assert parser.stack == [], name


def test_regions_without_a_gazetteer_are_grouped_as_written() -> None:
    """The engine knows no country: a protocol without ``synthesis.regions`` gets the coders'
    locations as written (their last part), never another review's provinces."""
    from review.report.regions import Gazetteer

    plain = Gazetteer.from_protocol(None)
    assert plain.regions("Ponggok village, Klaten, Central Java") == ["Central Java"]
    assert plain.regions("Indonesia (general)") == ["Indonesia (general)"]
    assert plain.regions("") == ["not stated"]
    assert plain.title == "Included studies by location (coded)"


def test_sections_are_found_in_page_order() -> None:
    from review.report import sections

    found = sections.sections()
    assert [s.id for s in found if s.parent is None] == [
        "abstract",
        "introduction",
        "questions",
        "methods",
        "results",
        "findings_summary",
        "selection",
        "changes",
        "characteristics",
        "figures",
        "appraisal",
        "effect_direction",
        "narrative",
        "matrix",
        "heterogeneity",
        "sensitivity",
        "reporting_bias",
        "certainty",
        "comparison",
        "excluded",
        "limits",
        "discussion",
        "registration",
        "amendments",
        "provenance",
        "checklist",
    ]
    assert [s.id for s in found if s.parent == "methods"][:2] == [
        "methods_criteria",
        "methods_sources",
    ]
    # every section has a Markdown template too, so both pages number their headings alike
    assert [s.id for s in found if s.md is None] == []
    with pytest.raises(ValueError, match="section 'b' sets 'x', which section 'a' already sets"):
        sections.build(
            {},
            [
                sections.Section("a", 1, lambda base: {"x": 1}),
                sections.Section("b", 2, lambda base: {"x": 2}),
            ],
        )


def test_a_new_section_is_a_module_and_a_template(
    proj: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A section placed before the study selection: its heading takes the next number, the
    later sections renumber themselves and the table of contents lists it."""
    import jinja2

    from review.report import render as render_module
    from review.report import sections

    extra = sections.Section(
        "appraisal_demo", 280, lambda base: {"demo_n": len(base["included"])}, toc="Appraisal"
    )
    found = sections.sections()
    monkeypatch.setattr(
        sections, "sections", lambda: sorted([*found, extra], key=lambda s: s.order)
    )
    plain = render_module.environment

    def environment(*, markdown: bool = False) -> jinja2.Environment:
        env = plain(markdown=markdown)
        env.loader = jinja2.ChoiceLoader(
            [
                jinja2.DictLoader(
                    {
                        "sections/appraisal_demo.html.j2": '<section id="appraisal_demo">\n'
                        "<h2>{{ num.chapter() }} Appraisal</h2>\n<p>{{ demo_n }} studies</p>\n"
                        "</section>\n\n"
                    }
                ),
                env.loader,
            ]
        )
        return env

    monkeypatch.setattr(render_module, "environment", environment)
    html = render(proj)["review.html"]
    assert '<li><a href="#appraisal_demo">Appraisal</a></li>' in html
    assert "<h2>4. Appraisal</h2>\n<p>3 studies</p>" in html
    assert '<h2 id="results">5. Results</h2>' in html
    assert "<h3>5.1 Summary of findings</h3>" in html
    assert "<h2>8. Protocol amendments</h2>" in html
    assert "<h2>9. Software and provenance</h2>" in html


def test_operational_definitions_are_listed_with_the_criteria(proj: Path) -> None:

    path = proj / "config" / "protocol.yaml"
    before = render(proj)
    assert "Operational definitions" not in before["review.html"]
    data = load_yaml(path.read_text(encoding="utf-8"))
    code = data["criteria"][1]["code"]
    data["definitions"] = [
        {
            "id": "D1",
            "term": "MSME <beneficiary>",
            "text": "A firm the action supports.",
            "criteria": [code],
        }
    ]
    path.write_text(dump_yaml(data, allow_unicode=True), encoding="utf-8")
    out = render(proj)
    text = visible(out["review.html"])
    assert f"D1 MSME &lt;beneficiary&gt; A firm the action supports. {code}" in text
    # the Markdown page escapes the term for Markdown (a reader shows "<beneficiary>" as text)
    assert (
        f"| `D1` | MSME \\<beneficiary\\> | A firm the action supports. | `{code}` |"
        in (out["review.md"])
    )


def test_set_aside_statements_count_rows_per_reviewer_stage_and_file(proj: Path) -> None:

    from review.report.inputs import ReportInputs
    from review.report.setaside import set_aside_statements

    path = proj / "config" / "protocol.yaml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    data["reviewers"][0]["set_aside"] = [
        {"stages": ["full_text", "appraisal"], "date": "2026-12-01", "reason": "too early"}
    ]
    path.write_text(dump_yaml(data, allow_unicode=True), encoding="utf-8")
    who = data["reviewers"][0]["id"]
    inputs = ReportInputs(
        protocol=load_protocol(path),
        records=[],
        screening_set_aside=[
            {"problem": "reviewer_set_aside", "reviewer": who, "stage": "full_text", "source": f}
            for f in ("ft/a.csv", "ft/a.csv", "ft/_resolutions.csv")
        ]
        + [{"problem": "out_of_order", "reviewer": who, "stage": "full_text", "source": "x"}],
        appraisal_unmatched=None,
    )
    [ft, appraisal] = set_aside_statements(inputs, ("title_abstract", "full_text", "appraisal"))
    assert (ft["stage"], ft["n"], ft["files"]) == (
        "full_text",
        3,
        [("ft/_resolutions.csv", 1), ("ft/a.csv", 2)],
    )
    assert (ft["date"], ft["reason"], ft["kind"]) == ("2026-12-01", "too early", "ai")
    # appraisal has not run: the amendment is stated, without a count
    assert (appraisal["stage"], appraisal["n"], appraisal["files"]) == ("appraisal", None, [])
    assert set_aside_statements(inputs, ("coding",)) == []
