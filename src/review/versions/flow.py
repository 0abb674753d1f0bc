"""The PRISMA counts of a report that follows a previous version: the whole flow, checked, and
the updated-review flow of the records identified since that version (:mod:`review.prisma.update`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from review import prisma
from review.prisma.update import PreviousVersion, check_update, compute_update
from review.protocol import Protocol
from review.records import Record
from review.states import ScreeningState
from review.versions.identity import match_studies
from review.versions.store import Version


def previous_of(version: Version, studies: Sequence[Mapping[str, str]] | None) -> PreviousVersion:
    """What the flow needs of ``version``: its records, and where its included studies are now."""
    included = version.included_ids()
    mains = version.manifest["studies"].get("included_main") or included
    now: dict[str, str | None] = {sid: None for sid in included}
    if studies is not None:
        frozen = [s for s in version.table("studies") if s["study_id"] in now]
        for pid, match in match_studies(frozen, studies).items():
            now[pid] = match.current_id
    return PreviousVersion(
        name=version.name,
        date=version.date,
        record_ids=version.record_ids(),
        included_reports=len(included),
        included_studies=len(set(mains)),
        included_now=now,
    )


def flow_counts(
    protocol: Protocol,
    records: Sequence[Record],
    studies: Sequence[dict[str, str]] | None,
    screening: Sequence[dict[str, str]] | None,
    previous: Version | None,
    *,
    main_of: Mapping[str, str] | None = None,
) -> prisma.PrismaCounts:
    """The checked counts; with a previous version, its update flow attached and checked."""
    counts = prisma.counts_of(protocol, records, studies, screening)
    if main_of and screening is not None and counts.included is not None:
        included = {r["study_id"] for r in screening if r["state"] == ScreeningState.INCLUDED_FT}
        counts.included_studies = len({main_of.get(s, s) for s in included})
    if previous is None:
        return counts
    update = compute_update(
        counts,
        previous_of(previous, studies),
        records=records,
        studies=studies,
        screening=screening,
        sources=protocol.sources,
        criteria=protocol.criteria,
        main_of=main_of,
    )
    check_update(update)
    counts.update = update
    return counts
