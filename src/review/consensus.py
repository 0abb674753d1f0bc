"""One value from several coders (or appraisers): the protocol's disagreement rule, stated.

Where every coder of a study gives the same value, that is the value (``agreed``; ``single``
when one coder coded it). Where they differ, a resolution settles it (``resolved``). Until then
the protocol's ``disagreement_rule`` decides, and the outcome says which rule did, never
silently:

- ``adjudication`` (the default): no value stands; the disagreement is a ``conflict`` until a
  named adjudicator settles it;
- ``primary_coder``: the value of the study's *primary* coder stands (``primary_coder``): the
  coder of that study who coded most studies overall, ties broken by coder id.

Coding (:mod:`review.extraction.merge`) and appraisal (:mod:`review.appraisal.merge`) settle
every value here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import combinations
from typing import Any, TypeVar

from review.vocabulary import DisagreementRule, Settled

V = TypeVar("V")


def primary_first(coders: Iterable[str], workload: Mapping[str, int]) -> list[str]:
    """``coders`` ordered primary first: most studies coded overall, then by id."""
    return sorted(coders, key=lambda c: (-workload.get(c, 0), c))


def differ(values: Sequence[Any], same: Callable[[Any, Any], bool]) -> bool:
    return any(not same(a, b) for a, b in combinations(values, 2))


def settle(
    values: Mapping[str, V],
    order: Sequence[str],
    *,
    rule: str,
    resolution: tuple[V] | None = None,
    same: Callable[[Any, Any], bool] = lambda a, b: a == b,
) -> tuple[V | None, Settled]:
    """The value that stands and how it was settled.

    ``values`` maps each coder who gave a value to it; ``order`` lists them primary first;
    ``resolution`` is ``(value,)`` when a resolution settles the item. ``None`` stands for no
    value (a conflict under adjudication).
    """
    if resolution is not None:
        return resolution[0], Settled.RESOLVED
    coders = [c for c in order if c in values]
    if not coders:
        return None, Settled.SINGLE
    if len(coders) == 1:
        return values[coders[0]], Settled.SINGLE
    if not differ([values[c] for c in coders], same):
        return values[coders[0]], Settled.AGREED
    if rule == DisagreementRule.PRIMARY_CODER:
        return values[coders[0]], Settled.PRIMARY_CODER
    return None, Settled.CONFLICT


def worst(statuses: Iterable[Settled]) -> Settled:
    """The status of several settled values together (a conflict anywhere is a conflict)."""
    rank = [Settled.CONFLICT, Settled.PRIMARY_CODER, Settled.RESOLVED, Settled.AGREED]
    found = set(statuses)
    for status in rank:
        if status in found:
            return status
    return Settled.SINGLE
