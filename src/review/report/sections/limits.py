"""What could not be assessed: reports not retrieved, studies pending, missing abstracts."""

from __future__ import annotations

from typing import Any

from review.report.methods import limitations

ORDER = 370
TOC = "What could not be assessed"


def context(base: dict[str, Any]) -> dict[str, Any]:
    limits = limitations(base["inputs"], base["included_ids"])
    limits["not_retrieved_refs"] = [
        base["refs"][s] for s in limits["not_retrieved"] if s in base["refs"]
    ]
    return {"limits": limits}
