"""What the report says of reviewers whose decisions a protocol amendment set aside.

The stages list the rows they did not count (``screening_set_aside.csv`` with problem
``reviewer_set_aside``, ``coding_events.csv`` with event ``set_aside``,
``appraisal_unmatched.csv`` with kind ``reviewer_set_aside``); this module counts them per
reviewer, stage and file, beside the amendment's date and reason from the protocol, so the
methods can say plainly whose decisions were not counted, how many, and why. It states counts,
never a judgement of the decisions.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from review.report.inputs import ReportInputs
from review.setaside import PROBLEM, all_set_aside
from review.tables import Row

STAGE_LABELS = {
    "title_abstract": "title/abstract screening",
    "full_text": "full-text screening",
    "coding": "coding",
    "appraisal": "appraisal",
}


def _files(inputs: ReportInputs, reviewer: str, stage: str) -> Counter[str] | None:
    """File -> rows of ``reviewer`` set aside at ``stage``; ``None`` when the stage's table was
    not given (the stage has not run)."""
    rows: list[Row] | None
    if stage in ("title_abstract", "full_text"):
        rows = inputs.screening_set_aside
        if rows is None:
            return None
        return Counter(
            r["source"]
            for r in rows
            if (r["problem"], r["reviewer"], r["stage"]) == (PROBLEM, reviewer, stage)
        )
    if stage == "coding":
        rows = inputs.coding_events
        if rows is None:
            return None
        # One event per coded value: a decision is a row of the coder's file.
        sources = {e["source"] for e in rows if (e["event"], e["coder"]) == ("set_aside", reviewer)}
        return Counter(s.rsplit(":row ", 1)[0] for s in sources)
    rows = inputs.appraisal_unmatched
    if rows is None:
        return None
    return Counter(r["source"] for r in rows if (r["kind"], r["appraiser"]) == (PROBLEM, reviewer))


def set_aside_statements(inputs: ReportInputs, stages: tuple[str, ...]) -> list[dict[str, Any]]:
    """One entry per reviewer and stage the protocol sets aside (of ``stages``): who (name,
    id, kind), the stage, the amendment's date and reason, and the rows not counted per file
    (``n`` is ``None`` when that stage has not run)."""
    declared = {r["id"]: r for r in inputs.protocol.data.get("reviewers") or []}
    out = []
    for aside in all_set_aside(inputs.protocol):
        if aside.stage not in stages:
            continue
        files = _files(inputs, aside.reviewer, aside.stage)
        person = declared.get(aside.reviewer, {})
        out.append(
            {
                "reviewer": aside.reviewer,
                "name": person.get("name", aside.reviewer),
                "kind": person.get("kind", ""),
                "stage": aside.stage,
                "stage_label": STAGE_LABELS[aside.stage],
                "date": aside.date,
                "reason": aside.reason,
                "files": sorted(files.items()) if files is not None else [],
                "n": sum(files.values()) if files is not None else None,
            }
        )
    return out
