"""Theme by outcome matrix: for each theme, the studies reporting each value of the protocol's
``synthesis.outcome_field`` (only when the protocol names one)."""

from __future__ import annotations

from typing import Any

from review.report import synthesis

ORDER = 340
TOC = "Themes by outcomes reported"
ABSENT = "the protocol names no outcome field (synthesis.outcome_field)"


def applies(base: dict[str, Any]) -> bool:
    return bool(base["p"]["synthesis"].get("outcome_field"))


def context(base: dict[str, Any]) -> dict[str, Any]:
    ids = {s.id for s in base["evidence"].synthesised}
    return {"matrix": synthesis.matrix(base["protocol"], base["themes"], ids)}
