"""Selection process (PRISMA item 8): reviewers per stage, agreement, automation."""

from __future__ import annotations

from typing import Any

from review.report.methods import screening_summary

ORDER = 250
PARENT = "methods"
ANCHOR = "screening-process"
PRISMA = ("8",)


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {"screen": screening_summary(base["inputs"])}


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    return {} if own["screen"]["run"] else {"8": "screening has not run yet"}
