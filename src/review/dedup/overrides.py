"""Reviewers' overrides: force two records together or apart, on every rerun and update.

``data/decisions/dedup_overrides.csv`` is human input, committed, and never written by the
pipeline. Overrides name *records* (whose ids are stable), not studies, so they survive any
change in clustering. An override naming a record that is not in this run's input is kept on
file and reported in the log (it may belong to a source not searched yet); it is never dropped
silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from review.errors import DecisionError
from review.tables import contract, read_numbered

#: What an override does (the ``action`` column of its contract): merge or split.
ACTIONS = contract("dedup_overrides").column("action").values


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
    table = contract("dedup_overrides")
    out: list[Override] = []
    for row_number, row in read_numbered(path, table):
        a, b, action = row["record_id_a"], row["record_id_b"], row["action"]
        where = table.where(path, row_number)
        if not a or not b or a == b:
            raise DecisionError(
                f"{where}: fields 'record_id_a'/'record_id_b' must name two different records, "
                f"got {a!r} and {b!r}"
            )
        out.append(Override(a, b, action, row["reviewer"], row["note"], row["timestamp"], where))
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
