"""Selection process (PRISMA item 8): reviewers per stage, agreement, automation."""

from __future__ import annotations

from typing import Any

from review.report.methods import screening_summary
from review.report.setaside import set_aside_statements

ORDER = 250
PARENT = "methods"
ANCHOR = "screening-process"
PRISMA = ("8",)


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {
        "screen": screening_summary(base["inputs"]),
        "set_aside": set_aside_statements(base["inputs"], ("title_abstract", "full_text")),
    }


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    return {} if own["screen"]["run"] else {"8": "screening has not run yet"}
