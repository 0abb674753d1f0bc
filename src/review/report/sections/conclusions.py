"""Comparison with the published review's conclusions (when the protocol names them)."""

from __future__ import annotations

from typing import Any

from review.report import synthesis

ORDER = 350
TOC = "Comparison with the published review"


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {"conclusions": synthesis.conclusions(base["protocol"], base["coded"])}
