"""Sensitivity analyses (``synthesis.sensitivity``): the synthesis recomputed without some
studies, shown beside the main result, with a flag wherever the result changes.

A result *changes* when the direction with more studies changes (improved, worsened, tied),
when no study is left where there was one, or when a verdict on a published conclusion
changes. Each analysis excludes the studies matching any of its rules:
``appraisal_overall`` (overall levels of concern), ``field``/``values`` (coded values),
``published_after`` (a year; studies without a year stay) and ``year_missing``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from review.synthesis.comparison import Verdict, judge_all
from review.synthesis.direction import VoteCount, vote_count
from review.synthesis.studies import IMPROVED, NO_CHANGE, WORSENED, Study, year_of


@dataclass(frozen=True)
class Finding:
    """A review finding as the synthesis needs it: its contributing main studies."""

    id: str
    studies: tuple[str, ...]
    domains: tuple[str, ...] = ()
    group: str = ""


@dataclass(frozen=True)
class Settings:
    """What every rerun needs besides the studies."""

    domains: tuple[str, ...] = ()
    group_field: str = ""
    group_ids: tuple[str, ...] = ()
    conclusions: tuple[Mapping[str, Any], ...] = ()
    findings: tuple[Finding, ...] = ()
    theme_field: str = ""
    design_field: str = ""
    evidence_types: tuple[str, ...] | None = None
    confidence: float = 0.95


@dataclass(frozen=True)
class Result:
    """The synthesis over one set of studies."""

    studies: tuple[Study, ...]
    votes: Mapping[str, VoteCount]
    groups: Mapping[str, Mapping[str, VoteCount]]
    verdicts: Mapping[str, Verdict]
    findings: Mapping[str, VoteCount]
    finding_n: Mapping[str, int]


@dataclass(frozen=True)
class Change:
    """One flagged difference between the main result and an analysis."""

    what: str  # domain | group | conclusion | finding
    id: str
    domain: str
    main: str
    now: str


@dataclass(frozen=True)
class Analysis:
    id: str
    label: str
    exclude: Mapping[str, Any]
    removed: tuple[Study, ...]
    result: Result
    changes: tuple[Change, ...] = field(default=())

    def changed(self, what: str, key: str, domain: str = "") -> Change | None:
        return next(
            (c for c in self.changes if c.what == what and c.id == key and c.domain == domain),
            None,
        )


def excluded(study: Study, rules: Mapping[str, Any]) -> bool:
    """Whether any rule of an analysis's ``exclude`` matches ``study``."""
    levels = rules.get("appraisal_overall") or []
    if levels and study.concern in levels:
        return True
    name = rules.get("field")
    if name and set(rules.get("values") or []) & set(study.get(name)):
        return True
    after = rules.get("published_after")
    if after is not None:
        limit = year_of(str(after))
        if limit is None:
            raise ValueError(f"published_after: {after!r} is not a year")
        if study.year is not None and study.year > limit:
            return True
    return bool(rules.get("year_missing")) and study.year is None


def _effects(studies: Sequence[Study], finding: Finding, settings: Settings) -> VoteCount:
    """Every counted direction of the finding's studies in its domains (all, if none named)."""
    ids = set(finding.studies)
    domains = finding.domains or settings.domains
    outcomes = [
        o
        for s in studies
        if s.id in ids
        for d in domains
        if (o := s.counted(d, settings.evidence_types)) is not None
    ]
    return VoteCount(
        domain="",
        improved=sum(o.direction == IMPROVED for o in outcomes),
        worsened=sum(o.direction == WORSENED for o in outcomes),
        no_change=sum(o.direction == NO_CHANGE for o in outcomes),
        confidence=settings.confidence,
    )


def synthesise(studies: Sequence[Study], settings: Settings) -> Result:
    """The vote counts (overall and per group), verdicts and finding profiles of ``studies``."""

    def votes(members: Sequence[Study]) -> dict[str, VoteCount]:
        return {
            d: vote_count(
                members, d, evidence_types=settings.evidence_types, confidence=settings.confidence
            )
            for d in settings.domains
        }

    present = {s.id for s in studies}
    return Result(
        studies=tuple(studies),
        votes=votes(studies),
        groups={
            g: votes([s for s in studies if g in s.get(settings.group_field)])
            for g in settings.group_ids
        },
        verdicts={
            v.id: v
            for v in judge_all(
                settings.conclusions,
                studies,
                theme_field=settings.theme_field,
                design_field=settings.design_field,
                evidence_types=settings.evidence_types,
            )
        },
        findings={f.id: _effects(studies, f, settings) for f in settings.findings},
        finding_n={f.id: len(present & set(f.studies)) for f in settings.findings},
    )


def _vote_change(what: str, key: str, domain: str, main: VoteCount, now: VoteCount) -> list[Change]:
    if main.direction != now.direction:
        return [Change(what, key, domain, main.direction, now.direction)]
    return []


def compare(main: Result, other: Result) -> tuple[Change, ...]:
    """Every flagged difference of ``other`` from ``main`` (see the module docstring)."""
    out: list[Change] = []
    for d, vote in main.votes.items():
        out += _vote_change("domain", d, d, vote, other.votes[d])
    for g, per_domain in main.groups.items():
        for d, vote in per_domain.items():
            out += _vote_change("group", g, d, vote, other.groups[g][d])
    for cid, verdict in main.verdicts.items():
        now = other.verdicts[cid].verdict
        if now != verdict.verdict:
            out.append(Change("conclusion", cid, "", verdict.verdict, now))
    for fid, vote in main.findings.items():
        if main.finding_n[fid] and not other.finding_n[fid]:
            out.append(Change("finding", fid, "", f"{main.finding_n[fid]} studies", "no study"))
        else:
            out += _vote_change("finding", fid, "", vote, other.findings[fid])
    return tuple(out)


def run_analyses(
    studies: Sequence[Study], analyses: Sequence[Mapping[str, Any]], settings: Settings
) -> tuple[Result, list[Analysis]]:
    """The main result and each declared analysis, with what it changes."""
    main = synthesise(studies, settings)
    out = []
    for spec in analyses:
        rules = spec["exclude"]
        kept = [s for s in studies if not excluded(s, rules)]
        result = synthesise(kept, settings)
        out.append(
            Analysis(
                id=str(spec["id"]),
                label=str(spec["label"]),
                exclude=rules,
                removed=tuple(s for s in studies if excluded(s, rules)),
                result=result,
                changes=compare(main, result),
            )
        )
    return main, out
