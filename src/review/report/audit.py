"""The audit trail of a study: its records and where they were found, how they were merged,
every screening and coding event, and the PRISMA box it ends in.

One builder serves both the audit view (:mod:`review.audit.pages`: ``reports/audit.html`` and a
page per study) and ``review audit STUDY_ID``, so that the pages and the terminal can never tell
different stories about the same study.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from review.errors import ReviewError
from review.records import Record, cite_label, split_list
from review.report.inputs import ReportInputs
from review.report.studies import BOXES, TEAM_SUMMARY_LABEL
from review.states import ScreeningState as S
from review.tables import Row, contract

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")

#: Order of the audit table: the included studies first, then back up the flow.
AUDIT_ORDER = (
    S.INCLUDED_FT,
    S.EXCLUDED_FT,
    S.NOT_RETRIEVED,
    S.INCLUDED_TA,
    S.MAYBE_TA,
    S.EXCLUDED_TA,
    S.TO_SCREEN,
    S.EXCLUDED_AUTO,
    "not_screened",
    "not_deduplicated",
)
#: The state columns the terminal trail shows (the decisions and reasons, not the ranking).
_STATE_DETAILS = tuple(
    c
    for c in contract("screening").names
    if c not in ("study_id", "fingerprint", "state", "relevance", "rank")
)

#: Columns of a dedup link shown as scores (any other ``score_*`` column is shown too).
SCORE_PREFIX = "score_"


@dataclass
class Trail:
    """Everything known about one study, in the order a reviewer would check it."""

    study_id: str
    cite: str
    title: str
    year: str
    box: str
    box_label: str
    state: Row = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)
    source_labels: dict[str, str] = field(default_factory=dict)
    links: list[Row] = field(default_factory=list)
    screening_events: list[Row] = field(default_factory=list)
    conflicts: list[Row] = field(default_factory=list)
    coding_events: list[Row] = field(default_factory=list)
    coded: Row | None = None

    @property
    def sources(self) -> list[str]:
        return sorted({r.source_id for r in self.records})

    @property
    def coding_groups(self) -> list[dict[str, Any]]:
        """Coding events grouped per coder's row: who, when, from which file row, which values.

        The extraction stage writes one event per coded field; shown one by one, the same coder,
        time and note would repeat for every field.
        """
        groups: dict[tuple[str, ...], dict[str, Any]] = {}
        for ev in self.coding_events:
            key = tuple(ev.get(k, "") for k in ("event", "coder", "timestamp", "source", "note"))
            group = groups.setdefault(
                key,
                {
                    "event": ev.get("event", ""),
                    "coder": ev.get("coder", ""),
                    "timestamp": ev.get("timestamp", ""),
                    "source": ev.get("source", ""),
                    "note": ev.get("note", ""),
                    "values": [],
                    "other": extra_cells(
                        ev,
                        (
                            "study_id",
                            "event",
                            "coder",
                            "timestamp",
                            "source",
                            "note",
                            "field",
                            "value",
                        ),
                    ),
                },
            )
            if ev.get("field"):
                group["values"].append((ev["field"], ev.get("value", "")))
        return list(groups.values())

    @property
    def search_text(self) -> str:
        """What the audit page's text filter matches against (besides the visible text)."""
        return " ".join(
            [self.study_id, self.title, self.cite, *(r.record_id for r in self.records)]
        )


def box_of(screening: dict[str, Row], study_id: str) -> str:
    """The PRISMA box of a deduplicated study (``screening``: the state rows by study id)."""
    row = screening.get(study_id)
    return row["state"] if row else "not_screened"


def scores(link: Row) -> list[tuple[str, str]]:
    """The ``score_*`` cells of a dedup link that hold a value, named without the prefix."""
    return [
        (k[len(SCORE_PREFIX) :], v) for k, v in link.items() if k.startswith(SCORE_PREFIX) and v
    ]


def extra_cells(row: Row, skip: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in row.items() if k not in skip and v]


def build_trails(inputs: ReportInputs) -> list[Trail]:
    """One trail per study (per record while deduplication has not run), in study-id order."""
    records = inputs.records_by_id()
    labels = {s["id"]: s.get("label") or s["id"] for s in inputs.protocol.sources}
    by_record_link: dict[str, list[Row]] = defaultdict(list)
    for link in inputs.dedup_links or []:
        by_record_link[link["record_id_a"]].append(link)
        by_record_link[link["record_id_b"]].append(link)
    # A ledger row set aside (out of order, retired criterion, needs a full text not at hand)
    # is shown as such beside its event: kept, never counted.
    aside = {(r["source"], r["row"]): r for r in inputs.screening_set_aside or []}
    events = _group(
        [
            {**e, "set_aside": f"{a['problem'].replace('_', ' ')}: {a['detail']}"}
            if (a := aside.get((e.get("source", ""), e.get("row", ""))))
            else e
            for e in inputs.screening_events or []
        ]
    )
    conflicts = _group(inputs.screening_conflicts)
    coding_events = _group(inputs.coding_events)
    coded = inputs.coded_by_id()
    screening = inputs.screening_by_id()

    trails: list[Trail] = []
    if inputs.studies is None:
        for rec in inputs.records:
            trails.append(
                Trail(
                    study_id=rec.record_id,
                    cite=cite_label("; ".join(rec.authors), rec.year, rec.title),
                    title=rec.title or rec.title_alt,
                    year=str(rec.year or ""),
                    box="not_deduplicated",
                    box_label=BOXES["not_deduplicated"],
                    records=[rec],
                    source_labels=labels,
                )
            )
        return trails
    for study in inputs.studies:
        sid = study["study_id"]
        members = [records[r] for r in split_list(study.get("record_ids", "")) if r in records]
        links: list[Row] = []
        seen: set[int] = set()
        for rec in members:
            for link in by_record_link.get(rec.record_id, []):
                if id(link) not in seen:
                    seen.add(id(link))
                    links.append(link)
        box = box_of(screening, sid)
        trails.append(
            Trail(
                study_id=sid,
                cite=cite_label(
                    study.get("authors", ""), study.get("year", ""), study.get("title", "")
                ),
                title=study.get("title", "") or study.get("title_alt", ""),
                year=study.get("year", ""),
                box=box,
                box_label=BOXES[box],
                state=screening.get(sid, {}),
                records=members,
                source_labels=labels,
                links=links,
                screening_events=sorted(events.get(sid, []), key=_event_order),
                conflicts=conflicts.get(sid, []),
                coding_events=sorted(
                    coding_events.get(sid, []), key=lambda e: e.get("timestamp", "")
                ),
                coded=coded.get(sid),
            )
        )
    return sorted(trails, key=lambda t: (AUDIT_ORDER.index(t.box), t.cite.lower(), t.study_id))


def _event_order(event: Row) -> tuple[int, str, str]:
    stage_rank = {"automatic": 0, "title_abstract": 1, "full_text": 2}
    return (
        stage_rank.get(event.get("stage", ""), 3),
        event.get("timestamp", ""),
        event.get("reviewer", ""),
    )


def _group(rows: list[Row] | None) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = defaultdict(list)
    for row in rows or []:
        out[row.get("study_id", "")].append(row)
    return out


def find_trail(inputs: ReportInputs, ident: str) -> Trail:
    """The trail of a study id, or of the study holding a record id; else a clear error."""
    trails = build_trails(inputs)
    for trail in trails:
        if trail.study_id == ident or any(r.record_id == ident for r in trail.records):
            return trail
    close = [t.study_id for t in trails if ident.lower() in t.study_id.lower()][:5]
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise ReviewError(
        f"{ident!r} is neither a study id of data/interim/studies.csv nor a record id of "
        f"data/interim/records.csv{hint}"
    )


def format_trail(trail: Trail) -> str:
    """The trail as plain text for the terminal, in the same order as the audit page."""
    out = [
        f"{trail.study_id}  {trail.cite}",
        f"  title: {trail.title}",
        f"  PRISMA box: {trail.box_label}",
    ]
    state = trail.state
    if state:
        for key in _STATE_DETAILS:
            if state.get(key):
                out.append(f"    {key}: {state[key]}")
    out.append(f"records ({len(trail.records)}):")
    for rec in trail.records:
        out.append(f"  {rec.record_id}  [{trail.source_labels.get(rec.source_id, rec.source_id)}]")
        out.append(f"    title: {rec.title}")
        if rec.title_alt:
            out.append(f"    alternative title: {rec.title_alt}")
        for label, value in (
            ("year", rec.year or ""),
            ("venue", rec.venue),
            ("doi", rec.doi),
            ("url", rec.url),
            ("found at", rec.found_at),
            ("provenance", f"{rec.prov_file} #{rec.prov_position}" if rec.prov_file else ""),
            ("run", rec.run_id),
        ):
            if value:
                out.append(f"    {label}: {value}")
        if rec.summary:
            out.append(f"    summary ({TEAM_SUMMARY_LABEL}): {rec.summary}")
    if trail.links:
        out.append(f"dedup links ({len(trail.links)}):")
        for link in trail.links:
            sc = ", ".join(f"{k} {v}" for k, v in scores(link))
            out.append(
                f"  {link['record_id_a']} = {link['record_id_b']}  rule {link.get('rule', '')}"
                + (f"  ({sc})" if sc else "")
            )
    out.append(f"screening events ({len(trail.screening_events)}):")
    for ev in trail.screening_events:
        reason = f" {ev['reason']}" if ev.get("reason") else ""
        note = f"  note: {ev['note']}" if ev.get("note") else ""
        out.append(
            f"  {ev.get('timestamp', '')}  {ev.get('stage', '')}  {ev.get('reviewer', '')}: "
            f"{ev.get('decision', '')}{reason}{note}"
        )
        if ev.get("set_aside"):
            out.append(f"    set aside, not counted ({ev['set_aside']})")
        where = []
        if ev.get("source"):
            where.append(f"from {ev['source']}" + (f", row {ev['row']}" if ev.get("row") else ""))
        if ev.get("attached_by") and ev["attached_by"] != "id":
            where.append(f"attached by {ev['attached_by']}")
        if where:
            out.append("      " + "; ".join(where))
    for conflict in trail.conflicts:
        cells = ", ".join(f"{k}={v}" for k, v in extra_cells(conflict, ("study_id",)))
        out.append(f"  conflict: {cells}")
    if trail.coding_events or trail.coded:
        out.append(f"coding events ({len(trail.coding_events)}):")
        for g in trail.coding_groups:
            event = "set aside, not counted" if g["event"] == "set_aside" else g["event"]
            out.append(f"  {g['timestamp']}  {g['coder']} {event}  {g['source']}".rstrip())
            for k, v in [*g["other"], *g["values"]]:
                out.append(f"    {k}: {v}")
            if g["note"]:
                out.append(f"    note: {g['note']}")
        if trail.coded:
            out.append("coded values:")
            for k, v in extra_cells(trail.coded, ("study_id",)):
                out.append(f"  {k}: {v}")
    # Control characters in a record (e.g. ANSI escapes) must not drive the user's terminal.
    return _CONTROL.sub("\N{REPLACEMENT CHARACTER}", "\n".join(out)) + "\n"
