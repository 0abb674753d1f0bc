"""The table contracts: one definition per boundary table, one reader and writer for all, and the
data dictionary generated from them."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from review.errors import DecisionError, SchemaError
from review.records import Record
from review.states import ScreeningState
from review.tables import contract, contracts, read_table, table_text, write_table
from review.tables.contract import _column
from review.tables.dictionary import data_dictionary

REPO = Path(__file__).resolve().parents[1]


def test_every_contract_describes_every_column() -> None:
    found = contracts()
    assert len(found) >= 26
    for c in found:
        assert c.description, c.name
        assert c.written_by, c.name
        assert len(set(c.names)) == len(c.names), c.name
        for col in c.columns:
            assert col.description, (c.name, col.name)
            if col.type == "enum":
                assert col.values, (c.name, col.name)


def test_state_names_come_from_the_enum() -> None:
    state = contract("screening").column("state")
    assert state.values == tuple(s.value for s in ScreeningState)
    assert dict(state.value_descriptions)["not_retrieved"].startswith("the report was sought")


def test_the_records_contract_is_the_record_class() -> None:
    assert contract("records").names == tuple(f.name for f in fields(Record))


def test_a_column_with_an_unknown_key_is_refused() -> None:
    # What an unquoted "description: a, b" in a YAML flow mapping turns into.
    with pytest.raises(SchemaError, match=r"column 'note' has unknown key\(s\) b"):
        _column("t", {"name": "note", "description": "a", "b": None})


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_read_table_names_file_line_field_value_and_expectation(tmp_path: Path) -> None:
    studies = contract("studies")
    header = ",".join(studies.names)
    row = "st-0a,r:1,1,r,Title,,,,,2020,,,,,,,,,,"
    path = _write(tmp_path / "studies.csv", f"{header}\n{row}\n")
    (read,) = read_table(path, studies)
    assert read["year"] == "2020"
    _write(path, f"{header}\n{row.replace(',2020,', ',twenty,')}\n")
    with pytest.raises(
        SchemaError, match=r"studies\.csv, line 2: field 'year' is 'twenty'; expected a whole"
    ):
        read_table(path, studies)
    _write(path, f"{header}\n{row}\n{row}\n")
    with pytest.raises(SchemaError, match=r"line 3: study_id 'st-0a' repeats line 2"):
        read_table(path, studies)
    _write(path, f"{header}\n{row},extra\n")
    with pytest.raises(SchemaError, match=r"line 2: more cells than the header's 20 columns"):
        read_table(path, studies)
    _write(path, "study_id,title\nst-0a,x\n")
    with pytest.raises(SchemaError, match=r"line 1: missing column\(s\) record_ids, n_records"):
        read_table(path, studies)
    with pytest.raises(SchemaError, match=r"nothing\.csv: file not found; the studies table is "):
        read_table(tmp_path / "nothing.csv", studies)
    path.write_bytes(b"study_id\n\xff\n")
    with pytest.raises(SchemaError, match=r"not UTF-8 text \(byte 9\)"):
        read_table(path, studies)


def test_files_people_edit_count_rows_skip_blank_ones_and_accept_any_case(tmp_path: Path) -> None:
    overrides = contract("dedup_overrides")
    path = _write(
        tmp_path / "o.csv",
        "\ufeffrecord_id_a,record_id_b,action\n,,\na:1,a:2,MERGE\n\na:3,a:4,glue\n",
    )
    with pytest.raises(DecisionError, match=r"o\.csv, row 5: field 'action' is 'glue'"):
        read_table(path, overrides)
    _write(path, "record_id_a,record_id_b,action\n,,\na:1,a:2,MERGE\n")
    (row,) = read_table(path, overrides)
    assert row["action"] == "merge"  # the canonical spelling
    assert row["note"] == ""  # an optional column the file lacks


def test_spreadsheet_safe_tables_read_back_what_was_written(tmp_path: Path) -> None:
    coded = contract("coded")
    row = dict.fromkeys(coded.names, "")
    row.update(study_id="st-1", status="included", notes='=HYPERLINK("x")')
    path = write_table(tmp_path / "coded.csv", [row], coded)
    assert "'=HYPERLINK" in path.read_text(encoding="utf-8")  # neutralised on disk
    (back,) = read_table(path, coded)
    assert back["notes"] == '=HYPERLINK("x")'


def test_every_csv_a_person_may_open_is_formula_safe(tmp_path: Path) -> None:
    """Issue 20 (10): interim tables and ledgers carried raw =/+/@ cells. Every CSV contract is
    formula-safe unless it says otherwise, and none does: reviewers open all of them."""
    assert [c.name for c in contracts() if c.format == "csv" and not c.spreadsheet_safe] == []
    from review.records import Record, read_records, write_records

    hostile = "=cmd|' /C calc'!A0"
    path = tmp_path / "records.csv"
    write_records(path, [Record(record_id="x:1", source_id="x", title=hostile, venue="@SUM(1)")])
    assert "'=cmd|" in path.read_text(encoding="utf-8")
    (back,) = read_records(path)
    assert (back.title, back.venue) == (hostile, "@SUM(1)")


def test_writers_use_the_contract_order_and_need_its_required_columns() -> None:
    clusters = contract("clusters")
    text = table_text([{"study_id": "st-1", "record_id": "a:1"}], clusters)
    assert text == "record_id,study_id,file\na:1,st-1,\n"
    with pytest.raises(ValueError, match="columns study_id of the contract are missing"):
        table_text([], clusters, columns=["record_id"])


def test_the_data_dictionary_is_current() -> None:
    """docs/data-dictionary.md is what `review dictionary` writes from the contracts."""
    committed = (REPO / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert committed == data_dictionary(), "run: review dictionary -o docs/data-dictionary.md"
    for c in contracts():
        assert f"### `{c.file}`" in committed
        for col in c.columns:
            assert f"| `{col.name}` |" in committed
    for state in ScreeningState:
        assert f"| `{state.value}` |" in committed


def test_the_workflow_writes_each_derived_table_where_its_contract_says() -> None:
    rules = "".join(
        p.read_text(encoding="utf-8") for p in (REPO / "workflow" / "rules").glob("*.smk")
    )
    outputs = set(re.findall(r'^\s+\w+="([^"]+)",$', rules, re.M))
    outputs |= set(re.findall(r'(?:temp|update)\("([^"]+)"\)', rules))
    for c in contracts():
        # data/raw/ holds evidence a live rule appends to (never a declared output, which
        # Snakemake would delete before the rule runs).
        raw = c.file.startswith("data/raw/")
        if c.kind == "decisions" or "<" in c.file or c.name == "asreview_export" or raw:
            continue
        assert c.file in outputs, f"{c.name}: no rule writes {c.file}"


def test_the_dictionary_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from review.cli import main

    assert main(["dictionary", "-o", str(tmp_path / "d.md")]) == 0
    assert (tmp_path / "d.md").read_text(encoding="utf-8") == data_dictionary()
    assert main(["dictionary"]) == 0
    assert capsys.readouterr().out.endswith(data_dictionary())
