"""Stopping rules for prioritised screening: when may reviewers stop screening the ranked list?

With a ranked list most relevant studies come early, and the protocol must say in advance when
screening stops (and the report must say which rule was used and where it fired). Rules, each a
mapping as written in the protocol's ``screening.stopping_rule``:

``{"kind": "none"}``
    No rule: screen everything (the protocol's choice when every record must be read).
``{"kind": "consecutive_irrelevant", "n": 100}``
    Stop after ``n`` irrelevant records in a row (the common "data-driven" heuristic; simple
    to audit, but its recall depends on the set's size and prevalence).
``{"kind": "fraction_screened", "fraction": 0.5}``
    Stop after screening this share of all records (a fixed budget).
``{"kind": "knee", "min_screened": 150}``
    The knee method of Cormack & Grossman (2016, "Engineering quality and reliability in
    technology-assisted review", SIGIR), a statistical rule: find the knee ``i`` of the gain
    curve (cumulative relevant found vs records screened ``s``; the point farthest from the
    chord from the origin to the current point) and stop when the slope before the knee is at
    least ``rho`` times the slope after it, with
    ``rho = (rel(i) / i) / ((rel(s) - rel(i) + 1) / (s - i))`` and the threshold
    ``156 - min(rel(s), 150)``, and at least ``min_screened`` records screened. The "+1"
    and the high threshold for few relevant records make it conservative: it was designed to
    reach about 90-95 % recall reliably without knowing the total.

:func:`should_stop` answers for one rule and the labels so far; :func:`evaluate_rules` replays a
whole screening order and reports where each rule would have stopped and the recall there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from review.errors import ProtocolError

RULES: tuple[str, ...] = ("none", "consecutive_irrelevant", "fraction_screened", "knee")

#: The rules a simulation reports when the protocol names none.
DEFAULT_RULES: tuple[Mapping[str, Any], ...] = (
    {"kind": "consecutive_irrelevant", "n": 50},
    {"kind": "consecutive_irrelevant", "n": 100},
    {"kind": "fraction_screened", "fraction": 0.5},
    {"kind": "knee", "min_screened": 150},
)


@dataclass(frozen=True)
class StopDecision:
    """Whether to stop now, and a sentence saying why (for the log and the report)."""

    stop: bool
    reason: str


def check_rule(spec: Mapping[str, Any], *, where: str = "stopping rule") -> dict[str, Any]:
    """Validate a rule mapping and fill defaults; :class:`ProtocolError` names what is wrong."""
    name = spec.get("kind")
    if name not in RULES:
        raise ProtocolError(f"{where}: 'kind' must be one of {', '.join(RULES)}, got {name!r}")
    if name == "none":
        return {"kind": name}
    if name == "consecutive_irrelevant":
        n = spec.get("n", 100)
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ProtocolError(f"{where}: 'n' must be a positive integer, got {n!r}")
        return {"kind": name, "n": n}
    if name == "fraction_screened":
        f = spec.get("fraction")
        if not isinstance(f, int | float) or isinstance(f, bool) or not 0 < f <= 1:
            raise ProtocolError(f"{where}: 'fraction' must be a number in (0, 1], got {f!r}")
        return {"kind": name, "fraction": float(f)}
    m = spec.get("min_screened", 150)
    if not isinstance(m, int) or isinstance(m, bool) or m < 1:
        raise ProtocolError(f"{where}: 'min_screened' must be a positive integer, got {m!r}")
    return {"kind": name, "min_screened": m}


def describe(spec: Mapping[str, Any]) -> str:
    """A short label for a rule, e.g. ``consecutive_irrelevant(n=100)``."""
    rule = check_rule(spec)
    args = ", ".join(f"{k}={v}" for k, v in rule.items() if k != "kind")
    return f"{rule['kind']}({args})"


def should_stop(labels: Sequence[int], spec: Mapping[str, Any], *, n_total: int) -> StopDecision:
    """Apply one rule to the screening labels so far (1 = relevant, in screening order)."""
    rule = check_rule(spec)
    s = len(labels)
    if s >= n_total:
        return StopDecision(True, f"all {n_total} records screened")
    if rule["kind"] == "none":
        return StopDecision(False, f"no stopping rule: {s} of {n_total} screened")
    if rule["kind"] == "consecutive_irrelevant":
        run = _trailing_zeros(labels)
        if run >= rule["n"]:
            return StopDecision(True, f"{run} irrelevant records in a row (rule: {rule['n']})")
        return StopDecision(False, f"{run} irrelevant in a row, rule needs {rule['n']}")
    if rule["kind"] == "fraction_screened":
        need = math.ceil(rule["fraction"] * n_total - 1e-9)
        if s >= need:
            return StopDecision(True, f"{s} of {n_total} screened (rule: {need})")
        return StopDecision(False, f"{s} of {n_total} screened, rule needs {need}")
    rho, threshold = knee_ratio(labels)
    if s >= rule["min_screened"] and rho >= threshold:
        return StopDecision(True, f"knee slope ratio {rho:.1f} >= {threshold} after {s} records")
    return StopDecision(
        False,
        f"knee slope ratio {rho:.1f}, needs {threshold} and >= {rule['min_screened']} screened",
    )


def _trailing_zeros(labels: Sequence[int]) -> int:
    run = 0
    for value in reversed(labels):
        if value:
            break
        run += 1
    return run


def knee_ratio(labels: Sequence[int]) -> tuple[float, int]:
    """Cormack & Grossman's slope ratio at the knee of the gain curve, and the threshold."""
    y = np.cumsum(np.asarray(labels, dtype=float))
    s = len(y)
    if s < 2 or y[-1] == 0:
        return 0.0, 156 - min(int(y[-1]) if s else 0, 150)
    x = np.arange(1, s + 1, dtype=float)
    # Distance of each point from the chord (0,0)-(s, y_s), up to a constant factor.
    dist = y * s - x * y[-1]
    i = int(np.argmax(dist[:-1])) + 1  # knee at i records screened (1-based), before the end
    rel_s, rel_i = y[-1], y[i - 1]
    rho = (rel_i / i) / ((rel_s - rel_i + 1) / (s - i))
    return float(rho), 156 - min(int(rel_s), 150)


def evaluate_rules(
    labels: Sequence[int], rules: Sequence[Mapping[str, Any]] = DEFAULT_RULES
) -> list[dict[str, Any]]:
    """For a full screening order: where each rule would stop, the recall and work saved there.

    Returns one dict per rule: ``rule``, ``stopped_at`` (records screened), ``recall`` (share of
    all relevant records found by then), ``work_saved`` (share of records left unscreened).
    """
    labels = [int(v) for v in labels]
    n = len(labels)
    total = sum(labels)
    found = np.cumsum(labels)
    out = []
    for spec in rules:
        stop_at = n
        for s in range(1, n + 1):
            if _cheap_skip(spec, labels, s):
                continue
            if should_stop(labels[:s], spec, n_total=n).stop:
                stop_at = s
                break
        out.append(
            {
                "rule": describe(spec),
                "stopped_at": stop_at,
                "recall": float(found[stop_at - 1] / total) if total else 1.0,
                "work_saved": (n - stop_at) / n,
            }
        )
    return out


def _cheap_skip(spec: Mapping[str, Any], labels: Sequence[int], s: int) -> bool:
    """Skip steps where a rule cannot fire, so replaying 10k records stays fast."""
    if spec["kind"] == "none":
        return s != len(labels)
    if spec["kind"] == "consecutive_irrelevant":
        return labels[s - 1] == 1 or s < spec.get("n", 100)
    if spec["kind"] == "knee":
        return s < spec.get("min_screened", 150) or (s % 10 != 0 and s != len(labels))
    return False
