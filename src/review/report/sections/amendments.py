"""Protocol amendments (PRISMA 2020 item 24c): the protocol's amendment log, and, after a
published version, every key of the protocol that changed since it (computed from the copy of
the protocol the version keeps)."""

from __future__ import annotations

from typing import Any

from review.versions.amendments import amendments, new_amendments, protocol_diff

ORDER = 390
TOC = "Protocol amendments"
PRISMA = ("24c",)


def context(base: dict[str, Any]) -> dict[str, Any]:
    inputs = base["inputs"]
    protocol = inputs.protocol
    previous = inputs.previous
    log = amendments(protocol.data)
    if previous is None:
        return {"amendment_log": log, "protocol_changes": None, "amendments_since": []}
    return {
        "amendment_log": log,
        "protocol_changes": protocol_diff(previous.protocol_data(), protocol.data),
        "amendments_since": new_amendments(protocol, previous),
    }
