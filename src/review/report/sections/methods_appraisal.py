"""Study risk of bias (quality) assessment (PRISMA item 11): the tool, how many appraisers per
study, how disagreements are settled, and what was done (only when the protocol declares an
appraisal)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from review.report.setaside import set_aside_statements

ORDER = 265
PARENT = "methods"
ANCHOR = "appraisal-methods"
PRISMA = ("11",)
ABSENT = "the protocol declares no study appraisal (no `appraisal` key)"


def applies(base: dict[str, Any]) -> bool:
    return bool(base["p"].get("appraisal"))


def context(base: dict[str, Any]) -> dict[str, Any]:
    evidence = base["evidence"]
    rows = base["inputs"].appraisal
    per_study = base["inputs"].appraisers_by_study()
    counts = Counter(len(v) for v in per_study.values())
    appraisers = sorted({a for v in per_study.values() for a in v})
    declared = {r["id"]: r for r in base["p"].get("reviewers", [])}
    return {
        "appraisal_cfg": base["p"]["appraisal"],
        "appraisal_set_aside": set_aside_statements(base["inputs"], ("appraisal",)),
        "appraisal_run": {
            "run": rows is not None,
            "studies": len(per_study),
            "by_n": sorted(counts.items()),
            "appraisers": [
                {
                    "id": a,
                    "name": declared.get(a, {}).get("name", a),
                    "kind": declared.get(a, {}).get("kind", ""),
                }
                for a in appraisers
            ],
            "status": sorted(
                Counter(r["status"] for r in evidence.appraisal_summary.values()).items()
            ),
            "included": len(evidence.studies),
        },
    }


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    return {} if own["appraisal_run"]["studies"] else {"11": "no study has been appraised yet"}
