"""Figures: studies by year, by theme (titled with the theme field's label) and, when the
protocol names regions (``synthesis.regions``), by region. Each is also written as an SVG file
(``figure_<name>`` names a figure file; see :func:`review.report.render.drawn_figures`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from review.report import synthesis
from review.report.figures import bar_chart
from review.report.markup import trusted
from review.report.regions import Gazetteer

ORDER = 315
TOC = "Figures"


def context(base: dict[str, Any]) -> dict[str, Any]:
    included, coded, themes = base["included"], base["coded"], base["themes"]
    protocol = base["protocol"]
    years = Counter(r.year or "n.d." for r in included)
    basis = "included studies" if included else "studies after deduplication"
    if not included:
        years = Counter(r.year or "n.d." for r in base["refs"].values())
    theme_field = base["p"]["synthesis"].get("theme_field", "")
    theme_title = (
        f"Included studies by {protocol.field_label(theme_field).lower()}"
        if theme_field
        else "Included studies by theme"
    )
    regions = base["p"]["synthesis"].get("regions")
    region = None
    if regions:
        gazetteer = Gazetteer.from_protocol(regions)
        region = trusted(
            bar_chart(gazetteer.title, synthesis.regions(coded, gazetteer), empty="not coded yet")
        )
    return {
        "figure_year": trusted(
            bar_chart(f"Studies by year ({basis})", sorted(years.items()), label_width=70)
        ),
        "figure_theme": trusted(
            bar_chart(
                theme_title,
                [(t.label, len(t.studies)) for t in themes] if coded else [],
                empty="not coded yet",
            )
        ),
        "figure_region": region,
    }
