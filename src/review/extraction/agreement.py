"""Agreement between two coders on the studies both coded, per coding field.

Measures, documented here because the choice matters when the figures are compared:

- every compared field: *percent agreement*, the share of double-coded studies on which both
  coders wrote the same value (an empty cell is a value: "not reported");
- single choice and yes/no: *Cohen's kappa*, ``(p_o - p_e) / (1 - p_e)`` with ``p_e`` from each
  coder's own marginal distribution (empty counted as a category); undefined (left empty) when
  ``p_e = 1``, i.e. both coders used one and the same category for every study;
- multiple choice: percent agreement on the *whole set* (exact match), the mean *Jaccard*
  index (values both chose over values either chose) over studies (1 when both sets are
  empty), and one row per allowed value treating "value present" as a yes/no rating, with
  percent agreement and Cohen's kappa;
- integer and year: percent agreement (exact) only;
- free text is not compared (two summaries of the same finding never match word for word); the
  coded output keeps the primary coder's text and every coder's text is in the coding events;
- outcome-domain columns (``<domain>.direction`` …) are compared on the studies where either
  coder coded that domain (a coder's file made before the domain existed says nothing about
  it); a domain neither coded gets no row.
"""

from __future__ import annotations

from collections.abc import Sequence

from review.agreement import cohen_kappa
from review.extraction.fields import CodingField

Value = list[str] | str


def jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    sa, sb = set(a), set(b)
    union = sa | sb
    return 1.0 if not union else len(sa & sb) / len(union)


def same(a: Value, b: Value) -> bool:
    """Equal coded values (multiple choice compared as sets)."""
    if isinstance(a, list) or isinstance(b, list):
        return set(a or []) == set(b or [])
    return a == b


def _fmt(x: float | None, digits: int = 3) -> str:
    return "" if x is None else f"{x:.{digits}f}"


def _pct(k: int, n: int) -> str:
    return f"{100.0 * k / n:.1f}" if n else ""


def agreement_rows(
    fields: Sequence[CodingField],
    coder_a: str,
    coder_b: str,
    pairs: Sequence[tuple[dict[str, Value], dict[str, Value]]],
) -> list[dict[str, str]]:
    """Agreement rows for one pair of coders over the studies both coded (``pairs``)."""
    out: list[dict[str, str]] = []
    for f in fields:
        if f.type == "text":
            continue
        both = pairs
        if f.domain:
            both = [
                p for p in pairs if _coded_domain(p[0], f.domain) or _coded_domain(p[1], f.domain)
            ]
            if not both:
                continue
        out.extend(_field_rows(f, coder_a, coder_b, both))
    return out


def _coded_domain(values: dict[str, Value], domain: str) -> bool:
    return any(v for k, v in values.items() if k.startswith(f"{domain}."))


def _field_rows(
    f: CodingField,
    coder_a: str,
    coder_b: str,
    pairs: Sequence[tuple[dict[str, Value], dict[str, Value]]],
) -> list[dict[str, str]]:
    n = len(pairs)
    out: list[dict[str, str]] = []
    base = {"coder_a": coder_a, "coder_b": coder_b, "n_studies": str(n)}
    va = [p[0].get(f.name, [] if f.type == "multiple" else "") for p in pairs]
    vb = [p[1].get(f.name, [] if f.type == "multiple" else "") for p in pairs]
    agree = sum(same(x, y) for x, y in zip(va, vb, strict=True))
    row = {
        **base,
        "field": f.name,
        "value": "",
        "type": f.type,
        "n_agree": str(agree),
        "percent_agreement": _pct(agree, n),
        "cohen_kappa": "",
        "mean_jaccard": "",
    }
    if f.type in ("single", "yes_no"):
        kappa = cohen_kappa([str(x) for x in va], [str(y) for y in vb])
        row["cohen_kappa"] = _fmt(kappa)
        row["measure"] = "percent agreement; Cohen's kappa" + (
            "" if kappa is not None or not n else " undefined (one category only)"
        )
    elif f.type == "multiple":
        mean = sum(jaccard(x, y) for x, y in zip(va, vb, strict=True)) / n if n else None
        row["mean_jaccard"] = _fmt(mean)
        row["measure"] = "exact set agreement; mean Jaccard"
    else:
        row["measure"] = "percent agreement (exact)"
    out.append(row)
    if f.type != "multiple":
        return out
    for value in f.allowed:
        pa = [value in x for x in va]
        pb = [value in y for y in vb]
        k = sum(x == y for x, y in zip(pa, pb, strict=True))
        kappa = cohen_kappa(pa, pb)
        out.append(
            {
                **base,
                "field": f.name,
                "value": value,
                "type": "multiple (value present)",
                "n_agree": str(k),
                "percent_agreement": _pct(k, n),
                "cohen_kappa": _fmt(kappa),
                "mean_jaccard": "",
                "measure": "presence agreement; Cohen's kappa"
                + ("" if kappa is not None or not n else " undefined (one category only)"),
            }
        )
    return out
