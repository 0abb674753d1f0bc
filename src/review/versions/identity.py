"""Which study of today is which study of a previous version.

Study ids are stable (a study keeps its id when new records join it), and decisions follow
their study by id, anchor record and fingerprint (:mod:`review.screening.carry`). A version
compares by the same evidence, record by record: a previous study is the current study that
holds its records. Its id may have changed (a dedup override merged it into another study, or
split it, or a new record became its anchor); it is then *tracked* under its new id, never
shown as one study removed and another added.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from review.records import split_list, study_id_for


@dataclass(frozen=True)
class Match:
    """Where a previous study is now."""

    previous_id: str
    current_id: str | None
    #: id (unchanged) | records (its records are now in this study: merged or re-anchored) |
    #: split (its records are in several studies: the one with its anchor record) |
    #: fingerprint (none of its records is read any more; the same DOI or title and year) |
    #: gone (none of these)
    how: str

    @property
    def renamed(self) -> bool:
        return self.current_id is not None and self.current_id != self.previous_id


def match_studies(
    previous: Sequence[Mapping[str, str]], current: Sequence[Mapping[str, str]]
) -> dict[str, Match]:
    """Every previous study (rows of a frozen ``studies.csv``) → its current study."""
    ids = {s["study_id"] for s in current}
    study_of: dict[str, str] = {}
    for s in current:
        for rid in split_list(s.get("record_ids", "")):
            study_of[rid] = s["study_id"]
    by_fp: dict[str, list[str]] = {}
    for s in current:
        if s.get("fingerprint"):
            by_fp.setdefault(s["fingerprint"], []).append(s["study_id"])
    out: dict[str, Match] = {}
    for s in previous:
        pid = s["study_id"]
        records = split_list(s.get("record_ids", ""))
        holders = Counter(study_of[r] for r in records if r in study_of)
        if pid in ids and (not holders or pid in holders):
            out[pid] = Match(pid, pid, "id")
        elif len(holders) == 1:
            out[pid] = Match(pid, next(iter(holders)), "records")
        elif holders:
            anchored = [study_of[r] for r in records if r in study_of and study_id_for(r) == pid]
            target = anchored[0] if anchored else holders.most_common(1)[0][0]
            out[pid] = Match(pid, target, "split")
        elif len(by_fp.get(s.get("fingerprint", ""), [])) == 1:
            out[pid] = Match(pid, by_fp[s["fingerprint"]][0], "fingerprint")
        else:
            out[pid] = Match(pid, None, "gone")
    return out


def new_study_ids(
    current: Sequence[Mapping[str, str]], previous_record_ids: frozenset[str]
) -> list[str]:
    """Current studies none of whose records the previous version had: found since."""
    return [
        s["study_id"]
        for s in current
        if not any(r in previous_record_ids for r in split_list(s.get("record_ids", "")))
    ]
