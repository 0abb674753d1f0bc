"""The narrative synthesis: included studies grouped by the protocol's themes, the theme-by-outcome
matrix, and the comparison with the published review's conclusions.

Everything here is counting coded values of ``coded.csv``; the words around the counts are in the
templates. Each group keeps the studies it rests on, so every statement can link to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from review.protocol import Protocol, field_values
from review.records import split_list
from review.report.regions import Gazetteer
from review.report.studies import StudyRef, value_label
from review.tables import Row

NONE_REPORTED = "none reported"


@dataclass
class CodedStudy:
    """An included study with its coded values (lists for multi-valued fields)."""

    ref: StudyRef
    values: dict[str, list[str]]
    text: dict[str, str]
    summary: str = ""
    venue: str = ""

    def get(self, name: str) -> list[str]:
        return self.values.get(name, [])


@dataclass
class Group:
    """A value and the studies coded with it."""

    value: str
    label: str
    studies: list[CodedStudy] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.studies)


@dataclass
class Theme:
    id: str
    label: str
    studies: list[CodedStudy]
    approaches: list[Group]
    actors: list[Group]
    outcomes: list[Group]
    barriers: list[Group]


@dataclass
class ConclusionPart:
    kind: str  # theme | barrier | outcome
    value: str
    label: str
    supporting: list[CodedStudy]
    weak: list[CodedStudy] = field(default_factory=list)


@dataclass
class Conclusion:
    id: str
    text: str
    parts: list[ConclusionPart]

    @property
    def verdict(self) -> str:
        backed = [p for p in self.parts if p.supporting]
        if not self.parts or not backed:
            return "not supported by the evidence here"
        if len(backed) == len(self.parts):
            return "supported"
        return "partly supported"

    @property
    def studies(self) -> list[CodedStudy]:
        seen: dict[str, CodedStudy] = {}
        for part in self.parts:
            for s in part.supporting:
                seen.setdefault(s.ref.study_id, s)
        return sorted(seen.values(), key=lambda s: s.ref.cite)


def coded_studies(
    protocol: Protocol, coded: list[Row], refs: dict[str, StudyRef], studies: dict[str, Row]
) -> list[CodedStudy]:
    """Coded rows of the included studies, values split by the protocol's separator."""
    multi = {f["name"] for f in protocol.coding_fields if f.get("type") in ("multiple", "single")}
    out = []
    for row in coded:
        ref = refs.get(row["study_id"])
        if ref is None:
            continue
        values = {name: split_list(row.get(name, "")) for name in multi}
        text = {k: v for k, v in row.items() if k not in multi and v}
        study = studies.get(row["study_id"], {})
        out.append(
            CodedStudy(
                ref=ref,
                values=values,
                text=text,
                summary=study.get("summary", ""),
                venue=study.get("venue", ""),
            )
        )
    return sorted(out, key=lambda s: (s.ref.cite.lower(), s.ref.study_id))


def groups(protocol: Protocol, studies: list[CodedStudy], field_name: str | None) -> list[Group]:
    """A group per allowed value of ``field_name`` that some study has, in protocol order."""
    if not field_name:
        return []
    fdef = next((f for f in protocol.coding_fields if f["name"] == field_name), None)
    allowed = field_values(fdef) if fdef else []
    found = {v for s in studies for v in s.get(field_name)}
    order = allowed + sorted(found - set(allowed))
    out = []
    for value in order:
        members = [s for s in studies if value in s.get(field_name)]
        if members:
            out.append(Group(value=value, label=value_label(value), studies=members))
    return out


def themes(protocol: Protocol, studies: list[CodedStudy]) -> list[Theme]:
    synth = protocol.data["synthesis"]
    theme_field = synth.get("theme_field", "")
    out = []
    for theme in protocol.themes:
        members = [s for s in studies if theme["id"] in s.get(theme_field)]
        out.append(
            Theme(
                id=theme["id"],
                label=theme.get("label", value_label(theme["id"])),
                studies=members,
                approaches=groups(
                    protocol, members, "approach" if _has(protocol, "approach") else None
                ),
                actors=groups(protocol, members, "actors" if _has(protocol, "actors") else None),
                outcomes=groups(protocol, members, synth.get("outcome_field")),
                barriers=groups(protocol, members, synth.get("barrier_field")),
            )
        )
    return out


def _has(protocol: Protocol, name: str) -> bool:
    return any(f["name"] == name for f in protocol.coding_fields)


def matrix(protocol: Protocol, theme_list: list[Theme]) -> dict[str, Any]:
    """Theme by outcome: for each theme, the studies reporting each outcome (or none)."""
    outcome_field = protocol.data["synthesis"].get("outcome_field")
    fdef = next((f for f in protocol.coding_fields if f["name"] == outcome_field), None)
    columns = field_values(fdef) if fdef else []
    rows = []
    for theme in theme_list:
        cells = []
        for value in columns:
            cells.append([s for s in theme.studies if value in s.get(outcome_field or "")])
        cells.append([s for s in theme.studies if not s.get(outcome_field or "")])
        rows.append({"theme": theme, "cells": cells})
    return {"columns": [value_label(c) for c in columns] + [NONE_REPORTED], "rows": rows}


def conclusions(protocol: Protocol, studies: list[CodedStudy]) -> list[Conclusion]:
    """Each published conclusion against the coded evidence.

    A theme conclusion ("X is an effective strategy") is supported by studies coded with the
    theme that report at least one outcome; studies coded with the theme but reporting no
    outcome are listed apart, as weaker evidence. Barrier and outcome conclusions are supported
    by studies coded with that barrier or outcome.
    """
    synth = protocol.data["synthesis"]
    theme_field = synth.get("theme_field", "")
    outcome_field = synth.get("outcome_field", "")
    barrier_field = synth.get("barrier_field", "")
    theme_labels = {t["id"]: t.get("label", value_label(t["id"])) for t in protocol.themes}
    out = []
    for item in (protocol.data.get("based_on") or {}).get("conclusions", []):
        parts = []
        for value in item.get("themes", []):
            members = [s for s in studies if value in s.get(theme_field)]
            parts.append(
                ConclusionPart(
                    kind="theme",
                    value=value,
                    label=theme_labels.get(value, value_label(value)),
                    supporting=[s for s in members if s.get(outcome_field)],
                    weak=[s for s in members if not s.get(outcome_field)],
                )
            )
        for kind, name in (("barrier", barrier_field), ("outcome", outcome_field)):
            for value in item.get(f"{kind}s", []):
                members = [s for s in studies if value in s.get(name)]
                parts.append(
                    ConclusionPart(
                        kind=kind, value=value, label=value_label(value), supporting=members
                    )
                )
        out.append(Conclusion(id=item["id"], text=item["text"], parts=parts))
    return out


def regions(studies: list[CodedStudy], gazetteer: Gazetteer) -> list[tuple[str, int]]:
    """Studies per region (see :mod:`review.report.regions`); a study counts once per region."""
    counts: dict[str, set[str]] = {}
    for s in studies:
        for place in gazetteer.regions(s.text.get(gazetteer.field, "")):
            counts.setdefault(place, set()).add(s.ref.study_id)
    return sorted(((k, len(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))
