"""Counting conventions for deduplication accuracy (see ../shared/benchmarks/dedup PROVENANCE).

(a) Rathbone / McKeown / DedupEndNote: a positive is a record in a duplicate set (every member);
    predicted positive = a record the tool put in a study of two or more records.
(b) Hair / bib-dedupe (``DedupeBenchmarker.compare_dedupe_id``): the tool keeps one record per
    predicted study; TN = a true singleton kept, or a true set with at least one member kept;
    FP = a true singleton removed, or a true set with no member kept; TP = redundant copies
    removed; FN = redundant copies kept. Both tools here keep the member that comes first in
    the file.
Pairwise: every pair of records in one predicted study vs every pair in one true study.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations


def _rates(tp: int, fp: int, fn: int, tn: int | None) -> dict:
    sens = tp / (tp + fn) if tp + fn else float("nan")
    prec = tp / (tp + fp) if tp + fp else float("nan")
    out = {
        "TP": tp,
        "FP": fp,
        "FN": fn,
        "sensitivity": sens,
        "precision": prec,
        "f1": 2 * sens * prec / (sens + prec) if sens + prec else float("nan"),
    }
    if tn is not None:
        out["TN"] = tn
        out["specificity"] = tn / (tn + fp) if tn + fp else float("nan")
    return out


def groups(labels: dict[str, str]) -> list[list[str]]:
    g: dict[str, list[str]] = defaultdict(list)
    for rid, lab in labels.items():
        g[lab].append(rid)
    return list(g.values())


def convention_a(pred: dict[str, str], flagged: set[str]) -> dict:
    sizes = defaultdict(int)
    for lab in pred.values():
        sizes[lab] += 1
    tp = fp = fn = tn = 0
    for rid, lab in pred.items():
        p = sizes[lab] > 1
        t = rid in flagged
        tp += p and t
        fp += p and not t
        fn += t and not p
        tn += not p and not t
    return _rates(tp, fp, fn, tn)


def convention_b(pred: dict[str, str], truth: list[list[str]], order: dict[str, int]) -> dict:
    kept = {min(g, key=order.__getitem__) for g in groups(pred)}
    in_truth = {i for c in truth for i in c}
    tp = fp = fn = tn = 0
    for rid in pred:
        if rid not in in_truth:
            if rid in kept:
                tn += 1
            else:
                fp += 1
    for c in truth:
        n = sum(1 for i in c if i in kept)
        if n == 0:
            fp += 1
            tp += len(c) - 1
        else:
            tn += 1
            fn += n - 1
            tp += len(c) - n
    return _rates(tp, fp, fn, tn)


def pairwise(pred: dict[str, str], truth_labels: dict[str, str]) -> dict:
    def pairs(labels: dict[str, str]) -> set[tuple[str, str]]:
        out: set[tuple[str, str]] = set()
        for g in groups(labels):
            out.update(tuple(sorted(p)) for p in combinations(g, 2))
        return out

    pp, tp_ = pairs(pred), pairs(truth_labels)
    return _rates(len(pp & tp_), len(pp - tp_), len(tp_ - pp), None)
