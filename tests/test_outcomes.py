"""Outcome domains coded with direction, evidence type and sample size; coding by main study id;
the protocol's disagreement rule, stated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from evidence_helpers import evidence_project, extract, group, read_csv
from openpyxl import load_workbook

from review.errors import ProtocolError
from review.exitcodes import DATA_ERROR
from review.protocol import load_protocol


def by_key(rows: list[dict[str, str]], *keys: str) -> dict[tuple[str, ...], dict[str, str]]:
    return {tuple(r[k] for k in keys): r for r in rows}


def test_quantitative_outcomes_are_merged_per_study_and_domain(tmp_path: Path) -> None:
    root = evidence_project(tmp_path, "quantitative")
    assert group(root) == 0
    assert extract(root) == 0
    out = by_key(read_csv(root / "data/extracted/outcomes.csv"), "study_id", "domain")
    econ = out[("st-a100000007", "economic")]
    # coder-a (3 studies) is primary; the protocol says primary_coder: 85 stands, stated so
    assert (econ["direction"], econ["evidence_type"], econ["sample_size"]) == (
        "improved",
        "pre_post",
        "85",
    )
    assert econ["status"] == "primary_coder"
    assert econ["coders"] == "coder-a; coder-b"
    skills = out[("st-a100000007", "skills")]
    assert (skills["direction"], skills["status"]) == ("improved", "agreed")
    survey = out[("st-a100000003", "economic")]
    assert (survey["direction"], survey["status"]) == ("no_change_or_mixed", "single")
    assert ("st-a100000003", "skills") not in out  # nobody coded that domain
    assert out[("st-a100000004", "skills")]["direction"] == "not_measured"
    coded = {r["study_id"]: r for r in read_csv(root / "data/extracted/coded.csv")}
    assert "economic.direction" not in coded["st-a100000007"]  # domains live in outcomes.csv
    assert coded["st-a100000007"]["open_disagreements"] == "economic.sample_size"


def test_adjudication_leaves_a_conflict_open_and_linked_reports_code_their_study(
    tmp_path: Path,
) -> None:
    root = evidence_project(tmp_path, "qualitative")
    assert group(root) == 0
    assert extract(root) == 0
    out = by_key(read_csv(root / "data/extracted/outcomes.csv"), "study_id", "domain")
    clinic = out[("st-a100000004", "social")]
    assert clinic["status"] == "conflict"
    assert (clinic["direction"], clinic["evidence_type"]) == ("", "")
    assert clinic["open_fields"] == "direction; evidence_type"
    # coder-b coded the conference version st-a100000006: it counts under st-a100000002
    volunteers = out[("st-a100000002", "social")]
    assert volunteers["coders"] == "coder-a; coder-b"
    assert volunteers["direction"] == "improved"
    assert volunteers["status"] == "conflict"  # qualitative_account vs author_claim
    assert ("st-a100000006", "social") not in out
    coded = {r["study_id"]: r for r in read_csv(root / "data/extracted/coded.csv")}
    assert "st-a100000006" not in coded
    assert (
        "coding of coder-b (2026-11-30T10:01:00Z) on report st-a100000006 counted under its "
        "study's main report st-a100000002 (report_links.csv)"
    ) in coded["st-a100000002"]["carried_forward_note"]
    sheet = {r["study_id"]: r for r in read_csv(root / "data/extracted/coding_sheet.csv")}
    assert "st-a100000006" not in sheet  # one row per main study
    assert sheet["st-a100000002"]["linked_reports"].startswith(
        "st-a100000006: Wijaya 2021. Village volunteers and online shops (conference version)."
    )
    assert "Early results of the volunteer programme." in sheet["st-a100000002"]["linked_reports"]
    settled = root / "data/decisions/coding/_resolutions.csv"
    settled.write_text(
        "study_id,field,value,resolver,note,timestamp\n"
        "st-a100000004,social.direction,improved,citra,sales rose,2026-12-01T08:00:00Z\n"
        "st-a100000004,social.evidence_type,pre_post,citra,,2026-12-01T08:00:00Z\n",
        encoding="utf-8",
    )
    assert extract(root) == 0
    clinic = by_key(read_csv(root / "data/extracted/outcomes.csv"), "study_id", "domain")[
        ("st-a100000004", "social")
    ]
    assert (clinic["direction"], clinic["evidence_type"], clinic["status"]) == (
        "improved",
        "pre_post",
        "resolved",
    )


def test_a_resolution_that_breaks_the_domain_rules_is_refused(tmp_path: Path, capsys) -> None:
    root = evidence_project(tmp_path, "qualitative")
    assert group(root) == 0
    (root / "data/decisions/coding/_resolutions.csv").write_text(
        "study_id,field,value,resolver,note,timestamp\n"
        "st-a100000004,social.direction,improved,citra,,2026-12-01T08:00:00Z\n"
        "st-a100000004,social.evidence_type,proposal_only,citra,,2026-12-01T08:00:00Z\n",
        encoding="utf-8",
    )
    assert extract(root) == DATA_ERROR
    err = capsys.readouterr().err
    assert "study st-a100000004, field 'social.direction': the merged coding breaks" in err
    assert "expected not_measured" in err


def test_sheet_has_domain_columns_with_drop_downs(tmp_path: Path) -> None:
    root = evidence_project(tmp_path, "quantitative")
    assert group(root) == 0
    assert extract(root) == 0
    wb = load_workbook(root / "data/extracted/coding_sheet.xlsx")
    ws = wb["coding"]
    header = [c.value for c in ws[1]]
    start = header.index("economic.direction")
    assert header[start : start + 8] == [
        "economic.direction",
        "economic.evidence_type",
        "economic.sample_size",
        "economic.evidence",
        "skills.direction",
        "skills.evidence_type",
        "skills.sample_size",
        "skills.evidence",
    ]
    letter = {h: ws.cell(row=1, column=i + 1).column_letter for i, h in enumerate(header)}
    validations = {
        str(dv.sqref).split(":")[0][:-1]: dv for dv in ws.data_validations.dataValidation
    }
    values = wb["values"]
    for name, allowed in (
        ("economic.direction", ["improved", "no_change_or_mixed", "worsened", "not_measured"]),
        (
            "skills.evidence_type",
            [
                "quantitative_measure",
                "pre_post",
                "qualitative_account",
                "author_claim",
                "proposal_only",
            ],
        ),
    ):
        dv = validations[letter[name]]
        ref = dv.formula1.split("!")[1].replace("$", "")
        assert [row[0].value for row in values[ref]] == allowed
    assert letter["economic.sample_size"] not in validations  # a number, no list
    assert (
        "proposal_only"
        in ws.cell(row=1, column=header.index("economic.evidence_type") + 1).comment.text
    )


HEADER = (
    "study_id,strategy,study_design,economic.direction,economic.evidence_type,"
    "economic.sample_size,economic.evidence,note,timestamp\n"
)
BAD = {
    "proposal coded as an effect": (
        "st-a100000007,training,before_after,improved,proposal_only,,p. 2,,\n",
        r"row 2, field 'economic\.direction': study st-a100000007: improved, but the evidence "
        r"type is proposal_only .*expected not_measured",
    ),
    "a measured direction without evidence type": (
        "st-a100000007,training,before_after,worsened,,,p. 2,,\n",
        r"field 'economic\.evidence_type': study st-a100000007: empty, but direction worsened "
        r"states an effect; expected one of: quantitative_measure",
    ),
    "an evidence type without direction": (
        "st-a100000007,training,before_after,,pre_post,,p. 2,,\n",
        r"field 'economic\.direction': study st-a100000007: empty, but the domain has an "
        r"evidence type or sample size",
    ),
    "sample size zero": (
        "st-a100000007,training,before_after,improved,pre_post,0,p. 2,,\n",
        r"field 'economic\.sample_size': study st-a100000007: '0' is not a positive whole number",
    ),
    "sample size in words": (
        "st-a100000007,training,before_after,improved,pre_post,eighty,p. 2,,\n",
        r"field 'economic\.sample_size': study st-a100000007: 'eighty' is not a whole number",
    ),
    "a direction outside the vocabulary": (
        "st-a100000007,training,before_after,better,pre_post,,p. 2,,\n",
        r"field 'economic\.direction': .*'better' is not an allowed value; expected one of: "
        r"improved, no_change_or_mixed, worsened, not_measured",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_domain_cells_name_file_row_and_field(tmp_path: Path, capsys, case: str) -> None:
    root = evidence_project(tmp_path, "quantitative")
    row, pattern = BAD[case]
    (root / "data/decisions/coding/coder-c.csv").write_text(HEADER + row, encoding="utf-8")
    assert group(root) == 0
    assert extract(root) == DATA_ERROR
    err = capsys.readouterr().err
    assert "coder-c.csv, row 2" in err
    assert re.search(pattern, err), err
    assert not (root / "data/extracted/outcomes.csv").exists()


def test_outcome_domains_must_be_unique(tmp_path: Path) -> None:
    root = evidence_project(tmp_path, "quantitative")
    path = root / "config/protocol.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("id: skills,", "id: economic,"), encoding="utf-8")
    with pytest.raises(
        ProtocolError, match=r"coding\.outcome_domains\[1\]\.id: 'economic' is used twice"
    ):
        load_protocol(path)


def test_a_disagreement_rule_outside_the_two_is_refused(tmp_path: Path) -> None:
    root = evidence_project(tmp_path, "quantitative")
    path = root / "config/protocol.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "disagreement_rule: primary_coder\n  fields", "disagreement_rule: vote\n  fields"
        ),
        encoding="utf-8",
    )
    with pytest.raises(ProtocolError, match=r"coding\.disagreement_rule: 'vote' is not one of"):
        load_protocol(path)


def test_suggestions_read_the_pages_of_every_report_of_a_study() -> None:
    from review.extraction.fields import CodingField
    from review.extraction.sheet import sheet_rows

    strategy = CodingField(
        "strategy",
        "multiple",
        values=("volunteers", "clinic"),
        keywords=(("volunteers", ("relawan",)), ("clinic", ("klinik",))),
    )
    studies = {
        "st-a1": {"study_id": "st-a1", "title": "A study", "authors": "Sari, D", "year": "2021"},
        "st-a2": {"study_id": "st-a2", "title": "Its conference version", "year": "2020"},
    }
    pages = {
        "st-a1": [{"label": "p. 3", "text": "the relawan visited each shop"}],
        "st-a2": [{"label": "p. 1", "text": "a klinik UMKM opened"}],
    }
    (row,) = sheet_rows(
        ["st-a1"], studies, [strategy], {}, pages=pages, companions={"st-a1": ["st-a2"]}
    )
    assert row["suggested_strategy"] == "volunteers; clinic"
    assert "(full text, p. 3)" in row["evidence_strategy"]
    assert "(full text, st-a2 p. 1)" in row["evidence_strategy"]
    assert row["linked_reports"].startswith("st-a2: ")
