"""Screening ledgers: validation names file, row, field and what is allowed; append-only."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from screening_helpers import large_project, protocol, read_csv, write_ledger, write_sheet

from review.errors import DecisionError
from review.screening.ledger import (
    append_rows,
    current,
    read_ledger_file,
    read_ledgers,
    stage_reasons,
    validate_rows,
)

TS = "2026-11-29T07:00:00Z"


def _validate(row: dict, *, stage: str = "title_abstract", known: dict | None = None) -> list:
    return validate_rows(
        [row],
        source="ledger.csv",
        stage=stage,
        reviewer="r1",
        reasons=stage_reasons(protocol(), stage),
        known_studies=known,
    )


def _row(**kw: str) -> dict:
    base = {
        "study_id": "st-a",
        "fingerprint": "doi:10.1000/a",
        "decision": "include",
        "reason": "",
        "note": "",
        "timestamp": TS,
    }
    return {**base, **kw}


def test_reasons_per_stage() -> None:
    p = protocol()
    assert stage_reasons(p, "title_abstract") == [
        "E3-not-indonesia",
        "E4-not-digital",
        "E1-year",
        "E2-language",
    ]
    assert stage_reasons(p, "full_text")[:2] == ["E7-no-outcome", "E8-full-text-unavailable"]


@pytest.mark.parametrize(
    ("row", "stage", "known", "message"),
    [
        (
            _row(study_id="st-zz"),
            "title_abstract",
            {"st-a": ""},
            r"ledger.csv, row 2, field 'study_id': 'st-zz' is not a study of studies.csv",
        ),
        (
            _row(decision="exclude", reason="E9-bogus"),
            "title_abstract",
            None,
            r"row 2, field 'reason': 'E9-bogus' is not a criterion code for stage title_abstract; "
            r"allowed: E3-not-indonesia, E4-not-digital, E1-year, E2-language",
        ),
        (
            _row(decision="exclude", reason="E7-no-outcome"),
            "title_abstract",
            None,
            r"'E7-no-outcome' is not a criterion code for stage title_abstract",
        ),
        (
            _row(decision="exclude"),
            "full_text",
            None,
            r"row 2, field 'reason': empty; a full-text exclusion needs a criterion code; "
            r"allowed: E7-no-outcome",
        ),
        (
            _row(decision="yes"),
            "title_abstract",
            None,
            r"row 2, field 'decision': 'yes' is not allowed; allowed: include, exclude, maybe",
        ),
        (
            _row(timestamp="29/11/2026 07:00"),
            "title_abstract",
            None,
            r"row 2, field 'timestamp': '29/11/2026 07:00' is not an ISO 8601 UTC time",
        ),
        (
            _row(timestamp="2026-11-29T07:00:00"),
            "title_abstract",
            None,
            r"field 'timestamp'.*not an ISO 8601 UTC time",
        ),
        (
            _row(timestamp="2026-11-29T07:00:00+07:00"),
            "title_abstract",
            None,
            r"field 'timestamp'.*not an ISO 8601 UTC time",
        ),
        (
            _row(reason="E3-not-indonesia"),
            "title_abstract",
            None,
            r"field 'reason': 'E3-not-indonesia' given with decision 'include'",
        ),
    ],
)
def test_validation_messages(row: dict, stage: str, known: dict | None, message: str) -> None:
    with pytest.raises(DecisionError, match=message):
        _validate(row, stage=stage, known=known)


def test_every_problem_is_listed_at_once() -> None:
    rows = [_row(decision="nope"), _row(), _row(decision="exclude", reason="E0-x")]
    with pytest.raises(DecisionError) as info:
        validate_rows(
            rows,
            source="f.csv",
            stage="title_abstract",
            reviewer="r1",
            reasons=stage_reasons(protocol(), "title_abstract"),
        )
    text = str(info.value)
    assert text.startswith("2 problem(s) in f.csv; nothing was read or appended")
    assert "f.csv, row 2, field 'decision'" in text
    assert "f.csv, row 4, field 'reason'" in text


def test_valid_rows_read_with_offsets_and_utc_variants() -> None:
    rows = validate_rows(
        [_row(timestamp="2026-11-29T07:00:00+00:00"), _row(decision="MAYBE")],
        source="f.csv",
        stage="title_abstract",
        reviewer="r1",
        reasons=stage_reasons(protocol(), "title_abstract"),
    )
    assert [r.decision for r in rows] == ["include", "maybe"]
    assert [r.row for r in rows] == [2, 3]


def test_missing_column_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "title_abstract" / "r1.csv"
    path.parent.mkdir()
    path.write_text("study_id,decision\nst-a,include\n", encoding="utf-8")
    with pytest.raises(
        DecisionError,
        match=r"r1.csv, row 1: missing column\(s\) fingerprint, "
        r"reason, note, timestamp",
    ):
        read_ledger_file(path, stage="title_abstract", reasons=[])


def test_current_decision_is_the_latest_row_and_history_is_kept(tmp_path: Path) -> None:
    write_ledger(
        tmp_path,
        "title_abstract",
        "r1",
        [
            ("st-a", "doi:10.1000/a", "include", "", "first look", "2026-11-29T07:00:00Z"),
            ("st-b", "", "exclude", "E3-not-indonesia", "", "2026-11-29T07:00:00Z"),
            (
                "st-a",
                "doi:10.1000/a",
                "exclude",
                "E4-not-digital",
                "changed my mind",
                "2026-11-29T08:00:00Z",
            ),
        ],
    )
    ledgers = read_ledgers(tmp_path, protocol())
    rows = ledgers.decisions["title_abstract"]
    assert len(rows) == 3  # history kept
    now = current(rows)
    assert now[("r1", "st-a")].decision == "exclude"
    assert now[("r1", "st-a")].note == "changed my mind"


def test_append_keeps_existing_bytes(tmp_path: Path) -> None:
    path = tmp_path / "r1.csv"
    # CRLF line ends, quotes and no final newline: all must survive byte for byte.
    old = (
        b"study_id,fingerprint,decision,reason,note,timestamp\r\n"
        b'st-a,doi:10.1000/a,include,,"a, note",2026-11-29T07:00:00Z'
    )
    path.write_bytes(old)
    new = _validate(_row(study_id="st-b", decision="exclude", reason="E3-not-indonesia"))
    append_rows(path, new)
    data = path.read_bytes()
    assert data.startswith(old)
    assert data[len(old) :] == (
        b"\nst-b,doi:10.1000/a,exclude,E3-not-indonesia,,2026-11-29T07:00:00Z\n"
    )


def test_append_creates_a_ledger_with_its_header(tmp_path: Path) -> None:
    path = tmp_path / "title_abstract" / "r2.csv"
    append_rows(path, _validate(_row()))
    assert path.read_text(encoding="utf-8").splitlines() == [
        "study_id,fingerprint,decision,reason,note,timestamp",
        "st-a,doi:10.1000/a,include,,,2026-11-29T07:00:00Z",
    ]
    rows = read_ledger_file(path, stage="title_abstract", reasons=[])
    assert rows[0].reviewer == "r2"


def test_two_large_concurrent_imports_keep_every_row(tmp_path: Path) -> None:
    """Issue 20 item 2: two imports of ~100k-row sheets into one ledger, at the same time,
    each printed "appended" and the ledger held one file's rows (4 of 4 tries)."""
    root = tmp_path / "p"
    ids = large_project(root, 100_000)
    a = write_sheet(tmp_path / "a.csv", ids, "include", "", "sheet a")
    b = write_sheet(tmp_path / "b.csv", ids, "exclude", "E3-not-indonesia", "sheet b")
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "review.cli",
                "screen",
                "import",
                str(sheet),
                "--reviewer",
                "r1",
            ],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for sheet in (a, b)
    ]
    outputs = [p.communicate(timeout=900) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err[-2000:]
        assert "100000 decision(s) valid; appended 100000 to" in out
    ledger = root / "data" / "decisions" / "screening" / "title_abstract" / "r1.csv"
    rows = read_csv(ledger)
    assert len(rows) == 200_000
    assert Counter(r["note"] for r in rows) == {"sheet a": 100_000, "sheet b": 100_000}
    # One import's rows, then the other's: never interleaved, never half a file.
    notes = [r["note"] for r in rows]
    assert notes[:100_000] == [notes[0]] * 100_000
    assert not [p for p in ledger.parent.iterdir() if p.name != "r1.csv"]  # no temp or lock left
