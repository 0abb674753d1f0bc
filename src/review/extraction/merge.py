"""Merge the coders' validated rows into one coded row per study, with disagreements and events.

Per study and field: when every coder who coded the study wrote the same value, that is the
value; when they differ, a row of ``_resolutions.csv`` settles it; until then the *primary*
coder's value stands (the coder of that study who coded most studies overall, ties broken by
coder id) and the field is listed in ``open_disagreements`` of the coded row. Free-text fields
are not compared (see :mod:`review.extraction.agreement`): the primary coder's text is kept, or
the first non-empty text of the other coders.

A coded study that is no longer included (its screening state is no longer ``included_ft``, or
it left the screening table) keeps its row with ``status = no_longer_included``: coded values
are never dropped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from review.extraction.agreement import same
from review.extraction.fields import CodingField, format_value
from review.extraction.validate import CodedRow, Resolution, Value
from review.states import ScreeningState
from review.tables import contract

#: The ``status`` values of ``coded.csv`` (its contract): still included, or screened out since.
STATUS_INCLUDED, STATUS_GONE = contract("coded").column("status").values


def coded_columns(fields: Sequence[CodingField]) -> list[str]:
    """The columns of ``coded.csv``: the contract's, with the protocol's coding fields after
    ``coders``."""
    names = list(contract("coded").names)
    cut = names.index("coders") + 1
    return [*names[:cut], *(f.name for f in fields), *names[cut:]]


@dataclass
class Merged:
    coded: list[dict[str, str]] = field(default_factory=list)
    disagreements: list[dict[str, str]] = field(default_factory=list)
    events: list[dict[str, str]] = field(default_factory=list)
    #: per pair of coders, the (a values, b values) of every study both coded
    pairs: dict[tuple[str, str], list[tuple[dict[str, Value], dict[str, Value]]]] = field(
        default_factory=dict
    )


def merge(
    fields: Sequence[CodingField],
    rows: Sequence[CodedRow],
    resolutions: Sequence[Resolution],
    screening: Mapping[str, Mapping[str, str]],
    sep: str = "; ",
) -> Merged:
    """Coded rows (sorted by study id), disagreements, events and coder pairs for agreement."""
    out = Merged()
    current = [r for r in rows if not r.superseded]
    workload = Counter(r.coder for r in current)
    by_study: dict[str, dict[str, CodedRow]] = {}
    for r in current:
        by_study.setdefault(r.study_id, {})[r.coder] = r
    settled = {(r.study_id, r.field): r for r in resolutions}
    for sid in sorted(by_study):
        coders = sorted(by_study[sid], key=lambda c: (-workload[c], c))
        coded = {c: by_study[sid][c] for c in coders}
        state = screening.get(sid, {}).get("state", "")
        row = {
            "study_id": sid,
            "status": STATUS_INCLUDED if state == ScreeningState.INCLUDED_FT else STATUS_GONE,
            "screening_state": state or "(not in screening table)",
            "coders": sep.join(coders),
        }
        open_fields, resolved_fields = [], []
        for f in fields:
            values = {
                c: coded[c].values.get(f.name, [] if f.type == "multiple" else "") for c in coders
            }
            resolution = settled.get((sid, f.name))
            differ = f.type != "text" and any(
                not same(values[a], values[b]) for a, b in combinations(coders, 2)
            )
            if resolution is not None:
                value = resolution.value
                resolved_fields.append(f.name)
            elif f.type == "text":
                value = next((values[c] for c in coders if values[c]), "")
            else:
                value = values[coders[0]]
                if differ:
                    open_fields.append(f.name)
            row[f.name] = format_value(value, sep)
            if not differ:
                continue
            for a, b in combinations(sorted(coders), 2):
                if same(values[a], values[b]):
                    continue
                out.disagreements.append(
                    {
                        "study_id": sid,
                        "field": f.name,
                        "coder_a": a,
                        "value_a": format_value(values[a], sep),
                        "coder_b": b,
                        "value_b": format_value(values[b], sep),
                        "status": "resolved" if resolution else "open",
                        "resolved_value": format_value(resolution.value, sep) if resolution else "",
                        "resolver": resolution.resolver if resolution else "",
                        "resolution_note": resolution.note if resolution else "",
                    }
                )
        row["open_disagreements"] = sep.join(open_fields)
        row["resolved_fields"] = sep.join(resolved_fields)
        row["notes"] = " | ".join(f"{c}: {coded[c].note}" for c in coders if coded[c].note)
        row["last_coded"] = max((coded[c].timestamp for c in coders), default="")
        out.coded.append(row)
        for a, b in combinations(sorted(coders), 2):
            out.pairs.setdefault((a, b), []).append((coded[a].values, coded[b].values))
    out.events = events(fields, rows, resolutions, sep)
    return out


def events(
    fields: Sequence[CodingField],
    rows: Sequence[CodedRow],
    resolutions: Sequence[Resolution],
    sep: str = "; ",
) -> list[dict[str, str]]:
    """Every coded value (superseded ones too) and every resolution, for the audit trail."""
    order = {f.name: i for i, f in enumerate(fields)}
    out = []
    for r in rows:
        for f in fields:
            value = r.values.get(f.name)
            if not value:
                continue
            out.append(
                {
                    "study_id": r.study_id,
                    "event": "superseded" if r.superseded else "coded",
                    "coder": r.coder,
                    "field": f.name,
                    "value": format_value(value, sep),
                    "timestamp": r.timestamp,
                    "note": r.note,
                    "source": f"{r.path}:row {r.row}",
                }
            )
    for res in resolutions:
        out.append(
            {
                "study_id": res.study_id,
                "event": "resolved",
                "coder": res.resolver,
                "field": res.field,
                "value": format_value(res.value, sep),
                "timestamp": res.timestamp,
                "note": res.note,
                "source": f"{res.path}:row {res.row}",
            }
        )
    out.sort(key=lambda e: (e["study_id"], e["timestamp"], e["coder"], order.get(e["field"], 0)))
    return out
