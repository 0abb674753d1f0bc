"""Information sources (PRISMA item 6): records and duplicates per source, last searched."""

from __future__ import annotations

from typing import Any

from review.report.methods import sources_table

ORDER = 220
PARENT = "methods"
ANCHOR = "sources"
PRISMA = ("6",)


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {"sources": sources_table(base["inputs"])}
