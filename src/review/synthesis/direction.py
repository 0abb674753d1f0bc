"""The effect-direction table (studies by outcome domains) and vote counting based on the
direction of effect (Cochrane Handbook ch. 12; Boon & Thomson 2021).

Vote counting counts, per outcome domain, the studies whose direction improved and those whose
direction worsened, ignoring statistical significance (vote counting on significance is not an
acceptable method). Studies with no change or mixed results are reported apart: they are
ties, left out of the sign test and of the proportion. Only directions of the evidence types
the protocol lets count (``synthesis.vote_counting.evidence_types``) are counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from review.synthesis.stats import sign_test, wilson_interval
from review.synthesis.studies import IMPROVED, NO_CHANGE, WORSENED, Outcome, Study

#: Sample-size bands of the effect-direction plot (Thomson & Thomson 2013): the arrow's size.
SIZE_BANDS = (("small", 0, 49), ("medium", 50, 300), ("large", 301, None))


def size_band(sample_size: int | None) -> str:
    """``small`` (< 50), ``medium`` (50 to 300), ``large`` (> 300) or ``unknown``."""
    if sample_size is None:
        return "unknown"
    for name, low, high in SIZE_BANDS:
        if sample_size >= low and (high is None or sample_size <= high):
            return name
    return "unknown"  # a negative size: not a size


@dataclass(frozen=True)
class VoteCount:
    """Vote count on direction of effect in one domain (or any set of studies)."""

    domain: str
    improved: int
    worsened: int
    no_change: int
    confidence: float

    @property
    def n(self) -> int:
        """Effects with a direction (improved + worsened): the sign test's n."""
        return self.improved + self.worsened

    @property
    def studies(self) -> int:
        """Every study counted, ties included."""
        return self.n + self.no_change

    @property
    def p_value(self) -> float | None:
        return sign_test(self.improved, self.n)

    @property
    def proportion(self) -> float | None:
        return self.improved / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.improved, self.n, self.confidence)

    @property
    def direction(self) -> str:
        """Which direction has more studies: improved, worsened, tied (equal, some studies)
        or none (no study counted). Used to flag what a sensitivity analysis changes."""
        if not self.studies:
            return "none"
        if self.improved > self.worsened:
            return IMPROVED
        if self.worsened > self.improved:
            return WORSENED
        return "tied"


def vote_count(
    studies: Sequence[Study],
    domain: str,
    *,
    evidence_types: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> VoteCount:
    """The vote count of ``domain`` over ``studies``."""
    counted = [o for s in studies if (o := s.counted(domain, evidence_types)) is not None]
    return VoteCount(
        domain=domain,
        improved=sum(o.direction == IMPROVED for o in counted),
        worsened=sum(o.direction == WORSENED for o in counted),
        no_change=sum(o.direction == NO_CHANGE for o in counted),
        confidence=confidence,
    )


@dataclass(frozen=True)
class Cell:
    """One study's entry for one domain in the effect-direction table."""

    outcome: Outcome | None
    counted: bool

    @property
    def direction(self) -> str:
        return self.outcome.direction if self.outcome else ""

    @property
    def band(self) -> str:
        return size_band(self.outcome.sample_size if self.outcome else None)


@dataclass(frozen=True)
class Row:
    study: Study
    cells: tuple[Cell, ...]


def effect_table(
    studies: Sequence[Study], domains: Sequence[str], *, evidence_types: Sequence[str] | None
) -> list[Row]:
    """A row per study with a direction coded in any domain (``not_measured`` included, so the
    table shows what was coded), a cell per domain; studies with nothing coded are left out."""
    out = []
    for s in studies:
        if not any(d in s.outcomes for d in domains):
            continue
        cells = []
        for d in domains:
            o = s.outcomes.get(d)
            cells.append(Cell(o, o is not None and o.counts(evidence_types)))
        out.append(Row(s, tuple(cells)))
    return out
