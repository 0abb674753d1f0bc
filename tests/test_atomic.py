from __future__ import annotations

import os
from pathlib import Path

import pytest

from review import atomic


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")

    def interrupted_write() -> None:
        with atomic.atomic_open(target) as fh:
            fh.write("half a ")
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        interrupted_write()
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_written_file_has_ordinary_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        atomic.write_text(tmp_path / "a" / "b.txt", "x")
    finally:
        os.umask(umask)
    assert (tmp_path / "a" / "b.txt").stat().st_mode & 0o777 == 0o644


def test_write_csv_joins_lists_and_blanks_none_and_nan(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    atomic.write_csv(path, [{"a": ["x", "y"], "b": None, "c": float("nan")}], ["a", "b", "c"])
    assert path.read_text(encoding="utf-8") == "a,b,c\nx; y,,\n"
