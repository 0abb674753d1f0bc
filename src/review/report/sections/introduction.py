"""Introduction (PRISMA item 3): the rationale of the review in the context of what is already
known, written by the reviewers in ``introduction.md`` ("not yet written" when absent). The
research questions (item 4) follow as the chapter's next section."""

from __future__ import annotations

from typing import Any

from review.report.authored import unwritten

ORDER = 90
TOC = "Introduction"
PRISMA = ("3",)
FILES = {"3": "introduction"}


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {}


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    return unwritten(base["evidence"].narratives, FILES)
