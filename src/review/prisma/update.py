"""The PRISMA 2020 flow for an updated review: the previous version's studies, the flow of the
records identified since that version, and the total (PRISMA 2020 flow diagram for updated
systematic reviews; PRISMA-LSR's "search and selection results across versions").

A record is *new* when the previous version had not identified it (its record id is not in
that version's records). A study is new when none of its records is older: a new record that
joined a study identified before is a duplicate of that study and is removed before screening,
like any duplicate. The flow then follows the new studies only; studies found before keep
their place under the previous version's box, and the total box says how the two meet:
previously included studies still included, studies found before and only now included, and
the new ones. Every number is checked: the flow like any flow (:func:`check_counts`), and the
total and the previous box against the previous version's own frozen counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from review.prisma.counts import (
    DBR_KINDS,
    PrismaCounts,
    PrismaError,
    check_counts,
    compute_counts,
    source_kind,
)
from review.records import split_list
from review.states import ScreeningState


@dataclass(frozen=True)
class PreviousVersion:
    """What the flow needs of the previous version (:mod:`review.versions` reads it)."""

    name: str
    date: str
    record_ids: frozenset[str]
    #: included reports (study ids) of that version, and how many studies they were
    included_reports: int
    included_studies: int
    #: each study id included then → the study that holds it now (``None``: none does)
    included_now: Mapping[str, str | None] = field(default_factory=dict)


@dataclass
class UpdateCounts:
    """The numbers of the updated-review diagram beside the flow of new records."""

    previous_name: str
    previous_date: str
    previous_studies: int
    previous_reports: int
    flow: PrismaCounts
    #: new records that joined a study identified before (counted as duplicates)
    joined_earlier: int = 0
    new_ids: frozenset[str] = frozenset()
    new_studies: int | None = None
    new_reports: int | None = None
    total_studies: int | None = None
    total_reports: int | None = None
    still_included: int | None = None
    newly_included: int | None = None
    #: previously included reports now part of another previously included one (a merge)
    merged: int | None = None
    no_longer_included: int | None = None


def compute_update(
    whole: PrismaCounts,
    previous: PreviousVersion,
    *,
    records: Sequence,
    studies: Sequence[dict[str, str]] | None,
    screening: Sequence[dict[str, str]] | None,
    sources: Sequence[dict],
    criteria: Sequence[dict],
    main_of: Mapping[str, str] | None = None,
) -> UpdateCounts:
    """The update's numbers; ``whole`` is the checked flow of every record of the review."""
    new_records = [r for r in records if r.record_id not in previous.record_ids]
    ident = compute_counts(
        records=new_records,
        studies=None,
        screening=None,
        sources=sources,
        criteria=criteria,
        basis=whole.basis,
        deviation_reason=whole.deviation_reason,
    )
    if studies is None:
        ident.identified = len(new_records)
        return UpdateCounts(
            previous.name,
            previous.date,
            previous.included_studies,
            previous.included_reports,
            ident,
        )
    new_set = {r.record_id for r in new_records}
    new_studies = [
        s for s in studies if all(rid in new_set for rid in split_list(s.get("record_ids", "")))
    ]
    new_ids = frozenset(s["study_id"] for s in new_studies)
    in_new = {rid for s in new_studies for rid in split_list(s.get("record_ids", ""))}
    flow = compute_counts(
        records=[r for r in new_records if r.record_id in in_new],
        studies=new_studies,
        screening=(
            [row for row in screening if row["study_id"] in new_ids]
            if screening is not None
            else None
        ),
        sources=sources,
        criteria=criteria,
        basis=whole.basis,
        deviation_reason=whole.deviation_reason,
    )
    # New records that joined a study found before are duplicates of it: identified, removed.
    joined = [r for r in new_records if r.record_id not in in_new]
    by_source = {s["id"]: s for s in sources}
    flow.identification = ident.identification
    flow.identified = len(new_records)
    flow.duplicates = (flow.duplicates or 0) + len(joined)
    for r in joined:
        arm = "dbr" if source_kind(by_source, r.source_id, r.source_kind) in DBR_KINDS else "other"
        box = flow.arms.setdefault(arm, {})
        box["records"] = box.get("records", 0) + 1
        box["duplicates"] = box.get("duplicates", 0) + 1
    out = UpdateCounts(
        previous.name,
        previous.date,
        previous.included_studies,
        previous.included_reports,
        flow,
        joined_earlier=len(joined),
        new_ids=new_ids,
    )
    if screening is None or whole.included is None:
        return out

    main = main_of or {}
    included = {row["study_id"] for row in screening if row["state"] == ScreeningState.INCLUDED_FT}
    earlier_included = included - new_ids
    then_now = previous.included_now
    kept = {c for c in then_now.values() if c is not None and c in included}
    out.new_reports = len(included & new_ids)
    out.new_studies = len({main.get(s, s) for s in included & new_ids})
    out.total_reports = len(included)
    out.total_studies = len({main.get(s, s) for s in included})
    out.still_included = len(earlier_included & kept)
    out.newly_included = len(earlier_included - kept)
    kept_then = [p for p, c in then_now.items() if c is not None and c in included]
    out.merged = len(kept_then) - len({then_now[p] for p in kept_then})
    out.no_longer_included = len(then_now) - len(kept_then)
    return out


def check_update(u: UpdateCounts) -> None:
    """Raise :class:`PrismaError` with the arithmetic that fails, if the update's boxes do not
    add up: the flow of new records, the total, and the previous version's box."""
    check_counts(u.flow)
    failures: list[str] = []
    if u.total_reports is not None:
        parts = (u.new_reports or 0) + (u.still_included or 0) + (u.newly_included or 0)
        if parts != u.total_reports:
            failures.append(
                f"total: new {u.new_reports} + still included {u.still_included} + newly "
                f"included from earlier searches {u.newly_included} = {parts}, but "
                f"{u.total_reports} reports are included"
            )
        if u.new_reports != u.flow.included:
            failures.append(
                f"new reports included {u.new_reports}, but the flow of new records includes "
                f"{u.flow.included}"
            )
        accounted = (u.still_included or 0) + (u.merged or 0) + (u.no_longer_included or 0)
        if accounted != u.previous_reports:
            failures.append(
                f"previous version {u.previous_name}: still included {u.still_included} + "
                f"merged {u.merged} + no longer included {u.no_longer_included} = {accounted}, "
                f"but it included {u.previous_reports} reports"
            )
    if failures:
        raise PrismaError("PRISMA counts of the update do not add up: " + "; ".join(failures))
