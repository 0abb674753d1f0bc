"""Study appraisal results (PRISMA item 18): a traffic-light table per tool category (study by
criterion, screening questions first; colour and symbol, so it prints in black and white), the
overall level of concern with its justification, and a per-category summary figure (stacked
bars of the answers per criterion). Only when the protocol declares an appraisal."""

from __future__ import annotations

from typing import Any

from review.report.markup import trusted
from review.report.plots import appraisal_figure

ORDER = 320
TOC = "Study appraisal"
PRISMA = ("18",)
ABSENT = "the protocol declares no study appraisal (no `appraisal` key)"
#: Symbols of the usual answers; another tool's answers show their first letter.
SYMBOLS = {"yes": "✓", "no": "✗", "cant_tell": "?"}


def applies(base: dict[str, Any]) -> bool:
    return bool(base["p"].get("appraisal"))


def symbol(answer: str) -> str:
    return SYMBOLS.get(answer, answer[:1].upper() if answer else "\N{EN DASH}")


def context(base: dict[str, Any]) -> dict[str, Any]:
    evidence = base["evidence"]
    tool = evidence.tool
    order = [i.id for i in tool.screening_items] + [i.id for c in tool.categories for i in c.items]
    blocks = []
    figure_data = []
    appraised: set[str] = set()
    for cat in tool.categories:
        members = [
            s
            for s in evidence.studies
            if evidence.appraisal_summary.get(s.id, {}).get("category") == cat.id
        ]
        if not members:
            continue
        appraised.update(s.id for s in members)
        answered = {r["item_id"] for s in members for r in evidence.appraisal.get(s.id, [])}
        columns = [i.id for i in tool.screening_items] + [i.id for i in cat.items]
        columns += [i for i in order if i in answered and i not in columns]  # components
        columns += sorted(answered - set(columns) - {"overall"})
        rows = []
        for s in members:
            by_item = {r["item_id"]: r for r in evidence.appraisal.get(s.id, [])}
            summary = evidence.appraisal_summary[s.id]
            rows.append(
                {
                    "ref": evidence.ref(s),
                    "cells": [by_item.get(c) for c in columns],
                    "overall": summary.get("overall", ""),
                    "justification": summary.get("overall_justification", ""),
                    "status": summary.get("status", ""),
                }
            )
        blocks.append(
            {
                "category": cat,
                "columns": [{"id": c, "text": tool.item_text(c)} for c in columns],
                "rows": rows,
            }
        )
        answers = [a for a, _label in tool.answers]
        criteria = []
        for c in columns:
            given = [row["cells"][columns.index(c)] for row in rows]
            counts = [sum(1 for g in given if g and g.get("answer") == a) for a in answers]
            counts.append(sum(1 for g in given if not g or g.get("answer") not in answers))
            criteria.append((c, tool.item_text(c), counts))
        figure_data.append((cat.label, len(members), criteria))
    figure = None
    if figure_data:
        figure = trusted(
            appraisal_figure(
                title=f"Appraisal by criterion ({tool.name})",
                answers=list(tool.answers),
                categories=figure_data,
            )
        )
    return {
        "appraisal_blocks": blocks,
        "appraisal_symbol": symbol,
        "not_appraised": evidence.refs_of(s for s in evidence.studies if s.id not in appraised),
        "figure_appraisal": figure,
    }


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    return {} if own["appraisal_blocks"] else {"18": "no study has been appraised yet"}
