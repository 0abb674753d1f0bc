"""Characteristics of included studies (PRISMA item 17): one row per coded study, one column
per coding field of ``synthesis.characteristics`` (default: every field that is not free text),
titled with the fields' labels."""

from __future__ import annotations

from typing import Any

ORDER = 310
TOC = "Characteristics of included studies"
PRISMA = ("17",)


def columns(protocol: Any) -> list[str]:
    chosen = protocol.data["synthesis"].get("characteristics")
    if chosen:
        return list(chosen)
    return [f["name"] for f in protocol.coding_fields if f.get("type") != "text"]


def context(base: dict[str, Any]) -> dict[str, Any]:
    coded_ids = {c.ref.study_id for c in base["coded"]}
    protocol = base["protocol"]
    choice = {f["name"] for f in protocol.coding_fields if f.get("type") in ("single", "multiple")}
    reports = {s.id: len(s.reports) for s in base["evidence"].studies}
    return {
        "uncoded": [r for r in base["included"] if r.study_id not in coded_ids],
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
