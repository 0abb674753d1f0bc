"""Read the two upstream tables the coding sheet is built from, checked against their contracts.

``studies.csv`` (deduplication) gives the bibliographic data; ``screening.csv`` (screening)
says which studies are included after full-text screening (state ``included_ft``).
"""

from __future__ import annotations

from pathlib import Path

from review.errors import SchemaError
from review.states import ScreeningState
from review.tables import Row, contract, read_table


def read_studies(path: str | Path) -> dict[str, Row]:
    """``studies.csv`` keyed by study id."""
    return {r["study_id"]: r for r in read_table(path, contract("studies"))}


def read_screening(path: str | Path) -> dict[str, Row]:
    """``screening.csv`` keyed by study id."""
    return {r["study_id"]: r for r in read_table(path, contract("screening"))}


def included_ids(
    screening: dict[str, Row], studies: dict[str, Row], *, path: str | Path
) -> list[str]:
    """Ids of the included studies, in screening order; each must be a known study."""
    out = []
    for sid, row in screening.items():
        if row["state"] != ScreeningState.INCLUDED_FT:
            continue
        if sid not in studies:
            raise SchemaError(f"{path}: study {sid!r} is included but is not in the studies table")
        out.append(sid)
    return out
