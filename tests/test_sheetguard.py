"""Issue 15 item 4: the refusal and the backups of review.sheetguard, apart from any stage."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from review.errors import DecisionError
from review.sheetguard import (
    UnimportedWork,
    backup_name,
    existing_rows,
    original_stem,
    refuse_or_back_up,
)

WHEN = datetime(2026, 11, 30, 7, 0, 0, tzinfo=UTC)


def test_backup_names_never_collide(tmp_path: Path) -> None:
    sheet = tmp_path / "r1.xlsx"
    first = backup_name(sheet, WHEN)
    assert first.name == "r1.backup-20261130T070000Z.xlsx"
    first.write_bytes(b"x")
    assert backup_name(sheet, WHEN).name == "r1.backup-20261130T070000Z-2.xlsx"
    assert original_stem(first) == "r1"
    assert original_stem(sheet) == "r1"


def test_nothing_unimported_writes_freely(tmp_path: Path) -> None:
    assert refuse_or_back_up([tmp_path / "a.csv"], [], force=False, how_to_import="x") == []


def test_many_rows_are_counted_not_all_listed(tmp_path: Path) -> None:
    sheet = tmp_path / "r1.csv"
    sheet.write_text("x", encoding="utf-8")
    rows = [(sheet, f"{sheet}, row {n}: st-{n} include") for n in range(2, 15)]
    with pytest.raises(UnimportedWork, match=r"hold\(s\) 13 decision\(s\)") as info:
        refuse_or_back_up([sheet, tmp_path / "r1.xlsx"], rows, force=False, how_to_import="x")
    assert "(and 3 more)" in str(info.value)
    backups = refuse_or_back_up([sheet, tmp_path / "r1.xlsx"], rows, force=True, how_to_import="")
    assert [b.suffix for b in backups] == [".csv"]  # only files that exist are kept


def test_a_sheet_that_cannot_be_read_counts_as_holding_work(tmp_path: Path) -> None:
    broken = tmp_path / "r1.xlsx"
    broken.write_bytes(b"half a workbook")

    def read(path: Path) -> list[tuple[int, dict[str, str]]]:
        raise DecisionError(f"{path}: not a readable XLSX workbook")

    out: list[tuple[Path, str]] = []
    assert list(existing_rows([broken, tmp_path / "absent.csv"], read, out)) == []
    assert out == [
        (
            broken,
            f"{broken}: cannot be read to check it for unimported work ({broken}: not a "
            "readable XLSX workbook)",
        )
    ]
