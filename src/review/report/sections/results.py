"""The results chapter's heading: the sections after it (summary of findings, selection,
characteristics, ...) are its subsections."""

from __future__ import annotations

from typing import Any

ORDER = 290
TOC = "Results"


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {}
