"""Data collection and data items (PRISMA items 9 and 10): coders, agreement, coding fields."""

from __future__ import annotations

from typing import Any

from review.report.methods import coding_summary

ORDER = 260
PARENT = "methods"


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {
        "coding": coding_summary(base["inputs"]),
        "coding_fields": base["protocol"].coding_fields,
    }
