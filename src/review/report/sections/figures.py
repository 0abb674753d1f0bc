"""Figures: studies by year, by theme and by region (also written as SVG files)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from review.report import synthesis
from review.report.figures import bar_chart
from review.report.markup import trusted
from review.report.regions import Gazetteer

ORDER = 320
TOC = "Figures"


def context(base: dict[str, Any]) -> dict[str, Any]:
    included, coded, themes = base["included"], base["coded"], base["themes"]
    years = Counter(r.year or "n.d." for r in included)
    basis = "included studies" if included else "studies after deduplication"
    if not included:
        years = Counter(r.year or "n.d." for r in base["refs"].values())
    gazetteer = Gazetteer.from_protocol(base["p"]["synthesis"].get("regions"))
    return {
        "figures": {
            "year": trusted(
                bar_chart(f"Studies by year ({basis})", sorted(years.items()), label_width=70)
            ),
            "theme": trusted(
                bar_chart(
                    "Included studies by theme",
                    [(t.label, len(t.studies)) for t in themes] if coded else [],
                    empty="not coded yet",
                )
            ),
            "region": trusted(
                bar_chart(
                    gazetteer.title, synthesis.regions(coded, gazetteer), empty="not coded yet"
                )
            ),
        }
    }
