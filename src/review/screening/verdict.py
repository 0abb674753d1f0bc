"""The state machine: one stage's verdict from the reviewers' decisions, then the study's state.

A stage's verdict is the reviewers' common decision, or a resolution's when one settles their
disagreement, or ``conflict`` while they disagree. The state follows DESIGN.md's machine
(:class:`review.states.ScreeningState`): an automatic exclusion first, then title/abstract, then
full text. Whether a report was retrieved is not a decision: the state builder takes it from
the retrieval status (:mod:`review.screening.fulltext_rules`), never from a criterion code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from review.screening.ledger import LedgerRow
from review.states import Decision, ScreeningState, Stage


@dataclass(frozen=True)
class StageVerdict:
    decision: str  # include | exclude | maybe | conflict | "" (nobody decided)
    reason: str
    reviewers: list[str]
    conflict: str


def ordered_reasons(rows: Sequence[LedgerRow]) -> list[str]:
    """The rows' reason codes, each once, in the order the rows give them."""
    seen: list[str] = []
    for row in rows:
        for code in row.reasons:
            if code not in seen:
                seen.append(code)
    return seen


def verdict(
    stage: str,
    decided: Mapping[str, LedgerRow],
    resolution: LedgerRow | None,
    split: Sequence[str] = (),
) -> StageVerdict:
    """One stage's outcome for one study from the reviewers' current rows and a resolution.

    ``split`` names reviewers who decided the studies merged into this one differently
    (:func:`review.screening.agreement.split_minds`): a conflict, whatever their latest row.
    """
    reviewers = sorted(decided)
    decisions = {r.decision for r in decided.values()}
    conflict = ""
    if len(decisions) > 1 or split:
        why = (
            f" ({', '.join(split)} decided the merged studies differently)"
            if split and len(decisions) < 2
            else ""
        )
        conflict = (
            f"{stage}: resolved by {resolution.resolver}{why}"
            if resolution
            else f"{stage}: unresolved{why}"
        )
    if resolution is not None:
        return StageVerdict(
            resolution.decision,
            "; ".join(ordered_reasons([resolution])),
            [*reviewers, resolution.resolver],
            conflict,
        )
    if not decided:
        return StageVerdict("", "", [], "")
    if len(decisions) > 1 or split:
        return StageVerdict("conflict", "", reviewers, conflict)
    decision = decisions.pop()
    reason = "; ".join(ordered_reasons(list(decided.values()))) if decision != "include" else ""
    return StageVerdict(decision, reason, reviewers, "")


def state_of(auto_codes: Sequence[str], verdicts: Mapping[Stage, StageVerdict]) -> ScreeningState:
    """The study's state from its automatic exclusions and its verdict at each stage."""
    if auto_codes:
        return ScreeningState.EXCLUDED_AUTO
    ta = verdicts[Stage.TITLE_ABSTRACT].decision
    if not ta:
        return ScreeningState.TO_SCREEN
    if ta == Decision.EXCLUDE:
        return ScreeningState.EXCLUDED_TA
    if ta != Decision.INCLUDE:
        return ScreeningState.MAYBE_TA
    ft = verdicts[Stage.FULL_TEXT]
    if ft.decision == Decision.INCLUDE:
        return ScreeningState.INCLUDED_FT
    if ft.decision == Decision.EXCLUDE:
        return ScreeningState.EXCLUDED_FT
    return ScreeningState.INCLUDED_TA
