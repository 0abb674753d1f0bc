"""The narrative synthesis, per synthesis group (``synthesis.grouping``; the themes by default):
the studies of the group and their characteristics (subgroups, appraisal, counted directions
per domain), then the narrative the reviewers wrote in ``groups/<group id>.md`` ("not yet
written" when absent), and the included studies that no group's narrative cites."""

from __future__ import annotations

from collections import Counter
from typing import Any

ORDER = 330
TOC = "Narrative synthesis"
PRISMA = ("20a", "20b")


def context(base: dict[str, Any]) -> dict[str, Any]:
    evidence, protocol = base["evidence"], base["protocol"]
    first = evidence.group_fields[0] if evidence.group_fields else ""
    groups = []
    for g in evidence.groups:
        concern = Counter(s.concern for s in g.studies if s.concern)
        groups.append(
            {
                "id": g.id,
                "label": protocol.value_label(first, g.id),
                "group": g,
                "refs": evidence.refs_of(g.studies),
                "by": [
                    {
                        "field": name,
                        "parts": [
                            (protocol.value_label(name, sg.value), evidence.refs_of(sg.studies))
                            for sg in parts
                        ],
                    }
                    for name, parts in g.by.items()
                ],
                "concern": sorted(concern.items()),
                "votes": evidence.main.groups.get(g.id, {}),
                "narrative": f"groups/{g.id}",
            }
        )
    names = [f"groups/{g.id}" for g in evidence.groups]
    return {
        "narrative_groups": groups,
        "narrative_field": first,
        "narrative_uncited": evidence.uncited(names),
        "narrative_ungrouped": evidence.refs_of(evidence.ungrouped),
        "narrative_written": [n for n in names if n in evidence.narratives],
    }


#: Why the risk of bias of contributing studies cannot be summarised (PRISMA item 20a).
NO_APPRAISAL = "the risk of bias of the contributing studies is not assessed (no appraisal)"
NOT_APPRAISED = "no contributing study has been appraised yet"


def appraisal_gap(evidence: Any) -> str:
    """Why item 20a's risk of bias cannot be reported ("" when it can)."""
    if evidence.tool is None:
        return NO_APPRAISAL
    return "" if evidence.appraisal_summary else NOT_APPRAISED


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    if not base["evidence"].synthesised:
        reason = "no included study is in the synthesis yet"
        return {"20a": reason, "20b": reason}
    out = {}
    if gap := appraisal_gap(base["evidence"]):
        out["20a"] = gap
    if not own["narrative_written"]:
        out["20b"] = "no group's narrative synthesis is written yet"
    return out
