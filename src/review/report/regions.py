"""Where a study took place, as a region, from the coders' free-text location.

Coders write locations as they find them ("a village, a district, a region", "a town
(region)", the region's name in another language). The "studies by region" figure groups them
by region, found by name (in any language the protocol lists) anywhere in the text; a study in
several regions counts in each. The regions and their names are the review's own content: they
come from the protocol (``synthesis.regions``), never from the engine; the figure is drawn only
when the protocol has them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

NOT_STATED = "not stated"


@dataclass(frozen=True)
class Gazetteer:
    """The regions of the protocol's ``synthesis.regions``, ready to match."""

    field: str
    title: str
    patterns: tuple[tuple[re.Pattern[str], str], ...]
    country: str = ""
    national_label: str = ""

    @classmethod
    def from_protocol(cls, config: Mapping[str, Any] | None) -> Gazetteer:
        """The gazetteer of ``synthesis.regions`` (none: locations are grouped as written)."""
        config = config or {}
        places: Mapping[str, Sequence[str]] = config.get("places") or {}
        # Longest names first, so "North X" is not also counted as "X".
        names = sorted(
            ((name, region) for region, names in places.items() for name in names),
            key=lambda pair: -len(pair[0]),
        )
        return cls(
            field=str(config.get("field", "location")),
            title=str(config.get("title", "Included studies by location (coded)")),
            patterns=tuple(
                (re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE), region)
                for name, region in names
            ),
            country=str(config.get("country", "")),
            national_label=str(config.get("national_label", "")),
        )

    def regions(self, location: str) -> list[str]:
        """The regions a location names, else "not stated", the national label (the country
        alone) or the text's last comma-separated part (a place the gazetteer does not know)."""
        text = " ".join((location or "").split())
        if not text or text.lower().startswith(NOT_STATED):
            return [NOT_STATED]
        found: list[str] = []
        rest = text
        for pattern, region in self.patterns:
            if pattern.search(rest):
                rest = pattern.sub(" ", rest)
                if region not in found:
                    found.append(region)
        if found:
            return found
        if NOT_STATED in text.lower():
            return [NOT_STATED]
        if self.country and re.search(rf"\b{re.escape(self.country)}\b", text, re.IGNORECASE):
            return [self.national_label or self.country]
        return [text.split(",")[-1].strip()]
