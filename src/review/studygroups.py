"""Studies versus reports: reviewers link several reports to one study (PRISMA 2020).

Deduplication groups records into what the code calls a *study* (``st-…``); in PRISMA 2020's
terms that is a **report**. Two papers of one project, or a journal article and its conference
version, are two reports of one **study**. Reviewers say so in
``data/decisions/report_links.csv`` ("``study_id`` is another report of the study whose main
report is ``main_study_id``"); :func:`group_reports` checks the links and writes
``data/interim/study_groups.csv`` (every report with its study's main id), which coding,
appraisal, synthesis and the comparison key on. Screening stays per report.

A link is refused, with the file and row, when it names an unknown report, links a report to
two studies, links a report to itself, or forms a chain (A→B while B→C: link A to C); a study
whose main report is not included while a companion report is, is refused too (make the
included report the main one, or settle the screening), listing every such study.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from review.carry import Locator, read_clusters
from review.errors import DecisionError
from review.states import ScreeningState
from review.tables import Row, contract, read_numbered, read_table, write_table

LINKS = contract("report_links")
GROUPS = contract("study_groups")
MAX_LISTED = 20


@dataclass(frozen=True)
class Link:
    study_id: str
    main_study_id: str
    reviewer: str
    note: str
    timestamp: str
    row: int


def read_links(path: str | Path | None, locator: Locator) -> list[Link]:
    """Validated rows of ``report_links.csv`` (``None`` or an absent file: no links).

    Ids are placed on current studies as every decision is (:mod:`review.carry`: by id or
    the anchor of a merged study); every problem of the file is listed at once.
    """
    if path is None or not Path(path).is_file():
        return []
    problems: list[str] = []
    links: list[Link] = []
    seen: dict[str, Link] = {}
    for n, row in read_numbered(path, LINKS):
        where = LINKS.where(path, n)
        ids = {}
        for col in ("study_id", "main_study_id"):
            place = locator.place(row[col])
            if not place.matched:
                problems.append(
                    f"{where}, field '{col}': {row[col]!r} is not a study of studies.csv"
                )
            ids[col] = place.study_id
        if not all(ids.values()):
            continue
        link = Link(
            ids["study_id"], ids["main_study_id"], row["reviewer"], row["note"], row["timestamp"], n
        )
        if link.study_id == link.main_study_id:
            if row["study_id"] == row["main_study_id"]:
                problems.append(f"{where}: {row['study_id']} is linked to itself")
            continue  # deduplication has since merged the two reports into one study
        earlier = seen.get(link.study_id)
        if earlier is not None and earlier.main_study_id != link.main_study_id:
            problems.append(
                f"{where}, field 'main_study_id': report {link.study_id} is linked to "
                f"{link.main_study_id} here and to {earlier.main_study_id} on row {earlier.row}; "
                "a report belongs to one study"
            )
            continue
        if earlier is None:
            seen[link.study_id] = link
            links.append(link)
    for link in links:
        if link.main_study_id in seen:
            onward = seen[link.main_study_id]
            problems.append(
                f"{LINKS.where(path, link.row)}: a chain of links: {link.study_id} → "
                f"{link.main_study_id} → {onward.main_study_id} (row {onward.row}); link every "
                f"report of the study to its main report ({onward.main_study_id})"
            )
    _raise(path, problems)
    return links


def _raise(path: str | Path, problems: Sequence[str]) -> None:
    if not problems:
        return
    listed = "\n".join(problems[:MAX_LISTED])
    more = f"\n(and {len(problems) - MAX_LISTED} more)" if len(problems) > MAX_LISTED else ""
    raise DecisionError(
        f"{len(problems)} problem(s) in {path}; nothing was grouped:\n{listed}{more}"
    )


def group_reports(
    studies: Sequence[Mapping[str, str]],
    screening: Mapping[str, Mapping[str, str]],
    links: Sequence[Link],
    *,
    links_path: str | Path = "report_links.csv",
) -> list[dict[str, str]]:
    """One ``study_groups.csv`` row per study of ``studies`` (in its order)."""
    main_of = {link.study_id: link for link in links}

    def included(sid: str) -> bool:
        return screening.get(sid, {}).get("state") == ScreeningState.INCLUDED_FT

    orphans: dict[str, list[str]] = {}
    for link in links:
        if included(link.study_id) and not included(link.main_study_id):
            orphans.setdefault(link.main_study_id, []).append(link.study_id)
    if orphans:
        listed = [
            f"main report {main} is not included (state "
            f"{screening.get(main, {}).get('state') or 'not screened'}) while its report(s) "
            f"{', '.join(sorted(reports))} are"
            for main, reports in sorted(orphans.items())
        ]
        raise DecisionError(
            f"{links_path}: {len(orphans)} study(ies) counted under a report that is not "
            "included; make an included report the main one (main_study_id), or settle its "
            "screening:\n" + "\n".join(listed)
        )
    out = []
    for s in studies:
        sid = s["study_id"]
        to = main_of.get(sid)
        out.append(
            {
                "study_id": sid,
                "main_study_id": to.main_study_id if to else sid,
                "is_main": "no" if to else "yes",
                "included": "yes" if included(sid) else "no",
                "linked_by": _who(to),
                "note": to.note if to else "",
            }
        )
    return out


def _who(link: Link | None) -> str:
    if link is None:
        return ""
    return f"{link.reviewer} ({link.timestamp})" if link.timestamp else link.reviewer


@dataclass
class StudyGroups:
    """Reports grouped into studies: what every later stage asks of ``study_groups.csv``.

    Built from the table, or as the identity (every report its own study) when no table is
    given, so a stage run by hand before any link exists behaves as before.
    """

    main: dict[str, str] = field(default_factory=dict)
    included_ids: set[str] = field(default_factory=set)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, str]]) -> StudyGroups:
        out = cls()
        for r in rows:
            out.main[r["study_id"]] = r["main_study_id"]
            if r["included"] == "yes":
                out.included_ids.add(r["study_id"])
        return out

    @classmethod
    def identity(cls, screening: Mapping[str, Mapping[str, str]]) -> StudyGroups:
        """Every report its own study (no links), included as the screening table says."""
        out = cls()
        for sid, row in screening.items():
            out.main[sid] = sid
            if row.get("state") == ScreeningState.INCLUDED_FT:
                out.included_ids.add(sid)
        return out

    def main_of(self, study_id: str) -> str:
        """The main study id of a report (itself when unknown or not linked)."""
        return self.main.get(study_id, study_id)

    def is_main(self, study_id: str) -> bool:
        return self.main_of(study_id) == study_id

    def members(self, main_id: str) -> list[str]:
        """Every report of the study (its main report first, then the others by id)."""
        others = sorted(s for s, m in self.main.items() if m == main_id and s != main_id)
        return [main_id, *others]

    def companions(self, main_id: str) -> list[str]:
        return self.members(main_id)[1:]

    def included_mains(self, order: Iterable[str] | None = None) -> list[str]:
        """Main ids of the included studies (a study is included when its main report is),
        in ``order`` when given (e.g. screening order), else sorted."""
        ids = order if order is not None else sorted(self.main)
        return [s for s in ids if s in self.included_ids and self.is_main(s)]


@dataclass(frozen=True)
class Counts:
    """PRISMA 2020's two numbers for the included evidence."""

    studies: int
    reports: int


def count_included(groups: StudyGroups) -> Counts:
    """Included studies (groups whose main report is included) and their included reports."""
    mains = set(groups.included_mains())
    reports = sum(1 for s in groups.included_ids if groups.main_of(s) in mains)
    return Counts(studies=len(mains), reports=reports)


def read_groups(path: str | Path) -> StudyGroups:
    """``study_groups.csv``, checked against its contract."""
    return StudyGroups.from_rows(read_table(path, GROUPS))


def load_groups(path: str | Path | None, screening: Mapping[str, Mapping[str, str]]) -> StudyGroups:
    """``study_groups.csv`` when given, else the identity grouping of ``screening``."""
    return read_groups(path) if path is not None else StudyGroups.identity(screening)


def build_groups(
    *,
    studies_path: str | Path,
    screening_path: str | Path,
    links_path: str | Path | None,
    clusters_path: str | Path | None = None,
    out: str | Path,
) -> list[Row]:
    """Read the inputs, check the links and write ``study_groups.csv``."""
    studies = read_table(studies_path, contract("studies"))
    screening = {r["study_id"]: r for r in read_table(screening_path, contract("screening"))}
    links = read_links(links_path, Locator(studies, read_clusters(clusters_path)))
    rows = group_reports(studies, screening, links, links_path=links_path or "report_links.csv")
    write_table(out, rows, GROUPS)
    return rows
