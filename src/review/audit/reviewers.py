"""One reviewer's screening, as an auditor checks it: every decision they made (changed minds
included), their exclusion reasons, the conflicts they were in and how those were settled, the
conflicts they settled, and their agreement with each other reviewer (and with the checkers of
a verification sample) on the studies both decided (:mod:`review.agreement`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from review.agreement import cohen_kappa_interval, wilson_interval
from review.audit.timeline import STAGE_LABELS, Entry
from review.audit.verification import Check, latest_checks
from review.states import STAGES


@dataclass(frozen=True)
class Decided:
    """One row of a reviewer's decisions: the study and the ledger entry."""

    study_id: str
    cite: str
    entry: Entry


@dataclass
class Pair:
    """Agreement of two raters at one stage, on the studies both decided."""

    stage: str
    other: str
    verification: bool
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (this rater, the other)

    @property
    def n(self) -> int:
        return len(self.pairs)

    @property
    def percent(self) -> tuple[float, float, float] | None:
        return wilson_interval(sum(1 for a, b in self.pairs if a == b), self.n)

    @property
    def kappa(self) -> tuple[float, float, float] | None:
        if not self.pairs:
            return None
        return cohen_kappa_interval([a for a, _ in self.pairs], [b for _, b in self.pairs])


@dataclass
class StageSummary:
    """What a reviewer did at one stage."""

    stage: str
    label: str
    current: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    superseded: int = 0
    set_aside: int = 0
    conflicts: int = 0
    conflicts_settled: int = 0
    settled_their_way: int = 0


@dataclass
class Reviewer:
    """Everything one reviewer decided or settled."""

    name: str
    stages: list[StageSummary]
    decisions: list[Decided]
    resolutions: list[Decided]
    agreement: list[Pair]
    checks: list[Check] = field(default_factory=list)

    @property
    def n_decisions(self) -> int:
        return len(self.decisions)

    @property
    def rows(self) -> list[Decided]:
        """Their ledger rows and resolutions together, by stage then time: the paged list."""
        rank: dict[str, int] = {s: i for i, s in enumerate(STAGES)}
        return sorted(
            [*self.decisions, *self.resolutions],
            key=lambda d: (rank.get(d.entry.stage, 9), d.entry.timestamp, d.study_id),
        )

    @property
    def settled(self) -> Counter[str]:
        """Their resolutions by decision (current ones)."""
        return Counter(d.entry.decision for d in self.resolutions if d.entry.counted)


def reviewers(
    studies: Iterable[tuple[str, str, Sequence[Entry]]], checks: Iterable[Check] = ()
) -> list[Reviewer]:
    """Every reviewer (and resolver) named in the studies' ledger entries, by name."""
    decided: dict[str, list[Decided]] = defaultdict(list)
    resolved: dict[str, list[Decided]] = defaultdict(list)
    # stage -> study -> reviewer -> current decision
    current: dict[str, dict[str, dict[str, str]]] = {s: defaultdict(dict) for s in STAGES}
    summaries: dict[str, dict[str, StageSummary]] = defaultdict(dict)

    def summary(name: str, stage: str) -> StageSummary:
        return summaries[name].setdefault(stage, StageSummary(stage, STAGE_LABELS[stage]))

    for study_id, cite, entries in studies:
        for e in entries:
            if e.stage not in STAGES:
                continue
            if e.kind == "resolution":
                resolved[e.who].append(Decided(study_id, cite, e))
                continue
            if e.kind != "decision":
                continue
            decided[e.who].append(Decided(study_id, cite, e))
            s = summary(e.who, e.stage)
            if e.set_aside:
                s.set_aside += 1
                continue
            if e.superseded:
                s.superseded += 1
                continue
            s.current[e.decision] += 1
            if e.decision == "exclude":
                s.reasons.update(e.reasons)
            current[e.stage][study_id][e.who] = e.decision
        for stage in STAGES:
            _conflicts(stage, [e for e in entries if e.stage == stage], summary)

    pairs: dict[str, list[Pair]] = defaultdict(list)
    for stage in STAGES:
        names = sorted({r for d in current[stage].values() for r in d})
        for a, b in combinations(names, 2):
            both = [d for d in current[stage].values() if a in d and b in d]
            if both:
                pairs[a].append(Pair(stage, b, False, [(d[a], d[b]) for d in both]))
                pairs[b].append(Pair(stage, a, False, [(d[b], d[a]) for d in both]))
    checked: dict[str, list[Check]] = defaultdict(list)
    for c in latest_checks(checks):
        checked[c.checker].append(c)
        for name, decision in current.get(c.stage, {}).get(c.study_id, {}).items():
            _pair(pairs, name, c.checker, c.stage).pairs.append((decision, c.decision))
            _pair(pairs, c.checker, name, c.stage).pairs.append((c.decision, decision))

    names = sorted(set(decided) | set(resolved) | set(checked))
    return [
        Reviewer(
            name=name,
            stages=[summaries[name][s] for s in STAGES if s in summaries[name]],
            decisions=decided.get(name, []),
            resolutions=resolved.get(name, []),
            agreement=sorted(pairs.get(name, []), key=lambda p: (p.stage, p.verification, p.other)),
            checks=checked.get(name, []),
        )
        for name in names
    ]


def _pair(pairs: dict[str, list[Pair]], name: str, other: str, stage: str) -> Pair:
    """The verification pair of ``name`` with ``other`` at ``stage`` (made when first met)."""
    for p in pairs[name]:
        if p.stage == stage and p.other == other and p.verification:
            return p
    pair = Pair(stage, other, True)
    pairs[name].append(pair)
    return pair


def _conflicts(
    stage: str, entries: Sequence[Entry], summary: Callable[[str, str], StageSummary]
) -> None:
    """Count, for each reviewer, the conflicts they were in at ``stage`` and how each ended."""
    mine = {e.who: e for e in entries if e.kind == "decision" and e.counted}
    if len({e.decision for e in mine.values()}) < 2:
        return
    resolution = next((e for e in entries if e.kind == "resolution" and e.counted), None)
    for who, e in mine.items():
        s = summary(who, stage)
        s.conflicts += 1
        if resolution is not None:
            s.conflicts_settled += 1
            if resolution.decision == e.decision:
                s.settled_their_way += 1
