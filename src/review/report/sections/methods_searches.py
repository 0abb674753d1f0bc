"""Search strategies (PRISMA item 7, PRISMA-S): each search as executed, from the search log."""

from __future__ import annotations

from typing import Any

from review.report.methods import search_table

ORDER = 230
PARENT = "methods"
ANCHOR = "searches"
PRISMA = ("7",)


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {"search": search_table(base["inputs"])}
