"""Selection process (PRISMA item 8): reviewers per stage, agreement, automation."""

from __future__ import annotations

from typing import Any

from review.report.methods import screening_summary

ORDER = 250
PARENT = "methods"


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {"screen": screening_summary(base["inputs"])}
