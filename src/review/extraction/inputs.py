"""Read the two upstream tables the coding sheet is built from, checking their contracts.

``studies.csv`` (deduplication) gives the bibliographic data; ``screening.csv`` (screening)
says which studies are included after full-text screening (state ``included_ft``). A missing
column is a :class:`~review.errors.SchemaError` naming the file and the column, because a sheet
built from half a table would silently drop studies.
"""

from __future__ import annotations

from pathlib import Path

from review.errors import SchemaError
from review.report import inputs as report_inputs

Row = dict[str, str]

STUDY_COLUMNS = (
    "study_id",
    "title",
    "title_alt",
    "abstract",
    "summary",
    "authors",
    "year",
    "venue",
    "doi",
    "url",
    "keywords",
)
SCREENING_COLUMNS = ("study_id", "fingerprint", "state")
INCLUDED_STATE = "included_ft"


def read_table(path: str | Path, required: tuple[str, ...]) -> list[Row]:
    """Rows of a CSV that must exist and have the ``required`` columns and a study id per row."""
    rows = report_inputs.read_table(Path(path), required)
    if rows is None:
        raise SchemaError(f"{path}: file not found")
    for line, row in enumerate(rows, start=2):
        if not row.get("study_id"):
            raise SchemaError(f"{path}: line {line}: field 'study_id': empty")
    return rows


def read_studies(path: str | Path) -> dict[str, Row]:
    """``studies.csv`` keyed by study id."""
    return {r["study_id"]: r for r in read_table(path, STUDY_COLUMNS)}


def read_screening(path: str | Path) -> dict[str, Row]:
    """``screening.csv`` keyed by study id."""
    return {r["study_id"]: r for r in read_table(path, SCREENING_COLUMNS)}


def included_ids(
    screening: dict[str, Row], studies: dict[str, Row], *, path: str | Path
) -> list[str]:
    """Ids of the included studies, in screening order; each must be a known study."""
    out = []
    for sid, row in screening.items():
        if row["state"] != INCLUDED_STATE:
            continue
        if sid not in studies:
            raise SchemaError(f"{path}: study {sid!r} is included but is not in the studies table")
        out.append(sid)
    return out
