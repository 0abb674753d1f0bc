"""How a study is named in the report: a short citation label, its PRISMA box and its anchor.

Every statement of the report links to the studies behind it, so each study needs a short,
readable label ("Sunuantari et al. 2021") and a stable anchor (its study id) in ``audit.html``.
"""

from __future__ import annotations

from dataclasses import dataclass

from review.records import split_list

#: Final PRISMA box of each screening state, in the order of the flow.
BOXES: dict[str, str] = {
    "excluded_auto": "Excluded by automation",
    "to_screen": "Awaiting screening",
    "excluded_ta": "Excluded at title/abstract",
    "maybe_ta": "Undecided at title/abstract",
    "included_ta": "Awaiting full-text assessment",
    "not_retrieved": "Report not retrieved",
    "excluded_ft": "Excluded at full text",
    "included_ft": "Included",
    "not_screened": "Not screened yet",
    "not_deduplicated": "Not deduplicated yet",
}

TEAM_SUMMARY_LABEL = "team summary, not the abstract"

#: Author-list cells that stand for "and others" (English, Indonesian "dan kawan-kawan").
ETAL = {"et al", "et. al", "dkk", "and others"}


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


def cite_label(authors: str, year: str | int | None, title: str = "") -> str:
    """Short citation: "Surname 2021", "A & B 2021", "A et al. 2021"; title words if no author."""
    names = split_list(authors or "")
    year_text = str(year) if year not in (None, "") else "n.d."
    if not names:
        words = (title or "Untitled").split()
        short = " ".join(words[:4]) + ("…" if len(words) > 4 else "")
        return f"{short} ({year_text})"
    real = [n for n in names if n.strip().lower().rstrip(".") not in ETAL]
    if not real:
        return cite_label("", year, title)
    surnames = [n.split(",")[0].strip() or n for n in real]
    if len(real) < len(names):  # the source wrote "et al." / "dkk." for the other authors
        return f"{surnames[0]} et al. {year_text}"
    if len(surnames) == 1:
        who = surnames[0]
    elif len(surnames) == 2:
        who = f"{surnames[0]} & {surnames[1]}"
    else:
        who = f"{surnames[0]} et al."
    return f"{who} {year_text}"


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
