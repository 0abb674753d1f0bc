"""The coded studies as the report tables them: their coded values, the protocol's themes, the
theme-by-outcome matrix and the studies per region.

Everything here is counting coded values of ``coded.csv``; the words around the counts are in the
templates. Each group keeps the studies it rests on, so every statement can link to them. The
synthesis proper (directions, votes, verdicts) is :mod:`review.synthesis`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
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
class Theme:
    """A theme of ``synthesis.themes`` and the coded studies coded with it."""

    id: str
    label: str
    studies: list[CodedStudy]


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


def themes(protocol: Protocol, studies: list[CodedStudy]) -> list[Theme]:
    theme_field = protocol.data["synthesis"].get("theme_field", "")
    return [
        Theme(
            id=theme["id"],
            label=theme.get("label", value_label(theme["id"])),
            studies=[s for s in studies if theme["id"] in s.get(theme_field)],
        )
        for theme in protocol.themes
    ]


def matrix(
    protocol: Protocol, theme_list: list[Theme], synthesised: Collection[str] | None = None
) -> dict[str, Any]:
    """Theme by outcome: for each theme, the studies reporting each value of
    ``synthesis.outcome_field`` (or none). With ``synthesised`` (study ids), only those: a
    version's window leaves later studies out of every synthesis table alike."""
    outcome_field = protocol.data["synthesis"].get("outcome_field")
    fdef = next((f for f in protocol.coding_fields if f["name"] == outcome_field), None)
    columns = field_values(fdef) if fdef else []
    rows = []
    for theme in theme_list:
        studies = [s for s in theme.studies if synthesised is None or s.ref.study_id in synthesised]
        cells = []
        for value in columns:
            cells.append([s for s in studies if value in s.get(outcome_field or "")])
        cells.append([s for s in studies if not s.get(outcome_field or "")])
        rows.append({"theme": theme, "cells": cells})
    labels = [protocol.value_label(outcome_field or "", c) for c in columns]
    return {"columns": [*labels, NONE_REPORTED], "rows": rows}


def regions(studies: list[CodedStudy], gazetteer: Gazetteer) -> list[tuple[str, int]]:
    """Studies per region (see :mod:`review.report.regions`); a study counts once per region."""
    counts: dict[str, set[str]] = {}
    for s in studies:
        for place in gazetteer.regions(s.text.get(gazetteer.field, "")):
            counts.setdefault(place, set()).add(s.ref.study_id)
    return sorted(((k, len(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))
