"""Theme by outcome matrix: for each theme, the studies reporting each outcome."""

from __future__ import annotations

from typing import Any

from review.report import synthesis

ORDER = 340
TOC = "Theme × outcome matrix"  # noqa: RUF001


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {"matrix": synthesis.matrix(base["protocol"], base["themes"])}
