"""The synthesis groups (SWiM item 1): the studies grouped by the values of the first field of
``synthesis.grouping.by`` (the theme field by default), each group subdivided by the others
(e.g. by study design).

A study coded with several values of a multi-valued field is in several groups; a study coded
with none is listed apart (``ungrouped``), never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from review.synthesis.studies import Study


@dataclass(frozen=True)
class Subgroup:
    value: str
    studies: tuple[Study, ...]


@dataclass(frozen=True)
class Group:
    """The studies coded with one value of the grouping field, and their subdivisions."""

    id: str
    studies: tuple[Study, ...]
    by: dict[str, tuple[Subgroup, ...]] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.studies)


def split(studies: Sequence[Study], name: str, order: Sequence[str] = ()) -> list[Subgroup]:
    """The studies per value of field ``name``: ``order``'s values first (those with studies),
    then any other value found, in sorted order."""
    found = {v for s in studies for v in s.get(name)}
    values = [v for v in order if v in found] + sorted(found - set(order))
    return [Subgroup(v, tuple(s for s in studies if v in s.get(name))) for v in values]


def group_studies(
    studies: Sequence[Study],
    fields: Sequence[str],
    *,
    orders: dict[str, Sequence[str]] | None = None,
    groups: Sequence[str] | None = None,
) -> tuple[list[Group], list[Study]]:
    """The groups by ``fields[0]`` (every value of ``groups`` when given, in that order, even
    without studies; else the values found) and the studies coded with none of them."""
    orders = orders or {}
    if not fields:
        return [], list(studies)
    first, rest = fields[0], fields[1:]
    if groups is None:
        ids = [sg.value for sg in split(studies, first, orders.get(first, ()))]
    else:
        ids = list(groups)
    out = []
    for gid in ids:
        members = tuple(s for s in studies if gid in s.get(first))
        out.append(
            Group(
                id=gid,
                studies=members,
                by={name: tuple(split(members, name, orders.get(name, ()))) for name in rest},
            )
        )
    ungrouped = [s for s in studies if not set(s.get(first)) & set(ids)]
    return out, ungrouped
