"""The rows the audit index filters: one short array per study, names replaced by numbers.

At 50,000 studies the index cannot be one page of full trails (about 3 KB a study); it loads
these rows in chunks (``audit/data/chunk-NNNN.js``) and shows the matching studies a page at a
time, each linking to the study's own page. A row holds only what the filters and the result
list need; repeated names (reviewers, criterion codes, PRISMA boxes, versions) are indexes into
the vocabulary written once in ``audit/data/meta.js``. The layout is documented here and read
by ``templates/audit/index.js``::

    [0 study id, 1 page name ("" when it is the id), 2 citation, 3 title, 4 year,
     5 box, 6 flags, 7 stages [automatic, title/abstract, full text],
     8 record ids (space-separated), 9 versions it changed since, 10 checks]

A stage is ``0`` (nothing happened there) or ``[outcome, [codes], [[reviewer, decision,
[codes], resolution], …]]`` with ``outcome`` an index of :data:`DECISIONS` (``-1``: no outcome
yet): each reviewer's current decision, then the resolution that settled the stage (its
``resolution`` is 1). A check is ``[checker, stage, decision, agrees]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from review.audit.timeline import STAGE_COLUMNS, Entry
from review.audit.verification import STAGE_COLUMN, Check
from review.records import split_list
from review.report.audit import Trail
from review.report.studies import BOXES

#: Decisions and outcomes, by their index in the rows.
DECISIONS = ("include", "exclude", "maybe", "conflict")
#: The stages of a row, in order.
ROW_STAGES = ("automatic", "title_abstract", "full_text")

#: Flag bits of a row.
CONFLICT = 1
UNRESOLVED = 2
CARRIED = 4
VERIFIED = 8
DISAGREES = 16
CHANGED_MIND = 32
FLAGS = {
    "conflict": CONFLICT,
    "unresolved": UNRESOLVED,
    "carried": CARRIED,
    "verified": VERIFIED,
    "disagrees": DISAGREES,
    "changed_mind": CHANGED_MIND,
}


@dataclass
class Vocabulary:
    """Names shared by all rows, each numbered once in the order first met."""

    boxes: list[str]
    codes: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._index: dict[str, dict[str, int]] = {"codes": {}, "reviewers": {}, "versions": {}}
        for name in ("codes", "reviewers", "versions"):
            for value in list(getattr(self, name)):
                self._index[name].setdefault(value, len(self._index[name]))

    def number(self, kind: str, value: str) -> int:
        index = self._index[kind]
        if value not in index:
            index[value] = len(index)
            getattr(self, kind).append(value)
        return index[value]

    def meta(self) -> dict[str, Any]:
        return {
            "decisions": list(DECISIONS),
            "stages": list(ROW_STAGES),
            "boxes": self.boxes,
            "box_labels": [BOXES.get(b, b) for b in self.boxes],
            "codes": self.codes,
            "reviewers": self.reviewers,
            "versions": self.versions,
            "flags": FLAGS,
        }


def _codes(vocab: Vocabulary, codes: Sequence[str]) -> list[int]:
    return [vocab.number("codes", c) for c in codes]


def _outcome(decision: str) -> int:
    return DECISIONS.index(decision) if decision in DECISIONS else -1


def stage_cells(trail: Trail, entries: Sequence[Entry], vocab: Vocabulary) -> tuple[list[Any], int]:
    """The three stages of a row, and the flags they raise."""
    state = trail.state
    flags = 0
    out: list[Any] = []
    auto = split_list(state.get("auto_reason", ""))
    out.append([DECISIONS.index("exclude"), _codes(vocab, auto), []] if auto else 0)
    for stage in ROW_STAGES[1:]:
        col = STAGE_COLUMNS[stage]
        current = [e for e in entries if e.stage == stage and e.kind == "decision"]
        if any(e.superseded for e in current):
            flags |= CHANGED_MIND
        current = [e for e in current if e.counted]
        outcome = state.get(f"{col}_decision", "")
        if not current and not outcome:
            out.append(0)
            continue
        decisions = {e.decision for e in current}
        settled = [e for e in entries if e.stage == stage and e.kind == "resolution"]
        settled = [e for e in settled if e.counted]
        resolved = bool(settled)
        if len(decisions) > 1:
            flags |= CONFLICT
            if outcome == "conflict" or not resolved:
                flags |= UNRESOLVED
        out.append(
            [
                _outcome(outcome),
                _codes(vocab, split_list(state.get(f"{col}_reason", ""))),
                [
                    [
                        vocab.number("reviewers", e.who),
                        _outcome(e.decision),
                        _codes(vocab, e.reasons),
                        int(e.kind == "resolution"),
                    ]
                    for e in [*sorted(current, key=lambda e: e.who), *settled[-1:]]
                ],
            ]
        )
    return out, flags


def index_row(
    trail: Trail,
    page: str,
    entries: Sequence[Entry],
    checks: Sequence[Check],
    changed: Sequence[str],
    vocab: Vocabulary,
) -> list[Any]:
    """One study's row of the index (layout in the module docstring)."""
    stages, flags = stage_cells(trail, entries, vocab)
    if trail.state.get("carried_forward_note"):
        flags |= CARRIED
    cells = []
    for c in checks:
        original = trail.state.get(f"{STAGE_COLUMN[c.stage]}_decision", "")
        agrees = -1 if original not in DECISIONS[:3] else int(original == c.decision)
        flags |= VERIFIED
        if agrees == 0:
            flags |= DISAGREES
        cells.append(
            [
                vocab.number("reviewers", c.checker),
                ROW_STAGES.index(c.stage),
                _outcome(c.decision),
                agrees,
            ]
        )
    return [
        trail.study_id,
        "" if page == trail.study_id else page,
        trail.cite,
        trail.title,
        trail.year,
        vocab.boxes.index(trail.box),
        flags,
        stages,
        " ".join(r.record_id for r in trail.records if r.record_id != trail.study_id),
        [vocab.number("versions", v) for v in changed],
        cells,
    ]
