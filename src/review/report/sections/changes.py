"""3. Results, what changed since the previous version (PRISMA-LSR: changes to results between
versions): the records and studies found since, by source; the studies whose selection changed,
with the ledger rows responsible; every value of the later stages' tables that changed."""

from __future__ import annotations

from typing import Any

from review.report.paths import TABLES
from review.versions.changes import compute_changes

ORDER = 305
TOC = "What changed since the previous version"
ABSENT = "no earlier version of the review to compare with"


def applies(base: dict[str, Any]) -> bool:
    """Only a review that follows a published version has changes to show."""
    return base["inputs"].previous is not None


def context(base: dict[str, Any]) -> dict[str, Any]:
    inputs = base["inputs"]
    if inputs.previous is None:
        return {"changes": None}
    changes = compute_changes(
        inputs.previous,
        protocol_sources=inputs.protocol.sources,
        records=inputs.records,
        studies=inputs.studies,
        screening=inputs.screening,
        events=inputs.screening_events,
        tables={table: getattr(inputs, name, None) for name, table in TABLES.items()},
    )
    return {"changes": changes}
