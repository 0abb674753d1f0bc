"""Other information (PRISMA items 24a-24c, 25, 26, 27): registration, where the protocol is,
its amendments, support, competing interests, and the availability of data, code and
materials, as the protocol states them; a missing key is said to be missing."""

from __future__ import annotations

from typing import Any

ORDER = 390
TOC = "Registration, protocol, support and availability"
PRISMA = ("24a", "24b", "24c", "25", "26", "27")
KEYS = {
    "24a": "registration",
    "24b": "protocol_location",
    "25": "funding",
    "26": "competing_interests",
    "27": "availability",
}


def context(base: dict[str, Any]) -> dict[str, Any]:
    return {"amendments": list(base["p"].get("amendments") or [])}


def gaps(base: dict[str, Any], own: dict[str, Any]) -> dict[str, str]:
    p = base["p"]
    out = {
        item: f"the protocol does not state it (`{key}`)"
        for item, key in KEYS.items()
        if not p.get(key)
    }
    if not own["amendments"]:
        out["24c"] = "the protocol records no amendments (`amendments`)"
    return out
