"""One study's screening decisions as an auditor checks them.

The screening stage writes every ledger row as an event (``screening_events.csv``), with the
file and row it came from. Read in order, they are the study's *timeline*; the latest row of a
reviewer at a stage is that reviewer's current decision, and the rows before it are
*superseded* (a changed mind is a new row: the old one is kept and shown as such). Put side by
side, the reviewers' current decisions show the conflict, if any, and the resolution row that
settled it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from review.audit.names import page_stem
from review.decisions import parse_timestamp
from review.records import split_list
from review.states import STAGES, Stage

#: Stages in the order of the flow, with how the pages name them.
STAGE_LABELS: dict[str, str] = {
    "automatic": "Automatic criteria",
    Stage.TITLE_ABSTRACT: "Title and abstract",
    Stage.FULL_TEXT: "Full text",
}
#: The columns of ``screening.csv`` that hold each stage's outcome.
STAGE_COLUMNS: dict[str, str] = {Stage.TITLE_ABSTRACT: "ta", Stage.FULL_TEXT: "ft"}
AUTOMATION = "automation"
_EARLIEST = datetime.min.replace(tzinfo=UTC)


@dataclass
class Entry:
    """One screening event of the study: a reviewer's ledger row, a resolution, an automatic
    criterion or a carry-forward."""

    stage: str
    kind: str  # decision | resolution | automatic | carry_forward
    who: str
    decision: str
    reasons: list[str]
    note: str
    timestamp: str
    source: str = ""
    row: str = ""
    attached_by: str = ""
    ledger_study_id: str = ""
    anchor: str = ""
    superseded_by: Entry | None = None
    #: why the row is kept but not counted (the screening stage set it aside), else ""
    set_aside: str = ""

    @property
    def superseded(self) -> bool:
        return self.superseded_by is not None

    @property
    def counted(self) -> bool:
        """A current row the state counts: neither replaced by a later row nor set aside."""
        return not self.superseded and not self.set_aside

    @property
    def where(self) -> str:
        """The ledger file and row, as a reviewer finds it again."""
        if not self.source:
            return ""
        return f"{self.source}, row {self.row}" if self.row else self.source


@dataclass
class StageView:
    """The reviewers of one stage side by side: current decisions, conflict and settlement."""

    stage: str
    label: str
    current: list[Entry]
    superseded: int
    resolution: Entry | None
    outcome: str
    outcome_reasons: list[str]
    basis: str = ""
    set_aside: int = 0

    @property
    def conflict(self) -> bool:
        """Whether the reviewers' current decisions differ."""
        return len({e.decision for e in self.current}) > 1

    @property
    def settled(self) -> str:
        """How the stage was settled, in words an auditor can check."""
        if not self.current and self.resolution is None:
            return ""  # the outcome already says "no decision"
        if self.conflict and self.resolution is not None:
            return f"conflict settled by {self.resolution.who}"
        if self.conflict:
            return "conflict, not settled yet"
        if len(self.current) == 1:
            return "one reviewer"
        return f"{len(self.current)} reviewers agree"


def _kind(event: Mapping[str, str]) -> str:
    if event.get("decision") == "carry_forward":
        return "carry_forward"
    if event.get("stage") == "automatic":
        return "automatic"
    if event.get("resolver") or event.get("reviewer", "").startswith("_"):
        return "resolution"
    return "decision"


def _order(entry: Entry) -> tuple[datetime, str, int]:
    row = int(entry.row) if entry.row.isdigit() else 0
    return (parse_timestamp(entry.timestamp) or _EARLIEST, entry.source, row)


def entries(events: Iterable[Mapping[str, str]]) -> list[Entry]:
    """The study's events as timeline entries, in the order of the flow and then of time, each
    superseded row linked to the row that replaced it."""
    out: list[Entry] = []
    for event in events:
        out.append(
            Entry(
                stage=event.get("stage", ""),
                kind=_kind(event),
                # a resolution row names its reviewer "_resolutions"; its person is the resolver
                who=event.get("resolver") or event.get("reviewer", ""),
                decision=event.get("decision", ""),
                reasons=split_list(event.get("reason", "")),
                note=event.get("note", ""),
                timestamp=event.get("timestamp", ""),
                source=event.get("source", ""),
                row=str(event.get("row", "") or ""),
                attached_by=event.get("attached_by", ""),
                ledger_study_id=event.get("ledger_study_id", ""),
                set_aside=event.get("set_aside", ""),
            )
        )
    stage_rank = {s: i for i, s in enumerate(STAGE_LABELS)}
    out.sort(key=lambda e: (stage_rank.get(e.stage, len(stage_rank)), _order(e)))
    latest: dict[tuple[str, str], Entry] = {}
    seen_anchors: set[str] = set()
    for entry in out:
        # a row set aside is kept and shown, never counted: it replaces no row
        if entry.kind in ("decision", "resolution") and not entry.set_aside:
            key = (entry.stage, entry.who if entry.kind == "decision" else "_resolution")
            previous = latest.get(key)
            if previous is not None:
                previous.superseded_by = entry
            latest[key] = entry
        entry.anchor = _anchor(entry, seen_anchors)
    return out


def _anchor(entry: Entry, seen: set[str]) -> str:
    """A fragment naming the row (stage, who, ledger row) that stays the same on every render."""
    stage = STAGE_COLUMNS.get(entry.stage, entry.stage[:4])
    base = page_stem(f"{stage}-{entry.who}-{entry.row or entry.kind}")
    anchor, n = base, 1
    while anchor in seen:
        n += 1
        anchor = f"{base}-{n}"
    seen.add(anchor)
    return anchor


def stage_views(entries_: Sequence[Entry], state: Mapping[str, str]) -> list[StageView]:
    """Each screening stage with its reviewers side by side (stages nobody reached are left out
    unless the state names an outcome for them)."""
    views = []
    for stage in STAGES:
        mine = [e for e in entries_ if e.stage == stage]
        decisions = [e for e in mine if e.kind == "decision" and not e.set_aside]
        current = sorted((e for e in decisions if not e.superseded), key=lambda e: e.who)
        resolutions = [e for e in mine if e.counted and e.kind == "resolution"]
        col = STAGE_COLUMNS[stage]
        outcome = state.get(f"{col}_decision", "")
        if not mine and not outcome:
            continue
        basis = state.get(f"{col}_basis", "")
        views.append(
            StageView(
                stage=stage,
                label=STAGE_LABELS[stage],
                current=current,
                superseded=sum(1 for e in decisions if e.superseded),
                set_aside=sum(1 for e in mine if e.set_aside),
                resolution=resolutions[-1] if resolutions else None,
                outcome=outcome,
                outcome_reasons=split_list(state.get(f"{col}_reason", "")),
                basis=basis,
            )
        )
    return views


def current_decisions(events: Iterable[Mapping[str, str]]) -> dict[str, dict[str, Entry]]:
    """``stage -> reviewer -> current entry`` for one study's events."""
    out: dict[str, dict[str, Entry]] = defaultdict(dict)
    for entry in entries(events):
        if entry.kind == "decision" and entry.counted:
            out[entry.stage][entry.who] = entry
    return out
