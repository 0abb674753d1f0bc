"""Studies excluded at full text, with their reasons (PRISMA item 16b)."""

from __future__ import annotations

from typing import Any

from review.states import ScreeningState

ORDER = 360
TOC = "Excluded studies"
PRISMA = ("16b",)


def context(base: dict[str, Any]) -> dict[str, Any]:
    refs, criteria = base["refs"], base["criteria_by_code"]
    events = base["inputs"].screening_events or []
    excluded = []
    for sid, row in sorted(base["screening_by_id"].items()):
        if row["state"] not in (ScreeningState.EXCLUDED_FT, ScreeningState.NOT_RETRIEVED):
            continue
        if sid not in refs:
            continue
        code = row.get("ft_reason", "")
        first = code.split(";")[0].strip()
        excluded.append(
            {
                "ref": refs[sid],
                "state": row["state"],
                "reason": code,
                "label": criteria.get(first, {}).get("label", ""),
                "reviewers": row.get("ft_reviewers", ""),
                "notes": [
                    e.get("note", "")
                    for e in events
                    if e.get("study_id") == sid and e.get("stage") == "full_text" and e.get("note")
                ],
            }
        )
    return {"excluded_ft": excluded}


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    if base["counts"].excluded_ft is None:
        return {"16b": "no full-text assessment has been made yet"}
    return {}
