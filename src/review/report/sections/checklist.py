"""The PRISMA 2020 checklist, generated from the page itself so it cannot drift: each item is
"reported" in the sections that declare it (``PRISMA``), are on the page and could report it
(no ``gaps`` for it), with a link; otherwise it is "not reported" with the reason — the
section's gap, why the section is absent, or why no section reports it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from review.report.prisma_items import ITEMS, NOT_BUILT
from review.report.sections import Section, Status

ORDER = 900
TOC = "PRISMA 2020 checklist"


@dataclass(frozen=True)
class ChecklistRow:
    part: str
    item: str
    topic: str
    reported: tuple[Section, ...]
    reasons: tuple[str, ...]
    where: tuple[Section, ...] = ()
    in_title: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.reported) or self.in_title


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {}


def _title(base: dict[str, Any]) -> tuple[bool, str]:
    title = base["protocol"].title
    if re.search(r"\b(systematic|scoping|rapid|living)\s+(literature\s+)?review\b", title, re.I):
        return True, ""
    return False, "the title does not identify the report as a systematic review"


def rows(page: dict[str, Any]) -> list[ChecklistRow]:
    statuses: list[Status] = page["page_status"]
    out = []
    for part, item, topic in ITEMS:
        declaring = [st for st in statuses if item in st.section.prisma]
        reported = tuple(st.section for st in declaring if st.present and item not in st.gaps)
        reasons: list[str] = []
        where: tuple[Section, ...] = ()
        in_title = False
        if item == "1":
            in_title, why = _title(page)
            if not in_title:
                reasons.append(why)
        elif not reported:
            where = tuple(st.section for st in declaring if st.present)
            reasons += [st.gaps[item] for st in declaring if st.present and item in st.gaps]
            reasons += [
                st.section.absent for st in declaring if not st.present and st.section.absent
            ]
            if not declaring:
                reasons.append(NOT_BUILT.get(item, "no section of this report covers it"))
        out.append(
            ChecklistRow(
                part=part,
                item=item,
                topic=topic,
                reported=reported,
                reasons=tuple(dict.fromkeys(reasons)),
                where=where,
                in_title=in_title,
            )
        )
    return out


def late(page: dict[str, Any]) -> dict[str, Any]:
    checklist = rows(page)
    return {
        "checklist": checklist,
        "checklist_counts": (sum(1 for r in checklist if r.ok), len(checklist)),
    }
