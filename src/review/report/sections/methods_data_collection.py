"""Data collection and data items (PRISMA items 9, 10a and 10b): coders, agreement, the rule
for disagreements, the outcome domains coded with a direction of effect, and the coding fields."""

from __future__ import annotations

from typing import Any

from review.report.methods import coding_summary
from review.report.setaside import set_aside_statements

ORDER = 260
PARENT = "methods"
ANCHOR = "data-collection"
PRISMA = ("9", "10a", "10b")


def context(base: dict[str, Any]) -> dict[str, Any]:
    protocol = base["protocol"]
    return {
        "coding": coding_summary(base["inputs"]),
        "coding_set_aside": set_aside_statements(base["inputs"], ("coding",)),
        "coding_fields": protocol.coding_fields,
        "coding_rule": protocol.data["coding"].get("disagreement_rule", ""),
        "outcome_domains": protocol.outcome_domains,
    }


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    out = {}
    if own["coding"] is None:
        out["9"] = "no study has been coded yet"
    if not own["outcome_domains"]:
        out["10a"] = "the protocol defines no outcome domains (coding.outcome_domains)"
    return out
