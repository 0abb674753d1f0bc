"""The evidence side of the report, rendered from two hand-made reviews of different designs
(tests/fixtures/report_evidence/: one with quantitative outcomes and every optional protocol key,
one qualitative-heavy with few keys): vote counting, the effect-direction plot, appraisal,
sensitivity, certainty, the comparison's verdicts, the authored narrative, the detected
deviations, the PRISMA 2020 checklist that follows what the page holds, and a report driven
by the protocol (every optional key may be left out; no word of the default review)."""

from __future__ import annotations

import csv
import re
import shutil
from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest
from test_report import render as render_project
from test_report import visible
from yaml_helpers import dump_yaml, load_yaml

from review.cli import main
from review.errors import ProtocolError, ReviewError
from review.protocol import protocol_schema

FIXTURES = Path(__file__).parent / "fixtures" / "report_evidence"
REPO = Path(__file__).resolve().parents[1]
#: Words of the default review that must not come from the engine (any case) ...
DEFAULT_TERMS = (
    "UMKM",
    "MSMEs?",
    "Indonesian?",
    "provinces?",
    "Pahlawan",
    "Relawan",
    "klinik",
    "desa",
    "smart village",
    "Sulawesi",
    "Java",
)
#: ... and its column titles, which now come from the protocol's labels (as written).
DEFAULT_TITLES = ("Strategy", "Actors", "Approach", "Location", "Barriers")


def copy(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / name, tmp_path / name))


def render(root: Path, **paths: Path | None) -> dict[str, str]:
    """The report files (as :func:`test_report.render`) and the figures, by name."""
    out = render_project(root, **paths)
    for p in (root / "reports" / "figures").glob("*.svg"):
        out[f"figures/{p.name}"] = p.read_text(encoding="utf-8")
    return out


def section(html: str, sid: str) -> str:
    start = html.index(f'<section id="{sid}">')
    return html[start : html.index("</section>", start)]


def checklist(html: str) -> dict[str, str]:
    """Item → its "where reported" cell, as text."""
    table = section(html, "checklist")
    out = {}
    for row in re.findall(r"<tr class=\"[^\"]+\">(.*?)</tr>", table, re.S):
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        out[visible(cells[1])] = visible(cells[3])
    return out


# ---- a review with quantitative outcomes -------------------------------------------------------
@pytest.fixture
def quant(tmp_path: Path) -> Path:
    return copy("quantitative", tmp_path)


@pytest.fixture
def qual(tmp_path: Path) -> Path:
    return copy("qualitative", tmp_path)


def test_vote_counting_on_direction_with_window_and_reports(quant: Path) -> None:
    html = render(quant)["review.html"]
    effects = visible(section(html, "effect_direction"))
    # fitness: a1, a2 improved (measures), a3 improved (pre/post), a4 no change; a5 is after
    # the window; a6's direction is the authors' claim, a type the protocol does not count
    assert "Aerobic fitness ▲ 3 · ◄► 1 · ▼ 0 3 0.250 1.00 (0.44 to 1.00)" in effects
    assert "Body mass ▲ 1 · ◄► 1 · ▼ 1 2 1.000 0.50 (0.09 to 0.91)" in effects
    assert "limited to studies published up to 2022" in effects
    assert "1 published later is left out ( Tan 2023 )" in effects
    assert "1 without a year is included" in effects
    assert "vote counting on direction, not on statistical significance" in effects
    # one study in two reports (st-a7 is linked to st-a1): the synthesis counts studies
    selection = visible(section(html, "selection"))
    assert "Included: 6 studies in 7 reports (reviewers linked 1 further report" in selection
    assert "Lind & Moss 2018 2 reports" in visible(section(html, "characteristics")).replace(
        "&amp;", "&"
    )


def test_effect_direction_plot_is_self_contained_accessible_and_drawn_from_the_table(
    quant: Path,
) -> None:
    out = render(quant)
    svg = out["figures/effect_direction.svg"]
    assert svg.startswith("<svg")
    assert "<title" in svg
    assert "<desc" in svg
    assert "<style>" in svg
    assert 'role="img"' in svg
    assert "href" not in svg
    assert "http://www.w3.org/2000/svg" in svg
    # 5 studies in the synthesis, one triangle per direction and two facing ones for "no
    # change": a1 up, no change, up (4); a2 up, up (2); a3 up, down (2); a4 no change (2) and
    # a dot (not measured); a6 one hollow up (1). The legend draws 9 more.
    assert svg.count("<polygon") == 11 + 9
    assert svg.count("<circle") == 1
    assert svg.count('fill="#fff" stroke="#111"') == 1 + 1  # a6's claim, and the legend's
    assert "Sign test (▲ of ▲+▼)" in svg
    assert "3/3" in svg
    assert "p = 0.250" in svg
    # rows shaded by appraisal: a3 and a6 at high concern
    assert svg.count('fill="#f6d3d3"') == 2
    assert out["review.html"].count('<svg xmlns="http://www.w3.org/2000/svg"') >= 5


def test_appraisal_traffic_lights_and_summary_figure(quant: Path) -> None:
    out = render(quant)
    appraisal = section(out["review.html"], "appraisal")
    assert "<h4>Randomised (2 studies)</h4>" in appraisal
    # Okafor's 2.3 is in conflict between appraisers: shown as such, with both comments
    assert 'class="ans ans-conflict" title="appraisers disagree: r1: unclear' in appraisal
    assert 'class="ans ans-no" title="No">✗</td>' in appraisal  # colour and symbol
    assert "Not appraised yet: 1 study" in visible(appraisal)
    figure = out["figures/appraisal.svg"]
    assert "<desc" in figure
    assert "Randomised (2 studies)" in figure
    assert 'id="ap-hatch"' in figure  # "no" is hatched, so it prints in black and white
    methods = visible(section(out["review.html"], "methods"))
    assert "The protocol asks for 2 appraisers per study" in methods
    assert "5 of 6 included studies appraised by Reviewer One, Reviewer Two: 1 by 1 appraiser" in (
        methods
    )


def test_a_study_whose_category_was_settled_counts_every_appraiser(quant: Path) -> None:
    """Two appraisers placed st-a4 in different categories; adjudication settled one, so its
    item rows list only the appraiser who answered in that category, while the summary names
    both. The study was appraised twice: no deviation, and the methods count it with two."""
    summary = quant / "data/extracted/appraisal_summary.csv"
    with summary.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row["study_id"] == "st-a4":
            row["appraisers"], row["status"] = "r1; r2", "resolved"
    with summary.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    html = render(quant)["review.html"]
    assert "fewer appraisers than" not in visible(section(html, "discussion"))
    methods = visible(section(html, "methods"))
    assert "5 of 6 included studies appraised by Reviewer One, Reviewer Two: 5 by 2 appraisers" in (
        methods
    )


def test_sensitivity_analyses_beside_the_main_result(quant: Path) -> None:
    html = render(quant)["review.html"]
    text = visible(section(html, "sensitivity"))
    assert "Main result — 5 ▲ 3 · ◄► 1 · ▼ 0" in text
    assert "Without studies appraised at high concern without_high_concern 2 studies" in text
    # without the high-concern studies, body mass tips from tied to improved, for recess and
    # for finding F2 too: flagged
    assert "What changes without: Without studies appraised at high concern" in text
    assert "Body mass: tied → improved" in text
    assert "Recess activity, Body mass: tied → improved" in text
    assert "Finding F2: tied → improved" in text
    assert "After-school clubs, Aerobic fitness: tied → no study counted" in text
    assert "Without studies that have no year without_undated 1 study" in text
    assert re.search(
        r"without_undated 1 study: .*? 4 .*? no$", text.split("What changes")[0].strip()
    )


def test_comparison_verdicts_with_studies_for_and_against(quant: Path) -> None:
    html = render(quant)["review.html"]
    comparison = section(html, "comparison")
    text = visible(comparison)
    assert "consistent 2, inconsistent 1, no eligible evidence 1" in text
    assert "<q>Consistent when more eligible studies show the expected direction" in comparison
    assert "Its conclusions are known through: The article&#39;s abstract, read in full." in text
    p2 = visible(comparison[comparison.index('id="conclusion-P2"') :].split("</div>")[0])
    assert "inconsistent" in p2
    assert "For Okafor 2019 Body mass ▲ improved Some concerns" in p2
    assert "Against Lind &amp; Moss 2018 Body mass ◄► no change or mixed Low concern" in p2
    assert "Perez et al. 2020 Body mass ▼ worsened High concern" in p2
    p1 = visible(comparison[comparison.index('id="conclusion-P1"') :].split("</div>")[0])
    assert "consistent" in p1
    assert "F1 (moderate confidence)" in p1
    p4 = visible(comparison[comparison.index('id="conclusion-P4"') :].split("</div>")[0])
    assert "no eligible evidence" in p4
    assert "none stated in the protocol" in p4
    assert "No eligible evidence: the protocol states no test." in p4
    assert "no eligible evidence 1 (the protocol states no test: 1)." in text
    markdown = render(quant)["review.md"]
    assert "**P4**" in markdown
    assert "— **no eligible evidence**: the protocol states no test (" in markdown
    assert "supported" not in text


def test_findings_certainty_and_authored_text(quant: Path) -> None:
    html = render(quant)["review.html"]
    sof = visible(section(html, "findings_summary"))
    assert (
        "F1 Active lessons were followed by better aerobic fitness in the trials that measured "
        "it. 2 studies (3 reports): Lind &amp; Moss 2018 ; Okafor 2019 moderate Downgraded once "
        "for imprecision." in sof
    )
    # the summary of findings opens the results
    assert html.index('id="findings_summary"') < html.index('id="selection"')
    certainty = visible(section(html, "certainty"))
    assert "Imprecision serious Two trials only." in certainty
    assert "Publication bias not serious No sign of missing trials." in certainty
    assert "Adequacy serious Two small studies." in certainty
    narrative = section(html, "narrative")
    assert "<strong>follow-up report</strong>" in narrative
    assert 'href="audit.html#st-a7"' in narrative
    assert "Not yet written (<code>data/decisions/synthesis/groups/recess.md</code>)" in narrative
    uncited = visible(narrative.split("do not cite")[-1])
    assert "4 studies of 6: Perez et al. 2020 ; Sato 2021 ; Tan 2023" in uncited
    discussion = section(html, "discussion")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; stays text" in discussion
    assert "<script>" not in html


def test_rationale_and_risk_of_bias_due_to_missing_results_are_the_reviewers(
    quant: Path,
) -> None:
    """introduction.md opens the introduction, before the questions; reporting_bias.md sits
    between the sensitivity analyses and the certainty (PRISMA items 20d, 21, 22); both absent
    they read "not yet written", written they are shown with their citations as links."""
    html = render(quant)["review.html"]
    for sid, name in (("introduction", "introduction"), ("reporting_bias", "reporting_bias")):
        assert f"Not yet written (<code>data/decisions/synthesis/{name}.md</code>)" in section(
            html, sid
        )
    synthesis = quant / "data/decisions/synthesis"
    (synthesis / "introduction.md").write_text(
        "Why *this* review [@st-a1].\n<script>alert(1)</script>\n", encoding="utf-8"
    )
    (synthesis / "reporting_bias.md").write_text(
        "Searched trial registers.\n\nNo trial is missing [@st-a2; @st-a7].\n", encoding="utf-8"
    )
    out = render(quant)
    html, md = out["review.html"], out["review.md"]
    intro = section(html, "introduction")
    assert "<h2>2. Introduction</h2>" in intro
    assert '<h3 id="rationale">2.1 Rationale</h3>' in intro
    assert (
        'Why <em>this</em> review (<a class="cite" href="audit.html#st-a1">'
        "Lind &amp; Moss 2018</a>)" in intro
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in intro
    assert "Not yet written" not in intro
    assert "<h3>2.2 Research questions</h3>" in section(html, "questions")
    bias = section(html, "reporting_bias")
    assert "<h3>4.11 Risk of bias due to missing results</h3>" in bias
    assert (
        'No trial is missing (<a class="cite" href="audit.html#st-a2">Okafor 2019</a>; '
        '<a class="cite" href="audit.html#st-a7">Lind &amp; Moss 2019</a>)' in bias
    )
    assert "Not yet written" not in bias
    order = [
        html.index(f'<section id="{s}">') for s in ("sensitivity", "reporting_bias", "certainty")
    ]
    assert order == sorted(order)
    assert html.index('<section id="introduction">') < html.index('<section id="questions">')
    items = checklist(html)
    assert (items["3"], items["14"], items["21"]) == (
        "✓ Reported in §2",
        "✓ Reported in §4.11",
        "✓ Reported in §4.11",
    )
    assert "41 of 42 items and sub-items reported." in md
    # the Markdown page gets the files as Markdown, never their HTML fragments
    assert (
        "## 2. Introduction\n\n### 2.1 Rationale\n\n"
        "Why *this* review ([Lind & Moss 2018](audit.html#st-a1)).\n\\<script>alert(1)"
    ) in md
    assert "### 4.11 Risk of bias due to missing results\n\nSearched trial registers.\n" in md
    assert (
        "| 21 | Reporting biases: risk of bias due to missing results | reported in §4.11 |" in md
    )


def test_deviations_are_detected_and_counted(quant: Path) -> None:
    text = visible(section(render(quant)["review.html"], "discussion"))
    for expected in (
        "At the full text stage 1 of 8 studies were decided by fewer reviewers than the 2",
        "1 of 8 full-text decisions were made on the record and any summary, not on the full text.",
        "limited to studies published up to 2022 (synthesis.window): 1 included study is left",
        "Coding disagreements are unresolved for 1 studies",
        "Appraisal disagreements are unresolved for 1 studies. ( Okafor 2019 )",
        "1 of 5 appraised studies were appraised by fewer appraisers than the 2",
        "1 of 7 included reports have no publication year",
    ):
        assert expected in text, expected
    assert "AI reviewers" not in text  # both reviewers are people


def test_declared_basis_of_full_text_assessment_is_a_deviation(quant: Path, qual: Path) -> None:
    protocol = quant / "config" / "protocol.yaml"
    data = load_yaml(protocol.read_text(encoding="utf-8"))
    data["fulltext"] = {"assessment_basis": "record_and_summary", "deviation_reason": "No access."}
    protocol.write_text(dump_yaml(data, sort_keys=False), encoding="utf-8")
    text = visible(section(render(quant)["review.html"], "discussion"))
    assert (
        "1 of 8 full-text decisions were made on the record and any summary, not on the full "
        "text, as the protocol declares (fulltext.assessment_basis): No access. ( Perez et al. "
        "2020 )" in text
    )
    # a protocol that declares no basis: what the decisions rest on is not stated, and said so
    text = visible(section(render(qual)["review.html"], "discussion"))
    assert "The protocol declares no basis for full-text decisions" in text


# ---- the checklist follows the page -------------------------------------------------------------
def test_checklist_of_the_full_review(quant: Path) -> None:
    out = render(quant)
    items = checklist(out["review.html"])
    assert len(items) == 42
    missing = sorted(k for k, v in items.items() if not v.startswith("✓"))
    assert missing == ["14", "21", "23d", "3"]
    assert items["23d"] == "✗ Not reported: not yet written (implications.md) (see §5 )"
    assert items["18"] == "✓ Reported in §4.5"
    assert items["20b"] == "✓ Reported in §4.6 , §4.7"
    assert items["1"] == "✓ In the title"
    # the rationale and the risk of bias due to missing results wait for the reviewers' files
    assert items["3"] == "✗ Not reported: not yet written (introduction.md) (see §2 )"
    for item in ("14", "21"):
        assert items[item] == "✗ Not reported: not yet written (reporting_bias.md) (see §4.11 )"
    assert "<h3>4.5 Study appraisal</h3>" in out["review.html"]
    assert "38 of 42 items and sub-items reported." in out["review.md"]
    assert "| 18 | Risk of bias in each included study | reported in §4.5 |" in out["review.md"]


def _drop_key(root: Path, *keys: str) -> None:
    protocol = root / "config" / "protocol.yaml"
    data = load_yaml(protocol.read_text(encoding="utf-8"))
    node = data
    for key in keys[:-1]:
        node = node[key]
    del node[keys[-1]]
    protocol.write_text(dump_yaml(data, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "item", "before", "after"),
    [
        (
            lambda r: (r / "data/decisions/synthesis/implications.md").write_text("Text."),
            "23d",
            "✗ Not reported: not yet written (implications.md)",
            "✓ Reported in §5",
        ),
        (
            lambda r: (r / "data/decisions/synthesis/introduction.md").write_text("Text."),
            "3",
            "✗ Not reported: not yet written (introduction.md)",
            "✓ Reported in §2",
        ),
        (
            lambda r: (r / "data/decisions/synthesis/reporting_bias.md").write_text("Text."),
            "21",
            "✗ Not reported: not yet written (reporting_bias.md)",
            "✓ Reported in §4.11",
        ),
        (
            lambda r: (r / "data/decisions/synthesis/discussion.md").unlink(),
            "23a",
            "✓ Reported in §5",
            "✗ Not reported: not yet written (discussion.md)",
        ),
        (
            # with the sensitivity analyses, which exclude by appraisal (review check refuses
            # an exclusion by an appraisal the protocol does not declare)
            lambda r: (_drop_key(r, "appraisal"), _drop_key(r, "synthesis", "sensitivity")),
            "18",
            "✓ Reported in §4.5",
            "✗ Not reported: the protocol declares no study appraisal (no `appraisal` key)",
        ),
        (
            lambda r: (r / "data/extracted/outcomes.csv").unlink(),
            "19",
            "✓ Reported in §4.6",
            "✗ Not reported: no direction of effect has been coded yet (outcomes.csv)",
        ),
        (
            lambda r: (r / "data/extracted/findings.csv").unlink(),
            "22",
            "✓ Reported in §4.12",
            "✗ Not reported: no review finding with a certainty judgement is recorded",
        ),
        (
            lambda r: _drop_key(r, "funding"),
            "25",
            "✓ Reported in §6",
            "✗ Not reported: the protocol does not state it (`funding`)",
        ),
        (
            lambda r: _drop_key(r, "synthesis", "sensitivity"),
            "20d",
            "✓ Reported in §4.10",
            "✗ Not reported: the protocol declares no sensitivity analysis",
        ),
    ],
)
def test_checklist_item_flips_when_its_input_goes(
    quant: Path, change: Any, item: str, before: str, after: str
) -> None:
    assert checklist(render(quant)["review.html"])[item].startswith(before)
    change(quant)
    assert checklist(render(quant)["review.html"])[item].startswith(after)


def test_a_title_that_does_not_say_systematic_review(quant: Path) -> None:
    protocol = quant / "config" / "protocol.yaml"
    text = protocol.read_text(encoding="utf-8").replace(": a systematic review", "", 1)
    protocol.write_text(text, encoding="utf-8")
    assert checklist(render(quant)["review.html"])["1"] == (
        "✗ Not reported: the title does not identify the report as a systematic review"
    )


# ---- a qualitative review: sections with no data are absent -------------------------------------
def test_qualitative_review_leaves_out_what_it_does_not_use(qual: Path) -> None:
    out = render(qual)
    html = out["review.html"]
    for sid in ("effect_direction", "comparison", "heterogeneity", "sensitivity", "matrix"):
        assert f'id="{sid}"' not in html, sid
        assert f'href="#{sid}"' not in html.split('id="checklist"')[0], sid
    assert "figures/effect_direction.svg" not in out
    assert "figures/studies_by_region.svg" not in out
    assert "figures/appraisal.svg" in out
    items = checklist(html)
    assert items["19"] == (
        "✗ Not reported: the protocol defines no outcome domains (coding.outcome_domains)"
    )
    assert items["20c"].startswith("✗ Not reported: the protocol names no characteristics")
    assert items["22"] == "✓ Reported in §4.8"  # after the risk of bias due to missing results
    assert items["20b"] == "✓ Reported in §4.6"  # the narrative is written
    # CERQual profile: every component with its concerns and explanation
    certainty = visible(section(html, "certainty"))
    assert "QF2: Online forums gave carers support at any hour." in certainty
    assert "Relevance moderate One online community." in certainty
    # a checklist tool with its own answers, shown with their initials
    appraisal = visible(section(html, "appraisal"))
    assert "U Unclear, N Not applicable" in appraisal
    assert "Chen 2018 ✓ U ✓ ✗ Moderate concerns" in appraisal
    narrative = visible(section(html, "narrative"))
    assert "2 studies of 5: Evans &amp; Fox 2020 ; Gray 2021" in narrative
    discussion = visible(section(html, "discussion"))
    assert "AI reviewers (kind: ai in the protocol) made decisions: AI assistant (screening)" in (
        discussion
    )
    assert "Kind of peer support" in visible(section(html, "characteristics"))


def test_asking_for_a_figure_the_review_does_not_draw(
    qual: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(qual)
    assert main(["report", "--figure", "effect_direction=reports/e.svg"]) != 0
    assert "draws no effect_direction figure" in capsys.readouterr().err
    assert main(["report"]) == 0
    assert sorted(p.name for p in (qual / "reports" / "figures").iterdir()) == [
        "appraisal.svg",
        "studies_by_theme.svg",
        "studies_by_year.svg",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Unknown [@st-0000000].", r"groups/group\.md, line 2: \[@st-0000000\] names no study"),
        (
            "Excluded [@st-b6].",
            r"groups/group\.md, line 2: \[@st-b6\] is a study that is not included",
        ),
        (
            "A [link](javascript:alert(1)).",
            r"groups/group\.md, line 2: link to 'javascript:alert\(1\)' refused",
        ),
    ],
)
def test_narrative_citing_no_included_study_stops_the_report(
    qual: Path, text: str, message: str
) -> None:
    (qual / "data/decisions/synthesis/groups/group.md").write_text(
        f"First line [@st-b1].\n{text}\n", encoding="utf-8"
    )
    with pytest.raises(ReviewError, match=message):
        render(qual)
    assert not (qual / "reports").exists()


def test_risk_of_bias_text_citing_an_excluded_study_stops_the_report(qual: Path) -> None:
    (qual / "data/decisions/synthesis/reporting_bias.md").write_text(
        "Registers searched.\nExcluded [@st-b6].\n", encoding="utf-8"
    )
    with pytest.raises(
        ReviewError, match=r"reporting_bias\.md, line 2: \[@st-b6\] is a study that is not included"
    ):
        render(qual)
    assert not (qual / "reports").exists()


# ---- a report driven by the protocol ------------------------------------------------------------
def optional_keys(data: Any, schema: dict[str, Any], path: tuple[Any, ...] = ()) -> list[tuple]:
    """Every key of ``data`` that the schema names as a property but does not require, at any
    depth (the first item of each list)."""
    out: list[tuple] = []
    if isinstance(data, dict):
        props = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        for key, value in data.items():
            if key not in props:
                continue
            if key not in required:
                out.append((*path, key))
            out += optional_keys(value, props[key], (*path, key))
    elif isinstance(data, list) and data and isinstance(schema.get("items"), dict):
        out += optional_keys(data[0], schema["items"], (*path, 0))
    return out


def test_every_optional_key_of_the_protocol_may_be_left_out(quant: Path, tmp_path: Path) -> None:
    """The fullest protocol with each optional key removed in turn: the report renders, or the
    protocol is refused with a message naming the key that needed it; never a crash."""
    source = quant / "config" / "protocol.yaml"
    data = load_yaml(source.read_text(encoding="utf-8"))
    keys = optional_keys(data, protocol_schema())
    assert len(keys) > 60
    assert ("criteria", 0, "description") in keys
    assert ("appraisal",) in keys
    rendered, refused = [], []
    for keypath in keys:
        root = Path(shutil.copytree(quant, tmp_path / "-".join(map(str, keypath))))
        variant = deepcopy(data)
        node = variant
        for part in keypath[:-1]:
            node = node[part]
        del node[keypath[-1]]
        (root / "config" / "protocol.yaml").write_text(dump_yaml(variant), encoding="utf-8")
        try:
            out = render(root)
        except ProtocolError as exc:
            refused.append((keypath, str(exc)))
            continue
        assert "<h2>" in out["review.html"], keypath
        assert "## " in out["review.md"], keypath
        rendered.append(keypath)
        shutil.rmtree(root)
    # refused: keys another key refers to, and keys the schema requires in context (a file
    # source's path, a choice field's values, a direction test's domains, a non-empty
    # exclusion, the appraisal a sensitivity analysis excludes by, the coding field a category
    # map reads, a registration's registry); each refusal names the key at fault, none is a crash
    assert {k for k, _ in refused} == {
        ("appraisal",),
        ("appraisal", "category_field"),
        ("registration", "registry"),
        ("synthesis", "theme_field"),
        ("synthesis", "design_field"),
        ("coding", "outcome_domains"),
        ("sources", 0, "path"),
        ("coding", "fields", 0, "values"),
        ("based_on", "conclusions", 0, "tests", "domains"),
        ("synthesis", "sensitivity", 0, "exclude", "appraisal_overall"),
    }, refused
    for _key, message in refused:
        assert re.search(r"protocol\.yaml: [\w.\[\]]+: ", message), message
    assert len(rendered) == len(keys) - len(refused)


def test_no_word_of_the_default_review_in_the_engine_or_its_pages(quant: Path, qual: Path) -> None:
    engine = [
        *(REPO / "src" / "review" / "report").rglob("*"),
        *(REPO / "src" / "review" / "synthesis").rglob("*"),
    ]
    for path in engine:
        if not path.is_file() or path.suffix not in (".py", ".j2", ".css", ".js"):
            continue
        text = path.read_text(encoding="utf-8")
        for term in DEFAULT_TERMS:
            assert not re.search(rf"\b{term}\b", text, re.I), f"{term!r} in {path}"
        for term in DEFAULT_TITLES:
            assert not re.search(rf"\b{term}\b", text), f"{term!r} in {path}"
    for root in (quant, qual):
        for name, text in render(root).items():
            for term in (*DEFAULT_TERMS, *DEFAULT_TITLES):
                assert not re.search(rf"\b{term}\b", text), f"{term!r} in {root.name}/{name}"


# ---- the whole workflow on another review ------------------------------------------------------
SECOND_PROTOCOL = """\
title: "Tafenoquine for the prevention and treatment of malaria: a systematic review"
research_questions:
  - {id: Q1, text: "How effective and safe is tafenoquine against malaria?"}
sources:
  - id: endnote_export
    kind: file
    label: EndNote library export
    path: data/raw/endnote_export
    format: endnote_xml
criteria:
  - code: E1-before-1990
    label: Published before 1990
    stage: automatic
    rule: {field: year, min: 1990}
  - {code: E2-not-tafenoquine, label: Not about tafenoquine, stage: title_abstract}
  - {code: E3-no-trial-data, label: No trial data, stage: full_text}
reviewers:
  - {id: reader_a, name: First reader, kind: human}
screening:
  reviewers_per_stage: 1
coding:
  outcome_domains:
    - {id: relapse, label: Relapse-free survival}
    - {id: safety, label: Haemolysis and adverse events}
  fields:
    - name: indication
      label: Indication
      type: single
      values: [prophylaxis, radical_cure]
      value_labels: {prophylaxis: Prevention, radical_cure: Radical cure of vivax}
    - {name: trial_design, label: Trial design, type: single, values: [rct, open_label, other]}
    - {name: evidence, label: Where found, type: text, required: true}
synthesis:
  theme_field: indication
  design_field: trial_design
  vote_counting: {allowed: true}
  themes:
    - {id: prophylaxis, label: Prevention}
    - {id: radical_cure, label: Radical cure of vivax}
"""


@pytest.mark.workflow
def test_the_workflow_on_another_review_has_only_its_words(tmp_path: Path) -> None:
    """Real Snakemake, a protocol on another topic, and a real export from ../shared (an EndNote
    library of the IEBH deduplication benchmark) recorded as a run of the protocol's source by
    `review import-run`, as a user brings an export (into the test's temporary project, never
    into the repository): the report renders with the protocol's labels and none of the default
    review's words or sections it does not use."""
    export = (
        REPO.parent / "shared" / "benchmarks" / "dedup" / "iebh_deduplicator" / "tafenoquine.xml"
    )
    if not export.is_file():
        pytest.skip("../shared/benchmarks is not beside the project")
    root = tmp_path / "tafenoquine"
    for name in ("Snakefile", "workflow", "profiles"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name)
        else:
            root.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, root / name)
    (root / "config").mkdir()
    (root / "config" / "protocol.yaml").write_text(SECOND_PROTOCOL, encoding="utf-8")
    (root / "data" / "decisions").mkdir(parents=True)
    protocol = str(root / "config" / "protocol.yaml")
    assert main(["import-run", "endnote_export", str(export), "--protocol", protocol]) == 0
    assert main(["run", "-d", str(root), "--cores", "2"]) == 0
    reports = root / "reports"
    html = (reports / "review.html").read_text(encoding="utf-8")
    markdown = (reports / "review.md").read_text(encoding="utf-8")
    assert "Tafenoquine for the prevention and treatment of malaria" in html
    assert "Records screened (n = " in visible(html)
    assert "Radical cure of vivax" in html  # the protocol's labels
    assert "Relapse-free survival" in html
    assert "Trial design" in html
    for sid in ("comparison", "appraisal", "heterogeneity", "sensitivity", "matrix"):
        assert f'id="{sid}"' not in html, sid
    assert sorted(p.name for p in (reports / "figures").glob("*.svg")) == [
        "studies_by_theme.svg",
        "studies_by_year.svg",
    ]
    items = checklist(html)
    assert items["11"] == (
        "✗ Not reported: the protocol declares no study appraisal (no `appraisal` key)"
    )
    for name, text in (("review.html", html), ("review.md", markdown)):
        for term in (*DEFAULT_TERMS, *DEFAULT_TITLES):
            assert not re.search(rf"\b{term}\b", text), f"{term!r} in {name}"


def test_the_theme_by_outcome_matrix_keeps_to_the_window(quant: Path) -> None:
    """A version's window leaves later studies out of every synthesis table, the matrix too."""
    html = render(quant)["review.html"]
    matrix = visible(section(html, "matrix"))
    assert matrix  # the section is there (the protocol names an outcome field)
    assert "Tan 2023" not in matrix
    assert "Tan 2023" in visible(section(html, "characteristics"))  # included all the same


def test_the_markdown_methods_say_which_directions_vote_counting_counts(quant: Path) -> None:
    """The page readers copy from says it too, not only the HTML: an author's claim that is
    tabulated but not counted must not look like a lost vote."""
    markdown = render(quant)["review.md"]
    methods = markdown[markdown.index("Synthesis methods (SWiM)") :]
    assert "(a direction counts only when it rests on quantitative measure, pre post)" in methods


def test_the_abstract_lists_only_criteria_in_use(quant: Path) -> None:
    """A retired criterion (kept readable for the decisions made with it) is not an
    eligibility criterion of the review any more: the structured abstract leaves it out."""
    protocol = quant / "config" / "protocol.yaml"
    text = protocol.read_text(encoding="utf-8")
    retired = 'stage: full_text, retired: "Absence of an outcome cannot be judged here."}'
    protocol.write_text(text.replace("stage: full_text}", retired, 1), encoding="utf-8")
    out = render(quant)
    for page in (visible(section(out["review.html"], "abstract")), out["review.md"]):
        abstract = page[: page.index("Information sources")]
        assert "Not school-age children" in abstract
        assert "No fitness outcome" not in abstract
