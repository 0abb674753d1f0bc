"""How a study is named in the report: a short citation label, its PRISMA box and its anchor.

Every statement of the report links to the studies behind it, so each study needs a short,
readable label ("Sunuantari et al. 2021") and a stable anchor (its study id) in ``audit.html``.
"""

from __future__ import annotations

from dataclasses import dataclass

from review.records import cite_label
from review.states import ScreeningState as S

#: Final PRISMA box of each screening state, in the order of the flow, and of the studies of a
#: stage that has not run.
BOXES: dict[str, str] = {
    S.EXCLUDED_AUTO: "Excluded by automation",
    S.TO_SCREEN: "Awaiting screening",
    S.EXCLUDED_TA: "Excluded at title/abstract",
    S.MAYBE_TA: "Undecided at title/abstract",
    S.INCLUDED_TA: "Awaiting full-text assessment",
    S.NOT_RETRIEVED: "Report not retrieved",
    S.EXCLUDED_FT: "Excluded at full text",
    S.INCLUDED_FT: "Included",
    "not_screened": "Not screened yet",
    "not_deduplicated": "Not deduplicated yet",
}

TEAM_SUMMARY_LABEL = "team summary, not the abstract"


@dataclass(frozen=True)
class StudyRef:
    """A study as the report cites it."""

    study_id: str
    cite: str
    title: str
    year: str

    @property
    def href(self) -> str:
        return f"audit.html#{self.study_id}"


def study_ref(row: dict[str, str]) -> StudyRef:
    return StudyRef(
        study_id=row["study_id"],
        cite=cite_label(row.get("authors", ""), row.get("year", ""), row.get("title", "")),
        title=row.get("title", "") or row.get("title_alt", "") or "(no title)",
        year=row.get("year", ""),
    )


def value_label(value: str) -> str:
    """A coding value id as words: ``digital_literacy`` → ``digital literacy``."""
    return value.replace("_", " ").strip()
