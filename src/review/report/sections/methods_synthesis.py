"""Synthesis methods reported with SWiM (Synthesis Without Meta-analysis, Campbell et al. 2020),
items 1 to 9, generated from the protocol and from what was done; what was not done is said
(PRISMA items 12, 13a-13f and 15)."""

from __future__ import annotations

from typing import Any

ORDER = 270
PARENT = "methods"
ANCHOR = "synthesis-methods"
PRISMA = ("12", "13a", "13b", "13c", "13d", "13e", "13f", "15")


def context(base: dict[str, Any]) -> dict[str, Any]:
    synth = base["p"]["synthesis"]
    evidence = base["evidence"]
    approaches = sorted({f.approach for f in evidence.findings if f.judgement})
    return {
        "swim": {
            "grouping": synth.get("grouping") or {},
            "group_fields": evidence.group_fields,
            "window": synth.get("window"),
            "domains": base["protocol"].outcome_domains,
            "vote": synth.get("vote_counting") or {},
            "heterogeneity_by": synth.get("heterogeneity_by") or [],
            "sensitivity": synth.get("sensitivity") or [],
            "approaches": approaches,
            "n_findings": len(evidence.findings),
            "groups": len(evidence.groups),
            "appraisal": bool(base["p"].get("appraisal")),
        }
    }


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    swim = own["swim"]
    out = {}
    if not swim["domains"]:
        reason = "the protocol defines no outcome domains, so no effect measure is used"
        out["12"] = reason
        out["13b"] = reason
    if not swim["heterogeneity_by"]:
        out["13e"] = "the protocol names no characteristics to explore heterogeneity by"
    if not swim["sensitivity"]:
        out["13f"] = "the protocol declares no sensitivity analysis (synthesis.sensitivity)"
    if not swim["n_findings"]:
        out["15"] = "no certainty of evidence has been assessed (no findings recorded)"
    return out
