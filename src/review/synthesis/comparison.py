"""The comparison with a published review (``based_on``): a verdict per published conclusion.

The three verdicts (never "not supported" for absence of evidence):

- **direction** tests: the eligible studies are the included main studies that match the
  test's themes (any of them; none listed = any study), designs and ``where`` coding-field
  values (when listed: a conclusion about a kind of support is tested only by studies with
  it) and have a counted direction of effect (a measured direction of an evidence type vote
  counting counts) in at least one listed domain. None → ``no_eligible_evidence``. A study is
  *for* the conclusion when every counted direction it has in the listed domains is the
  expected one, else *against*; more studies for than against → ``consistent``, else
  ``inconsistent``.
- **presence** tests: the eligible studies are the included main studies (matching themes and
  designs when listed) that report any value of the field. Every listed value reported by at
  least one eligible study → ``consistent``; else ``no_eligible_evidence`` (a value nobody
  reports is missing evidence: coding what studies report cannot show that it was absent), so
  a presence test is never ``inconsistent``.

A conclusion without a test has no eligible evidence by definition (nothing says what would
test it), and the report says so.

"No eligible evidence" covers three situations a reader must be able to tell apart, so each such
verdict carries its ``reason``: the protocol states no test (``no_test``); no included study
enters the test (``no_study``: none matches it with a counted direction, or none reports any
value of the field); or studies enter a presence test but a named value is reported by none of
them (``value_unreported``: the evidence is there for the other values).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from review.synthesis.studies import Study

CONSISTENT, INCONSISTENT, NO_ELIGIBLE = "consistent", "inconsistent", "no_eligible_evidence"
VERDICTS = (CONSISTENT, INCONSISTENT, NO_ELIGIBLE)
#: Why a verdict is "no eligible evidence" (``Verdict.reason``), in the order the report lists them.
NO_TEST, NO_STUDY, VALUE_UNREPORTED = "no_test", "no_study", "value_unreported"
REASONS = (NO_STUDY, VALUE_UNREPORTED, NO_TEST)


@dataclass(frozen=True)
class Verdict:
    """One conclusion's verdict with the studies on each side."""

    id: str
    text: str
    kind: str
    verdict: str
    eligible: tuple[Study, ...] = ()
    for_: tuple[Study, ...] = ()
    against: tuple[Study, ...] = ()
    expects: str = ""
    domains: tuple[str, ...] = ()
    field_name: str = ""
    values: tuple[str, ...] = ()
    reported: Mapping[str, tuple[Study, ...]] = field(default_factory=dict)
    findings: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        """For ``no_eligible_evidence`` only: one of :data:`REASONS`; empty for the others."""
        if self.verdict != NO_ELIGIBLE:
            return ""
        if not self.kind:
            return NO_TEST
        return VALUE_UNREPORTED if self.eligible else NO_STUDY

    @property
    def missing_values(self) -> tuple[str, ...]:
        """presence: the listed values no eligible study reports."""
        return tuple(v for v in self.values if not self.reported.get(v))


def _matches(study: Study, tests: Mapping[str, Any], theme_field: str, design_field: str) -> bool:
    themes = tests.get("themes") or []
    designs = tests.get("designs") or []
    where = tests.get("where") or {}
    if themes and not set(themes) & set(study.get(theme_field)):
        return False
    if where and not set(where["values"]) & set(study.get(str(where["field"]))):
        return False
    return not designs or bool(set(designs) & set(study.get(design_field)))


def judge(
    conclusion: Mapping[str, Any],
    studies: Sequence[Study],
    *,
    theme_field: str = "",
    design_field: str = "",
    evidence_types: Sequence[str] | None = None,
) -> Verdict:
    """The verdict of one ``based_on.conclusions`` entry over the (included, windowed) studies."""
    tests = conclusion.get("tests") or {}
    base: dict[str, Any] = {
        "id": str(conclusion["id"]),
        "text": " ".join(str(conclusion["text"]).split()),
        "findings": tuple(conclusion.get("findings") or ()),
    }
    kind = str(tests.get("kind", ""))
    pool = [s for s in studies if _matches(s, tests, theme_field, design_field)]
    if kind == "direction":
        domains = tuple(tests["domains"])
        expects = str(tests.get("expects", "improved"))
        eligible: list[Study] = []
        for_: list[Study] = []
        against: list[Study] = []
        for s in pool:
            directions = [
                o.direction for d in domains if (o := s.counted(d, evidence_types)) is not None
            ]
            if not directions:
                continue
            eligible.append(s)
            (for_ if all(d == expects for d in directions) else against).append(s)
        verdict = CONSISTENT if len(for_) > len(against) else INCONSISTENT
        if not eligible:
            verdict = NO_ELIGIBLE
        return Verdict(
            kind=kind,
            verdict=verdict,
            eligible=tuple(eligible),
            for_=tuple(for_),
            against=tuple(against),
            expects=expects,
            domains=domains,
            **base,
        )
    if kind == "presence":
        name = str(tests["field"])
        values = tuple(tests["values"])
        eligible = [s for s in pool if s.get(name)]
        reported = {v: tuple(s for s in eligible if v in s.get(name)) for v in values}
        hit = {s.id for group in reported.values() for s in group}
        # A value no eligible study reports is absence of evidence, never evidence against:
        # coding what a study reports cannot show that something was absent.
        verdict = CONSISTENT if eligible and all(reported.values()) else NO_ELIGIBLE
        return Verdict(
            kind=kind,
            verdict=verdict,
            eligible=tuple(eligible),
            for_=tuple(s for s in eligible if s.id in hit),
            against=tuple(s for s in eligible if s.id not in hit),
            field_name=name,
            values=values,
            reported=reported,
            **base,
        )
    return Verdict(kind="", verdict=NO_ELIGIBLE, **base)


def judge_all(
    conclusions: Sequence[Mapping[str, Any]], studies: Sequence[Study], **options: Any
) -> list[Verdict]:
    return [judge(c, studies, **options) for c in conclusions]
