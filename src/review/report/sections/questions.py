"""1. Research questions: as the protocol states them."""

from __future__ import annotations

from typing import Any

ORDER = 100
TOC = "Research questions"
PRISMA = ("4",)


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {}
