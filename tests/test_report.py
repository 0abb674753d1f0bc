"""The report rendered from the fixture project: content, escaping, stages not run yet,
the PRISMA check stopping the run, and the ``review report`` / ``review audit`` commands."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from review.cli import main
from review.errors import ReviewError
from review.prisma import PrismaError
from review.protocol import load_protocol
from review.report.inputs import Paths
from review.report.render import Outputs, render_report

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


def render(root: Path, **paths: Path) -> dict[str, str]:
    protocol = load_protocol(root / "config" / "protocol.yaml")
    paths.setdefault("search_log", root / "reports" / "search_log.csv")
    render_report(
        protocol,
        paths=Paths(root=root, **paths),
        outputs=Outputs(folder=root / "reports"),
        generated_at="2026-11-29 08:00 UTC",
    )
    return {
        p.name: p.read_text(encoding="utf-8") for p in (root / "reports").iterdir() if p.is_file()
    }


def visible(html: str) -> str:
    """Text of the page without tags (entities kept), white space folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_all_report_files_are_written(proj: Path) -> None:
    out = render(proj)
    assert {"review.html", "review.md", "audit.html", "prisma.svg", "prisma.csv"} <= set(out)
    html = out["review.html"]
    assert html.count("<svg") >= 4  # PRISMA diagram + three figures, inline
    assert "<link" not in html  # self-contained
    assert 'src="http' not in html
    assert "Records screened (n = 6)" in visible(html)
    figure = (proj / "reports" / "figures" / "studies_by_theme.svg").read_text(encoding="utf-8")
    assert figure.startswith("<svg")
    assert "Included studies by theme" in figure


def test_hostile_text_is_shown_never_executed(proj: Path) -> None:
    out = render(proj)
    for name in ("review.html", "audit.html", "review.md"):
        text = out[name]
        assert "<script>alert(" not in text, name
        quote = "'" if name.endswith(".md") else "&#39;"  # quotes cannot open a tag
        assert f"&lt;script&gt;alert({quote}pwned{quote})&lt;/script&gt;" in text, name
        assert "<img src=x" not in text, name
        assert "<b>markup</b>" not in text, name
    audit = out["audit.html"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in audit
    # a record's link is a link only when it is http(s): never a javascript: URL
    assert 'href="javascript:' not in audit
    assert "found at: javascript:alert(document.domain)" in audit
    assert 'href="https://example.org/klinik?a=1&amp;b=&lt;2&gt;"' in audit
    # Defence in depth: the review page may run no script at all, the audit page only its own
    # (its CSP names the hash of the one inline script; the browser test shows that it runs).
    assert "script-src 'none'" in out["review.html"]
    assert "script-src 'sha256-" in audit
    # The only scripts are the audit page's own filter.
    assert out["review.html"].count("<script") == 0
    assert audit.count("<script") == 1


def test_methods_sources_and_screening(proj: Path) -> None:
    text = visible(render(proj)["review.html"])
    assert "OpenAlex (English query) openalex_en database (openalex) 2 0" in text
    assert (
        "document mirrors), each with the address of the page where it was seen. websites 8 2"
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


def test_search_log_csv_is_the_prisma_s_table(proj: Path) -> None:
    log = proj / "reports" / "search_log.csv"
    log.parent.mkdir()
    log.write_text(
        "source_id,database,platform,query_as_executed,executed_at,n_hits_reported,n_records_retrieved\n"
        'openalex_en,openalex,OpenAlex API,"UMKM AND <b>digital</b>",2026-11-20T08:00:00Z,120,2\n',
        encoding="utf-8",
    )
    out = render(proj)
    text = visible(out["review.html"])
    assert "Database / platform Query Searched (UTC) Hits reported Retrieved" in text
    assert (
        "openalex_en openalex / OpenAlex API UMKM AND &lt;b&gt;digital&lt;/b&gt; 2026-11-20" in text
    )
    assert "(as written in the protocol; not executed)" not in text
    assert "2026-11-20T08:00:00Z" in text  # date last searched, from the log
    assert "UMKM AND <b>digital</b>" in out["search_log.csv"]


def test_synthesis_links_and_conclusions(proj: Path) -> None:
    html = render(proj)["review.html"]
    text = visible(html)
    a, b = STUDY_IDS["A"], STUDY_IDS["B"]
    assert f'href="audit.html#{a}"' in html
    assert "Economic outcomes are reported by 1 study ( Sunuantari &amp; Zarkasi 2021 )" in text
    conclusions = html[html.index('id="conclusions"') : html.index('id="excluded"')]
    c1 = conclusions[conclusions.index("C1-communities:") : conclusions.index("C2-clinics:")]
    assert "not supported by the evidence here" in c1
    c2 = conclusions[conclusions.index("C2-clinics:") : conclusions.index("C3-smart-village:")]
    # the clinic study reports no outcome: weak evidence, listed apart, not support
    assert "not supported by the evidence here" in c2
    assert f"audit.html#{b}" in c2
    c6 = conclusions[conclusions.index("C6-barriers:") : conclusions.index("C7-impacts:")]
    assert "partly supported" in c6
    assert ">supported<" in conclusions[conclusions.index("C7-impacts:") :]
    assert "team summary, not the abstract" in text
    assert (
        "of 7 published conclusions, 3 are supported by the studies here, 1 partly, and 3 not "
        "supported by the evidence here (C1-communities, C2-clinics, C4-pahlawan-ekonomi)" in text
    )


def test_excluded_studies_and_matrix(proj: Path) -> None:
    text = visible(render(proj)["review.html"])
    assert "E7-no-outcome-or-barrier Reports no outcome or barrier" in text
    assert "E8-full-text-unavailable Full text could not be assessed not retrieved" in text
    assert "Theme \u00d7 outcome matrix" in text


def test_what_could_not_be_assessed(proj: Path) -> None:
    out = render(proj)
    text = visible(out["review.html"])
    assert "Reports not retrieved (full text could not be read): 1 ( Putra 2022 )" in text
    assert "Studies still waiting for a decision (awaiting screening, undecided" in text
    assert "no published abstract in any of their records: 2 of 3" in text  # B has one
    assert "assessed at full text by a single reviewer: 0 of 3" in text
    assert (
        "Reports not retrieved (full text could not be read): 1 ([Putra 2022]" in out["review.md"]
    )


def test_audit_page_has_every_study_and_its_trail(proj: Path) -> None:
    audit = render(proj)["audit.html"]
    for sid in STUDY_IDS.values():
        assert f'id="{sid}"' in audit
    assert audit.count('class="study-row"') == 8
    row_a = audit[audit.index(f'id="{STUDY_IDS["A"]}"') :]
    row_a = row_a[: row_a.index("</tr>")]
    assert 'href="https://example.org/page/W1"' in row_a
    assert "openalex_en:W1" in row_a
    assert "umkm_web:S1" in row_a
    assert "title 0.97" in row_a
    assert "total 0.93" in row_a
    assert "ai-reviewer-2" in row_a
    assert "2026-11-21T" in row_a
    assert 'data-box="included_ft"' in audit
    assert 'data-box="excluded_auto"' in audit


def test_missing_stages_are_shown_as_such(proj: Path) -> None:
    (proj / "data" / "extracted" / "coded.csv").unlink()
    text = visible(render(proj)["review.html"])
    assert "not coded yet: 3 included studies" in text
    (proj / "data" / "interim" / "screening.csv").unlink()
    out = render(proj)
    text = visible(out["review.html"])
    assert "not screened yet: 8 studies" in text
    assert "Not screened yet" in visible(out["audit.html"])
    for name in ("studies.csv", "clusters.csv", "dedup_links.csv"):
        (proj / "data" / "interim" / name).unlink()
    out = render(proj)
    assert "not deduplicated yet: 10 records" in visible(out["review.html"])
    assert visible(out["audit.html"]).count("Not deduplicated yet") >= 10


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


def test_report_and_audit_commands(proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    protocol = str(proj / "config" / "protocol.yaml")
    assert main(["report", "--protocol", protocol, "--root", str(proj)]) == 0
    assert (proj / "reports" / "review.html").is_file()
    capsys.readouterr()
    assert main(["audit", STUDY_IDS["D"], "--protocol", protocol, "--root", str(proj)]) == 0
    out = capsys.readouterr().out
    assert "PRISMA box: Excluded at title/abstract" in out
    assert "found at: https://example.org/page/S4" in out
    assert "title_abstract  ai-reviewer-1: exclude E3-not-indonesia" in out
    assert "coding events" not in out  # excluded, never coded
    # a record id finds its study
    assert main(["audit", "umkm_web:S4", "--protocol", protocol, "--root", str(proj)]) == 0
    assert STUDY_IDS["D"] in capsys.readouterr().out
    # an included study: coding events grouped per coder's row, then the merged values
    assert main(["audit", STUDY_IDS["A"], "--protocol", protocol, "--root", str(proj)]) == 0
    out = capsys.readouterr().out
    assert "2026-11-25T10:00:00Z  ai-reviewer-1" in out
    assert "    strategy: volunteers; mentoring_training" in out
    assert main(["audit", "st-nope", "--protocol", protocol, "--root", str(proj)]) == 2
    assert "'st-nope' is neither a study id" in capsys.readouterr().err


def test_only_parts_and_protocol_search_rows(proj: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    import review

    monkeypatch.setitem(sys.modules, "review.searchlog", None)  # no search-log module either
    monkeypatch.delattr(review, "searchlog", raising=False)
    protocol = load_protocol(proj / "config" / "protocol.yaml")
    reports = proj / "reports"
    written = render_report(
        protocol, paths=Paths(root=proj), outputs=Outputs(reports), only="prisma"
    )
    assert set(written) == {"prisma.svg", "prisma.csv"}
    written = render_report(
        protocol, paths=Paths(root=proj), outputs=Outputs(reports), only="pages"
    )
    assert set(written) == {
        "review.html",
        "review.md",
        "audit.html",
        "search_log.csv",
        "studies_by_year.svg",
        "studies_by_theme.svg",
        "studies_by_region.svg",
    }
    # With no search run, search_log.csv lists the protocol's queries, marked as not executed...
    log = (reports / "search_log.csv").read_text(encoding="utf-8")
    assert "not executed in this snapshot" in log
    # ...and the next report does not mistake that table for a log of executed searches.
    render_report(protocol, paths=Paths(root=proj), outputs=Outputs(reports), only="pages")
    html = (reports / "review.html").read_text(encoding="utf-8")
    assert "No search log yet" in html
    assert html.count("(as written in the protocol; not executed)") == 3  # one per source


def test_stage_files_waits_for_produced_or_existing_outputs(proj: Path) -> None:
    from review.report.inputs import stage_files

    (proj / "data" / "extracted" / "coded.csv").unlink()
    files = stage_files({"data/extracted/coded.csv"}, root=proj)
    assert files["coded"] == "data/extracted/coded.csv"  # a rule makes it
    assert files["screening"] == "data/interim/screening.csv"  # it exists
    assert files["agreement"] == "data/interim/screening_agreement.json"
    (proj / "data" / "interim" / "screening.csv").unlink()
    assert "screening" not in stage_files(set(), root=proj)  # neither: not waited for


@pytest.mark.workflow
def test_report_rules_in_the_real_workflow(proj: Path) -> None:
    """render_prisma then render_report through Snakemake on the fixture project's tables."""
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    shutil.copy2(repo / "Snakefile", proj / "Snakefile")
    shutil.copytree(repo / "workflow", proj / "workflow")
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    cmd = [
        sys.executable, "-m", "snakemake", "--cores", "1", "--config",
        "protocol=config/protocol.yaml", "--allowed-rules", "render_prisma", "render_report",
        "--", "reports/review.html",
    ]  # fmt: skip
    done = subprocess.run(cmd, cwd=proj, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    for name in ("review.html", "review.md", "audit.html", "prisma.svg", "prisma.csv"):
        assert (proj / "reports" / name).is_file()
    assert "wrote" in (proj / "logs" / "render_prisma" / "render_prisma.log").read_text()
    # An inconsistent state stops the rule, with the arithmetic in its log.
    studies = proj / "data" / "interim" / "studies.csv"
    studies.write_text(
        studies.read_text(encoding="utf-8").replace(
            ",2,openalex_en; umkm_web,", ",3,openalex_en; umkm_web,"
        ),
        encoding="utf-8",
    )
    done = subprocess.run(cmd, cwd=proj, env=env, capture_output=True, text=True, check=False)
    assert done.returncode != 0
    log = (proj / "logs" / "render_prisma" / "render_prisma.log").read_text()
    assert "identified 10 - duplicates 4 = 6, but there are 8 studies" in log


def test_coding_process_and_studies_no_longer_included(proj: Path) -> None:
    out = render(proj)
    text = visible(out["review.html"])
    assert "3 studies coded by AI reviewer 1 AI (3), AI reviewer 2 AI (1)" in text
    assert "1 coded independently by two or more coders" in text
    assert "1 coded studies are no longer included and are left out of the synthesis" in text
    assert "strategy ai-reviewer-1 / ai-reviewer-2 1 100.0" in text
    # the study coded before its full-text exclusion is not in the synthesis
    synthesis = out["review.html"].split('id="synthesis"')[1].split('id="matrix"')[0]
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
    text = format_trail(find_trail(load_inputs(protocol, Paths(root=proj)), "umkm_web:S5"))
    assert "\x1b" not in text
    assert "\N{REPLACEMENT CHARACTER}[31mPelatihan" in text


def test_search_log_from_the_searchlog_module(proj: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no explicit log file, the rows of review.searchlog.search_log are the PRISMA-S table."""
    import dataclasses
    import sys
    import types

    import review

    @dataclasses.dataclass
    class Run:
        source_id: str
        database: str
        query_as_executed: str
        filters: dict
        executed_at: str
        n_hits_reported: int

    seen = {}

    def search_log(protocol, raw_root):  # the contract: (protocol, raw_root) -> rows
        seen["raw_root"] = raw_root
        return [
            Run("openalex_en", "openalex", "UMKM digital", {"from": "2015"}, "2026-11-28T10:00Z", 7)
        ]

    fake = types.ModuleType("review.searchlog")
    fake.search_log = search_log
    monkeypatch.setitem(sys.modules, "review.searchlog", fake)
    monkeypatch.setattr(review, "searchlog", fake, raising=False)
    protocol = load_protocol(proj / "config" / "protocol.yaml")
    render_report(protocol, paths=Paths(root=proj), outputs=Outputs(proj / "reports"))
    text = visible((proj / "reports" / "review.html").read_text(encoding="utf-8"))
    assert seen["raw_root"] == proj / "data" / "raw"
    assert (
        "openalex_en openalex UMKM digital {&#34;from&#34;: &#34;2015&#34;} 2026-11-28T10:00Z 7"
        in text
    )
    last_searched = "openalex_en database (openalex) 2 0 2026-11-20T08:00:00Z 2026-11-28T10:00Z"
    assert last_searched in text
    log = (proj / "reports" / "search_log.csv").read_text(encoding="utf-8")
    assert (
        log.splitlines()[0]
        == "source_id,database,query_as_executed,filters,executed_at,n_hits_reported"
    )


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
    from review.report.studies import cite_label

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
def test_provinces(location: str, expected: list[str]) -> None:
    from review.report.regions import provinces

    assert provinces(location) == expected


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
    for name in ("review.html", "audit.html"):
        parser = Nesting()
        parser.feed(out[name])
        assert parser.problems == [], name
        assert parser.stack == [], name
