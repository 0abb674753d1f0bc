"""Where a human decision belongs now: re-attach a decision row to a current study.

Every decision people write (screening ledgers, coders' files, appraisers' files) names its
study by id *and*, where the file has it, by fingerprint (DOI, else folded title + year). On
every rerun and update each row is placed on a current study, in this order:

1. ``id``: its study id still exists;
2. ``merged``: its study id is the id a record now inside another study would anchor (the
   study was merged into one with an earlier anchor record);
3. ``fingerprint``: its fingerprint is that of exactly one current study;
4. otherwise it is *unmatched*: the caller lists it (never drops it).

When a cluster is split, the side that kept the id keeps the decision; :meth:`Locator.split_to`
names the other side when it carries the fingerprint the person saw, so it can inherit the
decision too. One locator serves every decision stage, so screening, coding and appraisal
re-attach decisions by the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from review.records import split_list, study_id_for
from review.tables import contract, read_table


@dataclass(frozen=True)
class Placement:
    """Where a decision row goes: the study (``""`` when unmatched), how, and why not."""

    study_id: str
    how: str
    problem: str = ""

    @property
    def matched(self) -> bool:
        return bool(self.study_id)


def clusters_of(studies: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """``record_id -> study_id`` from each study's ``record_ids`` (the studies table holds the
    clusters too): what a command that reads only ``studies.csv`` gives :class:`Locator`."""
    return {rid: s["study_id"] for s in studies for rid in split_list(s.get("record_ids", ""))}


def read_clusters(path: str | Path | None) -> dict[str, str]:
    """``record_id -> study_id`` of ``clusters.csv`` (none without a path: ids and fingerprints
    alone then place decisions)."""
    if path is None:
        return {}
    return {r["record_id"]: r["study_id"] for r in read_table(path, contract("clusters"))}


class Locator:
    """The current studies, indexed by id, by the anchor ids of their records, by fingerprint."""

    def __init__(
        self, studies: Iterable[Mapping[str, str]], clusters: Mapping[str, str] | None = None
    ) -> None:
        self.ids: set[str] = set()
        self.by_fingerprint: dict[str, list[str]] = {}
        for s in studies:
            self.ids.add(s["study_id"])
            if s.get("fingerprint"):
                self.by_fingerprint.setdefault(s["fingerprint"], []).append(s["study_id"])
        self.by_anchor = {study_id_for(rid): sid for rid, sid in (clusters or {}).items()}

    def place(self, study_id: str, fingerprint: str = "") -> Placement:
        """Where a row naming ``study_id`` (and ``fingerprint``) belongs now."""
        if study_id in self.ids:
            return Placement(study_id, "id")
        if study_id in self.by_anchor:
            return Placement(self.by_anchor[study_id], "merged")
        matches = self.by_fingerprint.get(fingerprint, []) if fingerprint else []
        if len(matches) == 1:
            return Placement(matches[0], "fingerprint")
        problem = (
            f"fingerprint {fingerprint!r} matches {len(matches)} studies "
            f"({', '.join(sorted(matches)[:3])})"
            if matches
            else "neither its study id nor its fingerprint matches a current study"
        )
        return Placement("", "unmatched", problem)

    def split_to(self, placed_on: str, fingerprint: str) -> str:
        """The study split off ``placed_on`` that carries ``fingerprint`` (``""`` if none).

        When a cluster is split, the decision stays on the side that kept the study id; the side
        that carries the fingerprint the person saw (its DOI, or its title and year) is the same
        work and inherits the decision too.
        """
        matches = self.by_fingerprint.get(fingerprint, []) if fingerprint else []
        if len(matches) != 1 or matches[0] == placed_on:
            return ""
        return matches[0]


def carry_note(how: str, who: str, named: str, fingerprint: str) -> str:
    """What a reader must know about a decision that reached its study other than by its id."""
    if how == "merged":
        return (
            f"decision of {who} on study {named}, now merged into this study, re-attached via its "
            "anchor record"
        )
    if how == "split":
        return (
            f"decision of {who} on study {named} inherited by fingerprint {fingerprint}: this "
            "study, split from it, carries the DOI or title the reviewer saw"
        )
    if how == "fingerprint":
        return (
            f"decision of {who} on study {named} (id no longer exists) re-attached by "
            f"fingerprint {fingerprint}"
        )
    return ""
