"""Characteristics of included studies (PRISMA item 17)."""

from __future__ import annotations

from typing import Any

ORDER = 310
TOC = "Characteristics of included studies"


def context(base: dict[str, Any]) -> dict[str, Any]:
    coded_ids = {c.ref.study_id for c in base["coded"]}
    return {"uncoded": [r for r in base["included"] if r.study_id not in coded_ids]}
