"""Structured abstract (PRISMA 2020 for Abstracts, 12 items). What the pipeline knows is
generated: counts, sources and their dates, the tools and methods used. The results, the
limitations of the evidence and the interpretation come only from the reviewers'
``abstract.md``; without it they read "not yet written"."""

from __future__ import annotations

from collections import Counter
from typing import Any

from review.report.methods import sources_table

ORDER = 50
TOC = "Structured abstract"
PRISMA = ("2",)


def context(base: dict[str, Any]) -> dict[str, Any]:
    evidence, protocol = base["evidence"], base["protocol"]
    design_field = base["p"]["synthesis"].get("design_field", "")
    designs = (
        Counter(v for s in evidence.studies for v in s.get(design_field))
        if design_field
        else Counter()
    )
    sizes = [
        max(o.sample_size for o in s.outcomes.values() if o.sample_size is not None)
        for s in evidence.studies
        if any(o.sample_size is not None for o in s.outcomes.values())
    ]
    return {
        "abstract": {
            "sources": [s for s in sources_table(base["inputs"]) if s["records"]],
            "unsearched": [s for s in sources_table(base["inputs"]) if not s["records"]],
            "designs": [
                (protocol.value_label(design_field, v), n) for v, n in designs.most_common()
            ],
            "participants": sum(sizes),
            "with_size": len(sizes),
        }
    }


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    if "abstract" not in base["evidence"].narratives:
        return {"2": "the abstract's results and interpretation are not yet written (abstract.md)"}
    return {}
