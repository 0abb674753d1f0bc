"""What changed since a published version: the records and studies found since (by source),
the studies whose selection changed (with the ledger rows that changed it), and every value of
the later stages' tables that changed, key by key.

Studies are compared through :mod:`review.versions.identity` (a study whose id changed is the
same study); ledger rows are the screening events a version did not have (append-only ledgers:
a row is new when its file and row number are). Tables are compared generically, by the key
their contract declares (``key: study_id``, or ``key: "study_id, item_id"``), so every table of
values a stage adds to the report (coding, appraisal, outcomes, findings, conclusions) is
compared once the previous version has a copy of it; tables without a key (events,
agreement statistics) are not values and are not compared.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from review.records import Record, split_list
from review.states import ScreeningState
from review.tables import Row, contract
from review.versions.identity import Match, match_studies, new_study_ids
from review.versions.store import Version

#: States that take a study out of the review (any stage).
EXCLUDED = frozenset(
    {
        ScreeningState.EXCLUDED_AUTO,
        ScreeningState.EXCLUDED_TA,
        ScreeningState.EXCLUDED_FT,
        ScreeningState.NOT_RETRIEVED,
    }
)
#: Stages whose tables the selection part already shows (the rest are compared value by value).
_SELECTION_STAGES = frozenset({"search", "normalise", "dedup", "screen", "report", "version"})
_STUDY_KEYS = ("study_id", "main_study_id")


@dataclass
class StudyChange:
    """A study whose place in the selection changed, and the ledger rows that changed it."""

    study_id: str
    previous_ids: list[str]
    before: str
    after: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class SourceNew:
    """Records identified since the version, for one source."""

    source_id: str
    label: str
    records: int
    joined_earlier: int
    new_studies: int


@dataclass
class TableChange:
    """One table compared with its copy in the version, by its key."""

    name: str
    description: str
    key: list[str]
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: (key, column, old, new) for every value that differs
    changed: list[tuple[str, str, str, str]] = field(default_factory=list)
    #: for tables of named items (findings, conclusions): every item and whether it changed
    items: list[tuple[str, str]] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass
class Changes:
    """Everything the "What changed since" section shows."""

    previous: Version
    by_source: list[SourceNew]
    new_studies: list[tuple[str, str]]  #: (study id, state now)
    newly_included: list[StudyChange]
    no_longer_included: list[StudyChange]
    newly_excluded: list[StudyChange]
    other: list[StudyChange]
    renamed: list[Match]
    gone: list[Match]
    tables: list[TableChange]
    new_rows: int = 0

    @property
    def new_records(self) -> int:
        return sum(s.records for s in self.by_source)


def _events_key(row: Mapping[str, str]) -> tuple[str, str, str]:
    return (row.get("source", ""), row.get("row", ""), row.get("stage", ""))


def new_ledger_rows(previous: Version, events: Sequence[Row] | None) -> list[Row]:
    """Screening events from ledger rows the version did not have (a ledger is append-only:
    a row is new when its file and row number are); automation's events are not rows."""
    seen = (
        {_events_key(r) for r in previous.table("screening_events")}
        if previous.has_table("screening_events")
        else set()
    )
    return [e for e in events or [] if e.get("source") and _events_key(e) not in seen]


def study_changes(
    previous: Version,
    studies: Sequence[Row],
    screening: Sequence[Row],
    events: Sequence[Row] | None,
) -> tuple[dict[str, Match], list[StudyChange]]:
    """Every study found before whose state differs now, with the new ledger rows on it."""
    matches = match_studies(previous.table("studies"), studies)
    before = {r["study_id"]: r["state"] for r in previous.table("screening")}
    now = {r["study_id"]: r["state"] for r in screening}
    fresh: dict[str, list[Row]] = {}
    for e in new_ledger_rows(previous, events):
        fresh.setdefault(e["study_id"], []).append(e)
    by_current: dict[str, list[str]] = {}
    for pid, m in matches.items():
        if m.current_id is not None:
            by_current.setdefault(m.current_id, []).append(pid)
    out = []
    for sid, pids in sorted(by_current.items()):
        states_then = sorted({before[p] for p in pids if p in before})
        then = states_then[0] if len(states_then) == 1 else " / ".join(states_then)
        if ScreeningState.INCLUDED_FT in states_then:
            then = ScreeningState.INCLUDED_FT  # one of the merged studies was included
        after = now.get(sid, "")
        if then != after:
            out.append(StudyChange(sid, sorted(pids), then, after, fresh.get(sid, [])))
    return matches, out


def key_columns(name: str) -> list[str]:
    """The table's key as its contract declares it (``a, b`` for a composite key); a table
    without one holds events or statistics, not values, and is not compared."""
    return [k.strip() for k in contract(name).key.split(",") if k.strip()]


def table_changes(
    name: str,
    rows: Sequence[Row],
    frozen: Sequence[Row],
    matches: Mapping[str, Match],
) -> TableChange:
    """``rows`` (now) against ``frozen`` (the version's copy), by the table's key; study ids of
    the copy are read as the studies they are now."""
    key = key_columns(name)

    def now_id(column: str, value: str) -> str:
        if column in _STUDY_KEYS and value in matches:
            return matches[value].current_id or value
        return value

    def keyed(table: Sequence[Row], remap: bool) -> dict[str, Row]:
        out = {}
        for r in table:
            k = " · ".join(now_id(c, r.get(c, "")) if remap else r.get(c, "") for c in key)
            out[k] = r
        return out

    a, b = keyed(frozen, True), keyed(rows, False)
    change = TableChange(name, contract(name).description, key)
    change.added = sorted(set(b) - set(a))
    change.removed = sorted(set(a) - set(b))
    # every column either copy has (tables such as coded.csv add the protocol's own)
    columns = [
        c
        for c in dict.fromkeys([*contract(name).names, *(k for r in (*frozen, *rows) for k in r)])
        if c not in key
    ]
    for k in sorted(set(a) & set(b)):
        for c in columns:
            old, new = a[k].get(c, ""), b[k].get(c, "")
            if c in _STUDY_KEYS:
                old = now_id(c, old)
            if old != new:
                change.changed.append((k, c, old, new))
    if not any(c in _STUDY_KEYS for c in key):  # named items: say of each whether it changed
        changed_keys = {k for k, *_ in change.changed}
        for k in sorted(set(a) | set(b)):
            status = (
                "new"
                if k not in a
                else "removed"
                if k not in b
                else "changed"
                if k in changed_keys
                else "unchanged"
            )
            change.items.append((k, status))
    return change


def compute_changes(
    previous: Version,
    *,
    protocol_sources: Sequence[Mapping[str, Any]],
    records: Sequence[Record],
    studies: Sequence[Row] | None,
    screening: Sequence[Row] | None,
    events: Sequence[Row] | None,
    tables: Mapping[str, Sequence[Row] | None],
) -> Changes:
    """What changed since ``previous``; ``tables`` are the report's other inputs by contract
    name (those the version has a copy of, and whose contract has a key, are compared)."""
    old_records = previous.record_ids()
    labels = {str(s["id"]): str(s.get("label") or s["id"]) for s in protocol_sources}
    new_ids = set(new_study_ids(studies or [], old_records))
    study_of = {rid: s["study_id"] for s in studies or [] for rid in split_list(s["record_ids"])}
    fresh = [r for r in records if r.record_id not in old_records]
    per_source = Counter(r.source_id for r in fresh)
    joined = Counter(r.source_id for r in fresh if study_of.get(r.record_id) not in new_ids)
    new_by_source: Counter[str] = Counter()
    for s in studies or []:
        if s["study_id"] in new_ids:
            for src in split_list(s.get("source_ids", "")):
                new_by_source[src] += 1
    order = [*labels, *sorted(set(per_source) - set(labels))]
    by_source = [
        SourceNew(sid, labels.get(sid, sid), per_source[sid], joined[sid], new_by_source[sid])
        for sid in order
        if per_source[sid]
    ]
    states = {r["study_id"]: r["state"] for r in screening or []}
    new_studies = [(sid, states.get(sid, "")) for sid in sorted(new_ids)]
    changes = Changes(previous, by_source, new_studies, [], [], [], [], [], [], [])
    matches: dict[str, Match] = {}
    if studies is not None and screening is not None:
        matches, changed = study_changes(previous, studies, screening, events)
        for c in changed:
            if c.after == ScreeningState.INCLUDED_FT:
                changes.newly_included.append(c)
            elif c.before == ScreeningState.INCLUDED_FT:
                changes.no_longer_included.append(c)
            elif c.after in EXCLUDED and c.before not in EXCLUDED:
                changes.newly_excluded.append(c)
            else:
                changes.other.append(c)
        changes.renamed = [m for m in matches.values() if m.renamed]
        changes.gone = [m for m in matches.values() if m.current_id is None]
        changes.new_rows = len(new_ledger_rows(previous, events))
    for name, rows in tables.items():
        spec = contract(name)
        if rows is None or spec.stage in _SELECTION_STAGES or spec.format != "csv":
            continue
        if not key_columns(name):
            continue
        if not previous.has_table(name):
            continue
        changes.tables.append(table_changes(name, rows, previous.table(name), matches))
    return changes
