"""Other information (PRISMA items 24a, 24b, 25, 26, 27): registration, where the protocol is,
support, competing interests, and the availability of data, code and materials, as the
protocol states them; a missing key is said to be missing. The amendments (24c) have their own
chapter (:mod:`.amendments`)."""

from __future__ import annotations

from typing import Any

ORDER = 385
TOC = "Registration, protocol, support and availability"
PRISMA = ("24a", "24b", "25", "26", "27")
KEYS = {
    "24a": "registration",
    "24b": "protocol_location",
    "25": "funding",
    "26": "competing_interests",
    "27": "availability",
}


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {}


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    p = base["p"]
    return {
        item: f"the protocol does not state it (`{key}`)"
        for item, key in KEYS.items()
        if not p.get(key)
    }
