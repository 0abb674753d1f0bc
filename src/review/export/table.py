"""Studies as a CSV table (contract ``study_export``), for a spreadsheet or another tool."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from review.tables import contract, write_table


def table_rows(
    chosen: Sequence[tuple[Mapping[str, Any], Mapping[str, str]]],
    fulltext: Mapping[str, Mapping[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """One row per ``(study, screening row)``; full-text columns from ``fulltext.csv`` rows."""
    names = contract("study_export").names
    rows = []
    for study, state in chosen:
        kept = (fulltext or {}).get(study["study_id"]) or {}
        row = {name: study.get(name, "") for name in names}
        row["state"] = state.get("state", "")
        row["fulltext_file"] = kept.get("file", "")
        row["fulltext_url"] = kept.get("source_url", "") if kept.get("file") else ""
        rows.append(row)
    return rows


def write_csv(
    path: str | Path,
    chosen: Sequence[tuple[Mapping[str, Any], Mapping[str, str]]],
    fulltext: Mapping[str, Mapping[str, str]] | None = None,
) -> Path:
    return write_table(path, table_rows(chosen, fulltext), contract("study_export"))
