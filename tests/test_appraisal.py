"""Appraisal: the tool as data (MMAT 2018 built in, a custom checklist by the same schema),
appraisers' blind sheets (real XLSX), validated imports, the merge under the protocol's rule."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from evidence_helpers import (
    EVIDENCE,
    appraise_args,
    appraise_state,
    build,
    evidence_project,
    extract,
    group,
    read_csv,
    set_aside,
)
from openpyxl import load_workbook
from yaml_helpers import dump_yaml, load_yaml

from review.appraisal.tool import builtin_tools, load_tool, parse_tool
from review.cli import main
from review.errors import ProtocolError
from review.exitcodes import DATA_ERROR
from review.protocol import load_protocol


# ---- the tool -------------------------------------------------------------------------------
def test_mmat_2018_has_its_published_structure() -> None:
    tool = load_tool("mmat-2018")
    assert "mmat-2018" in builtin_tools()
    assert [it.id for it in tool.screening_items] == ["S1", "S2"]
    assert tool.category_ids == (
        "qualitative",
        "randomized",
        "non_randomized",
        "quantitative_descriptive",
        "mixed_methods",
    )
    for n, cat in enumerate(tool.categories, start=1):
        assert [it.id for it in cat.items] == [f"{n}.{i}" for i in range(1, 6)]
    assert tool.answer_ids == ("yes", "no", "cant_tell")
    assert tool.summary_score is False
    assert tool.screening_stops is True
    mixed = tool.category("mixed_methods")
    assert [c.categories for c in mixed.components] == [
        ("qualitative",),
        ("randomized", "non_randomized", "quantitative_descriptive"),
    ]
    assert len(tool.items_for("mixed_methods")) == 2 + 5 + 5 + 15
    assert "doi:10.3233/EFI-180221" in tool.citation
    assert "paraphrased" in tool.wording


def test_a_custom_checklist_uses_the_same_schema() -> None:
    tool = load_tool("tools/checklist.yaml", root=EVIDENCE / "quantitative")
    assert tool.id == "quasi-checklist"
    assert tool.category_ids == ("quasi",)
    assert tool.screening_items == ()
    assert tool.counts_as("unclear") == "cant_tell"
    assert tool.counts_as("na") == "not_applicable"


def _tool(**changes: object) -> dict:
    data = load_yaml((EVIDENCE / "quantitative/tools/checklist.yaml").read_text("utf-8"))
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "pattern"),
    [
        (
            _tool(answers=[{"id": "yes", "label": "Yes"}]),
            r"answers\[0\]: 'counts_as' is a required",
        ),
        (_tool(summary_score="no"), r"summary_score: 'no' is not of type 'boolean'"),
        (
            _tool(
                categories=[{"id": "q", "label": "Q", "items": [{"id": "overall", "text": "x"}]}]
            ),
            r"item id 'overall' is reserved",
        ),
        (
            _tool(
                categories=[
                    {"id": "q", "label": "Q", "items": [{"id": "A", "text": "x"}]},
                    {"id": "r", "label": "R", "items": [{"id": "A", "text": "y"}]},
                ]
            ),
            r"items\[1\]\.id: 'A' is used twice",
        ),
        (
            _tool(
                categories=[
                    {
                        "id": "q",
                        "label": "Q",
                        "items": [{"id": "A", "text": "x"}],
                        "components": [{"label": "c", "categories": ["nowhere"]}],
                    }
                ]
            ),
            r"categories\[0\]\.components\[0\]\.categories: 'nowhere' is not another category",
        ),
    ],
)
def test_a_broken_tool_is_refused_naming_the_key(data: dict, pattern: str) -> None:
    with pytest.raises(ProtocolError, match=pattern):
        parse_tool(data, where="tool.yaml")


def test_the_protocol_is_checked_against_its_tool(tmp_path: Path) -> None:
    root = evidence_project(tmp_path, "qualitative")
    path = root / "config/protocol.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("mixed: mixed_methods", "mixed: mixed"), encoding="utf-8")
    with pytest.raises(
        ProtocolError,
        match=r"appraisal\.category_map\.mixed: 'mixed' is not a category of mmat-2018",
    ):
        load_protocol(path)
    path.write_text(text.replace("tool: mmat-2018", "tool: mmat-2011"), encoding="utf-8")
    with pytest.raises(
        ProtocolError, match=r"'mmat-2011' is neither a built-in tool \(mmat-2018\)"
    ):
        load_protocol(path)
    path.write_text(text.replace("category_field: study_design", "category_field: design"))
    with pytest.raises(ProtocolError, match=r"category_field: 'design' is not a coding field"):
        load_protocol(path)


# ---- the merge ------------------------------------------------------------------------------
def test_mmat_answers_merge_under_adjudication(tmp_path: Path) -> None:
    root = evidence_project(tmp_path, "qualitative")
    build(root)
    out = root / "data/extracted"
    rows = {(r["study_id"], r["item_id"]): r for r in read_csv(out / "appraisal.csv")}
    assert rows[("st-a100000001", "1.1")]["status"] == "agreed"
    assert rows[("st-a100000001", "1.2")]["answer"] == "yes"
    assert rows[("st-a100000001", "1.2")]["status"] == "resolved"
    assert rows[("st-a100000001", "1.2")]["comment"] == "twelve interviews (the methods section)"
    assert rows[("st-a100000001", "1.3")]["comment"] == "anna: no quotes given"
    overall = rows[("st-a100000001", "overall")]
    assert (overall["answer"], overall["status"]) == ("", "conflict")  # low vs some, unsettled
    summary = {r["study_id"]: r for r in read_csv(out / "appraisal_summary.csv")}
    qual = summary["st-a100000001"]
    assert (qual["n_yes"], qual["n_no"], qual["n_cant_tell"]) == ("4", "0", "1")
    assert (qual["status"], qual["overall"], qual["missing"]) == ("conflict", "", "")
    survey = summary["st-a100000003"]
    assert (survey["category"], survey["overall"], survey["status"]) == (
        "quantitative_descriptive",
        "high",
        "agreed",
    )
    # primary appraiser first: budi appraised three studies, anna two
    assert survey["overall_justification"] == (
        "budi: non-response | anna: unrepresentative sample, high non-response"
    )
    mixed = summary["st-a100000004"]
    assert mixed["screening_note"].startswith("S2: cant_tell: further appraisal may not be")
    assert (mixed["missing"], mixed["status"], mixed["appraisers"]) == ("", "single", "budi")
    assert "st-a100000002" not in summary  # nobody appraised it yet
    disagreements = read_csv(out / "appraisal_disagreements.csv")
    assert [(d["item_id"], d["answer_a"], d["answer_b"], d["status"]) for d in disagreements] == [
        ("1.2", "yes", "no", "resolved"),
        ("overall", "low", "some", "open"),
    ]
    agreement = {(r["item_id"]): r for r in read_csv(out / "appraisal_agreement.csv")}
    assert (agreement["category"]["n_studies"], agreement["category"]["percent_agreement"]) == (
        "2",
        "100.0",
    )
    assert agreement["overall"]["percent_agreement"] == "50.0"
    pooled = agreement["(all items)"]
    assert (pooled["n_studies"], pooled["n_agree"]) == ("14", "13")
    assert read_csv(out / "appraisal_unmatched.csv") == []


def test_primary_coder_rule_and_a_custom_checklist(tmp_path: Path) -> None:
    root = evidence_project(tmp_path, "quantitative")
    (root / "data/decisions/appraisal/hadi.csv").write_text(
        "study_id,fingerprint,category,item_id,answer,comment,timestamp\n"
        "st-a100000007,doi:10.1000/q7,quasi,Q3,no,losses of 20%,2026-12-01T09:00:00Z\n",
        encoding="utf-8",
    )
    build(root)
    rows = {
        (r["study_id"], r["item_id"]): r for r in read_csv(root / "data/extracted/appraisal.csv")
    }
    q3 = rows[("st-a100000007", "Q3")]
    # gita appraised the study fully (5 rows), hadi one item: both one study; ties go by id
    assert (q3["answer"], q3["status"], q3["appraisers"]) == (
        "unclear",
        "primary_coder",
        "gita; hadi",
    )
    summary = read_csv(root / "data/extracted/appraisal_summary.csv")[0]
    assert (summary["n_yes"], summary["n_cant_tell"], summary["n_not_applicable"]) == (
        "2",
        "1",
        "1",
    )
    assert (summary["overall"], summary["status"]) == ("include", "primary_coder")


def test_answers_follow_their_study_and_unmatched_ones_are_listed(tmp_path: Path) -> None:
    root = evidence_project(tmp_path, "qualitative")
    (root / "data/decisions/appraisal/dina.csv").write_text(
        "study_id,fingerprint,category,item_id,answer,comment,timestamp\n"
        # the conference version: counted under its study st-a100000002
        "st-a100000006,doi:10.1000/q6,qualitative,S1,yes,,2026-12-01T10:00:00Z\n"
        # an old id that is gone, found by its fingerprint
        "st-0000000000,doi:10.1000/q7,non_randomized,S1,no,,2026-12-01T10:00:00Z\n"
        # the excluded study: kept, listed, not merged
        "st-a100000005,doi:10.1000/q5,quantitative_descriptive,S1,yes,,2026-12-01T10:00:00Z\n"
        # nothing matches
        "st-ffffffffff,doi:10.9/none,qualitative,S1,yes,,2026-12-01T10:00:00Z\n",
        encoding="utf-8",
    )
    build(root)
    out = root / "data/extracted"
    rows = {(r["study_id"], r["item_id"]): r for r in read_csv(out / "appraisal.csv")}
    assert rows[("st-a100000002", "S1")]["appraisers"] == "dina"
    assert rows[("st-a100000007", "S1")]["answer"] == "no"
    unmatched = {r["study_id"]: r for r in read_csv(out / "appraisal_unmatched.csv")}
    assert set(unmatched) == {"st-a100000005", "st-ffffffffff"}
    assert unmatched["st-a100000005"]["problem"] == (
        "study st-a100000005 is not included (state excluded_ft): kept here, not merged"
    )
    assert "neither its study id nor its fingerprint" in unmatched["st-ffffffffff"]["problem"]
    assert (unmatched["st-a100000005"]["kind"], unmatched["st-ffffffffff"]["kind"]) == (
        "not_included",
        "no_study",
    )
    assert unmatched["st-ffffffffff"]["row"] == "5"


# ---- sheets and imports ---------------------------------------------------------------------
def _sheet(root: Path, who: str) -> tuple[Path, Path]:
    csv_path = root / f"sheets/{who}.csv"
    xlsx_path = root / f"sheets/{who}.xlsx"
    code = main(
        [
            "appraise",
            "sheet",
            "--appraiser",
            who,
            *appraise_args(root),
            "--csv",
            str(csv_path),
            "--xlsx",
            str(xlsx_path),
        ]
    )
    assert code == 0
    return csv_path, xlsx_path


def test_a_blind_sheet_lists_what_the_appraiser_has_left_with_a_suggested_category(
    tmp_path: Path,
) -> None:
    root = evidence_project(tmp_path, "qualitative")
    build(root)
    csv_path, xlsx_path = _sheet(root, "anna")
    rows = read_csv(csv_path)
    studies = list(dict.fromkeys(r["study_id"] for r in rows))
    # anna appraised 1 and 3; 2 (with its conference version), 4 and 7 are hers to do
    assert studies == ["st-a100000002", "st-a100000004", "st-a100000007"]
    two = [r for r in rows if r["study_id"] == "st-a100000002"]
    assert [r["item_id"] for r in two] == ["S1", "S2", "1.1", "1.2", "1.3", "1.4", "1.5", "overall"]
    assert {r["category"] for r in two} == {"qualitative"}
    assert two[0]["suggested_from"] == "study_design = qualitative"
    assert two[0]["linked_reports"].startswith("st-a100000006: Wijaya 2021.")
    assert two[1]["title"] == ""  # long texts on the study's first row only
    seven = [r for r in rows if r["study_id"] == "st-a100000007"]
    assert seven[0]["category"] == ""  # nobody coded its design: no suggestion
    text = csv_path.read_text(encoding="utf-8")
    assert "budi" not in text  # blind: no other appraiser's name ...
    assert "cannot be appraised further" not in text  # ... or comment
    wb = load_workbook(xlsx_path)
    assert wb.sheetnames == ["appraisal", "items", "lists", "about"]
    ws = wb["appraisal"]
    assert ws.freeze_panes == "D2"
    header = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=header.index("item") + 1).alignment.wrap_text
    by_error = {dv.errorTitle: dv for dv in ws.data_validations.dataValidation}
    lists = wb["lists"]
    assert lists.sheet_state == "hidden"
    answer_col = ws.cell(row=1, column=header.index("answer") + 1).column_letter
    overall_rows = [i for i, r in enumerate(rows, start=2) if r["item_id"] == "overall"]
    assert str(by_error["overall"].sqref).split() == [f"{answer_col}{i}" for i in overall_rows]
    ref = by_error["answer"].formula1.split("!")[1].replace("$", "")
    assert [c[0].value for c in lists[ref]] == ["yes", "no", "cant_tell"]
    ref = by_error["overall"].formula1.split("!")[1].replace("$", "")
    assert [c[0].value for c in lists[ref]] == ["low", "some", "high"]


def test_hostile_titles_are_plain_text_in_both_sheets(tmp_path: Path) -> None:
    root = evidence_project(tmp_path, "qualitative")
    build(root)
    csv_path, xlsx_path = _sheet(root, "carla")  # a new appraiser: every included study
    rows = {r["study_id"]: r for r in read_csv(csv_path) if r["title"]}
    assert rows["st-a100000003"]["title"] == '\'=HYPERLINK("http://evil.example/x")'
    ws = load_workbook(xlsx_path)["appraisal"]
    header = [c.value for c in ws[1]]
    titles = [ws.cell(row=r, column=header.index("title") + 1) for r in range(2, ws.max_row + 1)]
    evil = next(c for c in titles if c.value and "HYPERLINK" in str(c.value))
    assert evil.data_type == "s"
    assert str(evil.value).startswith("'=")


def test_without_a_suggestion_the_sheet_lists_every_category(tmp_path: Path) -> None:
    root = evidence_project(tmp_path, "qualitative")
    build(root)
    rows = [r for r in read_csv(_sheet(root, "anna")[0]) if r["study_id"] == "st-a100000004"]
    # st-a100000004's coders agree on "mixed": the suggestion is mixed methods with its components
    assert rows[0]["category"] == "mixed_methods"
    items = [r["item_id"] for r in rows]
    assert items[:7] == ["S1", "S2", "5.1", "5.2", "5.3", "5.4", "5.5"]
    assert {"1.1", "2.1", "4.5"} <= set(items)
    assert items[-1] == "overall"
    (root / "data/extracted/coded.csv").unlink()
    rows = [r for r in read_csv(_sheet_no_coded(root, "anna")) if r["study_id"] == "st-a100000004"]
    assert {r["category"] for r in rows} == {""}
    assert len(rows) == 2 + 25 + 1
    assert rows[2]["item_category"] == "qualitative"


def _sheet_no_coded(root: Path, who: str) -> Path:
    out = root / f"sheets/{who}-nocode.csv"
    args = [a for a in appraise_args(root)]
    i = args.index("--coded")
    del args[i : i + 2]
    code = main(
        [
            "appraise",
            "sheet",
            "--appraiser",
            who,
            *args,
            "--csv",
            str(out),
            "--xlsx",
            str(out.with_suffix(".xlsx")),
        ]
    )
    assert code == 0
    return out


def test_a_filled_xlsx_sheet_is_imported_and_reimporting_appends_nothing(
    tmp_path: Path, capsys
) -> None:
    root = evidence_project(tmp_path, "qualitative")
    build(root)
    _csv, xlsx = _sheet(root, "anna")
    wb = load_workbook(xlsx)
    ws = wb["appraisal"]
    header = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    for r in range(2, ws.max_row + 1):
        if ws.cell(row=r, column=col["study_id"]).value != "st-a100000002":
            continue
        item = ws.cell(row=r, column=col["item_id"]).value
        ws.cell(row=r, column=col["answer"]).value = "some" if item == "overall" else "Yes"
        if item == "overall":
            ws.cell(row=r, column=col["comment"]).value = "thin but coherent data"
    wb.save(xlsx)
    ledger = root / "data/decisions/appraisal/anna.csv"
    before = ledger.read_bytes()
    args = ["appraise", "import", str(xlsx), "--appraiser", "anna", *appraise_args(root)]
    assert main(args) == 0
    assert "8 answer(s) valid; appended 8" in capsys.readouterr().out
    after = ledger.read_bytes()
    assert after.startswith(before)  # append-only: earlier bytes kept exactly
    added = read_csv(ledger)[-8:]
    assert {a["answer"] for a in added} == {"yes", "some"}  # labels become ids
    assert {a["study_id"] for a in added} == {"st-a100000002"}
    assert added[0]["fingerprint"] == "doi:10.1000/q2"
    assert added[-1]["comment"] == "thin but coherent data"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", added[0]["timestamp"])
    assert main(args) == 0
    assert "appended 0" in capsys.readouterr().out
    assert ledger.read_bytes() == after
    assert appraise_state(root) == 0
    summary = {r["study_id"]: r for r in read_csv(root / "data/extracted/appraisal_summary.csv")}
    assert summary["st-a100000002"]["n_yes"] == "5"


def _fill(xlsx: Path, study: str, item: str, answer: str) -> None:
    wb = load_workbook(xlsx)
    ws = wb["appraisal"]
    col = {c.value: c.column for c in ws[1]}
    for r in range(2, ws.max_row + 1):
        if (ws.cell(r, col["study_id"]).value, ws.cell(r, col["item_id"]).value) == (study, item):
            ws.cell(r, col["answer"]).value = answer
    wb.save(xlsx)


def test_a_filled_sheet_not_imported_is_never_overwritten(tmp_path: Path, capsys) -> None:
    """Issue 15 (4): regenerating an appraiser's sheet must not lose answers not imported."""
    root = evidence_project(tmp_path, "qualitative")
    build(root)
    _csv, xlsx = _sheet(root, "anna")
    _fill(xlsx, "st-a100000002", "S1", "Yes")
    filled = xlsx.read_bytes()
    capsys.readouterr()
    again = ["appraise", "sheet", "--appraiser", "anna", *appraise_args(root)]
    again += ["--csv", str(xlsx.with_suffix(".csv")), "--xlsx", str(xlsx)]
    assert main(again) == DATA_ERROR
    err = capsys.readouterr().err
    assert re.search(r"anna\.xlsx, row 2: st-a100000002 item S1: Yes", err)
    assert f"review appraise import {xlsx} --appraiser anna" in err
    assert "--force" in err
    assert xlsx.read_bytes() == filled  # not a byte changed
    # imported, the answer is in anna's file: the sheet is rewritten without that item
    assert main(["appraise", "import", str(xlsx), "--appraiser", "anna", *appraise_args(root)]) == 0
    assert main(again) == 0
    rows = [r for r in read_csv(xlsx.with_suffix(".csv")) if r["study_id"] == "st-a100000002"]
    assert [r["item_id"] for r in rows][:2] == ["S2", "1.1"]
    # a new unimported answer, overwritten knowingly: the filled sheet is kept as a backup
    _fill(xlsx, "st-a100000002", "S2", "No")
    filled = xlsx.read_bytes()
    capsys.readouterr()
    assert main([*again, "--force"]) == 0
    out = capsys.readouterr().out
    (backup,) = xlsx.parent.glob("anna.backup-*.xlsx")
    assert f"kept the sheet holding unimported answers as {backup}" in out
    assert backup.read_bytes() == filled
    assert xlsx.read_bytes() != filled


def test_an_undeclared_appraiser_is_refused_unless_added_knowingly(tmp_path: Path, capsys) -> None:
    """Issue 15 (4): a typo in a name must not silently start a new appraiser's file."""
    root = evidence_project(tmp_path, "qualitative")
    build(root)
    sheet = root / "filled.csv"
    sheet.write_text(
        "study_id,category,item_id,answer,comment\nst-a100000002,qualitative,S1,yes,\n",
        encoding="utf-8",
    )
    args = ["appraise", "import", str(sheet), "--appraiser", "ana", *appraise_args(root)]
    assert main(args) == DATA_ERROR
    err = capsys.readouterr().err
    assert "appraiser 'ana' is not declared (known: anna, budi, carla). Did you mean 'anna'?" in err
    assert not (root / "data/decisions/appraisal/ana.csv").exists()
    assert main([*args, "--new-reviewer"]) == 0
    assert (root / "data/decisions/appraisal/ana.csv").is_file()
    registry = read_csv(root / "data/decisions/reviewers.csv")
    assert [r["id"] for r in registry] == ["ana"]
    assert main(args) == 0  # registered now: no flag needed


BAD_ROWS = {
    "an answer outside the tool": (
        "st-a100000002,qualitative,1.1,probably,",
        r"row 2, field 'answer': 'probably' is not an answer of mmat-2018; allowed: yes, no, "
        r"cant_tell",
    ),
    "an item of another category": (
        "st-a100000002,qualitative,4.1,yes,",
        r"row 2, field 'item_id': '4\.1' is not an item of category qualitative; allowed: S1, "
        r"S2, 1\.1",
    ),
    "an unknown category": (
        "st-a100000002,ethnography,1.1,yes,",
        r"row 2, field 'category': 'ethnography' is not a category of mmat-2018",
    ),
    "an overall level that is an answer": (
        "st-a100000002,qualitative,overall,yes,fine",
        r"row 2, field 'answer': 'yes' is not an overall level of mmat-2018; allowed: low, "
        r"some, high",
    ),
    "an overall level without its justification": (
        "st-a100000002,qualitative,overall,low,",
        r"row 2, field 'comment': empty; the overall level needs its justification",
    ),
    "a study not included": (
        "st-a100000005,qualitative,1.1,yes,",
        r"row 2, field 'study_id': 'st-a100000005' is not a study included at full text",
    ),
    "a companion report instead of its study": (
        "st-a100000006,qualitative,1.1,yes,",
        r"row 2, field 'study_id': 'st-a100000006' is not a study included at full text \(by "
        r"its main study id\)",
    ),
    "two quantitative components": (
        "st-a100000004,mixed_methods,3.1,yes,\nst-a100000004,mixed_methods,4.1,yes,",
        r"row 3, field 'item_id': study st-a100000004 \(mixed_methods\): the quantitative "
        r"component takes the items of one category; this file answers items of "
        r"non_randomized, quantitative_descriptive",
    ),
    "two categories for one study": (
        "st-a100000002,qualitative,1.1,yes,\nst-a100000002,quantitative_descriptive,4.1,yes,",
        r"field 'category': study st-a100000002 is put in several categories in this file",
    ),
    "an empty study id": (",qualitative,1.1,yes,", r"row 2, field 'study_id': empty"),
    "an empty item": ("st-a100000002,qualitative,,yes,", r"row 2, field 'item_id': empty"),
    "no category anywhere": (
        "st-a100000002,,S1,yes,",
        r"row 2, field 'category': empty, and no other row of study st-a100000002 names its "
        r"category",
    ),
    "a local time": (
        "st-a100000002,qualitative,1.1,yes,,2026-12-01 08:00",
        r"row 2, field 'timestamp': '2026-12-01 08:00' is not an ISO 8601 UTC time",
    ),
    "an unquoted comma": (
        "st-a100000002,qualitative,1.1,yes,a, b",
        r"row 2: more cells than the header",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_bad_rows_are_refused_and_nothing_is_appended(tmp_path: Path, capsys, case: str) -> None:
    root = evidence_project(tmp_path, "qualitative")
    build(root)
    body, pattern = BAD_ROWS[case]
    sheet = root / "filled.csv"
    head = "study_id,category,item_id,answer,comment" + (
        ",timestamp" if "local time" in case else ""
    )
    sheet.write_text(head + "\n" + body + "\n", encoding="utf-8")
    ledger = root / "data/decisions/appraisal/anna.csv"
    before = ledger.read_bytes()
    args = ["appraise", "import", str(sheet), "--appraiser", "anna", *appraise_args(root)]
    assert main(args) == DATA_ERROR
    err = capsys.readouterr().err
    assert re.search(pattern, err), err
    assert "nothing was appended" in err
    assert ledger.read_bytes() == before


def test_a_sheet_without_an_answer_column_is_refused(tmp_path: Path, capsys) -> None:
    root = evidence_project(tmp_path, "qualitative")
    build(root)
    sheet = root / "filled.csv"
    sheet.write_text("study_id,item_id,comment\nst-a100000002,1.1,x\n", encoding="utf-8")
    args = ["appraise", "import", str(sheet), "--appraiser", "anna", *appraise_args(root)]
    assert main(args) == DATA_ERROR
    assert "row 1, field 'answer': missing column" in capsys.readouterr().err


def test_a_category_resolution_settles_a_category_conflict(tmp_path: Path) -> None:
    root = evidence_project(tmp_path, "qualitative")
    folder = root / "data/decisions/appraisal"
    with (folder / "anna.csv").open("a", encoding="utf-8") as fh:
        fh.write(
            "st-a100000004,,quantitative_descriptive,S1,yes,,2026-12-01T10:00:00Z\n"
            "st-a100000004,,quantitative_descriptive,4.1,no,,2026-12-01T10:00:00Z\n"
        )
    build(root)
    summary = {r["study_id"]: r for r in read_csv(root / "data/extracted/appraisal_summary.csv")}
    assert (summary["st-a100000004"]["category"], summary["st-a100000004"]["status"]) == (
        "",
        "conflict",
    )
    disagreements = read_csv(root / "data/extracted/appraisal_disagreements.csv")
    assert ("st-a100000004", "category", "quantitative_descriptive", "mixed_methods") in {
        (d["study_id"], d["item_id"], d["answer_a"], d["answer_b"]) for d in disagreements
    }
    with (folder / "_resolutions.csv").open("a", encoding="utf-8") as fh:
        fh.write(
            "st-a100000004,,mixed_methods,category,mixed_methods,both strands reported,"
            "2026-12-02T09:00:00Z,citra\n"
        )
    assert appraise_state(root) == 0
    summary = {r["study_id"]: r for r in read_csv(root / "data/extracted/appraisal_summary.csv")}
    assert summary["st-a100000004"]["category"] == "mixed_methods"
    rows = [
        r
        for r in read_csv(root / "data/extracted/appraisal.csv")
        if r["study_id"] == "st-a100000004"
    ]
    # anna's answers were for another category: only budi's stand
    assert {r["appraisers"] for r in rows} == {"budi"}


@pytest.mark.parametrize(
    ("line", "pattern"),
    [
        (
            "st-a100000004,,mixed_methods,category,ethnography,,2026-12-02T09:00:00Z,citra",
            r"_resolutions\.csv, row 3, field 'answer': 'ethnography' is not a category",
        ),
        (
            "st-a100000001,,qualitative,1.2,yes,,2026-12-02T09:00:00Z,",
            r"_resolutions\.csv, row 3, field 'reviewer': empty; name the adjudicator",
        ),
    ],
)
def test_bad_resolutions_stop_the_merge(tmp_path: Path, capsys, line: str, pattern: str) -> None:
    root = evidence_project(tmp_path, "qualitative")
    with (root / "data/decisions/appraisal/_resolutions.csv").open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    assert group(root) == 0
    assert extract(root) == 0
    assert appraise_state(root) == DATA_ERROR
    assert re.search(pattern, capsys.readouterr().err)


def test_a_resolutions_file_without_its_columns_is_refused(tmp_path: Path, capsys) -> None:
    root = evidence_project(tmp_path, "qualitative")
    (root / "data/decisions/appraisal/_resolutions.csv").write_text(
        "study_id,item_id,answer\n", encoding="utf-8"
    )
    assert group(root) == 0
    assert extract(root) == 0
    assert appraise_state(root) == DATA_ERROR
    assert "row 1, field 'category': missing column" in capsys.readouterr().err


def test_a_category_left_empty_is_taken_from_the_item_or_the_studys_other_rows(
    tmp_path: Path, capsys
) -> None:
    root = evidence_project(tmp_path, "qualitative")
    build(root)
    sheet = root / "filled.csv"
    sheet.write_text(
        "study_id,category,item_id,answer,comment\n"
        "st-a100000002,,1.1,yes,\n"
        "st-a100000002,,S1,yes,\n"
        "st-a100000004,mixed_methods,S1,yes,\n"
        "st-a100000004,,1.1,no,\n",
        encoding="utf-8",
    )
    args = ["appraise", "import", str(sheet), "--appraiser", "anna", *appraise_args(root)]
    assert main(args) == 0
    added = read_csv(root / "data/decisions/appraisal/anna.csv")[-4:]
    assert [a["category"] for a in added] == [
        "qualitative",
        "qualitative",
        "mixed_methods",
        "mixed_methods",
    ]
    capsys.readouterr()


@pytest.mark.parametrize("name", ["../evil", "_resolutions", "automation", "a b"])
def test_hostile_appraiser_names_are_refused(tmp_path: Path, capsys, name: str) -> None:
    root = evidence_project(tmp_path, "qualitative")
    build(root)
    sheet = root / "filled.csv"
    sheet.write_text("study_id,category,item_id,answer,comment\n", encoding="utf-8")
    args = ["appraise", "import", str(sheet), "--appraiser", name, *appraise_args(root)]
    assert main(args) == DATA_ERROR
    assert "appraiser name" in capsys.readouterr().err
    assert not list((root / "data/decisions/appraisal").glob("*evil*"))


def test_a_bad_row_in_an_appraisers_file_stops_the_merge(tmp_path: Path, capsys) -> None:
    root = evidence_project(tmp_path, "qualitative")
    assert group(root) == 0
    assert extract(root) == 0
    with (root / "data/decisions/appraisal/budi.csv").open("a", encoding="utf-8") as fh:
        fh.write("st-a100000002,qualitative,1.1,maybe,,2026-12-01T09:20:00Z\n")
    assert appraise_state(root) == DATA_ERROR
    err = capsys.readouterr().err
    assert "budi.csv, row 21" in err
    assert not (root / "data/extracted/appraisal.csv").exists()


def test_a_protocol_without_appraisal_writes_empty_tables(tmp_path: Path, capsys) -> None:
    root = evidence_project(tmp_path, "qualitative")
    path = root / "config/protocol.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("appraisal:")], encoding="utf-8")
    assert group(root) == 0
    assert extract(root) == 0
    assert appraise_state(root) == 0
    assert "declares no appraisal" in capsys.readouterr().out
    assert read_csv(root / "data/extracted/appraisal_summary.csv") == []
    args = ["appraise", "sheet", "--appraiser", "anna", *appraise_args(root)]
    assert main(args) == DATA_ERROR
    assert "add an `appraisal:` key" in capsys.readouterr().err


def test_tool_command_prints_the_categories(capsys) -> None:
    assert main(["appraise", "tool", "mmat-2018"]) == 0
    out = capsys.readouterr().out
    assert "mixed_methods: Mixed methods" in out
    assert "+ quantitative component: the items of one of randomized" in out


def test_a_set_aside_adjudicator_and_coder_are_listed_never_merged(tmp_path: Path) -> None:
    root = evidence_project(tmp_path, "qualitative")
    set_aside(root, ("citra", ["appraisal"]), ("coder-b", ["coding"]))
    build(root)
    out = root / "data/extracted"
    rows = {(r["study_id"], r["item_id"]): r for r in read_csv(out / "appraisal.csv")}
    # citra's resolution no longer settles 1.2: anna and budi disagree, as if it never existed.
    assert (rows[("st-a100000001", "1.2")]["answer"], rows[("st-a100000001", "1.2")]["status"]) == (
        "",
        "conflict",
    )
    [aside] = read_csv(out / "appraisal_unmatched.csv")
    assert (aside["appraiser"], aside["item_id"], aside["kind"], aside["row"]) == (
        "citra",
        "1.2",
        "reviewer_set_aside",
        "2",
    )
    assert aside["problem"] == (
        "citra's appraisal decisions were set aside by the protocol amendment of 2026-12-05: "
        "saw the results"
    )
    # coder-b's values: not in coded.csv, agreement or disagreements; listed as events.
    coded = {r["study_id"]: r for r in read_csv(out / "coded.csv")}
    assert {r["coders"] for r in coded.values()} == {"coder-a"}
    assert read_csv(out / "coding_agreement.csv") == []
    events = read_csv(out / "coding_events.csv")
    mine = [e for e in events if e["coder"] == "coder-b"]
    assert {e["event"] for e in mine} == {"set_aside"}
    # placed on its study like any row: the conference version counts under its main report
    assert {e["study_id"] for e in mine} == {"st-a100000001", "st-a100000002", "st-a100000004"}
    assert all(e["note"].startswith("coder-b's coding decisions were set aside") for e in mine)
    assert (root / "data/decisions/coding/coder-b.csv").is_file()


def test_a_set_aside_appraiser_gets_no_sheet(tmp_path: Path, capsys) -> None:
    root = evidence_project(tmp_path, "qualitative")
    set_aside(root, ("anna", ["appraisal"]))
    assert group(root) == 0
    assert extract(root) == 0
    code = main(["appraise", "sheet", "--appraiser", "anna", *appraise_args(root)])
    assert code != 0
    assert "anna's appraisal decisions were set aside by the protocol amendment of 2026-12-05" in (
        capsys.readouterr().err
    )


def test_a_set_aside_coders_older_file_is_not_asked_for_fields_added_since(
    tmp_path: Path,
) -> None:
    """An amendment that sets a coder aside often also adds required fields: the old file,
    made before them, is still read (and listed), not refused for lacking them."""

    root = evidence_project(tmp_path, "qualitative")
    path = root / "config" / "protocol.yaml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    data["coding"]["fields"].append(
        {"name": "support_duration", "type": "single", "required": True, "values": ["a", "b"]}
    )
    path.write_text(dump_yaml(data, allow_unicode=True), encoding="utf-8")
    # coder-a's file lacks the new required field too: refused while it counts ...
    assert extract(root) != 0
    # ... while coder-b, set aside, is read and listed; coder-a's file is fixed to count.
    coder_a = root / "data/decisions/coding/coder-a.csv"
    rows = read_csv(coder_a)
    with coder_a.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, [*rows[0], "support_duration"])
        writer.writeheader()
        writer.writerows({**r, "support_duration": "a"} for r in rows)
    set_aside(root, ("coder-b", ["coding"]))
    assert group(root) == 0
    assert extract(root) == 0
    events = read_csv(root / "data/extracted/coding_events.csv")
    assert {e["event"] for e in events if e["coder"] == "coder-b"} == {"set_aside"}
