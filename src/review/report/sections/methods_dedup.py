"""Deduplication: records, studies, merged pairs by rule."""

from __future__ import annotations

from typing import Any

from review.report.methods import dedup_summary

ORDER = 240
PARENT = "methods"
ANCHOR = "dedup"


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {"dedup": dedup_summary(base["inputs"])}
