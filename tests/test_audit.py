"""The audit of screening decisions: a study's timeline (superseded rows, conflicts and how they
were settled), reviewers' pages and agreement, the verification sample (draw, blind sheet,
import, agreement with confidence intervals) and the audit view's files."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from yaml_helpers import dump_yaml, load_yaml

from review.agreement import cohen_kappa_interval, wilson_interval
from review.audit import verification as v
from review.audit.names import page_stem
from review.audit.timeline import entries, stage_views
from review.cli import main
from review.errors import DecisionError
from review.exitcodes import DATA_ERROR
from review.protocol import load_protocol
from review.report.inputs import ReportPaths, load_inputs
from review.tables import contract, read_table, write_table

FIXTURE = Path(__file__).parent / "fixtures" / "report" / "project"
A, B, D = "st-3e3b6133c3", "st-6f0eebc487", "st-2167270e10"
BANYUWANGI = "st-249a57de84"  # reviewers disagreed at title/abstract, an adjudicator settled it
EXCLUDED_FT = "st-821d6ad8e2"


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "project"))


def event(sid: str, stage: str, who: str, decision: str, ts: str, **more: str) -> dict[str, str]:
    return {
        "study_id": sid,
        "stage": stage,
        "reviewer": who,
        "decision": decision,
        "timestamp": ts,
        "reason": more.get("reason", ""),
        "note": more.get("note", ""),
        "resolver": more.get("resolver", ""),
        "source": more.get("source", ""),
        "row": more.get("row", ""),
    }


# ---- the timeline ---------------------------------------------------------------------------
def test_a_changed_mind_is_kept_and_marked_superseded() -> None:
    ledger = "data/decisions/screening/title_abstract/r1.csv"
    found = entries(
        [
            event("st-1", "title_abstract", "r2", "include", "2026-01-01T09:00:00Z"),
            event(
                "st-1",
                "title_abstract",
                "r1",
                "exclude",
                "2026-01-02T09:00:00Z",
                reason="E3",
                source=ledger,
                row="7",
            ),
            event(
                "st-1",
                "title_abstract",
                "r1",
                "maybe",
                "2026-01-01T08:00:00Z",
                source=ledger,
                row="2",
            ),
            event("st-1", "automatic", "automation", "not_applied", "", reason="E2"),
            event(
                "st-1",
                "title_abstract",
                "_resolutions",
                "include",
                "2026-01-03T09:00:00Z",
                resolver="adj",
                note="both read",
            ),
        ]
    )
    assert [(e.stage, e.who, e.decision) for e in found] == [
        ("automatic", "automation", "not_applied"),
        ("title_abstract", "r1", "maybe"),
        ("title_abstract", "r2", "include"),
        ("title_abstract", "r1", "exclude"),
        ("title_abstract", "adj", "include"),
    ]
    first, later = found[1], found[3]
    assert first.superseded
    assert first.superseded_by is later
    assert not later.superseded
    assert not found[2].superseded
    assert first.where == f"{ledger}, row 2"
    assert found[4].kind == "resolution"
    # anchors name the row: stable across renders, unique on the page
    assert first.anchor == "ta-r1-2"
    assert later.anchor == "ta-r1-7"
    assert len({e.anchor for e in found}) == len(found)

    (view,) = stage_views(found, {"ta_decision": "include"})
    assert [(e.who, e.decision) for e in view.current] == [("r1", "exclude"), ("r2", "include")]
    assert view.conflict
    assert view.superseded == 1
    assert view.resolution is found[4]
    assert view.settled == "conflict settled by adj"
    (open_view,) = stage_views(found[:4], {"ta_decision": "conflict"})
    assert open_view.settled == "conflict, not settled yet"


def test_page_names_are_one_to_one_and_stay_in_their_folder() -> None:
    assert page_stem("st-3e3b6133c3") == "st-3e3b6133c3"
    assert page_stem("umkm_web:S4") == "umkm_5fweb_3aS4"
    names = [page_stem(x) for x in ("a:b", "a_3ab", "../x", "ris:f.ris#3", "é", "")]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", n) for n in names)


# ---- agreement with intervals -----------------------------------------------------------------
def test_kappa_interval_is_the_fleiss_cohen_everitt_one() -> None:
    """The psychiatric-diagnosis table of Fleiss, Levin & Paik (Statistical Methods for Rates
    and Proportions, 3rd ed., table 18.1): kappa 0.676; the interval as statsmodels'
    ``cohens_kappa`` computes it from the same standard error (0.0877)."""
    cells = {
        ("psych", "psych"): 75, ("psych", "neuro"): 1, ("psych", "organic"): 4,
        ("neuro", "psych"): 5, ("neuro", "neuro"): 4, ("neuro", "organic"): 1,
        ("organic", "organic"): 10,
    }  # fmt: skip
    a = [x for (x, _y), n in cells.items() for _ in range(n)]
    b = [y for (_x, y), n in cells.items() for _ in range(n)]
    kappa, low, high = cohen_kappa_interval(a, b)
    assert kappa == pytest.approx(0.67647, abs=1e-5)
    assert (low, high) == pytest.approx((0.50458, 0.84837), abs=1e-5)
    assert cohen_kappa_interval(["x"] * 4, ["x"] * 4) is None  # one category: undefined
    # Wilson: 20 of 20 is not "100 % for sure"
    assert wilson_interval(20, 20) == pytest.approx((1.0, 0.83887, 1.0), abs=1e-5)
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError, match=r"confidence 1\.5 is not between 0 and 1"):
        wilson_interval(1, 2, confidence=1.5)


# ---- the draw ---------------------------------------------------------------------------------
def units(n_exclude: int, n_include: int) -> list[tuple[str, str]]:
    return [(f"st-{i:04x}", "exclude") for i in range(n_exclude)] + [
        (f"st-{i:04x}", "include") for i in range(n_exclude, n_exclude + n_include)
    ]


def test_the_draw_is_reproducible_and_stratified_by_decision() -> None:
    pop = units(90, 10)
    chosen, how = v.draw(pop, 10, stage="full_text", seed="7", stratify="decision")
    again, _ = v.draw(list(reversed(pop)), 10, stage="full_text", seed="7", stratify="decision")
    assert chosen == again  # the order of the population does not matter
    decisions = dict(pop)
    assert sorted(decisions[s] for s in chosen) == ["exclude"] * 9 + ["include"]
    assert how.drawn == {"exclude": 9, "include": 1}
    assert "random sample of 10 of 100 full_text decisions; seed 7; stratified by decision " in (
        how.describe()
    )
    other, _ = v.draw(pop, 10, stage="full_text", seed="8", stratify="decision")
    assert other != chosen
    # a study's place in the draw is its own: a study joining the population can only take
    # a place, never reshuffle the others
    plain, _ = v.draw(pop, 5, stage="full_text", seed="7")
    grown, _ = v.draw([*pop, ("st-ffff", "exclude")], 5, stage="full_text", seed="7")
    assert set(grown) - {"st-ffff"} <= set(plain)
    # the key is sha256 of seed NUL study id: the same on any machine and Python version
    assert v.draw_key("7", "st-0000") == hashlib.sha256(b"7\x00st-0000").hexdigest()
    assert plain == sorted((s for s, _d in pop), key=lambda s: v.draw_key("7", s))[:5]


@pytest.mark.parametrize(
    ("sizes", "n", "expected"),
    [
        ({"exclude": 99, "include": 1}, 2, {"exclude": 1, "include": 1}),
        ({"exclude": 50, "include": 50}, 3, {"exclude": 2, "include": 1}),
        ({"exclude": 60, "include": 30, "maybe": 10}, 10, {"exclude": 6, "include": 3, "maybe": 1}),
        ({"exclude": 5, "include": 1, "maybe": 1}, 2, {"exclude": 2, "include": 0, "maybe": 0}),
    ],
)
def test_allocation_is_proportional_with_every_decision_checked(
    sizes: dict[str, int], n: int, expected: dict[str, int]
) -> None:
    assert v.allocate(sizes, n) == expected


def test_a_draw_larger_than_its_population_is_refused() -> None:
    with pytest.raises(DecisionError, match=r"asked for 5 studies, but only 3 full_text"):
        v.draw(units(2, 1), 5, stage="full_text", seed="1")
    with pytest.raises(DecisionError, match="at least one study"):
        v.draw(units(2, 1), 0, stage="full_text", seed="1")


@pytest.mark.parametrize("name", ["", "_x", "bob\n", "a/b", "automation", "a b", "../x"])
def test_checker_names_are_checked_whole(name: str) -> None:
    with pytest.raises(DecisionError, match=r"checker name .* cannot name a file"):
        v.check_checker(name)


# ---- sheet, import, agreement -----------------------------------------------------------------
def sample(proj: Path, *args: str) -> Path:
    assert (
        main(
            [
                "audit",
                "sample",
                *args,
                "--protocol",
                str(proj / "config/protocol.yaml"),
                "--studies",
                str(proj / "data/interim/studies.csv"),
                "--screening",
                str(proj / "data/interim/screening.csv"),
                "--verification",
                str(proj / "data/decisions/verification"),
                "--csv",
                str(proj / "sheets/full_text/checker-1.csv"),
                "--xlsx",
                str(proj / "sheets/full_text/checker-1.xlsx"),
            ]
        )
        == 0
    )
    return proj / "sheets/full_text/checker-1.csv"


def import_sheet(proj: Path, sheet: Path, checker: str = "checker-1") -> int:
    return main(
        [
            "audit",
            "import",
            str(sheet),
            "--checker",
            checker,
            "--protocol",
            str(proj / "config/protocol.yaml"),
            "--screening",
            str(proj / "data/interim/screening.csv"),
            "--verification",
            str(proj / "data/decisions/verification"),
        ]
    )


def fill(sheet: Path, decisions: dict[str, tuple[str, str]]) -> None:
    with sheet.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["decision"], row["reason"] = decisions.get(row["study_id"], ("", ""))
    with sheet.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_the_sheet_is_blind_and_reproducible(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = sample(proj, "4", "--stage", "full_text", "--seed", "s1", "--stratify", "decision",
                   "--checker", "checker-1")  # fmt: skip
    out = capsys.readouterr().out
    assert "random sample of 4 of 5 full_text decisions; seed s1; stratified by decision " in out
    assert "(exclude 2 of 2, include 2 of 3)" in out
    rows = read_table(sheet, contract("verification_sheet"))
    assert len(rows) == 4
    assert {r["decision"] for r in rows} == {""}  # to fill
    # nothing on the sheet tells the original decision: no state, reviewer or reason column
    with sheet.open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == list(contract("verification_sheet").names)
    text = sheet.read_text(encoding="utf-8")
    for leak in ("E7-no-outcome", "E8-full-text", "ai-reviewer", "included_ft", "excluded_ft"):
        assert leak not in text
    # same seed, same sample, same order
    first = [r["study_id"] for r in rows]
    sample(proj, "4", "--stage", "full_text", "--seed", "s1", "--stratify", "decision",
           "--checker", "checker-1")  # fmt: skip
    assert [r["study_id"] for r in read_table(sheet, contract("verification_sheet"))] == first
    workbook = load_workbook(sheet.with_suffix(".xlsx"))
    ws = workbook["screening"]
    assert [c.value for c in ws[1]] == header
    assert ws.data_validations.dataValidation  # drop-downs for decision and reason
    assert "review audit import FILE --checker checker-1" in str(workbook["about"]["B3"].value)


def test_a_filled_sheet_not_imported_is_never_written_over(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Safety's rule for every sheet holds for the verification sheet: a new sample stops while
    the sheet holds checks no ledger has; imported, it is rewritten; --force keeps a backup."""
    draw = ("4", "--stage", "full_text", "--seed", "s1", "--checker", "checker-1")
    sheet = sample(proj, *draw)
    first = read_table(sheet, contract("verification_sheet"))[0]["study_id"]
    fill(sheet, {first: ("include", "")})
    filled = sheet.read_bytes()
    args = ["audit", "sample", *draw, "--protocol", str(proj / "config/protocol.yaml"),
            "--studies", str(proj / "data/interim/studies.csv"),
            "--screening", str(proj / "data/interim/screening.csv"),
            "--verification", str(proj / "data/decisions/verification"),
            "--csv", str(sheet), "--xlsx", str(sheet.with_suffix(".xlsx"))]  # fmt: skip
    capsys.readouterr()
    assert main(args) != 0
    err = capsys.readouterr().err
    assert f"{sheet}, row 2: {first} include" in err
    assert "in no ledger yet; not overwritten" in err
    assert sheet.read_bytes() == filled
    # imported, the same decision is saved: the sheet may be drawn again
    assert import_sheet(proj, sheet) == 0
    sample(proj, *draw)
    assert {r["decision"] for r in read_table(sheet, contract("verification_sheet"))} == {""}
    # a changed mind not imported: --force keeps the filled sheet beside the new one
    fill(sheet, {first: ("exclude", "E7-no-outcome-or-barrier")})
    filled = sheet.read_bytes()
    assert main(args) != 0
    assert main([*args, "--force"]) == 0
    (backup,) = sheet.parent.glob("checker-1.backup-*.csv")
    assert backup.read_bytes() == filled


def test_a_reviewer_cannot_check_their_own_decisions(proj: Path) -> None:
    screening = read_table(proj / "data/interim/screening.csv", contract("screening"))
    assert v.population(screening, "full_text", checker="ai-reviewer-1") == []
    with pytest.raises(DecisionError, match="only 0 full_text decisions"):
        v.draw([], 1, stage="full_text", seed="1")


def test_import_checks_every_row_then_appends_once(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = sample(proj, "5", "--stage", "full_text", "--checker", "checker-1")
    ledger = proj / "data/decisions/verification/full_text/checker-1.csv"
    fill(sheet, {A: ("include", ""), B: ("exclude", "E99-nope"), EXCLUDED_FT: ("maybe", "")})
    assert import_sheet(proj, sheet) == DATA_ERROR
    err = capsys.readouterr().err
    assert "field 'reason': 'E99-nope' is not a criterion code for stage full_text" in err
    assert "nothing was read or appended" in err
    assert not ledger.exists()
    # a screener of the study may not check it
    assert import_sheet(proj, sheet, checker="ai-reviewer-2") == DATA_ERROR
    assert f"ai-reviewer-2 decided {A} at full_text as a screener" in capsys.readouterr().err
    fill(
        sheet,
        {
            A: ("include", ""),
            B: ("exclude", "E7-no-outcome-or-barrier"),
            EXCLUDED_FT: ("exclude", "E7-no-outcome-or-barrier"),
            BANYUWANGI: ("include", ""),
        },
    )
    assert import_sheet(proj, sheet) == 0
    assert "4 decision(s) valid; appended 4" in capsys.readouterr().out
    rows = read_table(ledger, contract("verification_ledger"))
    assert [r["study_id"] for r in rows] == [
        r["study_id"] for r in read_table(sheet, contract("verification_sheet")) if r["decision"]
    ]
    assert all(r["sample"].startswith("random sample of 5 of 5 full_text") for r in rows)
    before = ledger.read_bytes()
    assert import_sheet(proj, sheet) == 0  # the same sheet again adds nothing
    assert "appended 0" in capsys.readouterr().out
    assert ledger.read_bytes() == before

    protocol = load_protocol(proj / "config/protocol.yaml")
    checks = v.read_verification(proj / "data/decisions/verification", protocol)
    screening = read_table(proj / "data/interim/screening.csv", contract("screening"))
    events = read_table(proj / "data/interim/screening_events.csv", contract("screening_events"))
    (a,) = v.agreement(checks, screening, events)
    assert (a.stage, a.checker, a.n, a.agreed) == ("full_text", "checker-1", 4, 3)
    assert a.disagreements == [(B, "include", "exclude")]
    assert a.table == [
        ("include", "include", 2),
        ("include", "exclude", 1),
        ("exclude", "exclude", 1),
    ]
    assert a.kappa is not None
    assert a.kappa[0] == pytest.approx(0.5)
    assert a.changed_after == []  # every stage decision predates the check


def test_a_broken_verification_ledger_names_file_row_and_field(proj: Path) -> None:
    ledger = proj / "data/decisions/verification/title_abstract/checker-1.csv"
    ledger.parent.mkdir(parents=True)
    ledger.write_text(
        "study_id,fingerprint,decision,reason,note,timestamp,sample\n"
        f"{A},,include,,,2026-11-30T08:00:00Z,s\n"
        f"{D},,exclude,E3-not-indonesia,,2026-11-30 08:00,s\n",
        encoding="utf-8",
    )
    protocol = load_protocol(proj / "config/protocol.yaml")
    with pytest.raises(
        DecisionError, match=r"checker-1.csv, row 3, field 'timestamp': '2026-11-30 08:00'"
    ):
        v.read_verification(proj / "data/decisions/verification", protocol)


def verified_project(proj: Path) -> Path:
    """The fixture with a checker's verification of four full-text decisions (one differs)."""
    ledger = proj / "data/decisions/verification/full_text/checker-1.csv"
    ledger.parent.mkdir(parents=True)
    ledger.write_text(
        "study_id,fingerprint,decision,reason,note,timestamp,sample\n"
        f"{A},,include,,,2026-11-30T08:00:00Z,random sample of 4\n"
        f"{B},,exclude,E7-no-outcome-or-barrier,reads as a proposal,2026-11-30T08:01:00Z,"
        "random sample of 4\n"
        f"{EXCLUDED_FT},,exclude,E7-no-outcome-or-barrier,,2026-11-30T08:02:00Z,"
        "random sample of 4\n"
        f"{BANYUWANGI},,include,,,2026-11-30T08:03:00Z,random sample of 4\n",
        encoding="utf-8",
    )
    return proj


def test_the_report_and_the_audit_show_the_check(proj: Path) -> None:
    from test_report import render, visible

    out = render(verified_project(proj))
    text = visible(out["review.html"])
    assert "Verification of screening decisions" in text
    assert (
        "Full text. checker-1 ( checker-1 ) decided 4 studies of a random sample again, without "
        "seeing their original decisions, and agreed with the decision the review records on 3 "
        "of 4: 75% (95% CI 30–95%), Cohen's κ 0.50 (95% CI" in text  # noqa: RUF001
    )
    assert "They decided differently on 1: Hacker 2022 (include → exclude)." in text
    markdown = out["review.md"]
    assert "agreed on 3 of 4: 75% (95% CI 30–95%), Cohen's κ 0.50" in markdown  # noqa: RUF001
    # the study page shows the check beside the decision it checks
    page = out[f"audit/studies/{B}.html"]
    assert 'checker-1</a> <span class="chip">verification</span>' in page
    assert '<span class="disagrees">disagrees</span>' in page
    assert "reads as a proposal" in page
    assert '<span class="agrees">agrees</span>' in out[f"audit/studies/{A}.html"]
    # the checker has a page, with their agreement with each screener
    checker = visible(out["audit/reviewers/checker-1.html"])
    assert "No screening decisions of their own" in checker
    reviewer = visible(out["audit/reviewers/ai-reviewer-1.html"])
    assert "Full text checker-1 verification 4 75% (30–95%)" in reviewer  # noqa: RUF001
    # the index rows flag verified studies and disagreements
    rows = chunk_rows(out)
    assert rows[B][6] & 8
    assert rows[B][6] & 16
    assert rows[A][6] & 8
    assert not rows[A][6] & 16
    assert not rows[D][6] & 8


def chunk_rows(out: dict[str, str]) -> dict[str, list]:
    found = {}
    for name, text in out.items():
        if name.startswith("audit/data/chunk-"):
            body = text[text.index(",") + 1 : text.rindex(")")]
            for row in json.loads(body):
                found[row[0]] = row
    return found


def test_reviewer_pages_count_decisions_reasons_conflicts_and_agreement(proj: Path) -> None:
    from review.audit.pages import build_view

    inputs = load_inputs(load_protocol(proj / "config/protocol.yaml"), ReportPaths.in_project(proj))
    view = build_view(inputs)
    by_name = {r.name: r for r in view.reviewers}
    assert sorted(by_name) == ["ai-adjudicator", "ai-reviewer-1", "ai-reviewer-2"]
    r2 = by_name["ai-reviewer-2"]
    ta, ft = r2.stages
    assert (ta.stage, dict(ta.current)) == (
        "title_abstract",
        {"include": 4, "exclude": 1, "maybe": 1},
    )
    assert ta.reasons == {"E3-not-indonesia": 1}
    assert (ta.conflicts, ta.conflicts_settled, ta.settled_their_way) == (1, 1, 0)
    assert dict(ft.reasons) == {"E7-no-outcome-or-barrier": 1, "E8-full-text-unavailable": 1}
    pair = next(p for p in r2.agreement if p.stage == "title_abstract")
    assert (pair.other, pair.n) == ("ai-reviewer-1", 6)
    assert pair.percent == pytest.approx((5 / 6, 0.4365, 0.9699), abs=1e-4)
    assert pair.kappa is not None
    assert pair.kappa[0] == pytest.approx(0.6, abs=1e-9)
    adjudicator = by_name["ai-adjudicator"]
    assert adjudicator.decisions == []
    assert len(adjudicator.resolutions) == 1


def test_index_rows_carry_what_the_filters_need(proj: Path) -> None:
    from review.audit.pages import build_view
    from review.audit.rows import DECISIONS, ROW_STAGES, index_row

    inputs = load_inputs(load_protocol(proj / "config/protocol.yaml"), ReportPaths.in_project(proj))
    view = build_view(inputs, changed_since={"v1": [D]})
    rows = {
        s.study_id: index_row(s.trail, s.page, s.entries, s.checks, s.changed, view.vocab)
        for s in view.studies
    }
    vocab = view.vocab
    d = rows[D]
    assert d[:5] == [D, "", "Tan et al. 2020", "SME digital adoption in Malaysia", "2020"]
    assert vocab.boxes[d[5]] == "excluded_ta"
    assert d[8] == "openalex_en:W2 umkm_web:S4"
    assert [vocab.versions[i] for i in d[9]] == ["v1"]
    ta = d[7][ROW_STAGES.index("title_abstract")]
    assert DECISIONS[ta[0]] == "exclude"
    assert [vocab.codes[c] for c in ta[1]] == ["E3-not-indonesia"]
    assert [(vocab.reviewers[r], DECISIONS[x], res) for r, x, _c, res in ta[2]] == [
        ("ai-reviewer-1", "exclude", 0),
        ("ai-reviewer-2", "exclude", 0),
    ]
    assert d[7][ROW_STAGES.index("full_text")] == 0  # never reached full text
    settled_ta = rows[BANYUWANGI][7][ROW_STAGES.index("title_abstract")]
    assert [(vocab.reviewers[r], DECISIONS[x], res) for r, x, _c, res in settled_ta[2]] == [
        ("ai-reviewer-1", "include", 0),
        ("ai-reviewer-2", "maybe", 0),
        ("ai-adjudicator", "include", 1),  # the resolution that settled it
    ]
    settled = rows[BANYUWANGI][6]
    assert settled & 1
    assert not settled & 2
    auto = rows["st-0c375048a5"][7][0]
    assert [vocab.codes[c] for c in auto[1]] == ["E1-year"]
    assert rows[A][6] == 0


def test_the_folder_is_replaced_whole_or_not_at_all(
    proj: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from review.audit import pages

    inputs = load_inputs(load_protocol(proj / "config/protocol.yaml"), ReportPaths.in_project(proj))
    reports = proj / "reports"
    monkeypatch.setattr(pages, "CHUNK_ROWS", 3)
    written = pages.write_audit(
        inputs, index=reports / "audit.html", folder=reports / "audit", generated_at="t0"
    )
    assert (written.studies, written.chunks) == (8, 3)
    assert sorted(p.name for p in (reports / "audit" / "data").iterdir()) == [
        "chunk-0001.js",
        "chunk-0002.js",
        "chunk-0003.js",
        "meta.js",
    ]
    assert 'data-chunks="3"' in (reports / "audit.html").read_text(encoding="utf-8")
    before = sorted(p.relative_to(reports) for p in reports.rglob("*"))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(pages, "_swap", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        pages.write_audit(
            inputs, index=reports / "audit.html", folder=reports / "audit", generated_at="t1"
        )
    assert sorted(p.relative_to(reports) for p in reports.rglob("*")) == before
    assert "generated t0" in (reports / "audit" / "studies" / f"{A}.html").read_text("utf-8")


def test_audit_commands(
    proj: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(proj)
    assert main(["audit", "pages"]) == 0
    out = capsys.readouterr().out
    assert "wrote reports/audit.html and reports/audit/: 8 studies" in out
    assert (proj / "reports/audit/studies" / f"{D}.html").is_file()
    assert main(["audit", "show", D]) == 0
    assert "PRISMA box: Excluded at title/abstract" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["audit", "sample"])  # N is required
    assert "the following arguments are required: N, --checker" in capsys.readouterr().err
    assert main(["audit", "import", "elsewhere.csv", "--checker", "c1"]) == 2
    assert "elsewhere.csv: say which stage it checks with --stage" in capsys.readouterr().err


def test_reviewer_pages_are_split_so_no_file_grows_with_the_review(
    proj: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 50,000 studies a reviewer has 50,000 rows: they are listed DECISIONS_PER_PAGE a page,
    resolutions with them, so the largest file stays the same size whatever the review's."""
    from review.audit import pages

    inputs = load_inputs(load_protocol(proj / "config/protocol.yaml"), ReportPaths.in_project(proj))
    monkeypatch.setattr(pages, "DECISIONS_PER_PAGE", 4)
    reports = proj / "reports"
    pages.write_audit(
        inputs, index=reports / "audit.html", folder=reports / "audit", generated_at="t"
    )
    folder = reports / "audit" / "reviewers"
    assert sorted(p.name for p in folder.iterdir()) == [
        "ai-adjudicator.html",
        "ai-reviewer-1-2.html",
        "ai-reviewer-1-3.html",
        "ai-reviewer-1.html",
        "ai-reviewer-2-2.html",
        "ai-reviewer-2-3.html",
        "ai-reviewer-2.html",
    ]
    listed = []
    for name in ("ai-reviewer-1.html", "ai-reviewer-1-2.html", "ai-reviewer-1-3.html"):
        html = (folder / name).read_text(encoding="utf-8")
        rows = re.findall(r'<td data-label="Study"><a href="../studies/(st-\w+)\.html', html)
        assert len(rows) <= 4
        listed += rows
        assert '<a href="ai-reviewer-1-2.html#decisions">2</a>' in html or name.endswith("-2.html")
    assert len(listed) == 11  # every row of ai-reviewer-1, once
    first = (folder / "ai-reviewer-1.html").read_text(encoding="utf-8")
    assert "Rows 1–4 of 11" in first  # noqa: RUF001
    adjudicator = (folder / "ai-adjudicator.html").read_text(encoding="utf-8")
    assert "1 resolution row, deciding include 1" in adjudicator
    assert '<span class="chip">resolution</span>' in adjudicator


def test_a_row_set_aside_is_shown_and_never_counted() -> None:
    """The screening stage keeps rows it cannot count (out of order, a retired criterion, no
    full text at hand): the timeline shows them, they neither replace a row nor decide."""
    ledger = "data/decisions/screening/full_text/r1.csv"
    found = entries(
        [
            event("st-1", "full_text", "r1", "include", "2026-01-01T09:00:00Z",
                  source=ledger, row="2"),
            {**event("st-1", "full_text", "r1", "exclude", "2026-01-02T09:00:00Z",
                     reason="E7", source=ledger, row="3"),
             "set_aside": "needs full text: the report was not retrieved"},
        ]
    )  # fmt: skip
    kept, aside = found
    assert aside.set_aside == "needs full text: the report was not retrieved"
    assert not kept.superseded  # the set-aside row replaces nothing
    assert kept.counted
    assert not aside.counted
    (view,) = stage_views(found, {"ft_decision": "include"})
    assert [(e.who, e.decision) for e in view.current] == [("r1", "include")]
    assert view.set_aside == 1
    assert view.superseded == 0


def test_study_pages_show_the_full_text_and_rows_set_aside(proj: Path) -> None:
    from test_report import render

    interim = proj / "data/interim"
    write_table(
        interim / "fulltext.csv",
        [
            {
                "study_id": A,
                "status": "retrieved",
                "file": f"data/raw/fulltext/files/{'a' * 64}.pdf",
                "sha256": "a" * 64,
                "media_type": "application/pdf",
                "n_pages": 12,
                "text_status": "extracted",
                "source_url": "https://example.org/a.pdf",
                "found_via": "unpaywall",
                "licence": "cc-by",
                "retrieved_at": "2026-11-28T08:00:00Z",
            },
            {
                "study_id": EXCLUDED_FT,
                "status": "not_retrieved",
                "reason": "paywalled",
                "detail": "HTTP 403 at the publisher",
            },
        ],
        contract("fulltext"),
    )
    write_table(
        interim / "screening_set_aside.csv",
        [
            {
                "stage": "full_text",
                "reviewer": "ai-reviewer-2",
                "study_id": EXCLUDED_FT,
                "decision": "exclude",
                "reason": "E7-no-outcome-or-barrier",
                "timestamp": "2026-11-22T10:00:00Z",
                "source": "data/decisions/screening/full_text/ai-reviewer-2.csv",
                "row": 4,
                "problem": "needs_full_text",
                "detail": "E7 needs the full text; the report is not retrieved",
            }
        ],
        contract("screening_set_aside"),
    )
    events = interim / "screening_events.csv"
    text = events.read_text(encoding="utf-8").replace(
        "E7-no-outcome-or-barrier,,2026-11-22T10:00:00Z,full_text,ai-reviewer-2,,,,,",
        "E7-no-outcome-or-barrier,,2026-11-22T10:00:00Z,full_text,ai-reviewer-2,,,,"
        "data/decisions/screening/full_text/ai-reviewer-2.csv,4",
    )
    assert text != events.read_text(encoding="utf-8")
    events.write_text(text, encoding="utf-8")
    out = render(proj)
    page_a = out[f"audit/studies/{A}.html"]
    assert "<dt>Retrieval</dt><dd>retrieved</dd>" in page_a
    assert 'href="https://example.org/a.pdf"' in page_a
    assert "(found via unpaywall)" in page_a
    assert "12 pages · text extracted" in page_a
    page_e = out[f"audit/studies/{EXCLUDED_FT}.html"]
    assert 'not retrieved (paywalled) <span class="meta">HTTP 403 at the publisher</span>' in (
        page_e
    )
    assert (
        '<span class="chip old">set aside, not counted</span> needs full text: E7 needs the '
        "full text; the report is not retrieved" in page_e
    )
    assert "1 row set aside, not counted" in page_e
    reviewer = out["audit/reviewers/ai-reviewer-2.html"]
    assert '<td class="n" data-label="Set aside">1</td>' in reviewer


def test_a_coder_set_aside_by_amendment_is_shown_on_the_study_page(proj: Path) -> None:
    """A protocol amendment sets the second coder aside: coding_events lists their values as
    ``set_aside``; the study page shows them as set aside, not counted (as the single audit
    page did), and the methods say where they are listed, as code, not as escaped markup."""
    from test_report import render, visible

    path = proj / "config" / "protocol.yaml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    for reviewer in data["reviewers"]:
        if reviewer["id"] == "ai-reviewer-2":
            reviewer["set_aside"] = [
                {"stages": ["coding"], "date": "2026-12-01", "reason": "saw the conclusions"}
            ]
    path.write_text(dump_yaml(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    events = proj / "data/extracted/coding_events.csv"
    with events.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(
            [A, "ai-reviewer-2", "strategy", "volunteers", "2026-11-26T09:00:00Z", "set_aside",
             "ai-reviewer-2's coding decisions were set aside", "data/decisions/coding/x.csv:row 2"]
        )  # fmt: skip
    out = render(proj)
    coding = out[f"audit/studies/{A}.html"].split('<section id="coding">', 1)[1]
    second, first = (coding.split(f'href="../reviewers/{who}.html"', 1)[1].split("</li>")[0]
                     for who in ("ai-reviewer-2", "ai-reviewer-1"))  # fmt: skip
    assert '<span class="chip old">set aside, not counted</span>' in second
    assert "data/decisions/coding/x.csv:row 2" in second
    assert "set aside" not in first  # the counted coder's values stay as they were
    assert " set_aside " not in coding  # the event name is not printed raw
    # the coder's own page states the amendment; another reviewer's does not
    assert (
        '<span class="chip old">set aside, not counted</span> ai-reviewer-2&#39;s coding '
        "decisions were set aside by the protocol amendment of 2026-12-01: saw the conclusions"
    ) in out["audit/reviewers/ai-reviewer-2.html"]
    assert "protocol amendment of" not in out["audit/reviewers/ai-reviewer-1.html"]
    html = out["review.html"]
    assert (
        "listed in <code>coding_events.csv</code> (event <code>set_aside</code>), never counted"
    ) in html
    assert "the 1 coding decision of AI reviewer 2" in visible(html)
    assert "was set aside on 2026-12-01: saw the conclusions" in visible(html)
    assert "listed in `coding_events.csv` (event `set_aside`), never counted" in out["review.md"]
    assert "(`ai-reviewer-2`, AI reviewer) in `data/decisions/coding/x.csv`" in out["review.md"]


def test_the_index_knows_what_changed_since_each_version(tmp_path: Path) -> None:
    """On the versions' own story (test_versions: v1 frozen before S4, S7 and S8 were found,
    then a new ledger row excluded D): the studies new since v1, those whose place changed
    and the one with a new ledger row."""
    import test_versions

    from review.audit.changes import changed_since
    from review.audit.pages import write_audit

    root = test_versions.proj.__wrapped__(tmp_path)  # type: ignore[attr-defined]
    paths = ReportPaths.in_project(root)
    inputs = load_inputs(load_protocol(root / "config/protocol.yaml"), paths)
    changed = changed_since(paths.versions, inputs)
    v = test_versions
    assert changed == {"v1": sorted([v.B, v.D, v.F, v.G, v.H])}
    assert changed_since(None, inputs) == {}
    reports = root / "reports"
    write_audit(
        inputs,
        index=reports / "audit.html",
        folder=reports / "audit",
        generated_at="t",
        changed_since=changed,
    )
    index = (reports / "audit.html").read_text(encoding="utf-8")
    assert '<select id="filter-changed" aria-label="Changed since version">' in index
    assert '<option value="v1">Changed since v1</option>' in index
    out = {
        f"audit/{p.relative_to(reports / 'audit').as_posix()}": p.read_text(encoding="utf-8")
        for p in (reports / "audit" / "data").glob("chunk-*.js")
    }
    rows = chunk_rows(out)
    assert sorted(sid for sid, row in rows.items() if row[9] == [0]) == changed["v1"]
    assert "<dt>Changed since</dt><dd>v1</dd>" in (
        reports / "audit" / "studies" / f"{v.D}.html"
    ).read_text(encoding="utf-8")


def test_only_given_reads_no_layout_file_the_rule_did_not_declare(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workflow's audit rule passes --only-given: a layout file another rule is rewriting
    at that moment (findings.csv) must not be picked up just because it exists."""
    from review.commands.audit import pages_parser
    from review.commands.report import paths_from

    monkeypatch.chdir(tmp_path)
    (tmp_path / "data/extracted").mkdir(parents=True)
    (tmp_path / "data/extracted/findings.csv").write_text("finding_id\n", encoding="utf-8")
    (tmp_path / "data/decisions/synthesis").mkdir(parents=True)
    implicit = paths_from(pages_parser().parse_args([]))
    assert implicit.findings == Path("data/extracted/findings.csv")
    assert implicit.synthesis == Path("data/decisions/synthesis")
    only = paths_from(pages_parser().parse_args(["--only-given", "--coded", "c.csv"]))
    assert (only.findings, only.synthesis) == (None, None)
    assert only.coded == Path("c.csv")
