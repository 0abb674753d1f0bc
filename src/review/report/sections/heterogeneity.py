"""Heterogeneity (PRISMA item 20c, SWiM item 5): the counted directions of effect per domain by
the values of each coding field of ``synthesis.heterogeneity_by``. Only when the protocol
names such fields."""

from __future__ import annotations

from typing import Any

ORDER = 345
TOC = "Heterogeneity"
PRISMA = ("20c",)
ABSENT = (
    "the protocol names no characteristics to explore heterogeneity (synthesis.heterogeneity_by)"
)


def applies(base: dict[str, Any]) -> bool:
    return bool(base["p"]["synthesis"].get("heterogeneity_by"))


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {}


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    if not base["evidence"].table:
        return {"20c": "no direction of effect has been coded yet"}
    return {}
