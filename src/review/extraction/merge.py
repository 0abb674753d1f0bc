"""Merge the coders' validated rows into one coded row per study, with disagreements and events.

Per study and field: when every coder who coded the study wrote the same value, that is the
value; when they differ, a row of ``_resolutions.csv`` settles it; until then the protocol's
``coding.disagreement_rule`` decides (:mod:`review.consensus`): under ``adjudication`` (the
default) no value stands, under ``primary_coder`` the *primary* coder's value stands (the coder
of that study who coded most studies overall, ties broken by coder id); either way the field is
listed in ``open_disagreements`` of the coded row. Free-text fields are not compared (see
:mod:`review.extraction.agreement`): the primary coder's text is kept, or the first non-empty
text of the other coders.

Rows arrive keyed by main study id (:mod:`review.extraction.attach`). The outcome-domain
columns (``<domain>.direction`` …) are merged the same way and written to ``outcomes.csv``, one
row per study and domain, rather than to ``coded.csv``.

A coded study that is no longer included (its screening state is no longer ``included_ft``, or
it left the screening table) keeps its row with ``status = no_longer_included``: coded values
are never dropped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from review.consensus import primary_first, settle, worst
from review.errors import DecisionError
from review.extraction.agreement import same
from review.extraction.fields import DOMAIN_PARTS, CodingField, domain_problems, format_value
from review.extraction.validate import CodedRow, Resolution, Value
from review.states import ScreeningState
from review.tables import contract
from review.vocabulary import DisagreementRule, Settled

#: The ``status`` values of ``coded.csv`` (its contract): still included, or screened out since.
STATUS_INCLUDED, STATUS_GONE = contract("coded").column("status").values


def coded_columns(fields: Sequence[CodingField]) -> list[str]:
    """The columns of ``coded.csv``: the contract's, with the protocol's coding fields after
    ``coders``."""
    names = list(contract("coded").names)
    cut = names.index("coders") + 1
    return [*names[:cut], *(f.name for f in fields if not f.domain), *names[cut:]]


@dataclass
class Merged:
    coded: list[dict[str, str]] = field(default_factory=list)
    disagreements: list[dict[str, str]] = field(default_factory=list)
    events: list[dict[str, str]] = field(default_factory=list)
    outcomes: list[dict[str, str]] = field(default_factory=list)
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
    *,
    rule: str = DisagreementRule.ADJUDICATION,
    notes: Mapping[str, Sequence[str]] | None = None,
) -> Merged:
    """Coded rows (sorted by study id), outcomes, disagreements, events and coder pairs."""
    out = Merged()
    current = [r for r in rows if not r.superseded]
    workload = Counter(r.coder for r in current)
    by_study: dict[str, dict[str, CodedRow]] = {}
    for r in current:
        by_study.setdefault(r.study_id, {})[r.coder] = r
    settled = {(r.study_id, r.field): r for r in resolutions}
    for sid in sorted(by_study):
        coders = primary_first(by_study[sid], workload)
        coded = {c: by_study[sid][c] for c in coders}
        state = screening.get(sid, {}).get("state", "")
        row = {
            "study_id": sid,
            "status": STATUS_INCLUDED if state == ScreeningState.INCLUDED_FT else STATUS_GONE,
            "screening_state": state or "(not in screening table)",
            "coders": sep.join(coders),
        }
        open_fields, resolved_fields = [], []
        status: dict[str, Settled] = {}
        for f in fields:
            values = {
                c: coded[c].values.get(f.name, [] if f.type == "multiple" else "") for c in coders
            }
            resolution = settled.get((sid, f.name))
            differ = f.type != "text" and any(
                not same(values[a], values[b]) for a, b in combinations(coders, 2)
            )
            value: Value | None
            if f.type == "text" and resolution is None:
                value = next((values[c] for c in coders if values[c]), "")
                status[f.name] = Settled.SINGLE if len(coders) == 1 else Settled.AGREED
            else:
                value, status[f.name] = settle(
                    values,
                    coders,
                    rule=rule,
                    resolution=(resolution.value,) if resolution is not None else None,
                    same=same,
                )
            if resolution is not None:
                resolved_fields.append(f.name)
            elif status[f.name] in (Settled.CONFLICT, Settled.PRIMARY_CODER):
                open_fields.append(f.name)
            if value is None:
                value = [] if f.type == "multiple" else ""
            row[f.name] = format_value(value, sep)
            if differ:
                out.disagreements.extend(_disagreements(sid, f, values, resolution, sep))
        row["open_disagreements"] = sep.join(open_fields)
        row["resolved_fields"] = sep.join(resolved_fields)
        row["notes"] = " | ".join(f"{c}: {coded[c].note}" for c in coders if coded[c].note)
        row["last_coded"] = max((coded[c].timestamp for c in coders), default="")
        row["carried_forward_note"] = " | ".join((notes or {}).get(sid, []))
        out.coded.append(row)
        out.outcomes.extend(_outcomes(sid, fields, row, status, coders, coded, sep))
        for a, b in combinations(sorted(coders), 2):
            out.pairs.setdefault((a, b), []).append((coded[a].values, coded[b].values))
    out.events = events(fields, rows, resolutions, sep)
    return out


def _disagreements(
    sid: str,
    f: CodingField,
    values: Mapping[str, Value],
    resolution: Resolution | None,
    sep: str,
) -> list[dict[str, str]]:
    out = []
    for a, b in combinations(sorted(values), 2):
        if same(values[a], values[b]):
            continue
        out.append(
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
    return out


def _outcomes(
    sid: str,
    fields: Sequence[CodingField],
    row: Mapping[str, str],
    status: Mapping[str, Settled],
    coders: Sequence[str],
    coded: Mapping[str, CodedRow],
    sep: str,
) -> list[dict[str, str]]:
    """One ``outcomes.csv`` row per domain that any coder (or a resolution) filled."""
    out = []
    for domain in dict.fromkeys(f.domain for f in fields if f.domain):
        names = {part: f"{domain}.{part}" for part in DOMAIN_PARTS}
        filled = any(coded[c].values.get(n) for c in coders for n in names.values())
        if not filled and not any(row.get(n) for n in names.values()):
            continue
        overall = worst(status[names[p]] for p in DOMAIN_PARTS if p != "evidence")
        problems = domain_problems(dict(row), domain)
        if problems and overall != Settled.CONFLICT:
            column, problem = problems[0]
            raise DecisionError(
                f"study {sid}, field '{column}': the merged coding breaks the coding rules "
                f"({problem}); a resolution in _resolutions.csv must settle the domain's "
                "columns together"
            )
        out.append(
            {
                "study_id": sid,
                "domain": domain,
                **{part: row[names[part]] for part in DOMAIN_PARTS},
                "coders": sep.join(coders),
                "status": overall,
                "open_fields": sep.join(
                    p for p in DOMAIN_PARTS if status.get(names[p]) == Settled.CONFLICT
                ),
            }
        )
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
