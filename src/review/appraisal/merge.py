"""Merge appraisers' current answers into the appraisal tables, under the protocol's rule.

For every included main study someone appraised: each appraiser's current answer per item
(their latest row) and their category (the category of their latest row). The study's
category, then each item's answer, is settled as every coded value is
(:mod:`review.consensus`): agreed, single, resolved by ``_resolutions.csv`` (item ``category``
settles the category), or, where appraisers differ unsettled, the protocol's
``appraisal.disagreement_rule``: ``adjudication`` leaves a ``conflict`` with no answer until it
is settled; ``primary_coder`` lets the answer of the study's primary appraiser (who appraised
most studies) stand, marked so. Items are compared only among appraisers who put the study in
the category that stands. Nothing is summed into a score.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from review.agreement import cohen_kappa
from review.appraisal.ledger import CATEGORY, Answer, current, order_key
from review.appraisal.tool import OVERALL, AppraisalTool
from review.consensus import primary_first, settle, worst
from review.vocabulary import Settled

ALL_ITEMS = "(all items)"


@dataclass
class Tables:
    """The rows of the five appraisal tables (unmatched rows are added by the caller)."""

    rows: list[dict[str, str]] = field(default_factory=list)
    summary: list[dict[str, str]] = field(default_factory=list)
    disagreements: list[dict[str, str]] = field(default_factory=list)
    agreement: list[dict[str, str]] = field(default_factory=list)
    unmatched: list[dict[str, str]] = field(default_factory=list)


def merge_appraisal(
    tool: AppraisalTool,
    answers: Sequence[Answer],
    resolutions: Sequence[Answer],
    *,
    order: Sequence[str],
    rule: str,
) -> Tables:
    """The appraisal tables of the studies in ``order`` (included main ids) that have answers."""
    out = Tables()
    now = current(answers)
    by_study: dict[str, dict[str, dict[str, Answer]]] = {}
    latest: dict[tuple[str, str], Answer] = {}
    for (who, sid, item), a in now.items():
        by_study.setdefault(sid, {}).setdefault(who, {})[item] = a
    for a in sorted(answers, key=order_key):
        latest[(a.appraiser, a.study_id)] = a
    settled = {(r.study_id, r.item_id): r for r in sorted(resolutions, key=order_key)}
    workload = Counter(who for who, _sid in latest)
    pairs: dict[tuple[str, str], dict[str, list[tuple[str, str]]]] = {}
    for sid in order:
        if sid not in by_study and not any(k[0] == sid for k in settled):
            continue
        appraisers = primary_first(by_study.get(sid, {}), workload)
        category = {who: latest[(who, sid)].category for who in appraisers}
        res = settled.get((sid, CATEGORY))
        cat, cat_status = settle(
            category, appraisers, rule=rule, resolution=(res.answer,) if res else None
        )
        if len(set(category.values())) > 1:
            out.disagreements.extend(_pairs(sid, CATEGORY, category, res))
        kept = {
            who: {
                item: a
                for item, a in by_study[sid][who].items()
                if cat is None or category[who] == cat
                if item == OVERALL or cat is None or item in _allowed(tool, cat)
            }
            for who in appraisers
        }
        items = _item_order(tool, cat, kept, {i for (s, i) in settled if s == sid})
        statuses = [cat_status]
        study_rows = []
        for item in items:
            values = {who: kept[who][item].answer for who in appraisers if item in kept[who]}
            r = settled.get((sid, item))
            answer, status = settle(
                values, appraisers, rule=rule, resolution=(r.answer,) if r else None
            )
            statuses.append(status)
            if len(set(values.values())) > 1:
                out.disagreements.extend(_pairs(sid, item, values, r))
            comment = r.comment if r else _comments(kept, appraisers, item)
            study_rows.append(
                {
                    "study_id": sid,
                    "category": cat or "",
                    "item_id": item,
                    "answer": answer or "",
                    "comment": comment,
                    "appraisers": "; ".join(w for w in appraisers if item in kept[w]),
                    "status": status,
                }
            )
        out.rows.extend(study_rows)
        out.summary.append(_summary(tool, sid, cat, appraisers, study_rows, worst(statuses)))
        for one, two in combinations(sorted(appraisers), 2):
            per_item = pairs.setdefault((one, two), {})
            per_item.setdefault(CATEGORY, []).append((category[one], category[two]))
            for item in set(kept[one]) & set(kept[two]):
                per_item.setdefault(item, []).append(
                    (kept[one][item].answer, kept[two][item].answer)
                )
    out.agreement = _agreement(pairs)
    return out


def _allowed(tool: AppraisalTool, category: str) -> set[str]:
    return {it.id for it in tool.items_for(category)}


def _item_order(
    tool: AppraisalTool,
    cat: str | None,
    kept: Mapping[str, Mapping[str, Answer]],
    resolved: set[str],
) -> list[str]:
    """Items answered (or resolved) for the study, in tool order, ``overall`` last."""
    answered = {item for items in kept.values() for item in items} | (resolved - {CATEGORY})
    if cat is not None:
        answered &= _allowed(tool, cat) | {OVERALL}
    ordered = [it.id for it in tool.screening_items]
    ordered += [it.id for c in tool.categories for it in c.items]
    return [i for i in [*ordered, OVERALL] if i in answered]


def _comments(
    kept: Mapping[str, Mapping[str, Answer]], appraisers: Sequence[str], item: str
) -> str:
    return " | ".join(
        f"{who}: {kept[who][item].comment}"
        for who in appraisers
        if item in kept[who] and kept[who][item].comment
    )


def _pairs(
    sid: str, item: str, values: Mapping[str, str], res: Answer | None
) -> list[dict[str, str]]:
    out = []
    for a, b in combinations(sorted(values), 2):
        if values[a] == values[b]:
            continue
        out.append(
            {
                "study_id": sid,
                "item_id": item,
                "appraiser_a": a,
                "answer_a": values[a],
                "appraiser_b": b,
                "answer_b": values[b],
                "status": "resolved" if res else "open",
                "resolved_answer": res.answer if res else "",
                "resolver": res.appraiser if res else "",
                "resolution_note": res.comment if res else "",
            }
        )
    return out


def _summary(
    tool: AppraisalTool,
    sid: str,
    cat: str | None,
    appraisers: Sequence[str],
    rows: Sequence[Mapping[str, str]],
    status: Settled,
) -> dict[str, str]:
    by_item = {r["item_id"]: r for r in rows}
    screening = {it.id for it in tool.screening_items}
    counts: Counter[str] = Counter()
    for r in rows:
        if r["item_id"] in screening or r["item_id"] == OVERALL or not r["answer"]:
            continue
        counts[tool.counts_as(r["answer"])] += 1
    stopped = [
        f"{item}: {by_item[item]['answer']}"
        for item in sorted(screening)
        if item in by_item
        and by_item[item]["answer"]
        and tool.counts_as(by_item[item]["answer"]) != "yes"
    ]
    note = ""
    if stopped and tool.screening_stops:
        note = "; ".join(stopped) + ": further appraisal may not be feasible (the tool stops here)"
    overall = by_item.get(OVERALL, {})
    return {
        "study_id": sid,
        "category": cat or "",
        "n_yes": str(counts["yes"]),
        "n_no": str(counts["no"]),
        "n_cant_tell": str(counts["cant_tell"]),
        "n_not_applicable": str(counts["not_applicable"]),
        "overall": overall.get("answer", ""),
        "overall_justification": overall.get("comment", ""),
        "appraisers": "; ".join(appraisers),
        "status": status,
        "missing": "; ".join(_missing(tool, cat, by_item, stopped=bool(note))),
        "screening_note": note,
    }


def _missing(
    tool: AppraisalTool, cat: str | None, by_item: Mapping[str, object], *, stopped: bool
) -> list[str]:
    """Items of the study's category (and components) and ``overall`` nobody has answered."""
    out = [] if stopped else [it.id for it in tool.screening_items if it.id not in by_item]
    if cat is None:
        return out
    category = tool.category(cat)
    if not stopped:
        out += [it.id for it in category.items if it.id not in by_item]
        for comp in category.components:
            used = [
                c for c in comp.categories if any(i.id in by_item for i in tool.category(c).items)
            ]
            if not used:
                out.append(f"({comp.label})")
                continue
            out += [it.id for it in tool.category(used[0]).items if it.id not in by_item]
    if OVERALL not in by_item:
        out.append(OVERALL)
    return out


def _agreement(
    pairs: Mapping[tuple[str, str], Mapping[str, list[tuple[str, str]]]],
) -> list[dict[str, str]]:
    out = []
    for (a, b), per_item in sorted(pairs.items()):
        pooled = [p for item, ps in per_item.items() if item not in (CATEGORY, OVERALL) for p in ps]
        items = sorted(per_item, key=lambda i: (i == OVERALL, i != CATEGORY, i))
        for item, values in [*((i, per_item[i]) for i in items), (ALL_ITEMS, pooled)]:
            n = len(values)
            agree = sum(x == y for x, y in values)
            kappa = cohen_kappa([x for x, _ in values], [y for _, y in values])
            out.append(
                {
                    "item_id": item,
                    "appraiser_a": a,
                    "appraiser_b": b,
                    "n_studies": str(n),
                    "n_agree": str(agree),
                    "percent_agreement": f"{100.0 * agree / n:.1f}" if n else "",
                    "cohen_kappa": "" if kappa is None else f"{kappa:.3f}",
                    "measure": "percent agreement; Cohen's kappa"
                    + ("" if kappa is not None or not n else " undefined (one answer only)"),
                }
            )
    return out
