"""Which full-text decisions may count: order of work, the assessment basis, retired criteria.

One set of rules, used twice: :mod:`review.screening.state` sets aside (lists, never counts)
ledger rows that break them, and the import (:mod:`review.screening.actions`) refuses new rows
that would, each with its row and the reason. A ledger is never changed.

- **Order of work**: a full-text decision exists only for a study included at title/abstract
  (after any resolution); any other is *out of order*.
- **Needs the full text**: a decision that uses a criterion the protocol marks
  ``needs_full_text`` is only possible for a study whose full text is at hand (retrieved, or
  added by a reviewer: ``fulltext.csv``).
- **Not retrieved**: when the protocol's ``fulltext.assessment_basis`` is ``full_text``, a
  full-text decision on a report that is not at hand is not an assessment on the full text.
  With ``record_and_summary`` (a declared deviation) it is allowed and counted on that basis.
- **Retired criteria**: a criterion the protocol has ``retired`` stays readable in old ledgers
  and is set aside; it is refused in new rows.
- **Reviewers set aside** (:mod:`review.setaside`): every row of a reviewer the protocol's
  amendment sets aside at that stage, and every resolution such a reviewer made there, is set
  aside first, at both stages: the state is then built as if those rows did not exist (a
  conflict a set-aside adjudicator settled is open again, for a new resolver).

A protocol that declares no ``fulltext`` block and no criterion needing the full text has no
basis: the retrieval rules do not apply to it (nothing about its reports is known).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from review.protocol import Protocol
from review.screening.ledger import LedgerRow, Ledgers, current
from review.screening.verdict import verdict
from review.setaside import PROBLEM, SetAside, set_aside_at
from review.states import HAS_FULL_TEXT, Decision, FullTextBasis, Stage

BASIS_WORDS = {
    FullTextBasis.FULL_TEXT: "the full text",
    FullTextBasis.RECORD_AND_SUMMARY: "the record and summary (a declared deviation)",
}


@dataclass(frozen=True)
class Problem:
    kind: str  # out_of_order | needs_full_text | not_retrieved | retired_criterion |
    # reviewer_set_aside
    detail: str


@dataclass(frozen=True)
class FullTextRules:
    """The protocol's rules and each study's retrieval status (``None``: not given)."""

    basis: str | None
    needs_full_text: frozenset[str] = frozenset()
    retired: Mapping[str, str] = field(default_factory=dict)
    retrieval: Mapping[str, str] | None = None
    #: Per stage, the reviewers whose decisions there a protocol amendment set aside.
    set_aside: Mapping[str, Mapping[str, SetAside]] = field(default_factory=dict)

    @classmethod
    def of(cls, protocol: Protocol, retrieval: Mapping[str, str] | None = None) -> FullTextRules:
        return cls(
            protocol.assessment_basis,
            frozenset(protocol.needs_full_text),
            protocol.retired_criteria,
            retrieval,
            {s: set_aside_at(protocol, s) for s in Stage},
        )

    @property
    def active(self) -> bool:
        """Do the retrieval rules apply (the protocol declares a basis)?"""
        return self.basis is not None

    def status(self, study_id: str) -> str:
        if self.retrieval is None:
            return "unknown (no fulltext.csv given)"
        return self.retrieval.get(study_id, "") or "unknown"

    def has_text(self, study_id: str) -> bool:
        return self.retrieval is not None and self.retrieval.get(study_id, "") in HAS_FULL_TEXT

    def basis_of(self, study_id: str) -> str:
        """The basis a counted full-text decision on this study was made on."""
        if not self.active:
            return ""
        return FullTextBasis.FULL_TEXT if self.has_text(study_id) else self.basis or ""

    def reviewer_problem(self, row: LedgerRow) -> Problem | None:
        """The row's reviewer (the resolver, for a resolution) is set aside at its stage."""
        who = row.resolver or row.reviewer
        aside = self.set_aside.get(row.stage, {}).get(who)
        return Problem(PROBLEM, aside.detail()) if aside is not None else None

    def retired_problem(self, row: LedgerRow) -> Problem | None:
        used = [c for c in row.reasons if c in self.retired]
        if not used:
            return None
        return Problem(
            "retired_criterion", f"uses {used[0]}, a retired criterion: {self.retired[used[0]]}"
        )

    def problem(self, row: LedgerRow, ta_state: str, ta_included: bool) -> Problem | None:
        """Why a full-text-stage row may not count (``None``: it counts). Order of work is
        checked first: a decision out of order is that, whatever criterion it uses."""
        sid = row.study_id
        if not ta_included:
            return Problem(
                "out_of_order",
                f"full-text decision for study {sid}, which is not included at title/abstract "
                f"(title/abstract: {ta_state or 'not decided'}); decide it at title/abstract "
                "first",
            )
        retired = self.retired_problem(row)
        if retired is not None:
            return retired
        if not self.active or self.has_text(sid):
            return None
        needs = [c for c in row.reasons if c in self.needs_full_text]
        if needs:
            return Problem(
                "needs_full_text",
                f"uses {needs[0]}, a criterion that needs the full text, but study {sid} has "
                f"no full text at hand (retrieval: {self.status(sid)}); basis was "
                f"{BASIS_WORDS[FullTextBasis(self.basis or FullTextBasis.FULL_TEXT)]}",
            )
        if self.basis == FullTextBasis.FULL_TEXT:
            return Problem(
                "not_retrieved",
                f"full-text decision on study {sid}, whose report is not at hand (retrieval: "
                f"{self.status(sid)}), while the protocol's assessment basis is the full text; "
                "add the file (review fulltext add) or retrieve it first",
            )
        return None


@dataclass
class Filtered:
    """The ledgers whose rows count, the rows set aside with their problem, and each study's
    title/abstract verdict."""

    kept: Ledgers
    set_aside: list[tuple[LedgerRow, Problem]]
    ta_included: set[str]
    ta_state: dict[str, str]


def ta_outcomes(ledgers: Ledgers, auto_excluded: Iterable[str]) -> tuple[set[str], dict[str, str]]:
    """Studies included at title/abstract (after resolutions), and each decided study's
    title/abstract outcome in words."""
    stage = Stage.TITLE_ABSTRACT
    decided: dict[str, dict[str, LedgerRow]] = {}
    for (who, sid), row in current(ledgers.decisions[stage]).items():
        decided.setdefault(sid, {})[who] = row
    resolved = {sid: r for (_w, sid), r in current(ledgers.resolutions[stage]).items()}
    excluded = set(auto_excluded)
    included: set[str] = set()
    words: dict[str, str] = {}
    for sid in set(decided) | set(resolved):
        v = verdict(stage, decided.get(sid, {}), resolved.get(sid))
        words[sid] = v.decision or "not decided"
        if sid in excluded:
            words[sid] = "excluded by an automatic criterion"
        elif v.decision == Decision.INCLUDE:
            included.add(sid)
    return included, words


def filter_ledgers(
    ledgers: Ledgers, rules: FullTextRules, auto_excluded: Iterable[str]
) -> Filtered:
    """Split the (carried-forward) ledgers into rows that count and rows set aside."""
    set_aside: list[tuple[LedgerRow, Problem]] = []

    def keep(rows: list[LedgerRow], stage: str) -> list[LedgerRow]:
        """Rows of reviewers not set aside (both stages); at title/abstract, also unretired
        (at full text, retired criteria are checked with the order of work below)."""
        out = []
        for row in rows:
            problem = rules.reviewer_problem(row)
            if problem is None and stage == Stage.TITLE_ABSTRACT:
                problem = rules.retired_problem(row)
            if problem is None:
                out.append(row)
            else:
                set_aside.append((row, problem))
        return out

    first = Ledgers(
        {s: keep(list(r), s) for s, r in ledgers.decisions.items()},
        {s: keep(list(r), s) for s, r in ledgers.resolutions.items()},
    )
    included, words = ta_outcomes(first, auto_excluded)
    ft = Stage.FULL_TEXT
    kept = Ledgers(dict(first.decisions), dict(first.resolutions))
    for book in ("decisions", "resolutions"):
        rows = getattr(first, book).get(ft, [])
        counted = []
        for row in rows:
            problem = rules.problem(row, words.get(row.study_id, ""), row.study_id in included)
            if problem is None:
                counted.append(row)
            else:
                set_aside.append((row, problem))
        getattr(kept, book)[ft] = counted
    return Filtered(kept, set_aside, included, words)


def set_aside_rows(filtered: Filtered) -> list[dict[str, object]]:
    """The rows of ``screening_set_aside.csv``."""
    out = []
    for row, problem in filtered.set_aside:
        out.append(
            {
                "stage": row.stage,
                "reviewer": row.resolver or row.reviewer,
                "study_id": row.study_id,
                "decision": row.decision,
                "reason": row.reason,
                "timestamp": row.timestamp,
                "source": row.source,
                "row": row.row,
                "problem": problem.kind,
                "detail": problem.detail,
            }
        )
    return sorted(
        out, key=lambda r: (str(r["source"]), int(str(r["row"]) or 0), str(r["study_id"]))
    )


def _order(row: dict[str, object]) -> tuple[str, int, str]:
    return (str(row["source"]), int(str(row["row"]) or 0), str(row["study_id"]))
