"""Research questions (PRISMA item 4): as the protocol states them, the second section of the
introduction, after the rationale."""

from __future__ import annotations

from typing import Any

ORDER = 100
TOC = "Research questions"
PRISMA = ("4",)


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {}
