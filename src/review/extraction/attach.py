"""Carry-forward for coding: every coder's row re-attached to a current study, then to its study.

A coder's row names a study id (and, in files made from the current sheet, its fingerprint).
On every run each row is placed by the rules every decision stage shares (:mod:`review.carry`:
id, merged anchor, fingerprint), then moved to the main report of its study when reviewers
linked that report to another (``linked``, :mod:`review.studygroups`): coded values count under
main study ids. A row that matches no current study is *unmatched*: listed (in the coding
events, and on the command line), never merged and never dropped. When a coder's rows meet on
one study (a recoding, or both reports of a study coded), the later row of their file stands
and the earlier one is kept as superseded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from review.carry import Locator, carry_note
from review.extraction.validate import CodedRow, Resolution
from review.studygroups import StudyGroups


@dataclass(frozen=True)
class Unmatched:
    coder: str
    source: str
    row: int
    study_id: str
    fingerprint: str
    problem: str


@dataclass
class Attached:
    rows: list[CodedRow]
    resolutions: list[Resolution]
    unmatched: list[Unmatched] = field(default_factory=list)
    #: main study id -> what a reader must know about rows that reached it other than by id
    notes: dict[str, list[str]] = field(default_factory=dict)


def attach_coding(
    rows: Sequence[CodedRow],
    resolutions: Sequence[Resolution],
    locator: Locator,
    groups: StudyGroups,
) -> Attached:
    """Coded rows and resolutions keyed by main study id, and the rows that match no study."""
    out = Attached(rows=[], resolutions=[])
    for row in rows:
        place = locator.place(row.study_id, row.fingerprint)
        if not place.matched:
            out.unmatched.append(
                Unmatched(
                    row.coder, row.path, row.row, row.study_id, row.fingerprint, place.problem
                )
            )
            continue
        main = groups.main_of(place.study_id)
        how = place.how if main == place.study_id else "linked"
        named = row.study_id if main != row.study_id else ""
        placed = replace(row, study_id=main, named_study_id=named, how=how)
        who = f"{row.coder} ({row.timestamp or 'no time'})"
        note = carry_note(place.how, who, row.study_id, row.fingerprint)
        if how == "linked":
            note = (
                f"coding of {who} on report {place.study_id} counted under its study's main "
                f"report {main} (report_links.csv)" + (f"; {note}" if note else "")
            )
        if note:
            out.notes.setdefault(main, []).append(note)
        out.rows.append(placed)
    latest: dict[tuple[str, str], CodedRow] = {}
    for row in out.rows:
        row.superseded = False
        key = (row.coder, row.study_id)
        if key in latest:
            latest[key].superseded = True
        latest[key] = row
    for res in resolutions:
        place = locator.place(res.study_id)
        if not place.matched:
            out.unmatched.append(
                Unmatched(res.resolver, res.path, res.row, res.study_id, "", place.problem)
            )
            continue
        main = groups.main_of(place.study_id)
        how = place.how if main == place.study_id else "linked"
        if main == res.study_id:
            out.resolutions.append(res)
        else:
            out.resolutions.append(
                replace(res, study_id=main, named_study_id=res.study_id, how=how)
            )
    # the latest resolution per (study, field) wins, also when two reports' resolutions meet
    settled: dict[tuple[str, str], Resolution] = {}
    for res in out.resolutions:
        settled[(res.study_id, res.field)] = res
    out.resolutions = list(settled.values())
    return out
