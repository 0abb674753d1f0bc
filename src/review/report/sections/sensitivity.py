"""Sensitivity analyses (PRISMA item 20d): each analysis of ``synthesis.sensitivity``
recomputed without its studies and shown beside the main result, with every change flagged
(direction with more studies, no study left, a verdict). Only when the protocol declares
sensitivity analyses."""

from __future__ import annotations

from typing import Any

ORDER = 350
TOC = "Sensitivity analyses"
PRISMA = ("20d",)
ABSENT = "the protocol declares no sensitivity analysis (synthesis.sensitivity)"


def applies(base: dict[str, Any]) -> bool:
    return bool(base["p"]["synthesis"].get("sensitivity"))


def _words(value: str) -> str:
    return "no study counted" if value == "none" else value.replace("_", " ")


def context(base: dict[str, Any]) -> dict[str, Any]:
    evidence, protocol = base["evidence"], base["protocol"]
    first = evidence.group_fields[0] if evidence.group_fields else ""
    changes = []
    for a in evidence.analyses:
        lines = []
        for c in a.changes:
            if c.what == "domain":
                where = protocol.domain_label(c.domain)
            elif c.what == "group":
                where = f"{protocol.value_label(first, c.id)}, {protocol.domain_label(c.domain)}"
            elif c.what == "conclusion":
                where = f"Conclusion {c.id}"
            else:
                where = f"Finding {c.id}"
            lines.append(
                {"where": where, "main": _words(c.main), "now": _words(c.now), "what": c.what}
            )
        changes.append({"analysis": a, "lines": lines})
    return {"sensitivity_changes": changes}


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    if not base["evidence"].synthesised:
        return {"20d": "no included study is in the synthesis yet"}
    return {}
