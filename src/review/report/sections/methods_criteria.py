"""Eligibility criteria (PRISMA item 5): every criterion, its code and how it is applied, and the
protocol's operational definitions of the terms the criteria use."""

from __future__ import annotations

from typing import Any

ORDER = 210
PARENT = "methods"
ANCHOR = "criteria"
PRISMA = ("5",)


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {"criteria": base["protocol"].criteria, "definitions": base["protocol"].definitions}
