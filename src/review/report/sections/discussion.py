"""Discussion (PRISMA items 23a-23d): the reviewers' interpretation, limitations of the
evidence and implications (authored files, "not yet written" when absent), and the limitations
of the review process: every deviation the pipeline detects, listed beside what the reviewers
wrote."""

from __future__ import annotations

from typing import Any

from review.report.authored import unwritten
from review.report.deviations import detect

ORDER = 380
TOC = "Discussion"
PRISMA = ("23a", "23b", "23c", "23d")
FILES = {"23a": "discussion", "23b": "limitations", "23d": "implications"}


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {
        "deviations": detect(
            base["inputs"],
            evidence=base["evidence"],
            refs=base["refs"],
            included_ids=base["included_ids"],
        )
    }


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    return unwritten(base["evidence"].narratives, FILES)
