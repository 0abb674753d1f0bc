"""Risk of bias due to missing results (PRISMA items 14 and 21): how the reviewers assessed
whether results missing from a synthesis (unpublished studies, unreported outcomes) bias it,
and what they found, written in ``reporting_bias.md`` ("not yet written" when absent). The
pipeline makes no such judgement: it cannot know what was never reported."""

from __future__ import annotations

from typing import Any

from review.report.authored import unwritten

ORDER = 352
TOC = "Risk of bias due to missing results"
PRISMA = ("14", "21")
FILES = {"14": "reporting_bias", "21": "reporting_bias"}


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {}


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    return unwritten(base["evidence"].narratives, FILES)
