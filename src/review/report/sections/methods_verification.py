"""Verification of screening decisions: how often a second person, deciding a random sample
again without seeing the original decisions, agreed with them (``review audit sample``;
percent agreement with Wilson's interval, Cohen's kappa with its confidence interval)."""

from __future__ import annotations

from typing import Any

from review.audit.timeline import STAGE_LABELS
from review.audit.verification import agreement

ORDER = 255
PARENT = "methods"


def context(base: dict[str, Any]) -> dict[str, Any]:
    inputs = base["inputs"]
    declared = {str(r["id"]): r for r in base["p"].get("reviewers", []) or []}
    refs = base["refs"]
    checks = inputs.verification or []
    rows = []
    for a in agreement(checks, inputs.screening or [], inputs.screening_events or []):
        info = declared.get(a.checker, {})
        rows.append(
            {
                "stage": STAGE_LABELS[a.stage],
                "checker": a.checker,
                "name": info.get("name", a.checker),
                "kind": info.get("kind", ""),
                "n": a.n,
                "agreed": a.agreed,
                "percent": a.percent,
                "kappa": a.kappa,
                "table": a.table,
                "samples": a.samples,
                "disagreements": [
                    {"ref": refs[sid], "original": x, "check": y}
                    for sid, x, y in a.disagreements
                    if sid in refs
                ],
                "not_comparable": len(a.not_comparable),
                "changed_after": [refs[sid] for sid in a.changed_after if sid in refs],
            }
        )
    return {
        "verification": {
            "folder": str(inputs.files.get("verification", "data/decisions/verification")),
            "checks": len(checks),
            "agreements": rows,
        }
    }
