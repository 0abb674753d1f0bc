"""Carry-forward: find the current study of a decision made on an earlier run.

Every human decision row (screening, coding, appraisal, their resolutions) names its study by
id and, when the file has the column, by the study's fingerprint at the time. After a rerun or
an update the study may have another id; :meth:`StudyIndex.place` finds it, in this order:

1. ``id``: the study id still exists;
2. ``merged``: the id is that of a record now in another study (the study was merged into one
   with an earlier anchor record: its anchor record is still there, in the other study);
3. ``fingerprint``: its fingerprint (DOI, else folded title + year) is that of exactly one
   current study;
4. otherwise the row is *unmatched*: the caller lists it (never drops it silently) with the
   problem this module names.

One index, built from the studies table (each study's ``record_ids``) or from ``clusters.csv``,
serves every kind of decision, so coding and appraisal rows re-attach exactly as screening rows
do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from review.records import split_list, study_id_for

#: How a row was attached (the order in which they are tried); ``unmatched`` when none worked.
BY_ID, BY_ANCHOR, BY_FINGERPRINT, UNMATCHED = "id", "merged", "fingerprint", "unmatched"


@dataclass(frozen=True)
class Placement:
    """Where a decision row belongs now: ``study_id`` (empty when unmatched), how, and why not."""

    study_id: str
    how: str
    problem: str = ""

    @property
    def matched(self) -> bool:
        return self.how != UNMATCHED


@dataclass
class StudyIndex:
    """The current studies, by id, by their records' anchor ids and by fingerprint."""

    ids: set[str] = field(default_factory=set)
    by_anchor: dict[str, str] = field(default_factory=dict)
    by_fingerprint: dict[str, list[str]] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls, studies: Sequence[Mapping[str, str]], clusters: Mapping[str, str] | None = None
    ) -> StudyIndex:
        """The index of ``studies``; ``clusters`` (record id -> study id) when at hand, else
        each study's ``record_ids``."""
        out = cls()
        if clusters is None:
            clusters = {
                rid: s["study_id"] for s in studies for rid in split_list(s.get("record_ids", ""))
            }
        out.by_anchor = {study_id_for(rid): sid for rid, sid in clusters.items()}
        for s in studies:
            sid = s["study_id"]
            out.ids.add(sid)
            fp = s.get("fingerprint", "")
            out.fingerprints[sid] = fp
            if fp:
                out.by_fingerprint.setdefault(fp, []).append(sid)
        return out

    def place(self, study_id: str, fingerprint: str = "") -> Placement:
        """The current study of a row that named ``study_id`` (and ``fingerprint``)."""
        if study_id in self.ids:
            return Placement(study_id, BY_ID)
        if study_id in self.by_anchor:
            return Placement(self.by_anchor[study_id], BY_ANCHOR)
        matches = self.by_fingerprint.get(fingerprint, []) if fingerprint else []
        if len(matches) == 1:
            return Placement(matches[0], BY_FINGERPRINT)
        if matches:
            problem = (
                f"fingerprint {fingerprint!r} matches {len(matches)} studies "
                f"({', '.join(sorted(matches)[:3])})"
            )
        else:
            problem = "neither its study id nor its fingerprint matches a current study"
        return Placement("", UNMATCHED, problem)

    def fingerprint_match(self, fingerprint: str) -> str:
        """The one study whose fingerprint is ``fingerprint``, else ``""``."""
        matches = self.by_fingerprint.get(fingerprint, []) if fingerprint else []
        return matches[0] if len(matches) == 1 else ""


@dataclass
class CarryLog:
    """What carry-forward did to the rows of a kind of decision file (coding, appraisal, …):
    rows attached to another study than the one they name, and rows that match none.

    ``unmatched`` rows are written to that kind's ``*_unmatched.csv`` table (columns
    :data:`UNMATCHED_COLUMNS`) and printed: a decision is never dropped silently.
    """

    moved: list[dict[str, str]] = field(default_factory=list)
    unmatched: list[dict[str, str]] = field(default_factory=list)

    def place(
        self,
        index: StudyIndex,
        *,
        who: str,
        source: str,
        row: int,
        study_id: str,
        fingerprint: str = "",
    ) -> Placement:
        """``index.place``, noting a moved or unmatched row."""
        where = index.place(study_id, fingerprint)
        entry = {
            "person": who,
            "source": source,
            "row": str(row),
            "study_id": study_id,
            "fingerprint": fingerprint,
        }
        if not where.matched:
            self.unmatched.append({**entry, "problem": where.problem})
        elif where.study_id != study_id:
            self.moved.append(
                {**entry, "current_study_id": where.study_id, "attached_by": where.how}
            )
        return where


#: The columns of every ``*_unmatched.csv`` table of decision rows that match no study.
UNMATCHED_COLUMNS = ("person", "source", "row", "study_id", "fingerprint", "problem")
