"""Reviewers' overrides: force two records together or apart, on every rerun and update.

``data/decisions/dedup_overrides.csv`` is human input, committed, and never written by the
pipeline. Overrides name *records* (whose ids are stable), not studies, so they survive any
change in clustering. An override naming a record that is not in this run's input is kept on
file and reported in the log (it may belong to a source not searched yet); it is never dropped
silently.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from review.errors import DecisionError

OVERRIDE_COLUMNS = ("record_id_a", "record_id_b", "action", "reviewer", "note", "timestamp")
ACTIONS = ("merge", "split")


@dataclass(frozen=True, slots=True)
class Override:
    record_id_a: str
    record_id_b: str
    action: str
    reviewer: str = ""
    note: str = ""
    timestamp: str = ""
    where: str = ""


def read_overrides(path: str | Path) -> list[Override]:
    """Read and check the overrides file; a missing file means no overrides."""
    path = Path(path)
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in ("record_id_a", "record_id_b", "action") if c not in header]
        if missing:
            raise DecisionError(
                f"{path}, line 1: missing column(s) {', '.join(missing)}; the overrides file has "
                f"the columns {', '.join(OVERRIDE_COLUMNS)}"
            )
        out: list[Override] = []
        for row in reader:
            line = reader.line_num
            a = (row.get("record_id_a") or "").strip()
            b = (row.get("record_id_b") or "").strip()
            action = (row.get("action") or "").strip().lower()
            if not a and not b and not action:
                continue
            if action not in ACTIONS:
                raise DecisionError(
                    f"{path}, line {line}: field 'action' is {action!r}; expected merge or split"
                )
            if not a or not b or a == b:
                raise DecisionError(
                    f"{path}, line {line}: fields 'record_id_a'/'record_id_b' must name two "
                    f"different records, got {a!r} and {b!r}"
                )
            out.append(
                Override(
                    a,
                    b,
                    action,
                    (row.get("reviewer") or "").strip(),
                    (row.get("note") or "").strip(),
                    (row.get("timestamp") or "").strip(),
                    where=f"{path}, line {line}",
                )
            )
    return out


def check_overrides(overrides: list[Override], known: set[str]) -> tuple[list[Override], list[str]]:
    """The overrides that apply to this input, and a warning for each one that does not."""
    usable: list[Override] = []
    warnings: list[str] = []
    for o in overrides:
        unknown = [r for r in (o.record_id_a, o.record_id_b) if r not in known]
        if unknown:
            warnings.append(
                f"{o.where or 'override'}: {o.action} override names record(s) "
                f"{', '.join(unknown)} not in the input; kept on file, not applied"
            )
        else:
            usable.append(o)
    latest: dict[frozenset[str], Override] = {}
    for o in usable:
        latest[frozenset((o.record_id_a, o.record_id_b))] = o  # a later row revises an earlier
    return list(latest.values()), warnings
