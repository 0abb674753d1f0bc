"""Effect direction: the table of directions (studies by outcome domains, PRISMA item 19), the
effect-direction plot (Boon & Thomson 2021: arrows sized by sample, rows shaded by appraisal,
a sign test per domain at the foot) and vote counting on the direction of effect where the
protocol allows it (PRISMA items 20a and 20b). Only when the protocol defines outcome domains."""

from __future__ import annotations

from typing import Any

from review.report.markup import trusted
from review.report.plots import FootCell, PlotRow, effect_direction_plot
from review.report.sections.narrative import appraisal_gap

ORDER = 325
TOC = "Effect direction"
PRISMA = ("19", "20a", "20b")
ABSENT = "the protocol defines no outcome domains (coding.outcome_domains)"


def applies(base: dict[str, Any]) -> bool:
    return bool(base["protocol"].outcome_domains)


def _p(value: float | None) -> str:
    if value is None:
        return "p = n/a"
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


def context(base: dict[str, Any]) -> dict[str, Any]:
    evidence, protocol = base["evidence"], base["protocol"]
    design_field = base["p"]["synthesis"].get("design_field", "")
    tool = evidence.tool
    levels = [label for _id, label in tool.overall_levels] if tool else []
    level_ids = [lid for lid, _label in tool.overall_levels] if tool else []
    domains = [protocol.domain_label(d) for d in evidence.domains]

    def design(study: Any) -> str:
        return ", ".join(protocol.value_label(design_field, v) for v in study.get(design_field))

    rows = [
        PlotRow(
            label=evidence.ref(r.study).cite,
            design=design(r.study),
            level=tool.level_label(r.study.concern) if tool and r.study.concern else "",
            level_index=level_ids.index(r.study.concern) if r.study.concern in level_ids else -1,
            cells=tuple((c.direction, c.band, c.counted) for c in r.cells),
        )
        for r in evidence.table
    ]
    votes = [evidence.votes[d] for d in evidence.domains]
    if evidence.vote_allowed:
        foot_label = "Sign test (▲ of ▲+▼)"
        foot = [FootCell(f"{v.improved}/{v.n}", _p(v.p_value)) for v in votes]
    else:
        foot_label = "Counted directions"
        foot = [FootCell(f"▲{v.improved} ◄►{v.no_change} ▼{v.worsened}") for v in votes]
    plot = None
    if rows:
        plot = trusted(
            effect_direction_plot(
                title="Effect direction plot",
                domains=domains,
                rows=rows,
                levels=levels,
                foot_label=foot_label,
                foot=foot,
                show_design=bool(design_field),
                show_level=tool is not None,
                design_label=protocol.field_label(design_field) if design_field else "",
            )
        )
    return {
        "figure_effect_direction": plot,
        "direction_design": design,
        "direction_votes": votes,
    }


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    if not base["evidence"].table:
        reason = "no direction of effect has been coded yet (outcomes.csv)"
        return {"19": reason, "20a": reason, "20b": reason}
    out = {}
    if gap := appraisal_gap(base["evidence"]):
        out["20a"] = gap
    if not base["evidence"].vote_allowed:
        out["20b"] = "vote counting is not declared (synthesis.vote_counting.allowed)"
    return out
