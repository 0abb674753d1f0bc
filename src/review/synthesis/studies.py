"""The main studies the synthesis counts, each with its reports, coded values, directions of
effect per outcome domain and appraisal.

Reviewers may link several reports (rows of studies.csv) to one study
(``study_groups.csv``); everything the synthesis counts is per *main study id*. Coding and
appraisal rows are keyed by the main id; a row keyed by a companion report (coded before the
link was made) is attached to its main study, and the main study's own row wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from review.records import split_list
from review.vocabulary import MEASURED, Direction

# The directions of outcomes.csv (review.vocabulary, which its contract names).
IMPROVED = Direction.IMPROVED
NO_CHANGE = Direction.NO_CHANGE_OR_MIXED
WORSENED = Direction.WORSENED


@dataclass(frozen=True)
class Outcome:
    """One study's direction of effect in one outcome domain."""

    domain: str
    direction: str
    evidence_type: str = ""
    sample_size: int | None = None
    evidence: str = ""
    status: str = ""

    @property
    def measured(self) -> bool:
        return self.direction in MEASURED

    def counts(self, evidence_types: Sequence[str] | None) -> bool:
        """Whether vote counting counts this direction: measured, of a counted evidence type
        (``None``: every type)."""
        return self.measured and (evidence_types is None or self.evidence_type in evidence_types)


@dataclass(frozen=True)
class Study:
    """A main study: its id, its reports (main first) and what was coded and appraised."""

    id: str
    reports: tuple[str, ...]
    year: int | None = None
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    outcomes: Mapping[str, Outcome] = field(default_factory=dict)
    concern: str = ""
    coded: bool = False

    def get(self, name: str) -> tuple[str, ...]:
        return self.values.get(name, ())

    def counted(self, domain: str, evidence_types: Sequence[str] | None) -> Outcome | None:
        """The study's direction in ``domain`` if vote counting counts it."""
        found = self.outcomes.get(domain)
        return found if found is not None and found.counts(evidence_types) else None


def year_of(text: str) -> int | None:
    """The four-digit year in a year cell ("2021", "2021-05"), else ``None``."""
    m = re.search(r"\b(1[89]\d\d|2\d\d\d)\b", text or "")
    return int(m.group(1)) if m else None


def main_ids(groups: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    """Report id → main study id, from study_groups rows (no table: every report is its own)."""
    return {g["study_id"]: g["main_study_id"] for g in groups or []}


def build_studies(
    included: Sequence[str],
    *,
    groups: Iterable[Mapping[str, str]] | None = None,
    years: Mapping[str, str] | None = None,
    coded: Iterable[Mapping[str, str]] | None = None,
    choice_fields: Iterable[str] = (),
    outcomes: Iterable[Mapping[str, str]] | None = None,
    appraisal: Iterable[Mapping[str, str]] | None = None,
) -> list[Study]:
    """The main studies of the ``included`` reports, in the order of their first report.

    ``years`` gives each report's publication year (a study's year is its main report's, else
    that of the first companion report that has one); ``coded`` rows give coded values
    (``choice_fields`` are split into lists, other fields kept as one text); ``outcomes`` rows
    the directions; ``appraisal`` the appraisal summary rows (``overall``).
    """
    main_of = main_ids(groups)
    years = years or {}
    reports: dict[str, list[str]] = {}
    for rid in included:
        mid = main_of.get(rid, rid)
        reports.setdefault(mid, [])
        if rid not in reports[mid]:
            reports[mid].append(rid)
    for mid, rids in reports.items():  # the main report first
        if mid in rids:
            rids.remove(mid)
            rids.insert(0, mid)
    multi = set(choice_fields)

    def attach(rows: Iterable[Mapping[str, str]] | None) -> dict[str, Mapping[str, str]]:
        out: dict[str, Mapping[str, str]] = {}
        for row in rows or []:
            sid = row["study_id"]
            mid = main_of.get(sid, sid)
            if mid in reports and (sid == mid or mid not in out):
                out[mid] = row
        return out

    coded_rows = attach(coded)
    appraised = attach(appraisal)
    directions: dict[str, dict[str, Outcome]] = {}
    own: set[tuple[str, str]] = set()
    for row in outcomes or []:
        sid = row["study_id"]
        mid = main_of.get(sid, sid)
        key = (mid, row["domain"])
        if mid not in reports or (key in own and sid != mid):
            continue
        if sid == mid:
            own.add(key)
        size = row.get("sample_size", "")
        directions.setdefault(mid, {})[row["domain"]] = Outcome(
            domain=row["domain"],
            direction=row.get("direction", ""),
            evidence_type=row.get("evidence_type", ""),
            sample_size=int(float(size)) if size else None,
            evidence=row.get("evidence", ""),
            status=row.get("status", ""),
        )
    out = []
    for mid, rids in reports.items():
        row = coded_rows.get(mid, {})
        year = next((y for r in rids if (y := year_of(years.get(r, ""))) is not None), None)
        out.append(
            Study(
                id=mid,
                reports=tuple(rids),
                year=year,
                values={
                    k: tuple(split_list(v)) if k in multi else ((v,) if v else ())
                    for k, v in row.items()
                },
                outcomes=directions.get(mid, {}),
                concern=appraised.get(mid, {}).get("overall", ""),
                coded=bool(row),
            )
        )
    return out
