"""Narrative synthesis by theme (SWiM): the coded studies grouped by the protocol's themes."""

from __future__ import annotations

from typing import Any

ORDER = 330
TOC = "Narrative synthesis by theme"


def context(base: dict[str, Any]) -> dict[str, Any]:
    protocol = base["protocol"]
    theme_field = protocol.data["synthesis"].get("theme_field", "")
    return {
        "other_theme": [
            s
            for s in base["coded"]
            if not any(t["id"] in s.get(theme_field) for t in protocol.themes)
        ]
    }
