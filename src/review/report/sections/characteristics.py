"""Characteristics of included studies (PRISMA item 17): one row per coded study, one column
per coding field of ``synthesis.characteristics`` (default: every field that is not free text),
titled with the fields' labels."""

from __future__ import annotations

from typing import Any

ORDER = 310
TOC = "Characteristics of included studies"
PRISMA = ("17",)


def columns(protocol: Any) -> list[str]:
    """``synthesis.characteristics``, else the design and theme fields, every other field that
    is not free text, then the outcome and barrier fields."""
    synth = protocol.data["synthesis"]
    chosen = synth.get("characteristics")
    if chosen:
        return list(chosen)
    names = [f["name"] for f in protocol.coding_fields]
    order = [synth.get("design_field"), synth.get("theme_field")]
    order += [f["name"] for f in protocol.coding_fields if f.get("type") != "text"]
    order += [synth.get("outcome_field"), synth.get("barrier_field")]
    return [n for n in dict.fromkeys(order) if n in names]


def context(base: dict[str, Any]) -> dict[str, Any]:
    protocol, evidence = base["protocol"], base["evidence"]
    choice = {f["name"] for f in protocol.coding_fields if f.get("type") in ("single", "multiple")}
    reports = {s.id: len(s.reports) for s in evidence.studies}
    return {
        "uncoded": evidence.refs_of(s for s in evidence.studies if not s.coded),
        "char_columns": [
            {"name": name, "label": protocol.field_label(name), "choice": name in choice}
            for name in columns(protocol)
        ],
        "char_reports": reports,
    }


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    if not base["coded"]:
        return {"17": "no included study has been coded yet"}
    return {}
