"""The protocol's mechanical eligibility criteria (``stage: automatic``), applied to studies.

A rule names a field of ``studies.csv`` and what it must satisfy::

    rule: {field: year, min: 2015}                        # numeric range (min and/or max)
    rule: {field: language, allowed: [id, en]}            # value must be one of these
    rule: {field: doc_type, forbidden: [editorial]}       # value must not be one of these
    rule: {field: title+abstract, required_terms: [malaria, plasmodium]}   # a term appears
    rule: {field: venue, forbidden_terms: [predatory]}    # no term appears

``field`` may join several columns with ``+`` (their texts are searched together). Values and
terms are compared case- and accent-insensitively; multi-valued cells ("; "-joined) pass
``allowed`` when any value is allowed. A study whose field is empty is **never** excluded: a
missing year is missing metadata, not evidence of an old study; the event says the criterion
could not be applied, so a reviewer can see which studies were not checked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from review.errors import ProtocolError
from review.protocol import Protocol
from review.records import normalise_title, parse_year, split_list


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One automatic criterion's verdict on one study (only exclusions and skips are kept)."""

    study_id: str
    code: str
    excluded: bool
    note: str


def automatic_criteria(
    protocol: Protocol | Sequence[Mapping[str, Any]],
) -> list[Mapping[str, Any]]:
    """The protocol's ``stage: automatic`` criteria that carry a rule, in protocol order."""
    criteria = protocol.criteria if isinstance(protocol, Protocol) else list(protocol)
    out = []
    for c in criteria:
        if c.get("stage") != "automatic":
            continue
        if not c.get("rule"):
            raise ProtocolError(
                f"criteria {c.get('code')!r}: stage 'automatic' needs a rule "
                "(field with min/max, allowed/forbidden or required_terms/forbidden_terms)"
            )
        out.append(c)
    return out


def _fields(rule: Mapping[str, Any]) -> list[str]:
    return [f.strip() for f in str(rule["field"]).split("+") if f.strip()]


def _fold(text: str) -> str:
    return normalise_title(text)


def _has_term(folded_text: str, term: str) -> bool:
    folded = _fold(term)
    if not folded:
        return False
    return re.search(rf"(?<!\w){re.escape(folded)}(?!\w)", folded_text) is not None


def _number(field: str, raw: str) -> float | None:
    if field == "year":
        year = parse_year(raw)
        return float(year) if year is not None else None
    try:
        return float(raw)
    except ValueError:
        return None


def check(study: Mapping[str, str], criterion: Mapping[str, Any]) -> CriterionResult | None:
    """The verdict of one criterion on one study: an exclusion, a skip (missing value), or
    ``None`` when the study passes."""
    rule = criterion["rule"]
    code = str(criterion["code"])
    sid = study.get("study_id", "")
    names = _fields(rule)
    for name in names:
        if name not in study:
            raise ProtocolError(
                f"criteria {code!r}: rule field {name!r} is not a column of studies.csv "
                f"(columns: {', '.join(study)})"
            )
    raw = " ".join(str(study.get(n) or "").strip() for n in names).strip()
    label = "+".join(names)
    if not raw:
        return CriterionResult(
            sid,
            code,
            False,
            f"{label} is missing: {code} not applied (missing values never exclude)",
        )
    if "min" in rule or "max" in rule:
        value = _number(names[0], raw)
        if value is None:
            return CriterionResult(
                sid, code, False, f"{label} {raw!r} is not a number: {code} not applied"
            )
        shown = f"{value:g}"
        if "min" in rule and value < rule["min"]:
            return CriterionResult(sid, code, True, f"{label} {shown} < min {rule['min']}")
        if "max" in rule and value > rule["max"]:
            return CriterionResult(sid, code, True, f"{label} {shown} > max {rule['max']}")
    values = [_fold(v) for v in split_list(raw)]
    if "allowed" in rule:
        allowed = {_fold(v) for v in rule["allowed"]}
        if not any(v in allowed for v in values):
            return CriterionResult(
                sid, code, True, f"{label} {raw!r} not in allowed {', '.join(rule['allowed'])}"
            )
    if "forbidden" in rule:
        forbidden = {_fold(v) for v in rule["forbidden"]}
        hit = [v for v in values if v in forbidden]
        if hit:
            return CriterionResult(sid, code, True, f"{label} {raw!r} is forbidden")
    folded_text = _fold(raw)
    if rule.get("required_terms"):
        if not any(_has_term(folded_text, t) for t in rule["required_terms"]):
            return CriterionResult(
                sid,
                code,
                True,
                f"{label} contains none of the required terms {', '.join(rule['required_terms'])}",
            )
    if rule.get("forbidden_terms"):
        hits = [t for t in rule["forbidden_terms"] if _has_term(folded_text, t)]
        if hits:
            return CriterionResult(
                sid, code, True, f"{label} contains forbidden term(s) {', '.join(hits)}"
            )
    return None


def apply_criteria(
    studies: Sequence[Mapping[str, str]], criteria: Sequence[Mapping[str, Any]]
) -> dict[str, list[CriterionResult]]:
    """Every exclusion and every not-applied note, per study id (studies that pass are absent)."""
    out: dict[str, list[CriterionResult]] = {}
    for study in studies:
        for criterion in criteria:
            result = check(study, criterion)
            if result is not None:
                out.setdefault(study["study_id"], []).append(result)
    return out


def exclusion_codes(results: Sequence[CriterionResult]) -> list[str]:
    """The codes that exclude, in protocol order (the first is the PRISMA reason)."""
    return [r.code for r in results if r.excluded]
