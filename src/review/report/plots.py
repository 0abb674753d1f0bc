"""The evidence figures as inline SVG: the effect-direction plot (Boon & Thomson 2021) and the
appraisal summary (stacked bars per criterion). Each SVG carries its own style, a title and a
description (for screen readers), and prints in black and white: directions are shapes, row
shading is backed by the level written in its own column, answers by hatching and labels.

Every text placed here is escaped: the figures are inserted into the page as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = "font-family:'Inter','Segoe UI',system-ui,-apple-system,sans-serif"
#: Row shades by appraisal level, lowest concern first (the tool's order); a tool with another
#: number of levels is spread over them.
SHADES = ("#dcefdc", "#fbecc8", "#f6d3d3")
SHADE_NAMES = ("light green", "light amber", "light red")
ARROW_SIZE = {"small": 5.0, "medium": 7.5, "large": 10.0, "unknown": 5.0}


def _shade(index: int, levels: int) -> str:
    if index < 0 or levels <= 0:
        return "none"
    if levels == 1:
        return SHADES[0]
    return SHADES[round(index * (len(SHADES) - 1) / (levels - 1))]


def _arrow(cx: float, cy: float, direction: str, band: str, counted: bool) -> str:
    """A direction glyph: up/down triangle, or two facing triangles for no change or mixed."""
    h = ARROW_SIZE.get(band, 5.0)
    fill = "#111" if counted else "#fff"
    dash = ' stroke-dasharray="2 1.5"' if band == "unknown" else ""
    style = f'fill="{fill}" stroke="#111" stroke-width="1.2"{dash}'
    if direction == "improved":
        pts = f"{cx - h},{cy + h * 0.8} {cx + h},{cy + h * 0.8} {cx},{cy - h}"
        return f'<polygon points="{pts}" {style}/>'
    if direction == "worsened":
        pts = f"{cx - h},{cy - h * 0.8} {cx + h},{cy - h * 0.8} {cx},{cy + h}"
        return f'<polygon points="{pts}" {style}/>'
    if direction == "no_change_or_mixed":
        w = h * 0.9
        left = f"{cx - 1.5},{cy - w * 0.8} {cx - 1.5},{cy + w * 0.8} {cx - 1.5 - w * 1.1},{cy}"
        right = f"{cx + 1.5},{cy - w * 0.8} {cx + 1.5},{cy + w * 0.8} {cx + 1.5 + w * 1.1},{cy}"
        return f'<polygon points="{left}" {style}/><polygon points="{right}" {style}/>'
    if direction == "not_measured":
        return f'<circle cx="{cx}" cy="{cy}" r="1.6" fill="#777"/>'
    return ""


@dataclass(frozen=True)
class PlotRow:
    """One study's row of the plot."""

    label: str
    design: str
    level: str
    level_index: int
    cells: tuple[tuple[str, str, bool], ...]  # (direction, size band, counted) per domain


@dataclass(frozen=True)
class FootCell:
    text: str
    detail: str = ""


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def effect_direction_plot(
    *,
    title: str,
    domains: Sequence[str],
    rows: Sequence[PlotRow],
    levels: Sequence[str],
    foot_label: str,
    foot: Sequence[FootCell],
    show_design: bool,
    show_level: bool,
    design_label: str = "",
) -> str:
    """The effect-direction plot: studies (rows) by outcome domains (columns)."""
    label_w, design_w = 190, 120 if show_design else 0
    level_w = 110 if show_level else 0
    col_w = max(78, min(130, max((len(d) for d in domains), default=8) * 7))
    left = label_w + design_w + level_w
    width = left + col_w * len(domains) + 10
    row_h, head_h, top = 24, 34, 28
    body_top = top + head_h
    foot_top = body_top + row_h * len(rows) + 6
    legend_top = foot_top + 40
    height = legend_top + 70
    desc = (
        f"{len(rows)} studies by {len(domains)} outcome domains. Up triangle: improved; down "
        "triangle: worsened; two facing triangles: no change or mixed; dot: not measured. "
        "Larger triangles: larger samples (under 50, 50 to 300, over 300; dashed outline: "
        "sample size not reported); hollow: a direction whose evidence type is not counted. "
        + "; ".join(
            f"{r.label}: "
            + ", ".join(
                f"{d} {c[0].replace('_', ' ') or 'not coded'}"
                for d, c in zip(domains, r.cells, strict=True)
            )
            for r in rows
        )
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" class="effect-plot" aria-labelledby="edp-title edp-desc">',
        f'<title id="edp-title">{escape(title)}</title>',
        f'<desc id="edp-desc">{escape(desc)}</desc>',
        f"<style>.effect-plot text{{{FONT};font-size:11px;fill:#1d2733}}"
        ".effect-plot .h{font-weight:600;font-size:11.5px}.effect-plot .t{font-weight:600;"
        "font-size:13px}.effect-plot .m{fill:#5b6673;font-size:10.5px}</style>",
        f'<text x="0" y="16" class="t">{escape(title)}</text>',
        f'<text x="0" y="{body_top - 10}" class="h">Study</text>',
    ]
    if show_design:
        out.append(
            f'<text x="{label_w}" y="{body_top - 10}" class="h">{escape(design_label)}</text>'
        )
    if show_level:
        out.append(f'<text x="{label_w + design_w}" y="{body_top - 10}" class="h">Appraisal</text>')
    for j, d in enumerate(domains):
        x = left + col_w * j + col_w / 2
        out.append(
            f'<text x="{x}" y="{body_top - 10}" class="h" text-anchor="middle">'
            f"<title>{escape(d)}</title>{escape(_clip(d, col_w // 7))}</text>"
        )
    out.append(
        f'<line x1="0" y1="{body_top - 4}" x2="{width}" y2="{body_top - 4}" stroke="#1d2733"/>'
    )
    for i, r in enumerate(rows):
        y = body_top + row_h * i
        fill = _shade(r.level_index, len(levels))
        if fill != "none":
            out.append(f'<rect x="0" y="{y}" width="{width}" height="{row_h}" fill="{fill}"/>')
        out.append(
            f'<line x1="0" y1="{y + row_h}" x2="{width}" y2="{y + row_h}" stroke="#d9dee4"/>'
        )
        cy = y + row_h / 2
        out.append(
            f'<text x="4" y="{cy + 4}"><title>{escape(r.label)}</title>'
            f"{escape(_clip(r.label, 30))}</text>"
        )
        if show_design:
            out.append(f'<text x="{label_w}" y="{cy + 4}">{escape(_clip(r.design, 18))}</text>')
        if show_level:
            out.append(
                f'<text x="{label_w + design_w}" y="{cy + 4}">{escape(_clip(r.level, 16))}</text>'
            )
        for j, (direction, band, counted) in enumerate(r.cells):
            out.append(_arrow(left + col_w * j + col_w / 2, cy, direction, band, counted))
    out.append(f'<line x1="0" y1="{foot_top}" x2="{width}" y2="{foot_top}" stroke="#1d2733"/>')
    out.append(f'<text x="4" y="{foot_top + 16}" class="h">{escape(foot_label)}</text>')
    for j, cell in enumerate(foot):
        x = left + col_w * j + col_w / 2
        out.append(
            f'<text x="{x}" y="{foot_top + 16}" text-anchor="middle">{escape(cell.text)}</text>'
        )
        if cell.detail:
            out.append(
                f'<text x="{x}" y="{foot_top + 30}" text-anchor="middle" class="m">'
                f"{escape(cell.detail)}</text>"
            )
    # legend
    ly = legend_top
    out.append(f'<text x="0" y="{ly}" class="h">Legend</text>')
    items = [
        ("improved", "medium", True, "improved"),
        ("worsened", "medium", True, "worsened"),
        ("no_change_or_mixed", "medium", True, "no change or mixed"),
        ("improved", "small", True, "n < 50"),
        ("improved", "medium", True, "n 50 to 300"),
        ("improved", "large", True, "n > 300"),
        ("improved", "unknown", True, "n not reported"),
        ("improved", "medium", False, "evidence type not counted"),
    ]
    for k, (direction, band, counted, text) in enumerate(items):
        x = (k % 4) * 150 + 12
        y = ly + 20 + (k // 4) * 24
        out.append(_arrow(x, y - 4, direction, band, counted))
        out.append(f'<text x="{x + 16}" y="{y}">{escape(text)}</text>')
    if show_level and levels:
        shades = ", ".join(
            f"{lvl}: {SHADE_NAMES[SHADES.index(_shade(i, len(levels)))]}"
            for i, lvl in enumerate(levels)
        )
        out.append(
            f'<text x="0" y="{ly + 66}" class="m">Row shading by appraisal ({escape(shades)}; '
            "no shading: not appraised).</text>"
        )
    out.append("</svg>")
    return "\n".join(out)


#: Fill and hatching of each answer position in the appraisal figure (first answer first).
ANSWER_FILLS = (("#2e7d32", ""), ("#c62828", "hatch"), ("#f0b429", "dots"), ("#8e99a4", ""))


def appraisal_figure(
    *,
    title: str,
    answers: Sequence[tuple[str, str]],
    categories: Sequence[tuple[str, int, Sequence[tuple[str, str, Sequence[int]]]]],
) -> str:
    """Per category (label, studies, criteria), one stacked bar per criterion: the share of
    studies answering each answer (``answers`` in the tool's order, then "not answered")."""
    labels = [*(a[1] for a in answers), "Not answered"]
    label_w, bar_w, row_h = 70, 420, 20
    width = label_w + bar_w + 60
    y = 30
    body: list[str] = []
    for cat_label, n, criteria in categories:
        unit = "study" if n == 1 else "studies"
        body.append(f'<text x="0" y="{y + 14}" class="h">{escape(cat_label)} ({n} {unit})</text>')
        y += 22
        for item_id, text, counts in criteria:
            total = sum(counts) or 1
            body.append(
                f'<text x="0" y="{y + 14}"><title>{escape(text)}</title>{escape(item_id)}</text>'
            )
            x = float(label_w)
            for k, c in enumerate(counts):
                if not c:
                    continue
                w = bar_w * c / total
                colour, pattern = ANSWER_FILLS[min(k, len(ANSWER_FILLS) - 1)]
                if k == len(counts) - 1:
                    colour, pattern = "#ffffff", ""
                body.append(
                    f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row_h - 4}" '
                    f'fill="{colour}" stroke="#1d2733" stroke-width=".6"/>'
                )
                if pattern:
                    body.append(
                        f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row_h - 4}" '
                        f'fill="url(#ap-{pattern})"/>'
                    )
                if w > 18:
                    body.append(
                        f'<text x="{x + w / 2:.1f}" y="{y + 14}" text-anchor="middle" '
                        f'class="{"w" if k == 0 else "n"}">{c}</text>'
                    )
                x += w
            y += row_h
        y += 8
    legend_y = y + 6
    legend = []
    for k, text in enumerate(labels):
        colour, pattern = ANSWER_FILLS[min(k, len(ANSWER_FILLS) - 1)]
        if k == len(labels) - 1:
            colour, pattern = "#ffffff", ""
        x = k * 120
        legend.append(
            f'<rect x="{x}" y="{legend_y}" width="14" height="12" fill="{colour}" '
            'stroke="#1d2733" stroke-width=".6"/>'
        )
        if pattern:
            legend.append(
                f'<rect x="{x}" y="{legend_y}" width="14" height="12" fill="url(#ap-{pattern})"/>'
            )
        legend.append(f'<text x="{x + 18}" y="{legend_y + 10}">{escape(text)}</text>')
    height = legend_y + 24
    desc = "; ".join(
        f"{cat} ({n} {'study' if n == 1 else 'studies'}): "
        + ", ".join(
            f"{i}: " + ", ".join(f"{lab} {c}" for lab, c in zip(labels, counts, strict=True))
            for i, _t, counts in crit
        )
        for cat, n, crit in categories
    )
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" class="appraisal-figure" '
        'aria-labelledby="ap-title ap-desc">',
        f'<title id="ap-title">{escape(title)}</title>',
        f'<desc id="ap-desc">{escape(desc)}</desc>',
        f"<style>.appraisal-figure text{{{FONT};font-size:11px;fill:#1d2733}}"
        ".appraisal-figure .h{font-weight:600}.appraisal-figure .t{font-weight:600;"
        "font-size:13px}.appraisal-figure .w{fill:#fff;font-weight:600}"
        ".appraisal-figure .n{font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px}"
        "</style>",
        '<defs><pattern id="ap-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#fff" '
        'stroke-width="2"/></pattern><pattern id="ap-dots" width="5" height="5" '
        'patternUnits="userSpaceOnUse"><circle cx="2.5" cy="2.5" r="1" fill="#1d2733"/>'
        "</pattern></defs>",
        f'<text x="0" y="16" class="t">{escape(title)}</text>',
    ]
    return "\n".join([*head, *body, *legend, "</svg>"])
