"""An appraiser's blind sheet: the items still to answer for each included study.

One row per study and item the appraiser has not answered yet: the screening items, the items
of the study's category (for MMAT mixed methods also those of its components: all candidate
categories until the appraiser has answered one, then that one's), and ``overall``. The
category is the appraiser's own when they have answered the study before, else a *suggestion*
from the coded design (the protocol's ``appraisal.category_field`` mapped through
``category_map``); with neither, the items of every category are listed and the appraiser
answers the study's. Blind: no other appraiser's answer, category or comment appears.

The XLSX has a frozen header, wrapped text, drop-downs for the category and the answer (the
tool's answers, or its overall levels on ``overall`` rows), an ``items`` sheet with every item
of the tool, and an ``about`` sheet with the tool's citation and instructions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from review import workbook
from review.appraisal import Inputs
from review.appraisal.ledger import SHEET_NAME, Answer, current, order_key
from review.appraisal.tool import OVERALL, AppraisalConfig, AppraisalTool
from review.extraction.sheet import SUMMARY_LABEL, citation, doi_link
from review.tables import contract, write_table

SHEET = contract("appraisal_sheet")
#: Study columns shown on the first row of each study only (long texts, not repeated per item).
ONCE = ("title", "abstract", SUMMARY_LABEL, "doi_link", "linked_reports")
_WIDTHS = {
    "study_id": 15,
    "category": 22,
    "item_id": 9,
    "item": 50,
    "answer": 12,
    "comment": 40,
    "item_category": 18,
    "suggested_from": 24,
    "citation": 40,
    "title": 50,
    "abstract": 70,
    SUMMARY_LABEL: 50,
    "linked_reports": 50,
}
OVERALL_TEXT = "Overall concern for this study ({levels}); justify it in the comment."


def suggestion(config: AppraisalConfig, coded: Mapping[str, str] | None) -> tuple[str, str]:
    """The suggested category of a coded study and where it comes from (``""`` when none)."""
    if not config.category_field or not coded:
        return "", ""
    value = coded.get(config.category_field, "")
    category = config.suggested_category(value)
    return (category, f"{config.category_field} = {value}") if category else ("", "")


def needed_items(
    tool: AppraisalTool, category: str, mine: Mapping[str, Answer]
) -> list[tuple[str, str]]:
    """``(item id, category it belongs to)`` an appraiser answers for a study of ``category``
    (every category's items when it is empty), ``overall`` last."""
    screening = [(it.id, "") for it in tool.screening_items]
    stops = tool.screening_stops and any(
        tool.counts_as(mine[it].answer) != "yes" for it, _ in screening if it in mine
    )
    if stops:
        return [*screening, (OVERALL, "")]
    if not category:
        return [
            *screening,
            *((it.id, c.id) for c in tool.categories for it in c.items),
            (OVERALL, ""),
        ]
    cat = tool.category(category)
    out = [*screening, *((it.id, cat.id) for it in cat.items)]
    for comp in cat.components:
        chosen = [c for c in comp.categories if any(i.id in mine for i in tool.category(c).items)]
        for cid in chosen[:1] or comp.categories:
            out += [(it.id, cid) for it in tool.category(cid).items]
    return [*out, (OVERALL, "")]


def sheet_rows(
    config: AppraisalConfig, inputs: Inputs, answers: Sequence[Answer], appraiser: str
) -> list[dict[str, Any]]:
    """The rows of ``appraiser``'s sheet (their own answers only are read: blind)."""
    tool = config.tool
    own = [a for a in answers if a.appraiser == appraiser]
    now = current(own)
    latest = {a.study_id: a.category for a in sorted(own, key=order_key)}
    levels = ", ".join(lv.id for lv in tool.overall_levels)
    rows = []
    for sid in inputs.included():
        mine = {item: a for (_w, s, item), a in now.items() if s == sid}
        suggested, source = suggestion(config, inputs.coded.get(sid))
        category = latest.get(sid) or suggested
        if sid in latest:
            source = "your earlier answers"
        todo = [(i, c) for i, c in needed_items(tool, category, mine) if i not in mine]
        if not todo:
            continue
        study = inputs.studies.get(sid, {"study_id": sid})
        others = [inputs.studies[o] for o in inputs.groups.companions(sid) if o in inputs.studies]
        about = {
            "citation": citation(study),
            "title": study.get("title", ""),
            "abstract": study.get("abstract", ""),
            SUMMARY_LABEL: study.get("summary", ""),
            "doi_link": doi_link(study),
            "linked_reports": " | ".join(f"{o['study_id']}: {citation(o)}" for o in others),
            "fingerprint": study.get("fingerprint", ""),
        }
        for n, (item, owner) in enumerate(todo):
            text = OVERALL_TEXT.format(levels=levels) if item == OVERALL else tool.item(item).text
            row = {
                "study_id": sid,
                "category": category,
                "item_id": item,
                "item": text,
                "answer": "",
                "comment": "",
                "item_category": owner,
                "suggested_from": source,
                **about,
            }
            if n:
                row.update(dict.fromkeys(ONCE, ""))
            rows.append(row)
    return rows


def write_sheet(
    rows: Sequence[Mapping[str, Any]],
    csv_path: str | Path,
    xlsx_path: str | Path,
    *,
    tool: AppraisalTool,
    appraiser: str,
) -> None:
    """The sheet as CSV and as XLSX (drop-downs, frozen header, wrapped text, items, about)."""
    write_table(csv_path, rows, SHEET)
    columns = SHEET.names
    wb, ws = workbook.new_workbook(SHEET_NAME)
    last = workbook.write_table_sheet(ws, columns, rows, widths=_WIDTHS, freeze="D2")
    workbook.link_column(ws, list(columns).index("doi_link") + 1, last)
    lists = workbook.hidden_lists(
        wb,
        "lists",
        {
            "category": tool.category_ids,
            "answer": tool.answer_ids,
            "overall": tool.level_ids,
        },
    )
    cat_col = workbook.letter(columns, "category")
    workbook.drop_down(
        ws,
        lists["category"],
        f"{cat_col}2:{cat_col}{last}",
        title="category",
        error="Choose a category of " + tool.id + ": " + ", ".join(tool.category_ids),
    )
    ans = workbook.letter(columns, "answer")
    item_rows = [i for i, r in enumerate(rows, start=2) if r["item_id"] != OVERALL]
    overall_rows = [i for i, r in enumerate(rows, start=2) if r["item_id"] == OVERALL]
    for wanted, key, what in (
        (item_rows, "answer", tool.answer_ids),
        (overall_rows, "overall", tool.level_ids),
    ):
        if wanted:
            workbook.drop_down(
                ws,
                lists[key],
                [f"{ans}{i}" for i in wanted],
                title=key,
                error="Choose one of: " + ", ".join(what),
            )
    items = wb.create_sheet("items", 1)
    workbook.write_table_sheet(
        items,
        ("category", "item_id", "item"),
        [
            *(
                {"category": "(screening)", "item_id": it.id, "item": it.text}
                for it in tool.screening_items
            ),
            *(
                {"category": c.id, "item_id": it.id, "item": it.text}
                for c in tool.categories
                for it in c.items
            ),
        ],
        widths={"category": 26, "item_id": 9, "item": 90},
    )
    info = wb.create_sheet("about")
    for key, value in (
        ("appraiser", appraiser),
        ("tool", tool.name),
        ("citation", tool.citation),
        ("item texts", tool.wording or "as the tool words them"),
        ("instructions", tool.instructions),
        (
            "how",
            "answer each row (answer; a comment for every no and can't tell; overall needs its "
            "justification), change the category if the suggestion is wrong, then run "
            f"`review appraise import FILE --appraiser {appraiser}`",
        ),
        (SUMMARY_LABEL, "written by the review team, not the published abstract"),
    ):
        info.append([key, value])
    info.column_dimensions["B"].width = 100
    workbook.save(wb, xlsx_path)
