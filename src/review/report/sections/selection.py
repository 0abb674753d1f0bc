"""3. Results, study selection (PRISMA item 16a): the flow diagram and the exclusion reasons."""

from __future__ import annotations

from collections import Counter
from typing import Any

from review import prisma
from review.states import ScreeningState

ORDER = 300
TOC = "Study selection (PRISMA 2020)"
PRISMA = ("16a",)


def context(base: dict[str, Any]) -> dict[str, Any]:
    ta_reasons: Counter[str] = Counter(
        row.get("ta_reason", "").split(";")[0].strip()
        for _sid, row in sorted(base["screening_by_id"].items())
        if row["state"] == ScreeningState.EXCLUDED_TA
    )
    return {
        "prisma_data": prisma.prisma_data(base["counts"]),
        "ta_reasons": sorted(ta_reasons.items(), key=lambda kv: (-kv[1], kv[0])),
    }


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    if base["inputs"].screening is None:
        return {"16a": "screening has not run yet: the flow stops before selection"}
    return {}
