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
``{"kind": "buscar", "recall": 0.95, "confidence": 0.95}``
    The hypergeometric test of Callaghan & Müller-Hansen (2020, "Statistical stopping criteria
    for automated screening in systematic reviews", Systematic Reviews 9:273), a rule with a
    stated recall target and confidence: stop when the hypothesis "recall is still below
    ``recall``" is rejected at level ``1 - confidence``. For every window of the last ``n``
    records screened (``k`` of them relevant), the window is treated as if drawn at random from
    the records unscreened before it (``N_urn``); if recall were below the target, those records
    would hold at least ``K = floor(found / recall - (found - k) + 1)`` relevant ones, and the
    p-value is the hypergeometric ``P(X <= k)`` of drawing so few. The smallest p over all windows
    is compared with ``1 - confidence``. A ranked order puts relevant records first, so the
    recent records are, if anything, richer in relevant ones than a random draw: the test is
    conservative. It needs the total number of records, which the screening table has.

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

RULES: tuple[str, ...] = (
    "none",
    "consecutive_irrelevant",
    "fraction_screened",
    "knee",
    "buscar",
)

#: The rules a simulation reports when the protocol names none.
DEFAULT_RULES: tuple[Mapping[str, Any], ...] = (
    {"kind": "consecutive_irrelevant", "n": 50},
    {"kind": "consecutive_irrelevant", "n": 100},
    {"kind": "fraction_screened", "fraction": 0.5},
    {"kind": "knee", "min_screened": 150},
    {"kind": "buscar", "recall": 0.95, "confidence": 0.95},
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
    if name == "buscar":
        out: dict[str, Any] = {"kind": name}
        for key in ("recall", "confidence"):
            v = spec.get(key, 0.95)
            if not isinstance(v, int | float) or isinstance(v, bool) or not 0 < v < 1:
                raise ProtocolError(f"{where}: '{key}' must be a number in (0, 1), got {v!r}")
            out[key] = float(v)
        return out
    m = spec.get("min_screened", 150)
    if not isinstance(m, int) or isinstance(m, bool) or m < 1:
        raise ProtocolError(f"{where}: 'min_screened' must be a positive integer, got {m!r}")
    return {"kind": name, "min_screened": m}


def parse_rule(text: str) -> dict[str, Any]:
    """A rule from the command line: ``kind`` or ``kind:key=value,key=value``.

    ``buscar:recall=0.9,confidence=0.99`` -> ``{"kind": "buscar", "recall": 0.9, ...}``;
    checked by :func:`check_rule`, so a bad value is named.
    """
    kind, _, rest = text.strip().partition(":")
    spec: dict[str, Any] = {"kind": kind}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = part.partition("=")
        if not eq:
            raise ProtocolError(f"stopping rule {text!r}: expected key=value, got {part!r}")
        try:
            spec[key.strip()] = int(value)
        except ValueError:
            try:
                spec[key.strip()] = float(value)
            except ValueError:
                raise ProtocolError(
                    f"stopping rule {text!r}: {key.strip()!r} must be a number, got {value!r}"
                ) from None
    return check_rule(spec, where=f"stopping rule {text!r}")


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
    if rule["kind"] == "buscar":
        p = buscar_p(labels, n_total=n_total, recall=rule["recall"])
        alpha = 1 - rule["confidence"]
        if p < alpha:
            return StopDecision(
                True,
                f"recall < {rule['recall']:g} rejected (p = {p:.3g} < {alpha:.3g}) "
                f"after {s} records",
            )
        return StopDecision(
            False, f"recall < {rule['recall']:g} not rejected (p = {p:.3g}, needs < {alpha:.3g})"
        )
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


def buscar_p(labels: Sequence[int], *, n_total: int, recall: float = 0.95) -> float:
    """Smallest p-value, over all windows of recent records, of "recall is below ``recall``".

    See the module docstring (Callaghan & Müller-Hansen 2020). For a fixed number ``k`` of
    relevant records in the window, p only falls as the window grows (one more irrelevant record
    drawn from one more record), so only the longest window for each ``k`` needs testing: the
    windows reaching back to just after each relevant record, plus the whole list. The test
    suite checks this against all windows.
    """
    from scipy.stats import hypergeom

    y = np.asarray(labels, dtype=np.int64)
    s = len(y)
    if s == 0:
        return 1.0
    found = int(y.sum())
    relevant_at = np.flatnonzero(y)  # 0-based positions of the relevant records
    # Window sizes n: back to just after each relevant record (newest first), and everything.
    n = np.append(s - 1 - relevant_at[::-1], s)
    k = np.arange(len(n))  # relevant records inside each of those windows
    keep = n > 0
    n, k = n[keep], k[keep]
    urn = n_total - s + n  # records unscreened when the window started
    target = np.floor(found / recall - (found - k) + 1).astype(np.int64)
    p = np.zeros(len(n))
    possible = target <= urn  # otherwise recall >= target is certain: p = 0
    p[possible] = hypergeom.cdf(k[possible], urn[possible], target[possible], n[possible])
    return float(p.min()) if len(p) else 1.0


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
