"""Extraction: the coding sheet, suggestions with evidence, coders' files validated and merged."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from review.agreement import cohen_kappa
from review.cli import main
from review.errors import DecisionError, SchemaError
from review.exitcodes import DATA_ERROR
from review.extraction import ExtractionOutputs, load_coding, read_coded, run_extraction
from review.extraction.agreement import jaccard
from review.extraction.fields import all_fields, coding_fields
from review.extraction.inputs import read_studies
from review.extraction.prefill import suggest
from review.extraction.sheet import SUMMARY_LABEL
from review.extraction.validate import RESOLUTIONS_NAME, coder_files
from review.protocol import load_protocol
from review.setaside import set_aside_at
from review.spreadsheet import safe_cell

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"
HEADER = (
    "study_id,strategy,approach,sustained,participants,start_year,barriers,"
    "outcome_summary,evidence,note,timestamp\n"
)
GOOD_ROW = "st-1a2b3c4d5e,digital_clinic,mentoring,no,25,2020,,Helped.,abstract,,\n"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def protocol():
    return load_protocol(FIXTURES / "protocol.yaml")


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A project-shaped folder: interim tables, a coding folder with two coders, an outdir."""
    (tmp_path / "interim").mkdir()
    shutil.copy(FIXTURES / "studies.csv", tmp_path / "interim" / "studies.csv")
    shutil.copy(FIXTURES / "screening.csv", tmp_path / "interim" / "screening.csv")
    shutil.copytree(FIXTURES / "coding", tmp_path / "coding")
    return tmp_path


def run(protocol, work: Path):
    return run_extraction(
        protocol,
        studies_path=work / "interim" / "studies.csv",
        screening_path=work / "interim" / "screening.csv",
        coding_dir=work / "coding",
        outputs=ExtractionOutputs.in_folder(work / "extracted"),
    )


def output_names() -> list[str]:
    return sorted(p.name for p in ExtractionOutputs.in_folder("x").as_dict().values())


def by_id(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["study_id"]: r for r in rows}


# ---- the sheet ------------------------------------------------------------------------------
def test_sheet_has_one_row_per_included_study_and_a_column_per_field(protocol, work):
    run(protocol, work)
    rows = read_csv(work / "extracted" / "coding_sheet.csv")
    assert [r["study_id"] for r in rows] == ["st-1a2b3c4d5e", "st-2b3c4d5e6f", "st-3c4d5e6f70"]
    header = list(rows[0])
    assert header[:11] == [
        "study_id",
        "citation",
        "title",
        "title_alt",
        "abstract",
        "reviewer summary (not the abstract)",
        "doi_link",
        "full_text",
        "coded_by",
        "linked_reports",
        "fingerprint",
    ]
    field_names = [f["name"] for f in protocol.coding_fields]
    assert header[11 : 11 + len(field_names)] == field_names
    first = rows[0]
    assert first["citation"] == (
        "Siti Rahma & Budi Santoso 2021. Peran Klinik UMKM dalam Digitalisasi Usaha Mikro di "
        "Kota Malang. Jurnal Pemberdayaan Masyarakat."
    )
    assert first["doi_link"] == "https://doi.org/10.1234/jpm.v5i2.101"
    assert first[SUMMARY_LABEL].startswith("Qualitative case study of a municipal UMKM clinic")
    assert first["coded_by"] == "coder-a; coder-b"
    # coded columns are never filled by the pipeline, even though coders have coded this study
    assert all(first[name] == "" for name in field_names)
    # suggestions only for choice fields that have keywords
    assert "suggested_strategy" in header
    assert "suggested_sustained" not in header
    assert "suggested_outcome_summary" not in header


def test_xlsx_has_dropdowns_notes_and_codebook(protocol, work):
    run(protocol, work)
    wb = load_workbook(work / "extracted" / "coding_sheet.xlsx")
    assert wb.sheetnames[:2] == ["coding", "codebook"]
    ws = wb["coding"]
    header = [c.value for c in ws[1]]
    col = {name: i + 1 for i, name in enumerate(header)}
    letter = {name: ws.cell(row=1, column=i).column_letter for name, i in col.items()}
    validations = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    approach = validations[f"{letter['approach']}2:{letter['approach']}4"]
    assert approach.type == "list"
    values = wb["values"]
    assert values.sheet_state == "hidden"
    ref = approach.formula1.split("!")[1].replace("$", "")
    assert approach.formula1.startswith("'values'!")
    assert [row[0].value for row in values[ref]] == [
        "training",
        "mentoring",
        "community_based",
        "other",
    ]
    sustained = validations[f"{letter['sustained']}2:{letter['sustained']}4"]
    ref = sustained.formula1.split("!")[1].replace("$", "")
    assert [row[0].value for row in values[ref]] == ["yes", "no"]
    # multiple-choice cells carry a note with the allowed values; free-text cells do not
    note = ws.cell(row=3, column=col["strategy"]).comment
    assert note is not None
    assert "volunteers, digital_clinic, smart_village, mentoring_training, other" in note.text
    assert ws.cell(row=3, column=col["outcome_summary"]).comment is None
    assert "Required" in ws.cell(row=1, column=col["evidence"]).comment.text
    assert ws.cell(row=2, column=col["doi_link"]).hyperlink.target == (
        "https://doi.org/10.1234/jpm.v5i2.101"
    )
    book = [[c.value for c in row] for row in wb["codebook"].iter_rows()]
    assert book[0] == ["field", "description", "type", "allowed values", "required", "keywords"]
    approach_row = next(r for r in book if r[0] == "approach")
    assert approach_row[1:5] == [
        "The main approach.",
        "single",
        "training; mentoring; community_based; other",
        "yes",
    ]
    assert next(r for r in book if r[0] == "participants")[3] == "a whole number"


def test_prefill_suggests_values_with_evidence_in_separate_columns(protocol, work):
    run(protocol, work)
    rows = by_id(read_csv(work / "extracted" / "coding_sheet.csv"))
    clinic = rows["st-1a2b3c4d5e"]
    assert clinic["suggested_strategy"] == "digital_clinic; mentoring_training"
    assert 'digital_clinic: "klinik" in title: Peran »Klinik« UMKM' in clinic["evidence_strategy"]
    assert "»pendampingan«" in clinic["evidence_strategy"]
    # Indonesian keywords in the abstract; the stem keyword is not needed here
    assert clinic["suggested_barriers"] == "infrastructure; unsustained_training"
    assert '"internet" in abstract' in clinic["evidence_barriers"]
    assert "»tidak berkelanjutan«" in clinic["evidence_barriers"]
    assert clinic["suggested_approach"] == "mentoring"
    assert clinic["strategy"] == ""  # never in the coded column
    village = rows["st-2b3c4d5e6f"]
    # "trained" is not the keyword "training" (whole words): no mentoring_training suggestion
    assert village["suggested_strategy"] == "volunteers; smart_village"
    # the stem keyword sustainab* matches "sustainable"
    assert village["suggested_barriers"] == "unsustained_training"
    assert "»sustainable«" in village["evidence_barriers"]
    # whole words only: "poliklinik" is not "klinik"
    assert rows["st-3c4d5e6f70"]["suggested_strategy"] == ""


def test_single_choice_suggests_the_best_supported_value(protocol):
    fields = {f.name: f for f in coding_fields(protocol)}
    study = {"title": "Pelatihan dan training UMKM", "summary": "mentoring by a community"}
    value, evidence = suggest(fields["approach"], study)
    assert value == "training"
    assert evidence.startswith('training: "pelatihan" in title: »Pelatihan« dan training UMKM')
    assert evidence.endswith("also matched: mentoring (1), community_based (1)")
    assert suggest(fields["approach"], {"title": "Trainings"}) == ("", "")


# ---- coded output, agreement, disagreements -------------------------------------------------
def test_two_coders_disagreements_and_agreement(protocol, work):
    result = run(protocol, work)
    out = work / "extracted"
    disagreements = read_csv(out / "coding_disagreements.csv")
    assert [(d["study_id"], d["field"], d["value_a"], d["value_b"]) for d in disagreements] == [
        ("st-1a2b3c4d5e", "strategy", "digital_clinic; mentoring_training", "digital_clinic"),
        ("st-2b3c4d5e6f", "approach", "training", "mentoring"),
    ]
    assert {d["status"] for d in disagreements} == {"open"}
    agreement = {(r["field"], r["value"]): r for r in read_csv(out / "coding_agreement.csv")}
    strategy = agreement[("strategy", "")]
    assert (strategy["n_studies"], strategy["n_agree"]) == ("2", "1")
    assert strategy["percent_agreement"] == "50.0"
    assert strategy["mean_jaccard"] == "0.750"
    assert agreement[("strategy", "digital_clinic")]["cohen_kappa"] == "1.000"
    assert agreement[("strategy", "mentoring_training")]["cohen_kappa"] == "0.000"
    approach = agreement[("approach", "")]
    assert (approach["percent_agreement"], approach["cohen_kappa"]) == ("50.0", "0.000")
    sustained = agreement[("sustained", "")]
    assert sustained["percent_agreement"] == "100.0"
    assert sustained["cohen_kappa"] == ""  # both coders said "no" every time: undefined
    assert "undefined" in sustained["measure"]
    assert agreement[("participants", "")]["percent_agreement"] == "100.0"
    assert ("outcome_summary", "") not in agreement  # free text is not compared
    coded = by_id(read_csv(out / "coded.csv"))
    assert set(coded) == {"st-1a2b3c4d5e", "st-2b3c4d5e6f"}
    first = coded["st-1a2b3c4d5e"]
    # the protocol states no rule: adjudication, so an open disagreement leaves no value
    assert first["strategy"] == ""
    assert first["open_disagreements"] == "strategy"
    assert first["sustained"] == "no"  # agreed values stand
    assert first["coders"] == "coder-a; coder-b"
    assert first["status"] == "included"
    assert first["last_coded"] == "2026-11-29T08:00:00Z"
    assert len(result.merged.disagreements) == 2


def test_primary_coder_rule_lets_the_primary_coders_value_stand_and_says_so(work, tmp_path):
    text = (FIXTURES / "protocol.yaml").read_text(encoding="utf-8")
    path = tmp_path / "protocol.yaml"
    path.write_text(
        text.replace(
            '  multi_value_separator: "; "\n',
            '  multi_value_separator: "; "\n  disagreement_rule: primary_coder\n',
        ),
        encoding="utf-8",
    )
    run(load_protocol(path), work)
    first = by_id(read_csv(work / "extracted" / "coded.csv"))["st-1a2b3c4d5e"]
    # coder-a and coder-b coded two studies each; ties go by id: coder-a is primary
    assert first["strategy"] == "digital_clinic; mentoring_training"
    assert first["open_disagreements"] == "strategy"


def test_resolutions_settle_disagreements(protocol, work):
    (work / "coding" / "_resolutions.csv").write_text(
        "study_id,field,value,resolver,note,timestamp\n"
        "st-1a2b3c4d5e,strategy,digital_clinic,adjudicator,the clinic does the mentoring,"
        "2026-11-29T09:00:00Z\n",
        encoding="utf-8",
    )
    run(protocol, work)
    out = work / "extracted"
    coded = by_id(read_csv(out / "coded.csv"))
    assert coded["st-1a2b3c4d5e"]["strategy"] == "digital_clinic"
    assert coded["st-1a2b3c4d5e"]["open_disagreements"] == ""
    assert coded["st-1a2b3c4d5e"]["resolved_fields"] == "strategy"
    assert coded["st-2b3c4d5e6f"]["open_disagreements"] == "approach"
    disagreements = {d["field"]: d for d in read_csv(out / "coding_disagreements.csv")}
    assert disagreements["strategy"]["status"] == "resolved"
    assert disagreements["strategy"]["resolver"] == "adjudicator"
    assert disagreements["approach"]["status"] == "open"
    events = read_csv(out / "coding_events.csv")
    resolved = [e for e in events if e["event"] == "resolved"]
    assert [(e["coder"], e["field"], e["value"]) for e in resolved] == [
        ("adjudicator", "strategy", "digital_clinic")
    ]


def test_events_list_every_coded_value_with_coder_and_time(protocol, work):
    run(protocol, work)
    events = read_csv(work / "extracted" / "coding_events.csv")
    first = [e for e in events if e["study_id"] == "st-1a2b3c4d5e" and e["coder"] == "coder-a"]
    assert [e["field"] for e in first] == [
        "strategy",
        "approach",
        "sustained",
        "participants",
        "start_year",
        "barriers",
        "outcome_summary",
        "evidence",
    ]
    assert {e["timestamp"] for e in first} == {"2026-11-29T07:00:00Z"}
    assert first[0]["source"].endswith("coder-a.csv:row 2")


def test_later_row_supersedes_earlier_and_both_are_events(protocol, work):
    with (work / "coding" / "coder-a.csv").open("a", encoding="utf-8") as fh:
        fh.write(
            "st-2b3c4d5e6f,volunteers; smart_village,mentoring,no,,2021,unsustained_training,"
            "Recoded.,summary,,"
            "2026-11-29T10:00:00Z\n"
        )
    run(protocol, work)
    coded = by_id(read_csv(work / "extracted" / "coded.csv"))
    assert coded["st-2b3c4d5e6f"]["approach"] == "mentoring"
    assert coded["st-2b3c4d5e6f"]["open_disagreements"] == ""
    events = read_csv(work / "extracted" / "coding_events.csv")
    old = [e for e in events if e["event"] == "superseded" and e["field"] == "approach"]
    assert [(e["coder"], e["value"]) for e in old] == [("coder-a", "training")]


# ---- update -----------------------------------------------------------------------------------
def test_update_adds_new_studies_keeps_values_and_flags_excluded(protocol, work):
    run(protocol, work)
    before = by_id(read_csv(work / "extracted" / "coded.csv"))
    coder_file = (work / "coding" / "coder-a.csv").read_bytes()
    # an update: one more study passes full text, a coded study is excluded on re-screening
    screening = read_csv(work / "interim" / "screening.csv")
    for row in screening:
        if row["study_id"] == "st-4d5e6f7081":
            row["state"] = "included_ft"
        if row["study_id"] == "st-2b3c4d5e6f":
            row["state"] = "excluded_ft"
    with (work / "interim" / "screening.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(screening[0]))
        writer.writeheader()
        writer.writerows(screening)
    run(protocol, work)
    sheet = [r["study_id"] for r in read_csv(work / "extracted" / "coding_sheet.csv")]
    assert sheet == ["st-1a2b3c4d5e", "st-3c4d5e6f70", "st-4d5e6f7081"]
    after = by_id(read_csv(work / "extracted" / "coded.csv"))
    assert set(after) == set(before)
    gone = after["st-2b3c4d5e6f"]
    assert gone["status"] == "no_longer_included"
    assert gone["screening_state"] == "excluded_ft"
    names = [f["name"] for f in protocol.coding_fields]
    for sid in before:
        assert {n: after[sid][n] for n in names} == {n: before[sid][n] for n in names}
    assert (work / "coding" / "coder-a.csv").read_bytes() == coder_file


# ---- formula injection ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (-2, -2),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_formula_injection_is_neutralised_in_csv_and_xlsx(protocol, work):
    run(protocol, work)
    out = work / "extracted"
    row = by_id(read_csv(out / "coding_sheet.csv"))["st-3c4d5e6f70"]
    assert row["title"] == '\'=HYPERLINK("http://evil.example/x")'
    assert row["abstract"].startswith("'-1 was the change")
    assert row[SUMMARY_LABEL] == "'@SUM(A1) a survey of shops"
    ws = load_workbook(out / "coding_sheet.xlsx")["coding"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=4, column=header.index("title") + 1)
    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://evil.example/x")'
    for r in ws.iter_rows(min_row=2):
        for c in r:
            assert c.data_type != "f", f"{c.coordinate} holds a formula"
    events = read_csv(out / "coding_events.csv")
    assert {e["note"] for e in events if e["coder"] == "coder-b"} >= {"'=1+1 looks like a formula"}


# ---- XLSX coder files ---------------------------------------------------------------------------
def test_filled_xlsx_sheet_round_trips_into_coded_csv(protocol, work):
    for p in (work / "coding").iterdir():
        p.unlink()
    run(protocol, work)
    wb = load_workbook(work / "extracted" / "coding_sheet.xlsx")
    ws = wb["coding"]
    header = [c.value for c in ws[1]]
    col = {name: i + 1 for i, name in enumerate(header)}
    filled = {
        "strategy": "volunteers; smart_village",
        "approach": "training",
        "sustained": "yes",
        "participants": 40,
        "start_year": 2021,
        "barriers": "Unsustained_Training",
        "outcome_summary": "Volunteers trained MSMEs.",
        "evidence": "summary",
        "timestamp": "2026-11-29T08:30:00Z",
    }
    for name, value in filled.items():
        ws.cell(row=3, column=col[name], value=value)  # row 3 = the second study
    wb.save(work / "coding" / "coder-x.xlsx")
    result = run(protocol, work)
    coded = read_csv(work / "extracted" / "coded.csv")
    assert len(coded) == 1  # the other sheet rows were not coded yet
    row = coded[0]
    assert row["study_id"] == "st-2b3c4d5e6f"
    assert row["coders"] == "coder-x"
    assert row["strategy"] == "volunteers; smart_village"
    assert row["participants"] == "40"
    assert row["start_year"] == "2021"
    assert row["barriers"] == "unsustained_training"
    assert row["sustained"] == "yes"
    assert row["last_coded"] == "2026-11-29T08:30:00Z"
    assert result.coder_files == [work / "coding" / "coder-x.xlsx"]
    sheet = by_id(read_csv(work / "extracted" / "coding_sheet.csv"))
    assert sheet["st-2b3c4d5e6f"]["coded_by"] == "coder-x"


def test_xlsx_coder_file_errors_name_the_sheet_row(protocol, work):
    wb = Workbook()
    ws = wb.active
    ws.append(["study_id", "strategy", "approach", "evidence"])
    ws.append(["st-1a2b3c4d5e", "digital_clinic", "teaching", "abstract"])
    wb.save(work / "coding" / "coder-c.xlsx")
    with pytest.raises(DecisionError, match=r"coder-c\.xlsx, row 2, field 'approach'.*'teaching'"):
        run(protocol, work)


# ---- bad input --------------------------------------------------------------------------------
BAD_CASES = {
    "value outside the list": (
        GOOD_ROW.replace("digital_clinic", "digital_clinic; hackathon"),
        r"bad\.csv, row 3, field 'strategy': study st-1a2b3c4d5e: 'hackathon' is not an allowed "
        r"value; expected one or more of: volunteers, digital_clinic, smart_village, "
        r"mentoring_training, other",
    ),
    "two values in a single-choice field": (
        GOOD_ROW.replace(",mentoring,", ",mentoring; training,"),
        r"row 3, field 'approach': .*'mentoring; training' is not an allowed value \(one value "
        r"only: this field is single choice\); expected one of: training, mentoring, "
        r"community_based, other",
    ),
    "not an integer": (
        GOOD_ROW.replace(",25,", ",about 25,"),
        r"row 3, field 'participants': .*'about 25' is not a whole number",
    ),
    "not a year": (
        GOOD_ROW.replace(",2020,", ",20,"),
        r"row 3, field 'start_year': .*'20' is not a four-digit year",
    ),
    "not yes/no": (
        GOOD_ROW.replace(",no,", ",maybe,"),
        r"row 3, field 'sustained': .*'maybe' is not an allowed value; expected one of: yes, no",
    ),
    "missing required value": (
        GOOD_ROW.replace(",mentoring,", ",,"),
        r"row 3, field 'approach': study st-1a2b3c4d5e: required field is empty; expected one "
        r"of: training, mentoring, community_based, other",
    ),
    "unquoted comma": (
        GOOD_ROW.replace("Helped.", "Helped, a lot."),
        r"bad\.csv, row 3: more cells than the header's 11 columns \(a value with a comma needs "
        r"quotes\)",
    ),
    "bad timestamp": (
        GOOD_ROW.rstrip("\n") + "yesterday\n",
        r"row 3, field 'timestamp': .*'yesterday' is not an ISO 8601 date-time",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_coder_rows_name_file_row_field_and_allowed(protocol, work, case):
    row, pattern = BAD_CASES[case]
    (work / "coding" / "bad.csv").write_text(HEADER + GOOD_ROW + row, encoding="utf-8")
    with pytest.raises(DecisionError, match=pattern) as info:
        run(protocol, work)
    message = str(info.value)
    assert "nothing was merged" in message
    assert message.count(", row ") == 1  # the first data row (row 2) is good
    assert not (work / "extracted").exists()  # nothing written from a file with errors


def test_a_row_naming_no_study_is_listed_not_merged_and_refused_by_validate(protocol, work):
    unknown = GOOD_ROW.replace("st-1a2b3c4d5e", "st-ffffffffff")
    (work / "coding" / "coder-c.csv").write_text(HEADER + unknown, encoding="utf-8")
    result = run(protocol, work)
    assert [(u.coder, u.row, u.study_id) for u in result.attached.unmatched] == [
        ("coder-c", 2, "st-ffffffffff")
    ]
    events = read_csv(work / "extracted" / "coding_events.csv")
    listed = [e for e in events if e["event"] == "unmatched"]
    assert [(e["study_id"], e["coder"]) for e in listed] == [("st-ffffffffff", "coder-c")]
    assert listed[0]["source"].endswith("coder-c.csv:row 2")
    assert "neither its study id nor its fingerprint" in listed[0]["note"]
    assert "st-ffffffffff" not in by_id(read_csv(work / "extracted" / "coded.csv"))
    with pytest.raises(
        DecisionError,
        match=r"coder-c\.csv, row 2, field 'study_id': unknown study 'st-ffffffffff' "
        r"\(not in .*studies\.csv\)",
    ):
        load_coding(
            coding_fields(protocol),
            [work / "coding" / "coder-c.csv"],
            read_studies(work / "interim" / "studies.csv"),
            studies_path=work / "interim" / "studies.csv",
        )


def test_a_coded_row_follows_its_fingerprint_when_the_id_is_gone(protocol, work):
    moved = GOOD_ROW.replace("st-1a2b3c4d5e,", "st-0000000000,")
    header = HEADER.replace("study_id,", "study_id,fingerprint,")
    moved = moved.replace("st-0000000000,", "st-0000000000,10.1234/jpm.v5i2.101,")
    (work / "coding" / "coder-c.csv").write_text(header + moved, encoding="utf-8")
    result = run(protocol, work)
    assert not result.attached.unmatched
    row = by_id(read_csv(work / "extracted" / "coded.csv"))["st-1a2b3c4d5e"]
    assert "coder-c" in row["coders"].split("; ")
    assert "re-attached by fingerprint 10.1234/jpm.v5i2.101" in row["carried_forward_note"]


@pytest.mark.parametrize(
    ("header", "pattern"),
    [
        (
            HEADER.replace("approach,", ""),
            r"bad\.csv, row 1, field 'approach': missing column of a required field",
        ),
        (
            HEADER.replace("strategy", "stratgy"),
            r"row 1, field 'stratgy': unknown column \(coding fields: strategy, approach",
        ),
        (HEADER.replace("study_id", "id"), r"row 1, field 'study_id': missing column"),
    ],
)
def test_bad_coder_headers(protocol, work, header, pattern):
    (work / "coding" / "bad.csv").write_text(header, encoding="utf-8")
    with pytest.raises(DecisionError, match=pattern):
        run(protocol, work)


def test_every_problem_is_reported_at_once(protocol, work):
    bad = GOOD_ROW.replace("digital_clinic", "hackathon").replace(",25,", ",x,")
    (work / "coding" / "bad.csv").write_text(HEADER + bad + bad, encoding="utf-8")
    with pytest.raises(DecisionError, match=r"^4 problem\(s\)") as info:
        run(protocol, work)
    assert str(info.value).count("bad.csv, row") == 4


@pytest.mark.parametrize(
    ("line", "pattern"),
    [
        (
            "st-1a2b3c4d5e,stratgy,digital_clinic,adj,,",
            r"_resolutions\.csv, row 2, field 'field': unknown coding field 'stratgy'",
        ),
        (
            "st-1a2b3c4d5e,strategy,hackathon,adj,,",
            r"_resolutions\.csv, row 2, field 'value': .*'hackathon' is not an allowed value",
        ),
        ("st-1a2b3c4d5e,strategy,digital_clinic,,,", r"field 'resolver': empty"),
    ],
)
def test_bad_resolutions(protocol, work, line, pattern):
    (work / "coding" / "_resolutions.csv").write_text(
        "study_id,field,value,resolver,note,timestamp\n" + line + "\n", encoding="utf-8"
    )
    with pytest.raises(DecisionError, match=pattern):
        run(protocol, work)


def test_blank_sheet_rows_are_not_coded_yet(protocol, work):
    (work / "coding" / "coder-c.csv").write_text(
        HEADER + "st-1a2b3c4d5e,,,,,,,,,,\n" + ",,,,,,,,,,\n", encoding="utf-8"
    )
    result = run(protocol, work)
    assert "coder-c" not in {c for r in result.merged.coded for c in r["coders"].split("; ")}


def test_screening_table_without_state_column_is_a_schema_error(protocol, work):
    (work / "interim" / "screening.csv").write_text("study_id,fingerprint\nst-1,x\n")
    with pytest.raises(SchemaError, match=r"screening\.csv, line 1: missing column\(s\) state"):
        run(protocol, work)


def test_included_study_missing_from_studies_is_a_schema_error(protocol, work):
    with (work / "interim" / "screening.csv").open("a", encoding="utf-8") as fh:
        fh.write("st-0000000000,x,included_ft,,,,,,,,,,,\n")
    with pytest.raises(SchemaError, match=r"study 'st-0000000000' is included but is not in"):
        run(protocol, work)


def test_coder_files_skip_resolutions_and_lock_files(work):
    (work / "coding" / "_resolutions.csv").write_text("study_id\n")
    (work / "coding" / "~$coder-a.xlsx").write_bytes(b"lock")
    (work / "coding" / "notes.md").write_text("x")
    assert [p.name for p in coder_files(work / "coding")] == ["coder-a.csv", "coder-b.csv"]


# ---- measures -----------------------------------------------------------------------------------
def test_cohen_kappa_matches_the_textbook_formula():
    # Two raters, 10 items; p_o = 0.7, p_e = 0.5*0.6 + 0.5*0.4 = 0.5 -> kappa = 0.4
    a = ["y", "y", "y", "y", "y", "n", "n", "n", "n", "n"]
    b = ["y", "y", "y", "y", "n", "y", "y", "n", "n", "n"]
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(["x", "x"], ["x", "x"]) is None
    assert jaccard(["a", "b"], ["b", "c"]) == pytest.approx(1 / 3)
    assert jaccard([], []) == 1.0


# ---- command line -------------------------------------------------------------------------------
def test_cli_extract_and_validate(work, capsys):
    args = [
        "--protocol",
        str(FIXTURES / "protocol.yaml"),
        "--studies",
        str(work / "interim" / "studies.csv"),
    ]
    assert main(["extract", *args, "--validate", str(work / "coding" / "coder-a.csv")]) == 0
    assert "ok: 2 coded row(s) in 1 file(s)" in capsys.readouterr().out
    assert not (work / "extracted").exists()
    (work / "coding" / "bad.csv").write_text(HEADER + GOOD_ROW.replace(",no,", ",nope,"))
    assert main(["extract", *args, "--validate", str(work / "coding" / "bad.csv")]) == DATA_ERROR
    assert "field 'sustained'" in capsys.readouterr().err
    (work / "coding" / "bad.csv").unlink()
    code = main(
        [
            "extract",
            *args,
            "--screening",
            str(work / "interim" / "screening.csv"),
            "--coding-dir",
            str(work / "coding"),
            *(
                arg
                for option, path in ExtractionOutputs.in_folder(work / "extracted")
                .as_dict()
                .items()
                for arg in (f"--{option.replace('_', '-')}", str(path))
            ),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "3 included studies in the coding sheet" in out
    assert "2 disagreement(s), 2 open" in out
    assert "agreement coder-a vs coder-b on approach: 50.0% of 2, kappa 0.000" in out
    assert sorted(p.name for p in (work / "extracted").iterdir()) == output_names()


# ---- the committed coding files -------------------------------------------------------------
def test_committed_coding_files_validate_against_the_default_protocol(
    repo_root, tmp_path, monkeypatch
):
    """The default review's coders' files pass validation against studies built from scratch."""
    from review.cli import main

    coding = repo_root / "data" / "decisions" / "coding"
    assert coder_files(coding), "the default review has coding files"
    monkeypatch.chdir(repo_root)
    records = tmp_path / "records.csv"
    assert main(["normalise", "-o", str(records)]) == 0
    assert (
        main(
            [
                "dedup",
                "--records",
                str(records),
                "--overrides",
                "data/decisions/dedup_overrides.csv",
                "-o",
                str(tmp_path),
            ]
        )
        == 0
    )
    # `review extract --validate` reads them as the rule does: every coding column (the
    # outcome domains' too), a set-aside coder's older file leniently, the resolutions
    files = [str(p) for p in coder_files(coding)]
    resolutions = str(coding / RESOLUTIONS_NAME)
    studies_csv = str(tmp_path / "studies.csv")
    args = ["extract", "--protocol", "config/protocol.yaml", "--studies", studies_csv]
    assert main([*args, "--validate", *files, resolutions]) == 0
    protocol = load_protocol(repo_root / "config" / "protocol.yaml")
    studies = read_studies(tmp_path / "studies.csv")
    aside = set_aside_at(protocol, "coding")
    rows, settled = load_coding(
        all_fields(protocol),
        coder_files(coding),
        studies,
        resolutions=coding / RESOLUTIONS_NAME,
        set_aside=aside,
    )
    assert rows
    assert {r.study_id for r in rows} <= set(studies)
    assert {r.coder for r in rows} == {p.stem for p in coder_files(coding)}
    with (coding / RESOLUTIONS_NAME).open(encoding="utf-8", newline="") as fh:
        assert len(settled) == len(list(csv.DictReader(fh)))
    # the leniency is what lets a set-aside coder's file pass: read strictly, it is refused
    if aside:
        with pytest.raises(DecisionError, match="missing column of a required field"):
            load_coding(all_fields(protocol), coder_files(coding), studies)


# ---- the workflow rule --------------------------------------------------------------------------
@pytest.mark.workflow
def test_extract_coding_rule_in_the_real_engine(built_project: Path, built_copy: Path):
    """``extract_coding`` through Snakemake on a copy of the built review: a new coder's file
    reruns it and is merged; a file with a bad row stops it, naming the row, outputs untouched."""
    from conftest import snakemake

    out = built_project / "data" / "extracted"
    assert set(output_names()) <= {p.name for p in out.iterdir()}
    log = (built_project / "logs" / "extract_coding" / "extract_coding.log").read_text()
    assert "included studies in the coding sheet" in log

    coding = built_copy / "data" / "decisions" / "coding"
    # a file of a coder not set aside: it has every field of the current coding schema
    aside = set_aside_at(load_protocol(built_copy / "config" / "protocol.yaml"), "coding")
    current = next(p for p in coder_files(coding) if p.stem not in aside)
    with current.open(encoding="utf-8", newline="") as fh:
        header, first, *_ = list(csv.reader(fh))
    study = first[0]

    def write(name: str, row: list[str]) -> None:
        with (coding / name).open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([header, row])

    write("coder-c.csv", first)
    done = snakemake(built_copy, "--cores", "1", "data/extracted/coded.csv")
    assert done.returncode == 0, done.stderr[-2000:]
    coded = {r["study_id"]: r for r in read_csv(built_copy / "data" / "extracted" / "coded.csv")}
    assert "coder-c" in coded[study]["coders"].split("; ")

    before = (built_copy / "data" / "extracted" / "coded.csv").read_bytes()
    bad = list(first)
    bad[header.index("strategy")] = "hackathon"
    write("coder-d.csv", bad)
    done = snakemake(built_copy, "--cores", "1", "data/extracted/coded.csv")
    assert done.returncode != 0
    log = (built_copy / "logs" / "extract_coding" / "extract_coding.log").read_text()
    assert "coder-d.csv, row 2, field 'strategy'" in log
    after = built_copy / "data" / "extracted" / "coded.csv"
    assert not after.exists() or after.read_bytes() == before


def test_coded_csv_is_read_back_against_its_schema_and_the_protocol(protocol, work):
    run(protocol, work)
    fields = coding_fields(protocol)
    path = work / "extracted" / "coded.csv"
    rows = read_coded(path, fields)
    assert {r["study_id"] for r in rows} == {"st-1a2b3c4d5e", "st-2b3c4d5e6f"}
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",included,", ",maybe,", 1), encoding="utf-8")
    with pytest.raises(
        SchemaError, match=r"coded\.csv, line 2: field 'status' is 'maybe'; expected one of"
    ):
        read_coded(path, fields)
    path.write_text(text.replace("volunteers; smart_village", "hackathon"), encoding="utf-8")
    with pytest.raises(
        SchemaError, match=r"line 3: field 'strategy': 'hackathon' is not an allowed"
    ):
        read_coded(path, fields)


# ---- issue 15 item 4: a coding sheet filled in place is never overwritten --------------------
def test_a_coding_sheet_filled_in_place_is_not_overwritten(protocol, work):
    from review.sheetguard import UnimportedWork

    run(protocol, work)
    sheet = work / "extracted" / "coding_sheet.xlsx"
    wb = load_workbook(sheet)
    ws = wb["coding"]
    header = [c.value for c in ws[1]]
    for name, value in (
        ("strategy", "volunteers"),
        ("approach", "training"),
        ("evidence", "abstract"),
        ("note", "coded in the generated sheet"),
    ):
        ws.cell(row=4, column=header.index(name) + 1).value = value
    wb.save(sheet)
    filled = sheet.read_bytes()
    sid = ws.cell(row=4, column=1).value
    with pytest.raises(UnimportedWork) as info:
        run(protocol, work)
    message = str(info.value)
    assert f"{sheet} hold(s) 1 decision(s) that are in no ledger yet" in message
    assert f"{sheet}, row 4: {sid} (approach, evidence, strategy)" in message
    assert f"copy it to {work / 'coding' / '<your coder id>.xlsx'}" in message
    assert sheet.read_bytes() == filled
    # Copied into the coding folder it is a coder's file: its values are saved, and the sheet
    # is regenerated (empty again) on the next run.
    shutil.copy(sheet, work / "coding" / "coder-z.xlsx")
    result = run(protocol, work)
    assert work / "coding" / "coder-z.xlsx" in result.coder_files
    assert sheet.read_bytes() != filled
    assert not list(sheet.parent.glob("*.backup-*"))


def test_force_keeps_a_filled_coding_sheet_as_a_backup(protocol, work):
    run(protocol, work)
    csv_sheet = work / "extracted" / "coding_sheet.csv"
    rows = read_csv(csv_sheet)
    rows[0]["barriers"] = "connectivity"
    with csv_sheet.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    filled = csv_sheet.read_text(encoding="utf-8")
    result = run_extraction(
        protocol,
        studies_path=work / "interim" / "studies.csv",
        screening_path=work / "interim" / "screening.csv",
        coding_dir=work / "coding",
        outputs=ExtractionOutputs.in_folder(work / "extracted"),
        force=True,
    )
    backup = next(p for p in result.backups if p.suffix == ".csv")
    assert backup.name.startswith("coding_sheet.backup-")
    assert backup.read_text(encoding="utf-8") == filled
    assert read_csv(csv_sheet)[0]["barriers"] == ""
