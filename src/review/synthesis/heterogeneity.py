"""Heterogeneity shown, not hidden (SWiM item 5): the directions of effect per outcome domain
tabulated by the values of the coding fields the protocol names (``synthesis.heterogeneity_by``,
e.g. study design, setting, actors).

A table is descriptive: it shows where directions differ by a characteristic; it tests nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from review.synthesis.direction import VoteCount, vote_count
from review.synthesis.grouping import split
from review.synthesis.studies import Study


@dataclass(frozen=True)
class HeterogeneityRow:
    value: str
    studies: tuple[Study, ...]
    counts: tuple[VoteCount, ...]


@dataclass(frozen=True)
class HeterogeneityTable:
    field: str
    rows: tuple[HeterogeneityRow, ...]
    not_coded: tuple[Study, ...]


def heterogeneity_table(
    studies: Sequence[Study],
    field_name: str,
    domains: Sequence[str],
    *,
    order: Sequence[str] = (),
    evidence_types: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> HeterogeneityTable:
    """One row per value of ``field_name`` (a study with several values is in each), with the
    vote count of every domain among its studies; studies without a value are listed apart."""
    rows = [
        HeterogeneityRow(
            value=sg.value,
            studies=sg.studies,
            counts=tuple(
                vote_count(sg.studies, d, evidence_types=evidence_types, confidence=confidence)
                for d in domains
            ),
        )
        for sg in split(studies, field_name, order)
    ]
    return HeterogeneityTable(
        field=field_name,
        rows=tuple(rows),
        not_coded=tuple(s for s in studies if not s.get(field_name)),
    )
