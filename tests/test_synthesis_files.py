"""The synthesis files reviewers write: findings.yaml checked and profiled, the narrative's
citations checked and rendered to safe HTML, templates that never write a statement."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from evidence_helpers import build, evidence_project, read_csv
from yaml_helpers import dump_yaml, load_yaml

from review.cli import main
from review.errors import DecisionError
from review.exitcodes import DATA_ERROR, USAGE
from review.narrative import citation_labels, load_narrative, uncited
from review.report.authored import markdown_of
from review.studygroups import StudyGroups, read_groups
from review.tables import contract, read_table


def _paths(root: Path) -> list[str]:
    return [
        "--protocol",
        str(root / "config/protocol.yaml"),
        "--studies",
        str(root / "data/interim/studies.csv"),
        "--screening",
        str(root / "data/interim/screening.csv"),
        "--study-groups",
        str(root / "data/interim/study_groups.csv"),
    ]


def _evidence(root: Path) -> list[str]:
    out = root / "data/extracted"
    return [
        "--coded",
        str(out / "coded.csv"),
        "--outcomes",
        str(out / "outcomes.csv"),
        "--appraisal-summary",
        str(out / "appraisal_summary.csv"),
    ]


def findings(root: Path) -> int:
    return main(
        [
            "synthesis",
            "findings",
            *_paths(root),
            *_evidence(root),
            "--findings",
            str(root / "data/decisions/synthesis/findings.yaml"),
            "--out",
            str(root / "data/extracted/findings.csv"),
        ]
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    project = evidence_project(tmp_path, "qualitative")
    build(project)
    return project


# ---- findings -------------------------------------------------------------------------------
def test_findings_are_checked_and_profiled(root: Path) -> None:
    assert findings(root) == 0
    rows = {r["finding_id"]: r for r in read_csv(root / "data/extracted/findings.csv")}
    f1 = rows["F1"]
    assert f1["statement"] == (
        "Community mentoring helped sellers gain the confidence to sell online."
    )
    assert (f1["confidence"], f1["approach"], f1["assessed_by"]) == (
        "moderate",
        "cerqual",
        "anna; budi",
    )
    # two studies in three reports: st-a100000002 has a conference version
    assert (f1["n_studies"], f1["n_reports"]) == ("2", "3")
    assert f1["designs"] == "qualitative 2"
    # st-a100000001's overall is an open conflict; st-a100000002 is not appraised
    assert (f1["n_appraised"], f1["n_high_concern"], f1["share_high_concern"]) == ("0", "0", "")
    assert f1["directions"] == "social: improved 2"
    assert "no overall appraisal: st-a100000001, st-a100000002" in f1["problems"]
    assert "appraisal conflicts unsettled: st-a100000001" in f1["problems"]
    assert "direction unsettled: st-a100000002 (social)" in f1["problems"]
    f2 = rows["F2"]
    assert (f2["n_appraised"], f2["n_high_concern"], f2["share_high_concern"]) == (
        "1",
        "1",
        "1.000",
    )
    assert f2["designs"] == "mixed 1"


def _write(root: Path, data: object) -> Path:
    path = root / "data/decisions/synthesis/findings.yaml"
    path.write_text(dump_yaml(data, sort_keys=False), encoding="utf-8")
    return path


def _base(root: Path) -> dict:
    path = root / "data/decisions/synthesis/findings.yaml"
    return load_yaml(path.read_text(encoding="utf-8"))


BAD_FINDINGS = {
    "a study not included": (
        lambda d: d["findings"][0]["studies"].append("st-a100000005"),
        r"findings\[0\]\.studies\[2\]: st-a100000005 is not an included study",
    ),
    "a companion report instead of its study": (
        lambda d: d["findings"][0]["studies"].append("st-a100000006"),
        r"findings\[0\]\.studies\[2\]: st-a100000006 is a report of study st-a100000002; cite "
        r"the study by its main id",
    ),
    "a study that does not exist": (
        lambda d: d["findings"][1]["studies"].append("st-ffffffffff"),
        r"findings\[1\]\.studies\[1\]: st-ffffffffff is not an included study",
    ),
    "an unknown CERQual level": (
        lambda d: d["findings"][0]["components"]["coherence"].update(concerns="fine"),
        r"findings\[0\]\.components\.coherence\.concerns: 'fine' is not one of",
    ),
    "a missing CERQual component": (
        lambda d: d["findings"][0]["components"].pop("relevance"),
        r"findings\[0\]\.components: 'relevance' is a required property",
    ),
    "a GRADE domain with CERQual words": (
        lambda d: d["findings"][1]["components"]["imprecision"].update(concerns="moderate"),
        r"findings\[1\]\.components\.imprecision\.concerns: 'moderate' is not one of "
        r"\['not_serious', 'serious', 'very_serious'\]",
    ),
    "no statement": (
        lambda d: d["findings"][0].pop("statement"),
        r"findings\[0\]: 'statement' is a required property",
    ),
    "an unknown confidence": (
        lambda d: d["findings"][0].update(confidence="medium"),
        r"findings\[0\]\.confidence: 'medium' is not one of",
    ),
    "an id used twice": (
        lambda d: d["findings"][1].update(id="F1"),
        r"findings\[1\]\.id: 'F1' is used twice",
    ),
    "an unknown group": (
        lambda d: d["findings"][0].update(group="hackathons"),
        r"findings\[0\]\.group: 'hackathons' is not a synthesis theme",
    ),
    "an unknown domain": (
        lambda d: d["findings"][0].update(domains=["economic"]),
        r"findings\[0\]\.domains\[0\]: 'economic' is not an outcome domain of the protocol "
        r"\(social\)",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FINDINGS))
def test_bad_findings_name_the_file_and_key(root: Path, capsys, case: str) -> None:
    change, pattern = BAD_FINDINGS[case]
    data = _base(root)
    change(data)
    path = _write(root, data)
    assert findings(root) == DATA_ERROR
    err = capsys.readouterr().err
    assert str(path) in err
    assert re.search(pattern, err), err
    assert not (root / "data/extracted/findings.csv").exists()


def test_broken_yaml_names_the_line(root: Path, capsys) -> None:
    path = root / "data/decisions/synthesis/findings.yaml"
    path.write_text("findings:\n  - id: F1\n    statement: [unclosed\n", encoding="utf-8")
    assert findings(root) == DATA_ERROR
    assert re.search(r"findings\.yaml, line \d+, column \d+: invalid YAML", capsys.readouterr().err)


def test_no_findings_file_writes_an_empty_table(root: Path, capsys) -> None:
    (root / "data/decisions/synthesis/findings.yaml").unlink()
    assert findings(root) == 0
    assert "not written yet" in capsys.readouterr().out
    assert read_csv(root / "data/extracted/findings.csv") == []


def test_template_prefills_what_is_computed_and_leaves_the_statement(root: Path, capsys) -> None:
    args = ["synthesis", "template", *_paths(root), *_evidence(root), "--group", "mentoring"]
    assert main([*args, "--domain", "social"]) == 0
    text = capsys.readouterr().out
    data = load_yaml(text)
    finding = data["findings"][0]
    assert finding["studies"] == ["st-a100000001"]  # the studies coded with the theme
    assert finding["statement"] == ""
    assert finding["confidence"] is None
    assert finding["components"]["coherence"] == {"concerns": None, "explanation": ""}
    assert "# directions: social: improved 1" in text
    assert "0 of 0 appraised studies at the highest level of concern" in text
    assert main([*args[:-1], "nowhere"]) == USAGE
    assert "is not a synthesis theme" in capsys.readouterr().err


# ---- the narrative --------------------------------------------------------------------------
def _narrative(root: Path) -> tuple[StudyGroups, dict[str, str]]:
    groups = read_groups(root / "data/interim/study_groups.csv")
    labels = citation_labels(read_table(root / "data/interim/studies.csv", contract("studies")))
    return groups, labels


def test_narrative_renders_safe_html_with_citations_linked_to_the_audit(root: Path) -> None:
    groups, labels = _narrative(root)
    narrative = load_narrative(root / "data/decisions/synthesis", groups, labels)
    assert sorted(narrative.files) == ["discussion.md", "groups/mentoring.md"]
    mentoring = narrative.group("mentoring")
    assert mentoring is not None
    html = mentoring.html
    assert '(<a class="cite" href="audit.html#st-a100000001">Sari &amp; Putra 2021</a>)' in html
    assert (
        '(<a class="cite" href="audit.html#st-a100000002">Wijaya 2022</a>; '
        '<a class="cite" href="audit.html#st-a100000006">Wijaya 2021</a>)'
    ) in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<table>" in html
    assert "<strong>confidence</strong>" in html
    assert '<a href="https://example.org/programme">programme page</a>' in html
    assert "<code>[@st-not-a-citation]</code>" in html  # code is not parsed for citations
    assert [(c.study_id, c.main_study_id, c.line) for c in mentoring.citations] == [
        ("st-a100000001", "st-a100000001", 3),
        ("st-a100000002", "st-a100000002", 4),
        ("st-a100000006", "st-a100000002", 4),
    ]
    # the conference version counts for its study; 4 and 7 are never cited
    assert uncited(narrative, groups) == ["st-a100000004", "st-a100000007"]
    assert narrative.get("limitations.md") is None  # not yet written: absent


def test_authored_headings_sit_below_the_reports_own(root: Path) -> None:
    """A file that opens with its own title must not break the report's outline: # → h4."""
    groups, labels = _narrative(root)
    folder = root / "data/decisions/synthesis"
    (folder / "limitations.md").write_text(
        "# Limitations\n\n## Of the evidence\n\nFew studies.\n\n#### Deep\n", encoding="utf-8"
    )
    html = load_narrative(folder, groups, labels).get("limitations.md").html
    assert "<h4>Limitations</h4>" in html
    assert "<h5>Of the evidence</h5>" in html
    assert "<h6>Deep</h6>" in html
    for tag in ("<h1>", "<h2>", "<h3>"):
        assert tag not in html


def test_the_markdown_page_gets_the_narrative_as_markdown(root: Path) -> None:
    """The Markdown page shows an authored file as Markdown, never its HTML fragment (no tag
    or entity may show there literally): citations link to the audit view, headings sit
    below the report's, raw HTML is text, code is left as written."""
    groups, labels = _narrative(root)
    folder = root / "data/decisions/synthesis"
    (folder / "limitations.md").write_text(
        "# Limitations\n\nOf the evidence\n---\n\nFew studies [@st-a100000001].\n",
        encoding="utf-8",
    )
    load_narrative(folder, groups, labels)  # the files pass the checks
    text = markdown_of(folder / "groups/mentoring.md", labels)
    assert "([Sari & Putra 2021](audit.html#st-a100000001))" in text
    assert (
        "([Wijaya 2022](audit.html#st-a100000002); [Wijaya 2021](audit.html#st-a100000006))"
    ) in text
    assert "\\<script>" in text
    assert "<script>" not in text.replace("\\<script>", "")
    assert "`[@st-not-a-citation]`" in text  # a code span is left as written
    assert not re.search(r"&(amp|lt|gt|quot|#\d+);", text)
    limits = markdown_of(folder / "limitations.md", labels)
    assert limits.splitlines()[:3] == ["#### Limitations", "", "##### Of the evidence"]
    assert "Few studies ([Sari & Putra 2021](audit.html#st-a100000001))." in limits


BAD_NARRATIVE = {
    "a citation that names no study": (
        "Line one.\n\nAs shown [@st-deadbeef00].\n",
        r"discussion\.md, line 3: \[@st-deadbeef00\] names no study of this review",
    ),
    "a citation that is no id at all": (
        "As shown [@Sari2021].\n",
        r"discussion\.md, line 1: \[@Sari2021\] names no study of this review",
    ),
    "a study no longer included": (
        "First line\nsecond line [@st-a100000001; @st-a100000005].\n",
        r"discussion\.md, line 2: \[@st-a100000005\] is a study that is not included",
    ),
    "a javascript link": (
        "Click [here](javascript:alert(1)).\n",
        r"discussion\.md, line 1: link to 'javascript:alert\(1\)' refused; only http:// and "
        r"https:// addresses may be linked",
    ),
    "a data image": (
        "![x](data:image/png;base64,AAAA)\n",
        r"discussion\.md, line 1: image to 'data:image/png;base64,AAAA' refused",
    ),
    "a relative link": (
        "See [the audit](audit.html).\n",
        r"link to 'audit\.html' refused",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_NARRATIVE))
def test_bad_narrative_is_refused_with_file_and_line(root: Path, case: str) -> None:
    text, pattern = BAD_NARRATIVE[case]
    (root / "data/decisions/synthesis/discussion.md").write_text(text, encoding="utf-8")
    groups, labels = _narrative(root)
    with pytest.raises(DecisionError, match=pattern) as info:
        load_narrative(root / "data/decisions/synthesis", groups, labels)
    assert "nothing was rendered" in str(info.value)


def test_check_command_writes_where_each_study_is_cited(root: Path, capsys) -> None:
    out = root / "data/interim/narrative_citations.csv"
    args = [
        "synthesis",
        "check",
        *_paths(root),
        "--narrative",
        str(root / "data/decisions/synthesis"),
        "--citations",
        str(out),
    ]
    assert main(args) == 0
    assert "2 narrative file(s), 4 citation(s); 2 included study(ies) never cited" in (
        capsys.readouterr().out
    )
    rows = {r["study_id"]: r for r in read_csv(out)}
    assert rows["st-a100000002"]["cited_in"] == "groups/mentoring.md:4; groups/mentoring.md:4"
    assert rows["st-a100000002"]["n_citations"] == "2"
    assert rows["st-a100000003"]["label"] == "Lestari et al. 2020"
    assert rows["st-a100000007"]["n_citations"] == "0"
    assert "st-a100000006" not in rows  # a report, not a study
    (root / "data/decisions/synthesis/groups/bad name.md").write_bytes(b"caf\xe9 [@st-a100000001]")
    assert main(args) == DATA_ERROR
    assert "bad name.md: not UTF-8 text" in capsys.readouterr().err
