"""Where a study took place, as a province of Indonesia, from the coders' free-text location.

Coders write locations as they find them ("Ponggok village, Klaten, Central Java", "Wates
(Yogyakarta)", "Jawa Timur"). The figure groups them by province, found by name (English or
Indonesian) anywhere in the text; a study in several provinces counts in each. Kept as data, apart
from the matching, so that another country's review can swap the table.
"""

from __future__ import annotations

import re

#: Province → the names coders use for it (longest names are matched first, so "West Papua" is
#: not also counted as "Papua").
PROVINCES: dict[str, tuple[str, ...]] = {
    "Aceh": ("Aceh", "Nanggroe Aceh Darussalam"),
    "North Sumatra": ("North Sumatra", "Sumatera Utara", "Sumut"),
    "West Sumatra": ("West Sumatra", "Sumatera Barat", "Sumbar"),
    "Riau": ("Riau",),
    "Riau Islands": ("Riau Islands", "Kepulauan Riau", "Kepri"),
    "Jambi": ("Jambi",),
    "Bengkulu": ("Bengkulu",),
    "South Sumatra": ("South Sumatra", "Sumatera Selatan", "Sumsel"),
    "Bangka Belitung": ("Bangka Belitung", "Kepulauan Bangka Belitung", "Babel"),
    "Lampung": ("Lampung",),
    "Banten": ("Banten",),
    "Jakarta": ("Jakarta", "DKI Jakarta"),
    "West Java": ("West Java", "Jawa Barat", "Jabar"),
    "Central Java": ("Central Java", "Jawa Tengah", "Jateng"),
    "Yogyakarta": ("Yogyakarta", "DI Yogyakarta", "DIY", "Jogja", "Jogjakarta"),
    "East Java": ("East Java", "Jawa Timur", "Jatim"),
    "Bali": ("Bali",),
    "West Nusa Tenggara": ("West Nusa Tenggara", "Nusa Tenggara Barat", "NTB"),
    "East Nusa Tenggara": ("East Nusa Tenggara", "Nusa Tenggara Timur", "NTT"),
    "West Kalimantan": ("West Kalimantan", "Kalimantan Barat", "Kalbar"),
    "Central Kalimantan": ("Central Kalimantan", "Kalimantan Tengah", "Kalteng"),
    "South Kalimantan": ("South Kalimantan", "Kalimantan Selatan", "Kalsel"),
    "East Kalimantan": ("East Kalimantan", "Kalimantan Timur", "Kaltim"),
    "North Kalimantan": ("North Kalimantan", "Kalimantan Utara", "Kaltara"),
    "North Sulawesi": ("North Sulawesi", "Sulawesi Utara", "Sulut"),
    "Gorontalo": ("Gorontalo",),
    "Central Sulawesi": ("Central Sulawesi", "Sulawesi Tengah", "Sulteng"),
    "West Sulawesi": ("West Sulawesi", "Sulawesi Barat", "Sulbar"),
    "South Sulawesi": ("South Sulawesi", "Sulawesi Selatan", "Sulsel"),
    "Southeast Sulawesi": ("Southeast Sulawesi", "South East Sulawesi", "Sulawesi Tenggara"),
    "Maluku": ("Maluku",),
    "North Maluku": ("North Maluku", "Maluku Utara"),
    "Papua": ("Papua",),
    "West Papua": ("West Papua", "Papua Barat"),
    "South Papua": ("South Papua", "Papua Selatan"),
    "Central Papua": ("Central Papua", "Papua Tengah"),
    "Highland Papua": ("Highland Papua", "Papua Pegunungan"),
    "Southwest Papua": ("Southwest Papua", "Papua Barat Daya"),
}

NOT_STATED = "not stated"
NATIONAL = "Indonesia (national or general)"

_NAMES = sorted(
    ((name, province) for province, names in PROVINCES.items() for name in names),
    key=lambda pair: -len(pair[0]),
)
_PATTERNS = [(re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE), p) for name, p in _NAMES]


def provinces(location: str) -> list[str]:
    """The provinces a location names, else "not stated", "Indonesia (national or general)" or
    the text's last comma-separated part (a place the table does not know)."""
    text = " ".join((location or "").split())
    if not text or text.lower().startswith(NOT_STATED):
        return [NOT_STATED]
    found: list[str] = []
    rest = text
    for pattern, province in _PATTERNS:
        if pattern.search(rest):
            rest = pattern.sub(" ", rest)
            if province not in found:
                found.append(province)
    if found:
        return found
    if NOT_STATED in text.lower():
        return [NOT_STATED]
    if re.search(r"\bIndonesia\b", text, re.IGNORECASE):
        return [NATIONAL]
    return [text.split(",")[-1].strip()]
