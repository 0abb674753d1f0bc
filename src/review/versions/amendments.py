"""Protocol amendments (PRISMA 2020 item 24c): a protocol that changed since the last published
version must say what changed, when and why, and the report shows the change key by key.

The check compares the protocol's sha256 with the one the previous version froze; when they
differ, the protocol's ``amendments`` list must hold an entry that version's protocol did not
have, dated on or after the day it was frozen. The key-level difference is computed from the
protocol copy every version keeps, so it needs no memory of what the protocol said.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from review.errors import ProtocolError
from review.protocol import Protocol
from review.versions.store import Version

#: Keys of list items that name them, so a list of criteria or sources diffs item by item.
_ITEM_KEYS = ("id", "code", "name")
#: The amendment log itself is shown as a log, not as a difference.
_NOT_DIFFED = ("amendments",)


@dataclass(frozen=True)
class KeyChange:
    """One key of the protocol that differs between two versions."""

    key: str
    change: str  #: added | removed | changed
    old: str
    new: str


def _text(value: Any) -> str:
    if isinstance(value, str):
        return " ".join(value.split())
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _is_items(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(i, Mapping) and any(k in i for k in _ITEM_KEYS) for i in value)
    )


def _flatten(value: Any, prefix: str, out: dict[str, Any], items: dict[str, Any]) -> None:
    if isinstance(value, Mapping):
        if not value and prefix:
            out[prefix] = {}
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), out, items)
    elif _is_items(value):
        for item in value:
            name = next(str(item[k]) for k in _ITEM_KEYS if k in item)
            items[f"{prefix}[{name}]"] = item
            _flatten(item, f"{prefix}[{name}]", out, items)
    else:
        out[prefix] = value


def _flattened(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    out: dict[str, Any] = {}
    items: dict[str, Any] = {}
    _flatten({k: v for k, v in data.items() if k not in _NOT_DIFFED}, "", out, items)
    return out, items


def flatten(data: Mapping[str, Any]) -> dict[str, Any]:
    """``{"criteria[E3-x].description": ..., "sources[doaj].query": ...}``: every leaf key."""
    return _flattened(data)[0]


def protocol_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[KeyChange]:
    """Every key added, removed or changed between two protocols, in key order; a named item
    (a source, a criterion, ...) added or removed whole is one change."""
    (a, items_a), (b, items_b) = _flattened(old), _flattened(new)
    whole = {k: "added" for k in items_b.keys() - items_a.keys()}
    whole.update({k: "removed" for k in items_a.keys() - items_b.keys()})

    def inside(key: str) -> bool:
        return any(key != w and key.startswith(w) for w in whole)

    out = []
    for key in sorted(set(a) | set(b) | set(whole)):
        if inside(key):
            continue
        if key in whole:
            if whole[key] == "added":
                out.append(KeyChange(key, "added", "", _text(items_b[key])))
            else:
                out.append(KeyChange(key, "removed", _text(items_a[key]), ""))
        elif key not in a:
            out.append(KeyChange(key, "added", "", _text(b[key])))
        elif key not in b:
            out.append(KeyChange(key, "removed", _text(a[key]), ""))
        elif _text(a[key]) != _text(b[key]):
            out.append(KeyChange(key, "changed", _text(a[key]), _text(b[key])))
    return out


def amendments(data: Mapping[str, Any]) -> list[dict[str, str]]:
    """The protocol's amendment log, each entry's date as ``YYYY-MM-DD`` text."""
    out = []
    for i, entry in enumerate(data.get("amendments") or [], start=1):
        raw = str(entry.get("date", ""))
        try:
            date = dt.date.fromisoformat(raw[:10]).isoformat()
        except ValueError:
            raise ProtocolError(
                f"amendments[{i}].date: {raw!r} is not a date (write YYYY-MM-DD)"
            ) from None
        out.append(
            {
                "date": date,
                "what": " ".join(str(entry.get("what", "")).split()),
                "why": " ".join(str(entry.get("why", "")).split()),
            }
        )
    return out


def new_amendments(protocol: Protocol, previous: Version) -> list[dict[str, str]]:
    """The amendments the previous version's protocol did not have."""
    before = {tuple(a.values()) for a in amendments(previous.protocol_data())}
    return [a for a in amendments(protocol.data) if tuple(a.values()) not in before]


def check_amendments(protocol: Protocol, previous: Version | None) -> None:
    """Stop when the protocol changed since ``previous`` without an amendment saying so."""
    if previous is None:
        amendments(protocol.data)  # the dates are checked even without a version
        return
    frozen = str(previous.manifest["protocol"]["sha256"])
    if protocol.sha256 == frozen:
        return
    added = new_amendments(protocol, previous)
    dated = [a for a in added if a["date"] >= previous.date]
    if dated:
        return
    keys = [c.key for c in protocol_diff(previous.protocol_data(), protocol.data)]
    changed = (
        f"keys changed: {', '.join(keys[:8])}{' …' if len(keys) > 8 else ''}"
        if keys
        else "no key changed: only its text (comments, layout)"
    )
    stale = (
        f" (the new entries are dated before {previous.date}: "
        f"{', '.join(a['date'] for a in added)})"
        if added
        else ""
    )
    raise ProtocolError(
        f"{protocol.path}: the protocol changed since version {previous.name} (sha256 "
        f"{frozen[:12]}… → {protocol.sha256[:12]}…; {changed}), but no amendment says so"
        f"{stale}. Add an entry under 'amendments' with the date (on or after "
        f"{previous.date}), what changed and why; the report lists it (PRISMA 2020 item 24c)"
    )
