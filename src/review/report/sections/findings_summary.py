"""Summary of findings, opening the results: each review finding as the reviewers wrote it, the
studies contributing, the confidence in it (GRADE-CERQual or GRADE) and its explanation, from
``findings.csv`` and ``findings.yaml``. Nothing here is written by the pipeline."""

from __future__ import annotations

from typing import Any

ORDER = 292
TOC = "Summary of findings"


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {"findings_run": base["inputs"].findings is not None}
