"""Synthesis methods (PRISMA item 13): how the narrative synthesis groups the studies."""

from __future__ import annotations

from typing import Any

ORDER = 270
PARENT = "methods"


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {}
