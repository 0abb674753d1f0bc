"""The screening rules under the real Snakemake engine, on a copy of the built review: a new
reviewer's ledger reruns the state, and a reviewer's sheet is built on request."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import snakemake
from openpyxl import load_workbook
from screening_helpers import read_csv, write_ledger
from yaml_helpers import dump_yaml, load_yaml

from review.audit.names import page_stem
from review.names import register
from review.protocol import load_protocol
from review.setaside import PROBLEM, STAGE_WORDS, all_set_aside, set_aside_at

pytestmark = pytest.mark.workflow

STATE = "data/interim/screening.csv"


def test_a_new_ledger_reruns_the_state_and_a_sheet_is_built(built_copy: Path) -> None:
    before = {r["study_id"]: r for r in read_csv(built_copy / STATE)}
    # A study both reviewers excluded, with no resolution: a third reviewer's include makes it
    # a conflict, waiting at title/abstract.
    sid = next(s for s, r in before.items() if r["state"] == "excluded_ta" and not r["conflict"])
    decisions = built_copy / "data" / "decisions" / "screening"
    write_ledger(
        decisions, "title_abstract", "r9", [(sid, "", "include", "", "", "2026-11-30T07:00:00Z")]
    )
    # A new reviewer is added knowingly (the default protocol declares three).
    register(built_copy / "data" / "decisions" / "reviewers.csv", "r9", note="third reviewer")
    target = "data/screening_sheets/title_abstract/r9.xlsx"
    done = snakemake(built_copy, "--cores", "1", STATE, target)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "rule build_screening_state:" in done.stderr  # the new ledger is an input
    assert "rule deduplicate_records:" not in done.stderr  # upstream of the ledgers: untouched
    after = {r["study_id"]: r for r in read_csv(built_copy / STATE)}
    assert (after[sid]["state"], after[sid]["conflict"]) == (
        "maybe_ta",
        "title_abstract: unresolved",
    )
    log = built_copy / "logs" / "build_screening_state" / "build_screening_state.log"
    assert "wrote screening: data/interim/screening.csv" in log.read_text(encoding="utf-8")

    assert (built_copy / target).is_file()
    sheet = read_csv(built_copy / "data" / "screening_sheets" / "title_abstract" / "r9.csv")
    assert sid not in {r["study_id"] for r in sheet}  # r9 decided it already
    waiting = [s for s, r in after.items() if r["state"] != "excluded_auto"]
    assert len(sheet) == len(waiting) - 1

    # r9 fills the sheet in place; a later ledger change reruns the rule, which must neither
    # delete the filled sheet (an update() output) nor write over it (issue 15 item 4).
    book = load_workbook(built_copy / target)
    ws = book["screening"]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("decision") + 1).value = "include"
    book.save(built_copy / target)
    filled = (built_copy / target).read_bytes()
    other = next(s for s, r in after.items() if r["state"] == "excluded_ta" and s != sid)
    write_ledger(
        decisions,
        "title_abstract",
        "r9",
        [
            (sid, "", "include", "", "", "2026-11-30T07:00:00Z"),
            (other, "", "include", "", "", "2026-11-30T07:01:00Z"),
        ],
    )
    again = snakemake(built_copy, "--cores", "1", target)
    assert again.returncode != 0
    log = built_copy / "logs" / "build_screening_sheet" / "title_abstract" / "r9.log"
    assert "hold(s) 1 decision(s) that are in no ledger yet; not overwritten" in log.read_text(
        encoding="utf-8"
    )
    assert (built_copy / target).read_bytes() == filled


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("data/decisions/screening/title_abstract", "{reviewer}.csv"),
        ("data/decisions/screening/full_text", "<r2>.csv"),
        ("data/decisions/coding", "coder {2}.xlsx"),
    ],
)
def test_a_badly_named_decision_file_stops_the_workflow_with_its_path(
    built_copy: Path, folder: str, name: str
) -> None:
    """Issue 20 item 5: such a file made Snakemake drop rules and say "Nothing to be done"."""
    bad = built_copy / folder / name
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text("study_id,fingerprint,decision,reason,note,timestamp\n", encoding="utf-8")
    done = snakemake(built_copy, "--cores", "1", "-n")
    assert done.returncode != 0
    out = done.stdout + done.stderr
    assert f"{folder}/{name}: this decision file's name cannot be a reviewer id" in out
    assert "Nothing to be done" not in out


def _text(html_path: Path) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html_path.read_text(encoding="utf-8")).split())


def _rows_of(path: Path) -> list[dict[str, str]]:
    return read_csv(path) if path.is_file() else []


def test_the_reviewers_the_protocol_sets_aside_are_listed_and_stated(built_project: Path) -> None:
    """The default review's amendment A1 sets reviewers aside (reviewers[].set_aside): every
    row each of them made at each stage is listed, never counted, and the report says so.
    The expected counts are those of their files, read here."""
    protocol = load_protocol(built_project / "config" / "protocol.yaml")
    aside = all_set_aside(protocol)
    assert aside, "the default review sets reviewers aside"
    names = {r["id"]: r["name"] for r in protocol.data["reviewers"]}
    listed = Counter(
        (r["reviewer"], r["stage"])
        for r in read_csv(built_project / "data/interim/screening_set_aside.csv")
        if r["problem"] == PROBLEM
    )
    text = _text(built_project / "reports/review.html")
    conflicts = " ".join(r["conflict"] for r in read_csv(built_project / STATE))
    coded = read_csv(built_project / "data/extracted/coded.csv")
    events = read_csv(built_project / "data/extracted/coding_events.csv")
    decisions = built_project / "data/decisions"
    for entry in aside:
        who, stage = entry.reviewer, entry.stage
        if stage in ("title_abstract", "full_text"):
            ledgers = decisions / "screening" / stage
            own = _rows_of(ledgers / f"{who}.csv")
            resolved = [r for r in _rows_of(ledgers / "_resolutions.csv") if r["resolver"] == who]
            assert listed[(who, stage)] == len(own) + len(resolved) > 0, (who, stage)
            file = ledgers / (f"{who}.csv" if own else "_resolutions.csv")
            n = len(own) or len(resolved)
            assert re.search(rf"resolved by {re.escape(who)}(?![\w-])", conflicts) is None
            what = f"{STAGE_WORDS[stage]} screening"
        elif stage == "coding":
            file = decisions / "coding" / f"{who}.csv"
            n = len(read_csv(file))
            assert all(who not in r["coders"].split("; ") for r in coded)
            mine = [e for e in events if e["coder"] == who]  # one event per field of a row
            assert len({e["source"] for e in mine}) == n > 0  # every row of the file
            assert {e["event"] for e in mine} == {"set_aside"}
            what = "coding"
        else:
            continue
        where = file.relative_to(built_project).as_posix()
        assert (
            f"the {n} {what} decisions of {names[who]} ( {who} , AI reviewer ) in {where} "
            f"were set aside on {entry.date}:"
        ) in text, (who, stage)


def test_a_reviewer_set_aside_by_amendment_is_listed_and_stated(
    built_project: Path, built_copy: Path
) -> None:
    """An amendment sets aside one more adjudicator at title/abstract: the engine reruns the
    stages, counts none of its resolutions, lists them, and the report and audit pages say
    so. (The default review already sets its first adjudicator aside: the one set aside here
    is the adjudicator whose resolutions the default review counts.)"""

    protocol = load_protocol(built_project / "config" / "protocol.yaml")
    already = set_aside_at(protocol, "title_abstract")
    ledger = built_copy / "data/decisions/screening/title_abstract/_resolutions.csv"
    resolutions = read_csv(ledger)
    adjudicator = sorted({r["resolver"] for r in resolutions} - set(already))[0]
    mine = [r for r in resolutions if r["resolver"] == adjudicator]
    path = built_copy / "config" / "protocol.yaml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    amendment = {"date": "2026-12-01", "reason": "cited the published conclusions"}
    for reviewer in data["reviewers"]:
        if reviewer["id"] == adjudicator:
            name = reviewer["name"]
            reviewer["set_aside"] = [{"stages": ["title_abstract"], **amendment}]
    path.write_text(dump_yaml(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    before_ledger = ledger.read_bytes()
    # The default review's synthesis texts cite its included studies; the conflicts reopened
    # here take some out, which check_narrative rightly refuses: the copy goes without them.
    shutil.rmtree(built_copy / "data/decisions/synthesis")

    done = snakemake(built_copy, "--cores", "2")
    assert done.returncode == 0, done.stderr[-3000:]
    assert ledger.read_bytes() == before_ledger  # inputs: never rewritten

    aside = [
        r
        for r in read_csv(built_copy / "data/interim/screening_set_aside.csv")
        if r["problem"] == PROBLEM and r["reviewer"] == adjudicator
    ]
    assert len(aside) == len(mine)
    before = {r["study_id"]: r for r in read_csv(built_project / STATE)}
    after = {r["study_id"]: r for r in read_csv(built_copy / STATE)}
    settled = {r["study_id"] for r in aside}
    # every conflict the adjudicator settled is open again, waiting for a new resolver
    conflicts = {s for s in settled if before[s]["conflict"]}
    assert conflicts
    for sid in conflicts:
        assert f"title_abstract: resolved by {adjudicator}" in before[sid]["conflict"], sid
    assert {after[s]["conflict"] for s in conflicts} == {"title_abstract: unresolved"}
    assert {after[s]["state"] for s in conflicts} == {"maybe_ta"}

    text = _text(built_copy / "reports/review.html")
    assert (
        f"the {len(mine)} title/abstract screening decisions of {name} "
        f"( {adjudicator} , AI reviewer ) in data/decisions/screening/title_abstract/"
        "_resolutions.csv were set aside on 2026-12-01: cited the published conclusions"
    ) in text

    # the audit view: each study page shows the set-aside rows in its trail, with the amendment
    def study_page(study_id: str) -> str:
        page = built_copy / "reports/audit/studies" / f"{page_stem(study_id)}.html"
        return page.read_text(encoding="utf-8")

    sentence = (
        f"{adjudicator}&#39;s title/abstract decisions were set aside by the protocol "
        "amendment of 2026-12-01: cited the published conclusions"
    )
    for sid in conflicts:
        page = study_page(sid)
        chip = '<span class="chip old">set aside, not counted</span>'
        assert f"{chip} reviewer set aside: {sentence}" in page, sid
        # the stage's outcome counts it out: the conflict is open again
        stage = page.split('id="stage-title_abstract"', 1)[1].split("</table>", 1)[0]
        assert "conflict, not settled yet" in stage
        assert '<span class="chip">resolution</span>' not in stage
    # and the adjudicator's own page states the amendment
    own = (built_copy / f"reports/audit/reviewers/{adjudicator}.html").read_text(encoding="utf-8")
    assert f'<span class="chip old">set aside, not counted</span> {sentence}' in own
